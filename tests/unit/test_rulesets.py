"""The default rule sets ship with their own test files, and every one of them passes."""

from importlib import resources

import pytest

from ordoflow.governance.dmn import read_dmn
from ordoflow.governance.tables import HitPolicy, compile_table
from ordoflow.governance.tck import run_tests

RULESETS = resources.files("ordoflow.governance") / "rulesets"
NAMES = sorted(p.name.removesuffix(".dmn") for p in RULESETS.iterdir() if p.name.endswith(".dmn"))


def test_the_rule_sets_of_the_steps_of_cases_of_invoicing_and_of_returns_are_shipped() -> None:
    assert NAMES == ["allocation_priority", "approval_authority", "credit", "customer_validation",
                     "export_compliance", "invoice_charges", "order_review", "override_reasons",
                     "pricing_approval", "release_policy", "return_policy", "segregation_of_duties",
                     "shipping_constraints", "sourcing_policy"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_each_rule_set_passes_its_test_file(name: str) -> None:
    model = read_dmn((RULESETS / f"{name}.dmn").read_bytes())
    report = run_tests(model, (RULESETS / f"{name}-test-01.xml").read_bytes())
    assert report.total >= 2
    assert [r.case for r in report.results if not r.passed] == []


@pytest.mark.parametrize("name", NAMES)
def test_each_rule_set_compiles_and_explains_its_holds(name: str) -> None:
    (table,) = read_dmn((RULESETS / f"{name}.dmn").read_bytes()).tables.values()
    compile_table(table)
    if table.hit_policy is HitPolicy.FIRST:
        holds = [
            rule for rule in table.rules if '"hold"' in rule.outputs or '"reject"' in rule.outputs
        ]
        assert all(rule.annotation for rule in holds)
