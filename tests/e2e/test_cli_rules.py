"""`ordoflow rules`: a process owner checks a DMN table before submitting it (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordoflow.governance.dmn import write_dmn
from ordoflow.governance.tables import DecisionTable, HitPolicy, InputClause, OutputClause, Rule
from tests.e2e.cli import Cli, refused

CREDIT = DecisionTable(
    name="Credit check",
    id="credit_check",
    inputs=(InputClause("Days past due", "days past due", "number"),),
    outputs=(OutputClause("outcome", "string"),),
    rules=(
        Rule((">60",), ('"reject"',), "overdue_60"),
        Rule(("[31..60]",), ('"hold"',)),
        Rule(("<=30",), ('"pass"',)),
    ),
    hit_policy=HitPolicy.UNIQUE,
)
TESTS = """<?xml version="1.0"?>
<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <testCase id="on-time"><inputNode name="days past due"><value xsi:type="xsd:decimal">3</value>
    </inputNode><resultNode name="Credit check"><expected><value xsi:type="xsd:string">pass</value>
    </expected></resultNode></testCase>
  <testCase id="late"><inputNode name="days past due"><value xsi:type="xsd:decimal">45</value>
    </inputNode><resultNode name="Credit check"><expected>
    <value xsi:type="xsd:string">{late}</value></expected></resultNode></testCase>
</testCases>
"""


@pytest.fixture
def rules_cli(tmp_path: Path) -> Cli:
    return Cli(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)


def test_a_decision_is_evaluated_from_json_input(rules_cli: Cli) -> None:
    dmn = rules_cli.file("credit.dmn", write_dmn([CREDIT]))
    assert rules_cli.ok("rules", "eval", dmn, "--decision", "credit_check",
                        "--input", '{"days past due": 61}').json() == "reject"  # fmt: skip


def test_a_test_file_prints_passed_over_total_and_fails_on_a_wrong_case(rules_cli: Cli) -> None:
    dmn = rules_cli.file("credit.dmn", write_dmn([CREDIT]))
    good = rules_cli.file("good.xml", TESTS.replace("{late}", "hold"))
    assert "2/2 passed" in rules_cli.ok("rules", "test", dmn, good).out
    bad = rules_cli(
        "rules", "test", dmn, rules_cli.file("bad.xml", TESTS.replace("{late}", "pass"))
    )
    assert bad.code == 1
    assert "1/2 passed" in bad.out
    assert "late" in bad.err


def test_refusals_carry_their_codes(rules_cli: Cli) -> None:
    dmn = rules_cli.file("credit.dmn", write_dmn([CREDIT]))
    refused(rules_cli("rules", "eval", dmn, "--decision", "nope"), "unknown_decision")
    late = '{"days past due": "late"}'
    refused(rules_cli("rules", "eval", dmn, "--decision", "credit_check", "--input", late),
            "decision_input_invalid")  # fmt: skip
    broken = rules_cli.file("broken.dmn", write_dmn([CREDIT]).replace("&gt;60", "&gt;&gt;60"))
    refused(rules_cli("rules", "eval", broken, "--decision", "credit_check", "--input", "{}"),
            "decision_cell_invalid")  # fmt: skip
    refused(rules_cli("rules", "eval", rules_cli.file("x.dmn", "<x/>"), "--decision", "a"),
            "dmn_malformed")  # fmt: skip
    refused(rules_cli("rules", "test", dmn, "missing.xml"), "file_unreadable")
