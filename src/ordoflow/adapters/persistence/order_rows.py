"""Orders, their lines, log entries and decisions as rows, and back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ordoflow.domain.decisions import DecisionRecord, Outcome, Route
from ordoflow.domain.eventlog import ChainHead, OrderLogEntry, canonical_json
from ordoflow.domain.intake import OrderHeader
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.orders import Order, OrderLine
from ordoflow.domain.sourcing import SourcingPlan
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    CurrencyCode,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)


def order_row(order: Order) -> dict[str, Any]:
    h = order.header
    return {
        "id": order.id, "account_number": h.account_number, "ship_to": h.ship_to,
        "channel": h.channel.value, "customer_po": h.customer_po,
        "requested_date": h.requested_date, "site": h.site, "currency": h.currency,
        "status": order.status.value,
        "held_from": order.held_from.value if order.held_from else None,
        "hold_reason": order.hold_reason, "entered_by": order.entered_by,
        "received_at": order.received_at, "updated_at": order.updated_at,
        "body_hash": order.body_hash, "version": order.version + 1,
        "log_seq": order.log_head.seq, "log_head": order.log_head.hash,
        "pins": order.pins, "process": order.process, "process_step": order.process_step,
        "decision_count": order.decision_count, "changed_by": order.changed_by,
        "priority": order.priority,
        "sourcing": order.sourcing.as_json() if order.sourcing else None,
    }  # fmt: skip


def line_rows(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "order_id": order.id, "line_no": ln.line_no, "sku": ln.sku, "quantity": ln.quantity,
            "unit_price": ln.unit_price, "unit_of_measure": ln.unit_of_measure,
            "status": ln.status.value, "allocated_qty": ln.allocated_qty,
            "shipped_qty": ln.shipped_qty, "sources": ln.sources or None,
            "shipped_from": ln.shipped_from or None,
        }
        for ln in order.lines
    ]  # fmt: skip


def event_row(e: OrderLogEntry) -> dict[str, Any]:
    return {
        "order_id": e.order_id, "seq": e.seq, "activity": e.activity,
        "occurred_at": e.occurred_at, "actor": e.actor, "site": e.site, "channel": e.channel,
        "from_state": e.from_state, "to_state": e.to_state, "line_no": e.line_no,
        "quantity": e.quantity,
        "reason_code": e.reason_code, "process_version": e.process_version,
        "prev_hash": e.prev_hash, "hash": e.hash,
    }  # fmt: skip


def to_entry(r: Any) -> OrderLogEntry:
    return OrderLogEntry(
        order_id=OrderId(r.order_id), seq=r.seq, activity=r.activity,
        occurred_at=r.occurred_at, actor=ActorId(r.actor), site=SiteCode(r.site),
        channel=r.channel, from_state=r.from_state, to_state=r.to_state, line_no=r.line_no,
        quantity=r.quantity,
        reason_code=r.reason_code, process_version=r.process_version, prev_hash=r.prev_hash,
        hash=r.hash,
    )  # fmt: skip


def to_order(r: Any, lines: Sequence[Any]) -> Order:
    header = OrderHeader(
        AccountNumber(r.account_number), ShipToCode(r.ship_to), Channel(r.channel),
        r.customer_po, r.requested_date, SiteCode(r.site), CurrencyCode(r.currency),
    )  # fmt: skip
    return Order(
        id=OrderId(r.id),
        header=header,
        lines=[
            OrderLine(
                ln.line_no, Sku(ln.sku), ln.quantity, ln.unit_price, ln.unit_of_measure,
                LineStatus(ln.status), ln.allocated_qty, ln.shipped_qty,
                _sites(ln.sources, r.site, ln.allocated_qty), _sites(ln.shipped_from, r.site,
                                                                     ln.shipped_qty),
            )
            for ln in lines
        ],
        status=OrderStatus(r.status),
        entered_by=ActorId(r.entered_by),
        received_at=r.received_at,
        updated_at=r.updated_at,
        body_hash=r.body_hash,
        held_from=OrderStatus(r.held_from) if r.held_from else None,
        hold_reason=r.hold_reason,
        version=r.version,
        log_head=ChainHead(r.log_seq, r.log_head),
        pins=r.pins, process=r.process, process_step=r.process_step,
        decision_count=r.decision_count,
        changed_by=ActorId(r.changed_by) if r.changed_by else None, priority=r.priority,
        sourcing=SourcingPlan.from_json(r.sourcing) if r.sourcing else None,
    )  # fmt: skip


def _sites(stored: dict[str, int] | None, home: str, units: int) -> dict[SiteCode, int]:
    """Units per site as stored; a line kept before sites were recorded per line holds its
    units at the order's site."""
    if stored is None:
        return {SiteCode(home): units} if units else {}
    return {SiteCode(s): int(q) for s, q in stored.items()}


def decision_row(d: DecisionRecord) -> dict[str, Any]:
    route = d.route
    return {
        "order_id": d.order_id, "seq": d.seq, "step": d.step, "table_name": d.table,
        "table_version": d.table_version, "outcome": d.outcome.value, "reason_code": d.reason,
        "decided_at": d.decided_at, "actor": d.actor,
        "queue": route.queue if route else None,
        "owner_role": route.owner_role if route else None,
        "due_at": route.due_at if route else None, "process": d.process,
        "evaluations": canonical_json(list(d.evaluations)),
        "effect": None if d.effect is None else canonical_json(d.effect),
    }  # fmt: skip


def to_decision(r: Any) -> DecisionRecord:
    route = None if r.queue is None else Route(r.queue, r.owner_role, r.due_at)
    return DecisionRecord(
        order_id=OrderId(r.order_id), seq=r.seq, step=r.step, table=r.table_name,
        table_version=r.table_version, outcome=Outcome(r.outcome), reason=r.reason_code,
        decided_at=r.decided_at, actor=ActorId(r.actor),
        evaluations=tuple(json.loads(r.evaluations)), route=route, process=r.process,
        effect=None if r.effect is None else json.loads(r.effect),
    )  # fmt: skip


__all__ = [
    "decision_row",
    "event_row",
    "line_rows",
    "order_row",
    "to_decision",
    "to_entry",
    "to_order",
]
