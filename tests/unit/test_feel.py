"""FEEL cells: what they match, what they compute, and how they refuse."""

from datetime import date
from decimal import Decimal

import pytest

from ordoflow.governance.feel import (
    FeelError,
    feel_value,
    parse_expression,
    parse_unary_tests,
    parse_values,
    plain_value,
)

D = Decimal


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ("-", None, True),
        ("-", "anything", True),
        (">=18", D(18), True),
        (">=18", D("17.99"), False),
        ("<18", D(18), False),
        ("[1..30]", D(30), True),
        ("[1..30)", D(30), False),
        ("]1..30]", D(1), False),
        ("(1..30)", D(2), True),
        ("[1..30[", D(30), False),
        ('"preferred","strategic"', "strategic", True),
        ('"preferred","strategic"', "standard", False),
        ('not("standard")', "cash", True),
        ('not("standard","cash")', "cash", False),
        ("not(>=100)", D(99), True),
        ("5", D("5.00"), True),
        ("-5", D(-5), True),
        ("true", True, True),
        ("false", True, False),
        ('date("2026-12-01")', date(2026, 12, 1), True),
        ('>=date("2026-01-01")', date(2025, 12, 31), False),
        ("null", None, True),
        ("< 5, > 10", D(11), True),
    ],
)
def test_unary_tests_match_as_feel_says(cell: str, value: object, expected: bool) -> None:
    assert parse_unary_tests(cell)(value, {}) is expected


@pytest.mark.parametrize(
    ("cell", "value"),
    [(">=18", "eighteen"), ('"gold"', D(1)), ("true", D(1)), ("[1..5]", None), (">5", True)],
)
def test_a_value_of_another_type_never_matches(cell: str, value: object) -> None:
    assert parse_unary_tests(cell)(value, {}) is not True


def test_a_cell_may_compare_with_another_input() -> None:
    assert parse_unary_tests("<= limit")(D(10), {"limit": D(12)}) is True
    assert parse_unary_tests("<= limit")(D(10), {"limit": D(8)}) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 + 20 / -5 - 3", D(3)),
        ("(5+2)**5", D(16807)),
        ("10**-5", D("0.00001")),
        ("1.2*10**3", D(1200)),
        ("-.872", D("-0.872")),
        ("(10+20)/0", None),
        ("null + 10", None),
        ('"Hello " + "World"', "Hello World"),
        ("1 = 1.0", True),
        ('"a" = 1', None),
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("not(true)", False),
        ("3 > 2", True),
    ],
)
def test_expressions_compute_exactly(text: str, expected: object) -> None:
    assert parse_expression(text)({}) == expected


def test_names_may_hold_spaces_and_reach_into_contexts() -> None:
    ctx = {"Monthly Salary": feel_value(1000), "loan": {"rate": feel_value(0.05)}}
    assert parse_expression("12 * Monthly Salary")(ctx) == D(12000)
    assert parse_expression("loan.rate * 2")(ctx) == D("0.10")
    assert parse_expression("loan.missing")(ctx) is None


@pytest.mark.parametrize("text", [">>5", "[1..", '"unclosed', "1 +", "not(", "foo(1)"])
def test_a_cell_that_does_not_parse_is_refused_with_its_text(text: str) -> None:
    with pytest.raises(FeelError) as caught:
        parse_unary_tests(text)
    assert repr(text) in str(caught.value)


def test_value_lists_are_constants_only() -> None:
    assert parse_values('"Approved", "Declined"') == ["Approved", "Declined"]
    with pytest.raises(FeelError):
        parse_values("a, b")


def test_numbers_enter_as_exact_decimals_and_leave_as_plain_json() -> None:
    assert feel_value(0.1) == D("0.1")
    assert feel_value(True) is True
    assert plain_value({"n": D("2.0"), "x": [D("1.5")], "d": date(2026, 1, 2)}) == {
        "n": 2, "x": [1.5], "d": "2026-01-02"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ('not("a")', None, True),  # null = "a" is false, so not(...) holds
        ('not("a")', D(5), None),  # 5 = "a" is null: nothing matches
        ("not(5)", None, True),
        ("not(5)", "five", None),
        ("not(>5)", None, None),  # null > 5 is null
        ("not(>5)", "six", None),
        ("not([1..5])", None, None),
        ("not(true)", None, True),
        ("not(true)", D(1), None),
    ],
)
def test_null_and_other_types_under_not_follow_feel(
    cell: str, value: object, expected: object
) -> None:
    assert parse_unary_tests(cell)(value, {}) is expected
