"""What the governed process decided about an order, kept with the order: one record per step
it ran (or per person who accepted a hold), in the order they happened, never changed after.

A record holds the step, the table version it evaluated, the outcome and reason code, where a
hold was routed (queue, owning role, deadline), and every evaluation of the table: once for the
order, or once per line when the table reads line facts, each with the inputs as the table saw
them, the rows that matched and what they answered. Explanations and what-if replay read these
records; nothing is evaluated again to explain a decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ordoflow.domain.values import ActorId, OrderId


class Outcome(StrEnum):
    """What a step answered, from least to most severe (see `SEVERITY`)."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    ACCEPTED = "accepted"  # a person lifted the hold of the step before
    BACKORDER = "backorder"  # the order waits for stock; not a hold
    HOLD = "hold"
    REJECT = "reject"
    BLOCK = "block"


SEVERITY: dict[Outcome, int] = {
    Outcome.PASS: 0, Outcome.ACCEPTED: 0, Outcome.BACKORDER: 1, Outcome.HOLD: 2,
    Outcome.REJECT: 3, Outcome.BLOCK: 3,
}  # fmt: skip
#: Outcomes that stop the order on hold until a person acts.
STOPPING = frozenset({Outcome.HOLD, Outcome.REJECT, Outcome.BLOCK})


@dataclass(frozen=True, slots=True)
class Route:
    """Where a hold goes: the exception queue, the role that owns it, and when it is due."""

    queue: str
    owner_role: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    order_id: OrderId
    seq: int
    step: str
    table: str
    table_version: str
    outcome: Outcome
    reason: str | None
    decided_at: datetime
    actor: ActorId
    evaluations: tuple[Mapping[str, Any], ...] = ()
    route: Route | None = None
    process: str | None = None
    #: What the step's action did once it passed (the warehouses and units an allocation
    #: took, and why), kept with the decision that led to it.
    effect: Mapping[str, Any] | None = None

    @property
    def stops(self) -> bool:
        return self.outcome in STOPPING

    def evaluation_inputs(self) -> list[tuple[int | None, Mapping[str, Any]]]:
        """(line number or None, inputs) of every evaluation, as stored."""
        return [(e.get("line"), e.get("inputs", {})) for e in self.evaluations]


__all__ = ["SEVERITY", "STOPPING", "DecisionRecord", "Outcome", "Route"]
