"""Read queries: plain data for the CLI, the API and the console to print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordoflow.application import access
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.eventlog import AuditEntry, ChainBreak, find_break
from ordoflow.domain.orders import Order
from ordoflow.domain.values import ActorId, OrderId, money_text


def order_summary(order: Order) -> dict[str, Any]:
    h = order.header
    return {
        "id": order.id,
        "account_number": h.account_number,
        "customer_po": h.customer_po,
        "channel": h.channel.value,
        "site": h.site,
        "status": order.status.value,
        "hold_reason": order.hold_reason,
        "line_count": len(order.lines),
        "total": money_text(order.total.amount),
        "currency": h.currency,
        "received_at": order.received_at.isoformat(),
    }


def order_detail(order: Order, uow: UnitOfWork) -> dict[str, Any]:
    h = order.header
    return {
        **order_summary(order),
        "ship_to": h.ship_to,
        "requested_date": h.requested_date.isoformat(),
        "entered_by": order.entered_by,
        "shipped_total": money_text(
            sum((ln.unit_price * ln.shipped_qty for ln in order.lines), Decimal("0"))
        ),
        "updated_at": order.updated_at.isoformat(),
        "lines": [
            {
                "line_no": ln.line_no,
                "sku": ln.sku,
                "quantity": ln.quantity,
                "unit_of_measure": ln.unit_of_measure,
                "unit_price": money_text(ln.unit_price),
                "amount": money_text(ln.amount),
                "status": ln.status.value,
                "allocated": ln.allocated_qty,
                "shipped": ln.shipped_qty,
                "sources": dict(ln.sources),
            }
            for ln in order.lines
        ],
        "requests": [
            {
                "id": r.id,
                "site": r.site,
                "status": r.status.value,
                "carrier": r.carrier,
                "released_at": r.released_at.isoformat(),
                "lines": {ln.line_no: [ln.quantity, ln.shipped] for ln in r.lines},
            }
            for r in uow.warehouse.requests_for(order.id)
        ],
        "shipments": [
            {
                "site": s.site,
                "reference": s.reference,
                "request_id": s.request_id,
                "lines": dict(s.lines),
                "carrier": s.carrier,
                "tracking": s.tracking,
                "confirmed_at": s.confirmed_at.isoformat(),
                "delivered_at": s.delivered_at.isoformat() if s.delivered_at else None,
            }
            for s in uow.warehouse.shipments_for(order.id)
        ],
        "events": [
            {
                "seq": e.seq,
                "at": e.occurred_at.isoformat(),
                "activity": e.activity,
                "line_no": e.line_no,
                "from": e.from_state,
                "to": e.to_state,
                "actor": e.actor,
                "quantity": e.quantity,
                "reason_code": e.reason_code,
            }
            for e in uow.orders.log(order.id)
        ],
    }


def show_order(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, order_id: OrderId
) -> dict[str, Any]:
    with uow_factory() as uow:
        return order_detail(access.order_for(uow, actor, order_id), uow)


def list_orders(
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    limit: int = 50,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The latest orders of the sites the acting user covers."""
    with uow_factory() as uow:
        acting = access.user(uow, actor)
        found = uow.orders.latest(limit=limit, status=status, sites=acting.sites)
        return [order_summary(o) for o in found]


@dataclass(frozen=True, slots=True)
class AuditReport:
    orders_checked: int
    streams_checked: int
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_audit(uow_factory: Callable[[], UnitOfWork], actor: ActorId) -> AuditReport:
    """Check the hash chain of every order's event log and every audit stream (auditors)."""
    breaks: list[ChainBreak] = []
    orders = streams = 0
    with uow_factory() as uow:
        access.require(uow, actor, access.AUDITORS, "verify the audit trail")
        for order_id, head, entries in uow.orders.chains():
            orders += 1
            found = find_break(f"order {order_id}", entries, head)
            if found:
                breaks.append(found)
        for stream, audit_head, audit_entries in uow.audit.chains():
            streams += 1
            found = find_break(stream, audit_entries, audit_head)
            if found:
                breaks.append(found)
    return AuditReport(orders, streams, breaks)


def audit_trail(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, stream: str
) -> list[AuditEntry]:
    with uow_factory() as uow:
        access.require(uow, actor, access.AUDITORS, "read the audit trail")
        return uow.audit.entries(stream)


__all__ = [
    "AuditReport",
    "audit_trail",
    "list_orders",
    "order_detail",
    "order_summary",
    "show_order",
    "verify_audit",
]
