"""Test files in the DMN TCK format: a process owner's way to check a table before submitting it,
and the engine's own conformance suite."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from defusedxml import ElementTree as SafeET

from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.dmn import DecisionModel, child, children, local_name

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_RELATIVE = Decimal("1e-12")


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: str
    decision: str
    expected: Any
    actual: Any
    passed: bool


@dataclass
class TckReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)


def _value(element: Any) -> Any:
    """A `value`, `list` or `component` node's content as a FEEL value."""
    tag = local_name(element.tag)
    if tag == "list":
        return [_value(item) for item in children(element, "item")]
    if tag == "item" or (tag in ("expected", "inputNode", "component") and len(element)):
        components = children(element, "component")
        if components:
            return {c.get("name"): _value(c) for c in components}
        inner = child(element, "value")
        if inner is None:
            inner = child(element, "list")
        return None if inner is None else _value(inner)
    if element.get(_XSI_NIL) == "true":
        return None
    return _typed(element.get(_XSI_TYPE, ""), element.text or "")


def _typed(xsi_type: str, text: str) -> Any:
    kind = xsi_type.rsplit(":", 1)[-1]
    if kind in ("decimal", "double", "integer", "int", "long", "float"):
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            return None
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return date.fromisoformat(text.strip())
    return text


def same(expected: Any, actual: Any) -> bool:
    """TCK equality: numbers by value, lists item by item, contexts by component name."""
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(same(v, actual.get(k)) for k, v in expected.items())
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        # Expected figures in test files are often binary floating point written out (about 15
        # significant digits); FEEL computes with 34. Equal to 1 part in 10^12 counts as equal.
        return expected == actual or abs(expected - actual) <= abs(expected) * _RELATIVE
    return bool(expected == actual) and type(expected) is type(actual)


def run_tests(model: DecisionModel, tests_xml: str | bytes) -> TckReport:
    try:
        root = SafeET.fromstring(tests_xml)
    except Exception as exc:  # defusedxml raises several unrelated types for hostile input
        raise DomainError(ErrorCode.DMN_MALFORMED, f"not a readable test file: {exc}") from None
    report = TckReport()
    for case in children(root, "testCase"):
        inputs = {node.get("name"): _value(node) for node in children(case, "inputNode")}
        for result in children(case, "resultNode"):
            expected_node = child(result, "expected")
            expected = None if expected_node is None else _value(expected_node)
            decision = result.get("name", "")
            try:
                actual = model.evaluate(decision, inputs)
            except DomainError:
                actual = None  # an error is a null result in the TCK's terms
            report.results.append(CaseResult(case.get("id", "?"), decision, expected, actual,
                                             same(expected, actual)))  # fmt: skip
    return report


__all__ = ["CaseResult", "TckReport", "run_tests", "same"]
