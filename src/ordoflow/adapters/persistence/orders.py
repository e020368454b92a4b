"""Orders, their lines and their event log in SQL, with Core statements built once and rows
mapped to the domain aggregate here (the hot path stays off the ORM)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ordoflow.adapters.persistence.order_rows import (
    decision_row,
    event_row,
    line_rows,
    order_row,
    to_decision,
    to_entry,
    to_order,
)
from ordoflow.adapters.persistence.prepared import PreparedInsert, PreparedStatement
from ordoflow.adapters.persistence.tables import (
    order_decisions,
    order_events,
    order_lines,
    orders,
)
from ordoflow.application.ports import (
    DuplicateOrderId,
    DuplicatePurchaseOrder,
    OrderRepository,
)
from ordoflow.domain.decisions import DecisionRecord, Outcome
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.eventlog import ChainHead, OrderLogEntry
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.orders import Order
from ordoflow.domain.values import (
    AccountNumber,
    OrderId,
    SiteCode,
    Sku,
)

_INSERT_ORDER = PreparedInsert(orders)
_INSERT_LINES = PreparedInsert(order_lines)
_INSERT_EVENTS = PreparedInsert(order_events)
_INSERT_DECISIONS = PreparedInsert(order_decisions)
#: Order and line states that no longer count towards what a customer may owe.
_SETTLED = ("closed", "rejected", "cancelled")
_UPDATE_ORDER = (
    orders.update()
    .where(orders.c.id == sa.bindparam("b_id"), orders.c.version == sa.bindparam("b_version"))
    .values(
        status=sa.bindparam("status"), held_from=sa.bindparam("held_from"),
        hold_reason=sa.bindparam("hold_reason"), updated_at=sa.bindparam("updated_at"),
        version=sa.bindparam("version"), log_seq=sa.bindparam("log_seq"),
        log_head=sa.bindparam("log_head"), pins=sa.bindparam("pins"),
        process=sa.bindparam("process"), process_step=sa.bindparam("process_step"),
        decision_count=sa.bindparam("decision_count"), priority=sa.bindparam("priority"),
        sourcing=sa.bindparam("sourcing"),
    )
)  # fmt: skip
_UPDATE_LINE = (
    order_lines.update()
    .where(
        order_lines.c.order_id == sa.bindparam("b_order_id"),
        order_lines.c.line_no == sa.bindparam("b_line_no"),
    )
    .values(
        status=sa.bindparam("status"), allocated_qty=sa.bindparam("allocated_qty"),
        shipped_qty=sa.bindparam("shipped_qty"), sources=sa.bindparam("sources"),
        shipped_from=sa.bindparam("shipped_from"),
    )
)  # fmt: skip
_SELECT_LINES = order_lines.select().order_by(order_lines.c.order_id, order_lines.c.line_no)
_SELECT_EVENTS = order_events.select().order_by(order_events.c.order_id, order_events.c.seq)


def _open_value(line_value: Any) -> sa.Select[Any]:
    o, ln = orders, order_lines
    return (
        sa.select(sa.func.sum(line_value)).select_from(ln.join(o, o.c.id == ln.c.order_id))
        .where(o.c.account_number == sa.bindparam("account"),
               o.c.id != sa.bindparam("excluding"),
               *(o.c.status != state for state in _SETTLED),
               *(ln.c.status != state for state in _SETTLED))
    )  # fmt: skip


def _placed_since(line_value: Any) -> Any:
    o, ln = orders, order_lines
    withdrawn = ("rejected", "cancelled")
    live = sa.and_(*(ln.c.status != state for state in withdrawn))
    return (
        sa.select(sa.func.count(sa.distinct(o.c.id)),
                  sa.func.sum(sa.case((live, line_value), else_=0)))
        .select_from(o.join(ln, ln.c.order_id == o.c.id))
        .where(o.c.account_number == sa.bindparam("account"),
               o.c.id != sa.bindparam("excluding"),
               o.c.received_at >= sa.bindparam("since"),
               *(o.c.status != state for state in withdrawn))
    )  # fmt: skip


_TEN_THOUSAND, _PLACES = Decimal(10000), Decimal("0.0001")
#: What an open order still owes on delivery: its unshipped units (shipped ones are invoiced,
#: and owed as receivables).
_UNSHIPPED = order_lines.c.quantity - order_lines.c.shipped_qty
#: Once per order placed, so on the driver cursor (see `PreparedStatement`).
_OPEN_VALUE = PreparedStatement(_open_value(_UNSHIPPED * order_lines.c.unit_price))
#: SQLite keeps prices as exact text: sum them in ten-thousandths, as integers.
_SQLITE_PRICE = sa.cast(
    sa.func.round(sa.cast(order_lines.c.unit_price, sa.Float) * 10000), sa.Integer
)
_SQLITE_LINE_VALUE = order_lines.c.quantity * _SQLITE_PRICE
_OPEN_VALUE_SQLITE = PreparedStatement(_open_value(_UNSHIPPED * _SQLITE_PRICE))
_PLACED_SINCE = _placed_since(order_lines.c.quantity * order_lines.c.unit_price)
_PLACED_SINCE_SQLITE = _placed_since(_SQLITE_LINE_VALUE)


class SqlOrderRepository(OrderRepository):
    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def _one(self, where: sa.ColumnElement[bool], *, lock: bool = False) -> Order | None:
        query = orders.select().where(where)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        lines = self.conn.execute(_SELECT_LINES.where(order_lines.c.order_id == row.id)).all()
        return to_order(row, lines)

    def _get(self, order_id: OrderId, *, lock: bool = False) -> Order | None:
        return self._one(orders.c.id == order_id, lock=lock)

    def _get_by_po(self, account: AccountNumber, customer_po: str) -> Order | None:
        return self._one(
            sa.and_(orders.c.account_number == account, orders.c.customer_po == customer_po)
        )

    def _insert(self, order: Order) -> None:
        try:
            _INSERT_ORDER(self.conn, [order_row(order)])
        except IntegrityError as exc:
            if _is_duplicate_po(exc):
                raise DuplicatePurchaseOrder(order.header.customer_po) from exc
            if _is_duplicate_id(exc):
                raise DuplicateOrderId(order.id) from exc
            raise
        _INSERT_LINES(self.conn, line_rows(order))

    def _update(self, order: Order) -> bool:
        row = order_row(order)
        row["b_id"], row["b_version"] = order.id, order.version
        if order.body_changed:
            return self._update_changed(order, row)
        if self.conn.execute(_UPDATE_ORDER, row).rowcount != 1:
            return False
        lines = line_rows(order)
        for ln in lines:
            ln["b_order_id"], ln["b_line_no"] = ln["order_id"], ln["line_no"]
        self.conn.execute(_UPDATE_LINE, lines)
        return True

    def _update_changed(self, order: Order, row: dict[str, Any]) -> bool:
        """An edited order: its row and lines as changed (an update sets every column its
        parameters name, header and line body included), new lines added."""
        try:
            with self.conn.begin_nested():
                if self.conn.execute(_UPDATE_ORDER, row).rowcount != 1:
                    return False
        except IntegrityError as exc:
            if _is_duplicate_po(exc):
                raise Conflict(ErrorCode.DUPLICATE_PO_CONFLICT,
                               f"customer {order.header.account_number} already has an order "
                               f"under PO {order.header.customer_po!r}") from exc  # fmt: skip
            raise
        query = sa.select(order_lines.c.line_no).where(order_lines.c.order_id == order.id)
        stored = {r.line_no for r in self.conn.execute(query)}
        lines = line_rows(order)
        added = [ln for ln in lines if ln["line_no"] not in stored]
        if added:
            _INSERT_LINES(self.conn, added)
        kept = [{**ln, "b_order_id": ln["order_id"], "b_line_no": ln["line_no"]}
                for ln in lines if ln["line_no"] in stored]  # fmt: skip
        if kept:
            self.conn.execute(_UPDATE_LINE, kept)
        order.body_changed = False
        return True

    def _append_log(self, entries: Sequence[OrderLogEntry]) -> None:
        _INSERT_EVENTS(self.conn, [event_row(e) for e in entries])

    def _append_decisions(self, decisions: Sequence[DecisionRecord]) -> None:
        _INSERT_DECISIONS(self.conn, [decision_row(d) for d in decisions])

    def decisions(self, order_id: OrderId) -> list[DecisionRecord]:
        query = order_decisions.select().where(order_decisions.c.order_id == order_id)
        return [to_decision(r) for r in self.conn.execute(query.order_by(order_decisions.c.seq))]

    def recent_decisions(
        self, table: str, limit: int, sites: frozenset[SiteCode] | None = None
    ) -> list[DecisionRecord]:
        d = order_decisions
        chosen = sa.select(d.c.order_id, sa.func.max(d.c.seq).label("seq")).where(
            d.c.table_name == table, d.c.outcome != Outcome.ACCEPTED.value
        )
        if sites is not None:
            chosen = chosen.join(orders, orders.c.id == d.c.order_id).where(
                orders.c.site.in_(sorted(sites))
            )
        latest = chosen.group_by(d.c.order_id).subquery()
        query = (
            d.select().join(latest, sa.and_(d.c.order_id == latest.c.order_id,
                                             d.c.seq == latest.c.seq))
            .order_by(d.c.decided_at.desc(), d.c.order_id).limit(limit)
        )  # fmt: skip
        return [to_decision(r) for r in self.conn.execute(query)]

    def placed_since(
        self, account: AccountNumber, since: datetime, excluding: OrderId
    ) -> tuple[int, Decimal]:
        exact_text = self.conn.dialect.name == "sqlite"
        query = _PLACED_SINCE_SQLITE if exact_text else _PLACED_SINCE
        count, total = self.conn.execute(
            query, {"account": account, "since": since, "excluding": excluding}
        ).one()
        if exact_text:
            return count, (Decimal(int(total or 0)) / _TEN_THOUSAND).quantize(_PLACES)
        return count, Decimal(total or 0)

    def open_value(self, account: AccountNumber, excluding: OrderId) -> Decimal:
        exact_text = self.conn.dialect.name == "sqlite"
        query = _OPEN_VALUE_SQLITE if exact_text else _OPEN_VALUE
        row = query.first(self.conn, {"account": account, "excluding": excluding})
        total = row[0] if row else None
        if exact_text:
            return (Decimal(int(total or 0)) / _TEN_THOUSAND).quantize(_PLACES)
        return Decimal(total or 0)

    def waiting_for(self, site: SiteCode, skus: Iterable[Sku]) -> list[OrderId]:
        o, ln = orders, order_lines
        short = (
            sa.select(o.c.id, o.c.priority, o.c.requested_date, o.c.received_at)
            .join(ln, ln.c.order_id == o.c.id)
            .where(sa.or_(o.c.site == site, o.c.sourcing.is_not(None)),
                   o.c.status.in_([OrderStatus.BACKORDERED.value,
                                   OrderStatus.PARTIALLY_ALLOCATED.value]),
                   o.c.process_step.is_not(None), ln.c.sku.in_(sorted(set(skus))),
                   ln.c.allocated_qty < ln.c.quantity,
                   ln.c.status.not_in([LineStatus.CANCELLED.value, LineStatus.REJECTED.value]))
            .distinct()
            .subquery()
        )  # fmt: skip
        query = (
            sa.select(short.c.id, o.c.site, o.c.sourcing).join(o, o.c.id == short.c.id)
            .order_by(sa.func.coalesce(short.c.priority, 0).desc(), short.c.requested_date,
                      short.c.received_at, short.c.id)
        )  # fmt: skip
        return [OrderId(r.id) for r in self.conn.execute(query)
                if site in (r.sourcing["sites"] if r.sourcing else (r.site,))]  # fmt: skip

    def latest(
        self,
        limit: int = 50,
        status: str | None = None,
        sites: frozenset[SiteCode] | None = None,
    ) -> list[Order]:
        query = orders.select().order_by(orders.c.received_at.desc(), orders.c.id).limit(limit)
        if status:
            query = query.where(orders.c.status == status)
        if sites is not None:
            query = query.where(orders.c.site.in_(sorted(sites)))
        rows = self.conn.execute(query).all()
        ids = [r.id for r in rows]
        lines = self.conn.execute(_SELECT_LINES.where(order_lines.c.order_id.in_(ids))).all()
        by_order = {k: list(g) for k, g in groupby(lines, key=lambda ln: ln.order_id)}
        return [to_order(r, by_order.get(r.id, [])) for r in rows]

    def log(self, order_id: OrderId) -> list[OrderLogEntry]:
        rows = self.conn.execute(_SELECT_EVENTS.where(order_events.c.order_id == order_id))
        return [to_entry(r) for r in rows]

    def log_between(self, start: datetime, end: datetime) -> list[OrderLogEntry]:
        e = order_events
        query = (
            e.select().where(e.c.occurred_at >= start, e.c.occurred_at < end)
            .order_by(e.c.occurred_at, e.c.order_id, e.c.seq)
        )  # fmt: skip
        return [to_entry(r) for r in self.conn.execute(query)]

    def chains(self) -> Iterator[tuple[OrderId, ChainHead, list[OrderLogEntry]]]:
        heads = self.conn.execute(
            sa.select(orders.c.id, orders.c.log_seq, orders.c.log_head).order_by(orders.c.id)
        ).all()
        rows = self.conn.execute(_SELECT_EVENTS).all()
        by_order = {k: [to_entry(r) for r in g] for k, g in groupby(rows, key=lambda r: r.order_id)}
        for h in heads:
            yield OrderId(h.id), ChainHead(h.log_seq, h.log_head), by_order.pop(h.id, [])
        for orphan, entries in by_order.items():  # log rows of an order that no longer exists
            yield OrderId(orphan), ChainHead(), entries


def _is_duplicate_id(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return "pk_orders" in text or "orders.id" in text


def _is_duplicate_po(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return "uq_orders_customer_po" in text or "orders.account_number, orders.customer_po" in text


__all__ = ["SqlOrderRepository"]
