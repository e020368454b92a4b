"""Decision tables as data: typed inputs and outputs, a hit policy, and rows of FEEL cells.

A table is plain, hashable data (stored as versioned JSON, exchanged as DMN 1.3 XML). `compile`
turns it once into Python predicates; `CompiledTable.evaluate` then answers with the outputs, the
rows that matched, and what it saw, so every decision can explain itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.codegen import generate
from ordoflow.governance.feel import (
    Context,
    Expr,
    FeelError,
    Test,
    feel_equal,
    feel_value,
    parse_expression,
    parse_unary_tests,
    parse_values,
)
from ordoflow.governance.overlap import overlapping_rules


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(StrEnum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True, slots=True)
class InputClause:
    label: str
    expression: str
    type_ref: str | None = None
    allowed_values: str | None = None


@dataclass(frozen=True, slots=True)
class OutputClause:
    name: str
    type_ref: str | None = None
    allowed_values: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    annotation: str = ""
    id: str = ""


@dataclass(frozen=True, slots=True)
class DecisionTable:
    name: str
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]
    hit_policy: HitPolicy = HitPolicy.UNIQUE
    aggregation: Aggregation | None = None
    id: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionTable:
        return cls(
            name=data["name"],
            id=data.get("id", ""),
            hit_policy=HitPolicy(data.get("hit_policy", "UNIQUE")),
            aggregation=Aggregation(data["aggregation"]) if data.get("aggregation") else None,
            inputs=tuple(InputClause(**i) for i in data["inputs"]),
            outputs=tuple(OutputClause(**o) for o in data["outputs"]),
            rules=tuple(
                Rule(tuple(r["inputs"]), tuple(r["outputs"]), r.get("annotation", ""),
                     r.get("id", ""))
                for r in data["rules"]
            ),
        )  # fmt: skip

    @property
    def content_hash(self) -> str:
        """Identifies this exact content: what a published version is pinned to."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


class Decision(NamedTuple):
    """One evaluation: the result, the 1-based numbers of the rows that matched (those that
    decided, for FIRST, PRIORITY and ANY), the inputs as the table saw them, and the annotations
    of the deciding rows (the reason codes of a distributor's tables). A named tuple: immutable,
    and the cheapest record to build, which matters at hundreds of thousands a second."""

    table: str
    result: Any
    matched: tuple[int, ...]
    inputs: dict[str, Any]
    reasons: tuple[str, ...] = ()


def _refused(code: ErrorCode, message: str) -> DomainError:
    return DomainError(code, message)


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, Decimal),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, date),
}


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    tests: tuple[Test, ...]
    outputs: tuple[Expr, ...]
    annotation: str
    #: what a decision by this row alone records, worked out once
    alone: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()
    #: the row's outputs when every output cell is a constant (most tables), else None
    constants: tuple[Any, ...] | None = None


