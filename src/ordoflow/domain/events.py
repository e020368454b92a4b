"""Domain events: facts in the past tense, recorded by aggregates and written to the outbox in
the same transaction as the change that caused them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ordoflow.domain.values import EventId


def new_event_id() -> EventId:
    return EventId(str(uuid.uuid4()))


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of all events; `type` names it in the outbox (CloudEvents `type`)."""

    type: ClassVar[str] = "ordoflow.event"
    occurred_at: datetime
    event_id: EventId = field(default_factory=new_event_id)

    @property
    def subject(self) -> str:
        raise NotImplementedError

    def data(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class OrderReceived(DomainEvent):
    type: ClassVar[str] = "ordoflow.order.received"
    order_id: str
    account_number: str
    customer_po: str
    channel: str
    site: str
    currency: str
    total: str
    line_count: int

    @property
    def subject(self) -> str:
        return f"orders/{self.order_id}"

    def data(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "account_number": self.account_number,
            "customer_po": self.customer_po,
            "channel": self.channel,
            "site": self.site,
            "currency": self.currency,
            "total": self.total,
            "line_count": self.line_count,
        }


@dataclass(frozen=True, kw_only=True)
class OrderStatusChanged(DomainEvent):
    type: ClassVar[str] = "ordoflow.order.status_changed"
    order_id: str
    event: str
    from_status: str
    to_status: str
    actor: str
    reason_code: str | None = None

    @property
    def subject(self) -> str:
        return f"orders/{self.order_id}"

    def data(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "event": self.event,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "actor": self.actor,
            "reason_code": self.reason_code,
        }


@dataclass(frozen=True, kw_only=True)
class OrderChanged(DomainEvent):
    """Lines, prices, ship-to or customer of an order were edited before its release."""

    type: ClassVar[str] = "ordoflow.order.changed"
    order_id: str
    parts: tuple[str, ...]
    account_number: str
    ship_to: str
    total: str
    line_count: int
    actor: str

    @property
    def subject(self) -> str:
        return f"orders/{self.order_id}"

    def data(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id, "parts": list(self.parts),
            "account_number": self.account_number, "ship_to": self.ship_to, "total": self.total,
            "line_count": self.line_count, "actor": self.actor,
        }  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class OrderHeldByRule(DomainEvent):
    """The governed process stopped an order: which step, why, and whose queue it is in."""

    type: ClassVar[str] = "ordoflow.order.held_by_rule"
    order_id: str
    step: str
    outcome: str
    reason_code: str | None
    queue: str
    owner_role: str
    due_at: datetime
    process: str | None

    @property
    def subject(self) -> str:
        return f"orders/{self.order_id}"

    def data(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id, "step": self.step, "outcome": self.outcome,
            "reason_code": self.reason_code, "queue": self.queue, "owner_role": self.owner_role,
            "due_at": self.due_at.isoformat(), "process": self.process,
        }  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class StockReceived(DomainEvent):
    """Units arrived at a site, or were counted in or out by an adjustment."""

    type: ClassVar[str] = "ordoflow.stock.received"
    site: str
    reference: str
    kind: str
    lines: tuple[tuple[str, int], ...]
    actor: str

    @property
    def subject(self) -> str:
        return f"stock/{self.site}/{self.reference}"

    def data(self) -> dict[str, Any]:
        return {"site": self.site, "reference": self.reference, "kind": self.kind,
                "lines": [{"sku": s, "quantity": q} for s, q in self.lines],
                "actor": self.actor}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class BackorderFilled(DomainEvent):
    """An order that waited for stock was released: how long it waited."""

    type: ClassVar[str] = "ordoflow.order.backorder_filled"
    order_id: str
    site: str
    waited_since: datetime
    waited_hours: float

    @property
    def subject(self) -> str:
        return f"orders/{self.order_id}"

    def data(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "site": self.site,
                "waited_since": self.waited_since.isoformat(),
                "waited_hours": self.waited_hours}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(DomainEvent):
    """An invoice went out: its number, what it bills and what the customer owes."""

    type: ClassVar[str] = "ordoflow.invoice.issued"
    number: str
    order_id: str
    account_number: str
    currency: str
    shipment: str
    net: str
    tax: str
    freight: str
    gross: str

    @property
    def subject(self) -> str:
        return f"invoices/{self.number}"

    def data(self) -> dict[str, Any]:
        return {"number": self.number, "order_id": self.order_id,
                "account_number": self.account_number, "currency": self.currency,
                "shipment": self.shipment, "net": self.net, "tax": self.tax,
                "freight": self.freight, "gross": self.gross}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class CreditMemoIssued(DomainEvent):
    """Part or all of an invoice was reversed."""

    type: ClassVar[str] = "ordoflow.credit_memo.issued"
    number: str
    invoice: str
    order_id: str
    account_number: str
    currency: str
    gross: str
    reason_code: str
    actor: str

    @property
    def subject(self) -> str:
        return f"credit-memos/{self.number}"

    def data(self) -> dict[str, Any]:
        return {"number": self.number, "invoice": self.invoice, "order_id": self.order_id,
                "account_number": self.account_number, "currency": self.currency,
                "gross": self.gross, "reason_code": self.reason_code,
                "actor": self.actor}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class MasterRecordSaved(DomainEvent):
    type: ClassVar[str] = "ordoflow.masterdata.saved"
    kind: str
    key: tuple[str, ...]
    action: str

    @property
    def subject(self) -> str:
        return f"{self.kind}/{'/'.join(self.key)}"

    def data(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": list(self.key), "action": self.action}


@dataclass(frozen=True, kw_only=True)
class GovernanceChanged(DomainEvent):
    type: ClassVar[str] = "ordoflow.governance.changed"
    kind: str
    name: str
    number: int
    action: str

    @property
    def subject(self) -> str:
        return f"{self.kind}/{self.name}/{self.number}"

    def data(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "number": self.number,
                "action": self.action}  # fmt: skip


__all__ = [
    "BackorderFilled",
    "CreditMemoIssued",
    "DomainEvent",
    "GovernanceChanged",
    "InvoiceIssued",
    "MasterRecordSaved",
    "OrderChanged",
    "OrderHeldByRule",
    "OrderReceived",
    "OrderStatusChanged",
    "StockReceived",
    "new_event_id",
]
