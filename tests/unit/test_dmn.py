"""DMN files in and out."""

from decimal import Decimal

import pytest

from ordoflow.application.rules import evaluate_decision
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.dmn import read_dmn, write_dmn
from ordoflow.governance.tables import (
    Aggregation,
    DecisionTable,
    HitPolicy,
    InputClause,
    OutputClause,
    Rule,
)

TABLE = DecisionTable(
    name="Shipping surcharge",
    inputs=(
        InputClause("Hazmat", "hazmat", "boolean"),
        InputClause("Weight", "weight kg", "number"),
    ),
    outputs=(OutputClause("surcharge", "number"),),
    rules=(
        Rule(("true", "-"), ("25",), "hazmat_fee", "r1"),
        Rule(("-", ">=30"), ("12.5",), "heavy", "r2"),
    ),
    hit_policy=HitPolicy.COLLECT,
    aggregation=Aggregation.SUM,
    id="surcharge",
)


def test_a_table_written_as_dmn_reads_back_the_same() -> None:
    model = read_dmn(write_dmn([TABLE]))
    assert model.tables["Shipping surcharge"] == TABLE
    assert model.evaluate("surcharge", {"hazmat": True, "weight kg": 40}) == Decimal("37.5")


def test_the_cli_use_case_evaluates_a_decision_from_json_input() -> None:
    xml = write_dmn([TABLE])
    assert (
        evaluate_decision(xml, "Shipping surcharge", '{"hazmat": false, "weight kg": 30.0}') == 12.5
    )


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        ("<notdmn/>", ErrorCode.DMN_MALFORMED),
        ("<definitions", ErrorCode.DMN_MALFORMED),
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><definitions>&a;</definitions>',
            ErrorCode.DMN_MALFORMED,
        ),
    ],
)
def test_a_file_that_is_not_dmn_is_refused(xml: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as caught:
        read_dmn(xml)
    assert caught.value.code is code


def test_an_unknown_decision_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(DomainError) as caught:
        read_dmn(write_dmn([TABLE])).evaluate("nope", {})
    assert caught.value.code is ErrorCode.UNKNOWN_DECISION
    assert "Shipping surcharge" in caught.value.message


@pytest.mark.parametrize("text", ["[1, 2]", "{oops", "3"])
def test_input_that_is_not_a_json_object_is_refused(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        evaluate_decision(write_dmn([TABLE]), "surcharge", text)
    assert caught.value.code is ErrorCode.MALFORMED_REQUEST
