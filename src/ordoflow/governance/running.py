"""One step of the governed process over an order's facts: which facts the step's table reads,
its evaluation (once for the order, or once per live line when it reads a line fact), and the
step's outcome, the most severe of its evaluations.

Pure: the same step, table and facts always give the same result, which is what lets a what-if
replay of stored inputs and production share this code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordoflow.domain.decisions import SEVERITY, Outcome
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.eventlog import jsonable
from ordoflow.governance.facts import LINE_FACTS, ORDER_FACTS, OrderFacts
from ordoflow.governance.tables import CompiledTable, DecisionTable
from ordoflow.governance.template import Step

#: How the words a table answers with map to outcomes; any other word holds the order.
_WORDS: dict[str, Outcome] = {
    "pass": Outcome.PASS, "release": Outcome.PASS, "allocate": Outcome.PASS,
    "backorder": Outcome.BACKORDER, "hold": Outcome.HOLD, "reject": Outcome.REJECT,
    "block": Outcome.BLOCK,
}  # fmt: skip
#: The reason of a hold when no row of a table matched: the process fails closed.
NO_RULE_MATCHED = "no_rule_matched"
UNKNOWN_OUTCOME = "unknown_outcome"


@dataclass(frozen=True, slots=True)
class StepResult:
    """What a step decided: its outcome and reason code, the role a table named to approve a
    hold (its `approver role` output), the result of an order-level evaluation (priority
    points, say), and every evaluation as stored."""

    outcome: Outcome
    reason: str | None
    approver_role: str | None
    value: Any
    evaluations: tuple[dict[str, Any], ...]


def reads(table: DecisionTable) -> list[str]:
    """The names a table's inputs read, in column order."""
    return [clause.expression.strip() for clause in table.inputs]


def per_line(table: DecisionTable) -> bool:
    return any(name in LINE_FACTS for name in reads(table))


def check_inputs(step: Step, table: DecisionTable, where: str) -> None:
    """Every input of the step's table must be an order fact, a line fact or a parameter of
    the step; anything else would be read as null on every order."""
    for name in reads(table):
        if name not in ORDER_FACTS and name not in LINE_FACTS and name not in step.parameters:
            raise DomainError(
                ErrorCode.TEMPLATE_INVALID,
                f"{where}: table {table.name!r} reads {name!r}, which is neither a fact of the "
                f"order nor a parameter of step {step.id!r}",
            )


def contexts(
    step: Step, table: DecisionTable, facts: OrderFacts
) -> list[tuple[int | None, dict[str, Any]]]:
    """The input data of each evaluation: parameters, then order facts, then line facts."""
    base = {**step.parameters, **facts.order}
    if not per_line(table):
        return [(None, base)]
    return [(line_no, {**base, **line}) for line_no, line in sorted(facts.lines.items())]


def decide(
    step: Step, compiled: CompiledTable, evaluations: Iterable[tuple[int | None, Mapping[str, Any]]]
) -> StepResult:
    """Evaluate the step's table on each input context and combine the answers."""
    names = reads(compiled.table)
    stored: list[dict[str, Any]] = []
    worst: tuple[Outcome, str | None, str | None] | None = None
    value: Any = None
    for line_no, context in evaluations:
        decision = compiled.evaluate(context)
        outcome, reason, role = read_result(step, decision.result, decision.reasons)
        stored.append({
            "line": line_no, "inputs": {n: _stored(context.get(n)) for n in names},
            "matched": list(decision.matched), "result": _stored(decision.result),
            "outcome": outcome.value, "reason": reason,
        })  # fmt: skip
        if worst is None or SEVERITY[outcome] > SEVERITY[worst[0]]:
            worst = (outcome, reason, role)
        if line_no is None:
            value = decision.result
    outcome, reason, role = worst or (Outcome.PASS, None, None)
    return StepResult(outcome, reason, role, value, tuple(stored))


_PLAIN = frozenset({str, int, bool, type(None)})


def _stored(value: Any) -> Any:
    """A value as the decision keeps it, in the canonical JSON form of the logs (decimals as
    exact text without trailing zeros); the common plain values pass straight through."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return {k: _stored(v) for k, v in value.items()}
    return jsonable(value)


def read_result(
    step: Step, result: Any, reasons: tuple[str, ...]
) -> tuple[Outcome, str | None, str | None]:
    """(outcome, reason code, approver role) from a table's answer: a context with `outcome`
    or `action` (and `reason`, `approver role`), a bare word, or a number (priority points,
    which pass). No answer at all holds the order."""
    if result is None:
        return Outcome.HOLD, NO_RULE_MATCHED, None
    if isinstance(result, Decimal | int | float) and not isinstance(result, bool):
        return Outcome.PASS, None, None
    word, reason, role = result, (reasons[0] if reasons else None), None
    if isinstance(result, Mapping):
        word = result.get("outcome", result.get("action"))
        reason = result.get("reason") or reason
        role = result.get("approver role")
    outcome = _WORDS.get(word) if isinstance(word, str) else None
    if outcome is None:
        return Outcome.HOLD, UNKNOWN_OUTCOME, role
    if outcome in (Outcome.HOLD, Outcome.REJECT, Outcome.BLOCK) and not reason:
        reason = f"{step.id}_{outcome.value}"
    return outcome, reason, role


def restore_inputs(table: DecisionTable, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Stored inputs as the table reads them: numbers were stored as text, exactly."""
    restored = dict(inputs)
    for clause in table.inputs:
        name = clause.expression.strip()
        value = restored.get(name)
        if isinstance(value, str) and clause.type_ref == "number":
            restored[name] = Decimal(value)
    return restored


__all__ = [
    "NO_RULE_MATCHED",
    "UNKNOWN_OUTCOME",
    "StepResult",
    "check_inputs",
    "contexts",
    "decide",
    "per_line",
    "read_result",
    "reads",
    "restore_inputs",
]