class CompiledTable:
    """A table's cells as Python predicates, built once per table version."""

    def __init__(self, table: DecisionTable) -> None:
        self.table = table
        self.labels = [i.label or i.expression for i in table.inputs]
        self._getters = [_getter(i.expression) for i in table.inputs]
        self._checks = [
            (n, label, i.type_ref, check)
            for n, (label, i) in enumerate(zip(self.labels, table.inputs, strict=True))
            if (check := _TYPE_CHECKS.get(i.type_ref or "")) is not None
        ]
        self._rows = [_compile_row(table, n, rule) for n, rule in enumerate(table.rules, start=1)]
        self._first = table.hit_policy is HitPolicy.FIRST
        self._matcher = generate(
            [rule.inputs for rule in table.rules], [row.tests for row in self._rows],
            first=self._first,
        )  # fmt: skip
        self._priorities = [
            parse_values(o.allowed_values) if o.allowed_values else None for o in table.outputs
        ]
        self._single = len(table.outputs) == 1
        self._output_names = [o.name for o in table.outputs]
        self._decide = _POLICIES[table.hit_policy]

    def evaluate(self, context: Context) -> Decision:
        values = self._input_values(context)
        if self._first:
            index = self._matcher(*values, context)
            matches = [self._rows[index]] if index >= 0 else []
        else:
            matches = [self._rows[i] for i in self._matcher(*values, context)]
        return self._decide(self, matches, values, context)

    def _input_values(self, context: Context) -> list[Any]:
        values = [get(context) for get in self._getters]
        for n, label, type_ref, check in self._checks:
            value = values[n]
            if value is not None and not check(value):
                raise _refused(
                    ErrorCode.DECISION_INPUT_INVALID,
                    f"{self.table.name}: input {label!r} must be a {type_ref}, got {value!r}",
                )
        return values

    def _output(self, row: _Row, context: Context) -> Any:
        if row.constants is not None:
            if self._single:
                return row.constants[0]
            return dict(zip(self._output_names, row.constants, strict=True))
        if self._single:
            return row.outputs[0](context)
        return {
            o.name: out(context) for o, out in zip(self.table.outputs, row.outputs, strict=True)
        }

    def _priority(self, row: _Row, context: Context) -> tuple[int, ...]:
        ranks = []
        for allowed, out in zip(self._priorities, row.outputs, strict=True):
            if allowed is not None:
                value = out(context)
                ranks.append(allowed.index(value) if value in allowed else len(allowed))
        return tuple(ranks)

    def _made(
        self, result: Any, rows: Sequence[_Row], values: list[Any], deciding: Sequence[_Row]
    ) -> Decision:
        return Decision(
            table=self.table.name,
            result=result,
            matched=tuple(r.number for r in rows),
            inputs=dict(zip(self.labels, values, strict=True)),
            reasons=tuple(r.annotation for r in deciding if r.annotation),
        )


_READY = frozenset({Decimal, str, bool, type(None)})


def _getter(expression: str) -> Expr:
    """Most input expressions just name an input: read it directly, converting only what FEEL
    would see differently (integers and floats become decimals)."""
    name = expression.strip()
    try:
        expr = parse_expression(expression)
    except FeelError:
        expr = None  # a name with spaces, as DMN allows for input data
    if expr is not None and getattr(expr, "name", None) != name:
        return expr

    def read(ctx: Context) -> Any:
        value = ctx.get(name)
        return value if value.__class__ in _READY else feel_value(value)

    return read


def _compile_row(table: DecisionTable, number: int, rule: Rule) -> _Row:
    if len(rule.inputs) != len(table.inputs) or len(rule.outputs) != len(table.outputs):
        raise _refused(
            ErrorCode.DECISION_CELL_INVALID,
            f"{table.name}: rule {number} has {len(rule.inputs)} input and {len(rule.outputs)} "
            f"output cells, the table {len(table.inputs)} and {len(table.outputs)}",
        )
    try:
        tests = tuple(parse_unary_tests(cell) for cell in rule.inputs)
    except FeelError as exc:
        raise _cell_error(table, number, "input", exc) from None
    try:
        outputs = tuple(parse_expression(cell) for cell in rule.outputs)
    except FeelError as exc:
        raise _cell_error(table, number, "output", exc) from None
    reasons = (rule.annotation,) if rule.annotation else ()
    constants = None
    if all(hasattr(out, "constant") for out in outputs):
        constants = tuple(getattr(out, "constant") for out in outputs)  # noqa: B009
    return _Row(number, tests, outputs, rule.annotation, (number,), reasons, constants)


def _cell_error(table: DecisionTable, number: int, kind: str, exc: FeelError) -> DomainError:
    return _refused(ErrorCode.DECISION_CELL_INVALID, f"{table.name}: rule {number}, {kind}: {exc}")


