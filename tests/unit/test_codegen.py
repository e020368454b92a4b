"""The generated row matcher must match exactly the rows the compiled cells match."""

from datetime import date
from decimal import Decimal

import pytest

from ordoflow.governance.codegen import generate
from ordoflow.governance.feel import parse_unary_tests

D = Decimal
CELLS = [
    "-", '"a"', '"a","b"', 'not("a")', 'not("a","b")', "5", "-5", "5, 7", "not(5)", ">5",
    ">=5", "<5", "<=5.5", "[1..5]", "(1..5)", "]1..5]", "[1..5[", "<1, >9", "not(>5)",
    "not([1..5])", "true", "false", "not(true)", "null", 'date("2026-01-01")',
    '>=date("2026-01-01")', '[date("2026-01-01")..date("2026-12-31")]', "<= limit", "limit",
    '"a", >5',
]  # fmt: skip
VALUES = [None, "a", "b", "c", D(0), D(1), D(5), D("5.0"), D("5.5"), D(6), D(9), D(10), D(-5),
          True, False, date(2026, 1, 1), date(2027, 1, 1)]  # fmt: skip


@pytest.mark.parametrize("first", [True, False])
def test_generated_matching_agrees_with_the_cells_on_every_value(first: bool) -> None:
    tests = [parse_unary_tests(cell) for cell in CELLS]
    matcher = generate([[cell] for cell in CELLS], [[t] for t in tests], first=first)
    ctx = {"limit": D(5)}
    for value in VALUES:
        expected = [n for n, t in enumerate(tests) if t(value, ctx) is True]
        found = matcher(value, ctx)
        if first:
            assert found == (expected[0] if expected else -1), value
        else:
            assert found == expected, value


@pytest.mark.parametrize("cell", CELLS)
def test_each_cell_alone_matches_the_same_values_generated_or_not(cell: str) -> None:
    test = parse_unary_tests(cell)
    matcher = generate([[cell]], [[test]], first=True)
    ctx = {"limit": D(5)}
    for value in VALUES:
        assert (matcher(value, ctx) == 0) is (test(value, ctx) is True), value
