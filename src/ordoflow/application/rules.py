"""Use cases for decision tables that need no database: evaluating a DMN decision on given input
data, and running a TCK-format test file, so a process owner can check a table before
submitting it for review."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.governance.dmn import read_dmn
from ordoflow.governance.feel import plain_value
from ordoflow.governance.tck import TckReport, run_tests


def evaluate_decision(dmn_xml: str, decision: str, input_json: str) -> Any:
    """The decision's result as plain JSON values (numbers as JSON numbers)."""
    try:
        inputs = json.loads(input_json, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise _malformed(f"--input is not JSON: {exc}") from None
    if not isinstance(inputs, Mapping):
        raise _malformed("--input must be a JSON object of input data")
    return plain_value(read_dmn(dmn_xml).evaluate(decision, inputs))


def test_decisions(dmn_xml: str, tests_xml: str) -> TckReport:
    return run_tests(read_dmn(dmn_xml), tests_xml)


def _malformed(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("input", ErrorCode.MALFORMED_REQUEST, message)])


__all__ = ["evaluate_decision", "test_decisions"]