def _unique(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    if len(rows) > 1:
        numbers = ", ".join(str(r.number) for r in rows)
        raise _refused(ErrorCode.DECISION_HIT_POLICY_VIOLATION,
                       f"{t.table.name}: UNIQUE table, but rules {numbers} all match")  # fmt: skip
    return t._made(t._output(rows[0], ctx) if rows else None, rows, values, rows)


def _first(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    inputs = dict(zip(t.labels, values, strict=True))
    if not rows:
        return Decision(t.table.name, None, (), inputs, ())
    row = rows[0]
    return Decision(t.table.name, t._output(row, ctx), row.alone, inputs, row.reasons)


def _any(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    outputs = [t._output(r, ctx) for r in rows]
    if any(feel_equal(o, outputs[0]) is not True for o in outputs[1:]):
        numbers = ", ".join(str(r.number) for r in rows)
        message = f"{t.table.name}: ANY table, but rules {numbers} give different outputs"
        raise _refused(ErrorCode.DECISION_HIT_POLICY_VIOLATION, message)
    return t._made(outputs[0] if outputs else None, rows, values, rows[:1])


def _priority(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    best = sorted(rows, key=lambda r: t._priority(r, ctx))[:1]
    return t._made(t._output(best[0], ctx) if best else None, best, values, best)


def _rule_order(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    return t._made([t._output(r, ctx) for r in rows], rows, values, rows)


def _output_order(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    ordered = sorted(rows, key=lambda r: t._priority(r, ctx))
    return t._made([t._output(r, ctx) for r in ordered], ordered, values, ordered)


def _collect(t: CompiledTable, rows: list[_Row], values: list[Any], ctx: Context) -> Decision:
    outputs = [t._output(r, ctx) for r in rows]
    aggregation = t.table.aggregation
    if aggregation is None:
        return t._made(outputs, rows, values, rows)
    if aggregation is Aggregation.COUNT:
        return t._made(Decimal(len(outputs)), rows, values, rows)
    numbers = [o for o in outputs if isinstance(o, Decimal)]
    if not numbers:
        return t._made(None, rows, values, rows)
    if aggregation is Aggregation.SUM:
        total = sum(numbers, Decimal(0))
    else:
        total = min(numbers) if aggregation is Aggregation.MIN else max(numbers)
    return t._made(total, rows, values, rows)


_POLICIES: dict[HitPolicy, Callable[[CompiledTable, list[_Row], list[Any], Context], Decision]] = {
    HitPolicy.UNIQUE: _unique,
    HitPolicy.FIRST: _first,
    HitPolicy.ANY: _any,
    HitPolicy.PRIORITY: _priority,
    HitPolicy.RULE_ORDER: _rule_order,
    HitPolicy.OUTPUT_ORDER: _output_order,
    HitPolicy.COLLECT: _collect,
}


def compile_table(table: DecisionTable) -> CompiledTable:
    """Check every cell and build the predicates; refuses a table that cannot be evaluated, and
    a UNIQUE table two of whose rows can match the same input."""
    if table.aggregation is not None and table.hit_policy is not HitPolicy.COLLECT:
        raise _refused(ErrorCode.DECISION_CELL_INVALID,
                       f"{table.name}: aggregation needs the COLLECT hit policy")  # fmt: skip
    compiled = CompiledTable(table)
    if table.hit_policy is HitPolicy.UNIQUE:
        pairs = overlapping_rules([rule.inputs for rule in table.rules])
        if pairs:
            shown = ", ".join(f"{a} and {b}" for a, b in pairs)
            raise _refused(ErrorCode.DECISION_HIT_POLICY_VIOLATION,
                           f"{table.name}: UNIQUE table, but rules {shown} can match the same "
                           "input")  # fmt: skip
    return compiled


__all__ = [
    "Aggregation",
    "CompiledTable",
    "Decision",
    "DecisionTable",
    "HitPolicy",
    "InputClause",
    "OutputClause",
    "Rule",
    "compile_table",
]
