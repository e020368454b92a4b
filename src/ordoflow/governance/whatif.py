"""What-if: replay a draft against the inputs stored with recent orders' decisions, before it is
published, and report which decisions would change and how.

The replay evaluates through `ordoflow.governance.running.decide`, the function the order
pipeline uses, on the inputs exactly as they were recorded; parameters a draft template or
variant changes replace the recorded values of those inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ordoflow.domain.decisions import DecisionRecord
from ordoflow.governance.running import decide, reads, restore_inputs
from ordoflow.governance.tables import CompiledTable
from ordoflow.governance.template import Step

#: How many changed decisions a report shows in full.
EXAMPLES = 10


@dataclass(frozen=True, slots=True)
class Change:
    order_id: str
    step: str
    before: str
    after: str
    inputs: Mapping[str, Any]


@dataclass
class WhatIfReport:
    subject: str
    replayed: int = 0
    changed: int = 0
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    moves: Counter[str] = field(default_factory=Counter)
    examples: list[Change] = field(default_factory=list)
    not_recorded: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "replayed": self.replayed, "changed": self.changed,
            "before": dict(sorted(self.before.items())),
            "after": dict(sorted(self.after.items())),
            "moves": dict(sorted(self.moves.items())),
            "examples": [{"order_id": c.order_id, "step": c.step, "before": c.before,
                          "after": c.after, "inputs": dict(c.inputs)} for c in self.examples],
            "inputs_not_recorded": sorted(self.not_recorded),
        }  # fmt: skip


def _label(outcome: str, reason: str | None) -> str:
    return f"{outcome} {reason}" if reason else outcome


def replay(
    report: WhatIfReport,
    step: Step,
    compiled: CompiledTable,
    decisions: Iterable[DecisionRecord],
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """Replay `compiled` (a draft, or the table in force under draft parameters) on each
    decision's stored inputs, adding what changed to `report`."""
    table = compiled.table
    wanted = reads(table)
    for record in decisions:
        if not record.evaluations or any("inputs" not in e for e in record.evaluations):
            continue
        contexts = []
        for evaluation in record.evaluations:
            stored = dict(evaluation["inputs"])
            report.not_recorded.update(n for n in wanted if n not in stored
                                       and n not in (overrides or {}))  # fmt: skip
            stored.update(overrides or {})
            contexts.append((evaluation.get("line"), restore_inputs(table, stored)))
        result = decide(step, compiled, contexts)
        before = _label(record.outcome.value, record.reason)
        after = _label(result.outcome.value, result.reason)
        report.replayed += 1
        report.before[before] += 1
        report.after[after] += 1
        if before != after:
            report.changed += 1
            report.moves[f"{before} -> {after}"] += 1
            if len(report.examples) < EXAMPLES:
                report.examples.append(Change(record.order_id, record.step, before, after,
                                              record.evaluations[0]["inputs"]))  # fmt: skip


def render(report: WhatIfReport) -> str:
    out = [
        f"What-if: {report.subject}",
        f"  {report.replayed} recorded decision(s) replayed, {report.changed} would change",
    ]
    if report.moves:
        out.append("")
        out.append("Changes:")
        out += [f"  {count:>5}  {move}" for move, count in report.moves.most_common()]
    out.append("")
    out.append("Outcomes (now -> with the draft):")
    for label in sorted(set(report.before) | set(report.after)):
        out.append(f"  {label:<45} {report.before[label]:>5} -> {report.after[label]:>5}")
    if report.examples:
        out.append("")
        out.append("Examples:")
        for c in report.examples:
            out.append(f"  {c.order_id} {c.step}: {c.before} -> {c.after}  {dict(c.inputs)}")
    if report.not_recorded:
        out.append("")
        out.append("Read by the draft but not recorded with those decisions (replayed as null): "
                   + ", ".join(sorted(report.not_recorded)))  # fmt: skip
    return "\n".join(out) + "\n"


__all__ = ["EXAMPLES", "Change", "WhatIfReport", "render", "replay"]
