"""Decision tables: each hit policy, the trace of a decision, and the refusals."""

from decimal import Decimal

import pytest

from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.overlap import overlapping_rules
from ordoflow.governance.tables import (
    Aggregation,
    DecisionTable,
    HitPolicy,
    InputClause,
    OutputClause,
    Rule,
    compile_table,
)

D = Decimal
INPUTS = (InputClause("Tier", "tier", "string"), InputClause("Days past due", "days", "number"))


def table(policy: HitPolicy, *rows: tuple[str, str, str], aggregation: Aggregation | None = None,
          allowed: str | None = None) -> DecisionTable:  # fmt: skip
    return DecisionTable(
        name="credit",
        inputs=INPUTS,
        outputs=(OutputClause("outcome", "string", allowed),),
        rules=tuple(Rule((t, d), (o,), annotation=f"r{n}")
                    for n, (t, d, o) in enumerate(rows, start=1)),
        hit_policy=policy,
        aggregation=aggregation,
    )  # fmt: skip


ROWS = (
    ('"cash"', "-", '"hold"'),
    ("-", ">60", '"reject"'),
    ("-", "[31..60]", '"hold"'),
    ("-", "<=30", '"pass"'),
)


def decide(t: DecisionTable, tier: str = "standard", days: int = 10) -> object:
    return compile_table(t).evaluate({"tier": tier, "days": D(days)}).result


def test_first_takes_the_first_matching_row_and_says_which() -> None:
    decision = compile_table(table(HitPolicy.FIRST, *ROWS)).evaluate(
        {"tier": "cash", "days": D(90)}
    )
    assert decision.result == "hold"
    assert decision.matched == (1,)
    assert decision.reasons == ("r1",)
    assert decision.inputs == {"Tier": "cash", "Days past due": D(90)}


def test_unique_gives_the_one_match() -> None:
    unique = table(HitPolicy.UNIQUE, *ROWS[1:])
    assert decide(unique, days=45) == "hold"
    assert decide(unique, days=61) == "reject"


def test_a_unique_table_whose_rows_can_overlap_is_refused_before_it_runs() -> None:
    with pytest.raises(DomainError) as caught:
        compile_table(table(HitPolicy.UNIQUE, *ROWS))
    assert caught.value.code is ErrorCode.DECISION_HIT_POLICY_VIOLATION
    assert "rules 1 and 2, 1 and 3, 1 and 4 can match the same input" in caught.value.message


@pytest.mark.parametrize(
    ("rows", "overlaps"),
    [
        ((('"a","b"', "-"), ('"b"', "-")), [(1, 2)]),
        ((('"a"', "-"), ('not("a")', "-")), []),
        ((('not("a")', "-"), ('"b"', "-")), [(1, 2)]),
        ((("-", "[1..30]"), ("-", "(30..60]")), []),
        ((("-", "[1..30]"), ("-", "[30..60]")), [(1, 2)]),
        ((("-", "<10"), ("-", ">=10")), []),
        ((("-", '"10"'), ("-", "10")), []),
        ((("-", "<= limit"), ("-", "<=30")), []),
    ],
)
def test_overlap_is_found_only_where_it_can_be_proved(
    rows: tuple[tuple[str, str], ...], overlaps: list[tuple[int, int]]
) -> None:
    assert overlapping_rules(rows) == overlaps


def test_rows_that_overlap_on_cells_the_check_cannot_read_are_caught_when_both_match() -> None:
    inputs = (*INPUTS, InputClause("Limit", "limit", "number"))
    rules = (Rule(("-", "<= limit", "-"), ('"pass"',)), Rule(("-", "<=30", "-"), ('"hold"',)))
    unique = compile_table(DecisionTable("credit", inputs, (OutputClause("o"),), rules))
    with pytest.raises(DomainError) as caught:
        unique.evaluate({"tier": "a", "days": D(10), "limit": D(20)})
    assert caught.value.code is ErrorCode.DECISION_HIT_POLICY_VIOLATION
    assert "rules 1, 2" in caught.value.message


