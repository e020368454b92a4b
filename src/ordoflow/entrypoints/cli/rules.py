"""`ordoflow rules ...`: evaluate a DMN decision and run its test file, before submitting it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ordoflow.application.rules import evaluate_decision, test_decisions
from ordoflow.entrypoints.cli.common import err, out, print_json, read_file, refusals, table

rules_app = typer.Typer(help="Check decision tables (DMN files) before submitting them.",
                        no_args_is_help=True)  # fmt: skip


@rules_app.command("eval")
def eval_(
    file: Path,
    decision: str = typer.Option(..., help="The decision's name or id."),
    input_json: str = typer.Option("{}", "--input", help="Input data as a JSON object."),
) -> None:
    """Evaluate one decision of a DMN file and print its result as JSON."""
    with refusals():
        result = evaluate_decision(read_file(file), decision, input_json)
    print_json(result)


@rules_app.command("test")
def test(file: Path, tests: Path) -> None:
    """Run a test file in the DMN TCK format against a DMN file; print passed/total."""
    with refusals():
        report = test_decisions(read_file(file), read_file(tests))
    failed = [r for r in report.results if not r.passed]
    if failed:
        rows = [(r.case, r.decision, _show(r.expected), _show(r.actual)) for r in failed]
        err.print(table(("case", "decision", "expected", "actual"), rows, title="Failed"))
    out.print(f"{report.passed}/{report.total} passed")
    if failed:
        raise typer.Exit(1)


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


__all__ = ["rules_app"]
