"""The DMN TCK compliance-level-2 cases (Apache-2.0, from dmn-tck/tck), read from the shared data
folder: every decision-table case must pass; the count of all cases is printed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ordoflow.governance.dmn import read_dmn
from ordoflow.governance.tck import CaseResult, run_tests

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]
BASE = Path(os.environ.get("ORDOFLOW_SHARED_DATA") or ROOT.parent / "shared" / "data")
TCK = BASE / "dmn-tck" / "compliance-level-2"
if not TCK.is_dir():
    pytest.skip(f"the DMN TCK cases are not at {TCK}; set ORDOFLOW_SHARED_DATA to the shared "
                "data folder", allow_module_level=True)  # fmt: skip


def run_case_folder(folder: Path) -> tuple[bool, list[CaseResult]]:
    """(whether the model's decisions are tables, the results of every test file)."""
    model = read_dmn(next(folder.glob("*.dmn")).read_bytes())
    results = []
    for tests in sorted(folder.glob("*-test-*.xml")):
        results.extend(run_tests(model, tests.read_bytes()).results)
    return bool(model.tables), results


def test_every_decision_table_case_of_the_tck_passes(capsys: pytest.CaptureFixture[str]) -> None:
    table_results: list[CaseResult] = []
    all_results: list[CaseResult] = []
    for folder in sorted(p for p in TCK.iterdir() if p.is_dir()):
        is_table, results = run_case_folder(folder)
        all_results.extend(results)
        if is_table:
            table_results.extend(r for r in results)
    with capsys.disabled():
        print(
            f"\nDMN TCK level 2: decision tables {sum(r.passed for r in table_results)}/"
            f"{len(table_results)} passed; all cases {sum(r.passed for r in all_results)}/"
            f"{len(all_results)} passed"
        )
    failed = [(r.case, r.decision, r.expected, r.actual) for r in table_results if not r.passed]
    assert failed == []
    assert len(table_results) >= 51  # the decision-table models hold 51 cases