def test_no_match_is_null() -> None:
    assert decide(table(HitPolicy.UNIQUE, ('"cash"', "-", '"hold"')), tier="strategic") is None


def test_any_accepts_agreeing_rows_and_refuses_disagreeing_ones() -> None:
    agree = table(HitPolicy.ANY, ("-", "<=30", '"pass"'), ('"standard"', "-", '"pass"'))
    assert decide(agree) == "pass"
    disagree = table(HitPolicy.ANY, ("-", "<=30", '"pass"'), ('"standard"', "-", '"hold"'))
    with pytest.raises(DomainError) as caught:
        decide(disagree)
    assert caught.value.code is ErrorCode.DECISION_HIT_POLICY_VIOLATION


def test_priority_and_output_order_follow_the_listed_output_values() -> None:
    allowed = '"reject", "hold", "pass"'
    assert decide(table(HitPolicy.PRIORITY, *ROWS, allowed=allowed), "cash", 90) == "reject"
    ordered = table(HitPolicy.OUTPUT_ORDER, *ROWS, allowed=allowed)
    assert decide(ordered, "cash", 10) == ["hold", "pass"]


def test_rule_order_and_collect_list_every_match_in_row_order() -> None:
    assert decide(table(HitPolicy.RULE_ORDER, *ROWS), "cash", 10) == ["hold", "pass"]
    assert decide(table(HitPolicy.COLLECT, *ROWS), "cash", 10) == ["hold", "pass"]


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [(Aggregation.SUM, D("7.5")), (Aggregation.MIN, D("2.5")), (Aggregation.MAX, D(5)),
     (Aggregation.COUNT, D(2))],
)  # fmt: skip
def test_collect_aggregates(aggregation: Aggregation, expected: Decimal) -> None:
    t = table(HitPolicy.COLLECT, ("-", "-", "5"), ("-", "<=30", "2.5"), ("-", ">30", "1"),
              aggregation=aggregation)  # fmt: skip
    assert decide(t) == expected


def test_multiple_outputs_give_a_context() -> None:
    rule = Rule(("-", ">60"), ('"reject"', '"overdue_60"'))
    outputs = (OutputClause("outcome"), OutputClause("reason"))
    t = DecisionTable("credit", INPUTS, outputs, (rule,), HitPolicy.FIRST)
    assert decide(t, days=61) == {"outcome": "reject", "reason": "overdue_60"}


def test_an_input_of_the_wrong_type_is_refused_naming_the_input() -> None:
    with pytest.raises(DomainError) as caught:
        compile_table(table(HitPolicy.FIRST, *ROWS)).evaluate({"tier": 7, "days": D(1)})
    assert caught.value.code is ErrorCode.DECISION_INPUT_INVALID
    assert "'Tier'" in caught.value.message


@pytest.mark.parametrize(
    "rows",
    [(('"cash"', ">>3", '"hold"'),), (('"cash"', "-", '"hold'),), (('"cash"', '"hold"'),)],
)
def test_a_cell_that_does_not_parse_is_refused_naming_the_rule(
    rows: tuple[tuple[str, ...]],
) -> None:
    t = DecisionTable("credit", INPUTS, (OutputClause("outcome"),),
                      tuple(Rule(r[:-1], r[-1:]) for r in rows), HitPolicy.FIRST)  # fmt: skip
    with pytest.raises(DomainError) as caught:
        compile_table(t)
    assert caught.value.code is ErrorCode.DECISION_CELL_INVALID
    assert "rule 1" in caught.value.message


def test_aggregation_without_collect_is_refused() -> None:
    with pytest.raises(DomainError):
        compile_table(table(HitPolicy.FIRST, *ROWS, aggregation=Aggregation.SUM))


def test_a_table_survives_its_json_form_with_the_same_content_hash() -> None:
    original = table(HitPolicy.PRIORITY, *ROWS, allowed='"reject", "hold", "pass"')
    again = DecisionTable.from_json(original.to_json())
    assert again == original
    assert again.content_hash == original.content_hash
    changed = table(HitPolicy.PRIORITY, *ROWS[:-1], allowed='"reject", "hold", "pass"')
    assert changed.content_hash != original.content_hash
