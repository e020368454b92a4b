"""Exception cases: a hold's entry in the queue its route names, with the role that owns it, a
priority, a deadline in business hours, and a controlled path to its resolution.

A case is opened by the governed process in the transaction that holds the order. It is
assigned, may wait on the customer or be escalated past its deadline, and ends resolved
(approved, overridden or rejected) or cancelled (when its order is). Every move goes through the
case lifecycle table and is audited by the handler that makes it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from ordoflow.domain.events import DomainEvent
from ordoflow.domain.lifecycle import Transition, TransitionTable
from ordoflow.domain.values import ActorId, OrderId

CaseId = str


class CaseStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class CaseEvent(StrEnum):
    ASSIGN = "assign"
    WAIT_ON_CUSTOMER = "wait_on_customer"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    CANCEL = "cancel"


class Resolution(StrEnum):
    APPROVED = "approved"  # the rule's outcome is accepted as allowed by someone with authority
    OVERRIDDEN = "overridden"  # a person decides against the rule's outcome
    REJECTED = "rejected"  # the order is rejected


_CS, _CE = CaseStatus, CaseEvent
_LIVE = (_CS.OPEN, _CS.ASSIGNED, _CS.WAITING_ON_CUSTOMER, _CS.ESCALATED)
CASE_LIFECYCLE: TransitionTable[CaseStatus, CaseEvent] = TransitionTable(
    "case",
    _CS.OPEN,
    [
        *(Transition(s, _CE.ASSIGN, _CS.ASSIGNED) for s in _LIVE),
        Transition(_CS.ASSIGNED, _CE.WAIT_ON_CUSTOMER, _CS.WAITING_ON_CUSTOMER),
        *(Transition(s, _CE.ESCALATE, _CS.ESCALATED) for s in _LIVE),
        *(Transition(s, _CE.RESOLVE, _CS.RESOLVED) for s in _LIVE),
        *(Transition(s, _CE.CANCEL, _CS.CANCELLED) for s in _LIVE),
    ],
    terminal=(_CS.RESOLVED, _CS.CANCELLED),
)

#: Reasons a person may give for overriding a rule when no `override_reasons` table is in
#: force; anything else is refused.
OVERRIDE_REASONS = frozenset({
    "customer_prepaid", "payment_received", "contract_terms", "management_exception",
    "data_corrected", "licence_on_file", "carrier_arranged",
})  # fmt: skip


def case_priority(outcome: str, customer_tier: str) -> int:
    """1 (first) for a rejection or block, 2 for a hold of a strategic or preferred customer,
    3 for any other hold."""
    if outcome in {"reject", "block"}:
        return 1
    return 2 if customer_tier in {"strategic", "preferred"} else 3


def new_case_id() -> CaseId:
    return f"CASE-{secrets.token_hex(6).upper()}"


@dataclass(frozen=True, kw_only=True)
class CaseChanged(DomainEvent):
    type: ClassVar[str] = "ordoflow.case.changed"
    case_id: str
    order_id: str
    action: str
    status: str
    queue: str
    owner_role: str
    actor: str

    @property
    def subject(self) -> str:
        return f"cases/{self.case_id}"

    def data(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "order_id": self.order_id, "action": self.action,
                "status": self.status, "queue": self.queue, "owner_role": self.owner_role,
                "actor": self.actor}  # fmt: skip


@dataclass
class Case:
    id: CaseId
    order_id: OrderId
    site: str
    step: str
    decision_seq: int
    outcome: str
    reason_code: str
    queue: str
    owner_role: str
    priority: int
    opened_at: datetime
    due_at: datetime
    sla_hours: float
    time_zone: str
    escalation: tuple[str, ...] = ()
    status: CaseStatus = CaseStatus.OPEN
    assignee: ActorId | None = None
    escalation_level: int = 0
    resolution: Resolution | None = None
    resolved_by: ActorId | None = None
    resolved_at: datetime | None = None
    resolution_reason: str | None = None
    comment: str | None = None
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list)

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of the case before and after a change."""
        return {
            "status": self.status.value, "assignee": self.assignee, "queue": self.queue,
            "owner_role": self.owner_role, "due_at": self.due_at.isoformat(),
            "escalation_level": self.escalation_level,
            "resolution": self.resolution.value if self.resolution else None,
            "resolved_by": self.resolved_by, "resolution_reason": self.resolution_reason,
            "comment": self.comment,
        }  # fmt: skip

    @property
    def is_live(self) -> bool:
        return self.status not in CASE_LIFECYCLE.terminal

    def _move(self, event: CaseEvent, actor: ActorId, at: datetime) -> None:
        self.status = CASE_LIFECYCLE.target(self.status, event, subject=f"case {self.id}")
        self.events.append(CaseChanged(
            occurred_at=at, case_id=self.id, order_id=self.order_id, action=event.value,
            status=self.status.value, queue=self.queue, owner_role=self.owner_role, actor=actor,
        ))  # fmt: skip

    def opened(self, actor: ActorId) -> None:
        self.events.append(CaseChanged(
            occurred_at=self.opened_at, case_id=self.id, order_id=self.order_id, action="open",
            status=self.status.value, queue=self.queue, owner_role=self.owner_role, actor=actor,
        ))  # fmt: skip

    def assign(self, user: ActorId, *, actor: ActorId, at: datetime) -> None:
        self._move(CaseEvent.ASSIGN, actor, at)
        self.assignee = user

    def wait_on_customer(self, *, actor: ActorId, at: datetime, comment: str) -> None:
        self._move(CaseEvent.WAIT_ON_CUSTOMER, actor, at)
        self.comment = comment

    def escalate(self, *, owner_role: str, due_at: datetime, actor: ActorId, at: datetime) -> None:
        self.escalation_level += 1
        self.owner_role, self.due_at, self.assignee = owner_role, due_at, None
        self._move(CaseEvent.ESCALATE, actor, at)

    def resolve(
        self,
        resolution: Resolution,
        *,
        actor: ActorId,
        at: datetime,
        reason: str | None = None,
        comment: str | None = None,
    ) -> None:
        self._move(CaseEvent.RESOLVE, actor, at)
        self.resolution, self.resolved_by, self.resolved_at = resolution, actor, at
        self.resolution_reason, self.comment = reason, comment

    def cancel(self, *, actor: ActorId, at: datetime) -> None:
        self._move(CaseEvent.CANCEL, actor, at)


__all__ = [
    "CASE_LIFECYCLE",
    "OVERRIDE_REASONS",
    "Case",
    "CaseChanged",
    "CaseEvent",
    "CaseId",
    "CaseStatus",
    "Resolution",
    "case_priority",
    "new_case_id",
]
