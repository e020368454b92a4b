"""Why an order is where it is, read from its stored decisions: which step stopped it, which row
of which table version decided, each input beside the test it met, and who may release it.

Nothing is evaluated again: the explanation is built from what was recorded when the decision
was taken, and from the exact table version the order was pinned to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ordoflow.domain.decisions import SEVERITY, DecisionRecord, Outcome
from ordoflow.governance.tables import DecisionTable


@dataclass(frozen=True, slots=True)
class Comparison:
    """One input of the deciding row: its value for this order and the cell it met."""

    input: str
    value: Any
    test: str


@dataclass(frozen=True, slots=True)
class StepExplanation:
    seq: int
    step: str
    table: str
    table_title: str
    version: str
    outcome: str
    reason: str | None
    decided_at: datetime
    actor: str
    line: int | None = None
    rule: int | None = None
    annotation: str = ""
    comparisons: tuple[Comparison, ...] = ()
    answer: Any = None
    error: str | None = None
    queue: str | None = None
    owner_role: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    order_id: str
    status: str
    process: str | None
    pins: Mapping[str, str]
    summary: str
    entered_by: str
    stopped_at: StepExplanation | None = None
    steps: tuple[StepExplanation, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        step = step_json
        return {
            "order_id": self.order_id, "status": self.status, "process": self.process,
            "pins": dict(self.pins), "summary": self.summary, "entered_by": self.entered_by,
            "stopped_at": step(self.stopped_at) if self.stopped_at else None,
            "steps": [step(s) for s in self.steps],
        }  # fmt: skip


def step_json(s: StepExplanation) -> dict[str, Any]:
    return {
        "seq": s.seq, "step": s.step, "table": s.table, "version": s.version,
        "outcome": s.outcome, "reason": s.reason, "decided_at": s.decided_at.isoformat(),
        "actor": s.actor, "line": s.line, "rule": s.rule, "annotation": s.annotation,
        "inputs": [{"input": c.input, "value": c.value, "test": c.test} for c in s.comparisons],
        "answer": s.answer, "error": s.error, "queue": s.queue, "owner_role": s.owner_role,
        "due_at": s.due_at.isoformat() if s.due_at else None,
    }  # fmt: skip


TableLookup = Callable[[str, str], DecisionTable | None]


def _deciding(record: DecisionRecord) -> Mapping[str, Any] | None:
    """The evaluation behind the step's outcome: the first one as severe as the step's."""
    for evaluation in record.evaluations:
        outcome = evaluation.get("outcome")
        if outcome is not None and SEVERITY[Outcome(outcome)] == SEVERITY[record.outcome]:
            return evaluation
    return record.evaluations[0] if record.evaluations else None


def explain_step(record: DecisionRecord, table: DecisionTable | None) -> StepExplanation:
    evaluation = _deciding(record) or {}
    matched = evaluation.get("matched") or []
    rule = matched[0] if matched else None
    comparisons: list[Comparison] = []
    annotation = ""
    inputs = evaluation.get("inputs", {})
    if table is not None:
        cells = table.rules[rule - 1].inputs if rule and rule <= len(table.rules) else None
        if rule and rule <= len(table.rules):
            annotation = table.rules[rule - 1].annotation
        for n, clause in enumerate(table.inputs):
            name = clause.expression.strip()
            test = cells[n] if cells is not None else "(no row matched)"
            comparisons.append(Comparison(clause.label or name, inputs.get(name), test))
    route = record.route
    return StepExplanation(
        seq=record.seq, step=record.step, table=record.table,
        table_title=table.name if table else record.table, version=record.table_version,
        outcome=record.outcome.value, reason=record.reason, decided_at=record.decided_at,
        actor=record.actor, line=evaluation.get("line"), rule=rule, annotation=annotation,
        comparisons=tuple(comparisons), answer=evaluation.get("result"),
        error=evaluation.get("error"), queue=route.queue if route else None,
        owner_role=route.owner_role if route else None,
        due_at=route.due_at if route else None,
    )  # fmt: skip


def explain(
    *,
    order_id: str,
    status: str,
    hold_reason: str | None,
    process: str | None,
    pins: Mapping[str, str] | None,
    entered_by: str,
    decisions: Sequence[DecisionRecord],
    table: TableLookup,
) -> Explanation:
    """`table(name, version)` gives the pinned table version a decision evaluated."""
    steps = tuple(explain_step(d, table(d.table, d.table_version) if d.table else None)
                  for d in decisions)  # fmt: skip
    last = steps[-1] if steps else None
    stopped = last if last is not None and last.outcome in {o.value for o in _WAITING} else None
    waiting = stopped is not None and stopped.outcome == Outcome.BACKORDER.value
    if status == "on_hold" and (stopped is None or waiting):
        summary = f"on hold by a person ({hold_reason}); " + (
            f"the process waits for stock at step {stopped.step}" if stopped is not None
            else "the process had not stopped it"
        )  # fmt: skip
    elif stopped is None:
        summary = (f"not held: passed {len(steps)} decision(s)" if steps
                   else "no decision has been taken about this order")  # fmt: skip
    elif stopped.outcome == Outcome.BACKORDER.value:
        summary = f"waiting for stock at step {stopped.step}: {stopped.reason}"
    else:
        summary = (f"{stopped.outcome} at step {stopped.step} ({stopped.table} "
                   f"{stopped.version}): {stopped.reason}")  # fmt: skip
    return Explanation(order_id, status, process, dict(pins or {}), summary, entered_by,
                       stopped, steps)  # fmt: skip


_WAITING = (Outcome.BACKORDER, Outcome.HOLD, Outcome.REJECT, Outcome.BLOCK)


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(explanation: Explanation) -> str:
    """The explanation as text for a person."""
    e = explanation
    out = [f"Order {e.order_id}: {e.status}", f"  {e.summary}"]
    if e.process:
        out.append(f"  process: {e.process}")
    s = e.stopped_at
    if s is not None:
        where = f", line {s.line}" if s.line is not None else ""
        out.append("")
        out.append(f"Stopped at step {s.step}{where}: table {s.table_title!r} {s.version}, "
                   f"decided {s.decided_at:%Y-%m-%d %H:%M} UTC")  # fmt: skip
        if s.error:
            out.append(f"  the step could not be evaluated: {s.error}")
        elif s.rule is None:
            out.append("  no row of the table matched; the process holds what it cannot decide")
        else:
            note = f" ({s.annotation})" if s.annotation else ""
            out.append(f"  row {s.rule} matched{note}:")
            width = max((len(c.input) for c in s.comparisons), default=0)
            for c in s.comparisons:
                out.append(f"    {c.input:<{width}}  {_shown(c.value):>12}  met  {c.test}")
        if s.queue:
            out.append("")
            out.append(f"Who may release it: role {s.owner_role} through queue {s.queue}, "
                       f"due {s.due_at:%Y-%m-%d %H:%M} UTC; never {e.entered_by}, who "
                       "entered the order")  # fmt: skip
    if e.steps:
        out.append("")
        out.append("Decisions:")
        for step in e.steps:
            line = f" (line {step.line})" if step.line is not None and step.reason else ""
            reason = f" {step.reason}" if step.reason else ""
            by = "" if step.actor == "system" else f" by {step.actor}"
            table = f"{step.table} {step.version}" if step.table else "-"
            out.append(f"  {step.seq:>2}. {step.step:<18} {table:<26} "
                       f"{step.outcome}{reason}{line}{by}")  # fmt: skip
    return "\n".join(out) + "\n"


__all__ = [
    "Comparison",
    "Explanation",
    "StepExplanation",
    "explain",
    "explain_step",
    "render",
    "step_json",
]
