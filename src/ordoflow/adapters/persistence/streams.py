"""Stock levels (guarded updates), the audit log (hash-chained per stream) and the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ordoflow.adapters.persistence.inserting import dialect_insert, insert_new
from ordoflow.adapters.persistence.prepared import PreparedInsert, PreparedStatement
from ordoflow.adapters.persistence.tables import (
    audit_heads,
    audit_log,
    outbox,
    processed_events,
    stock,
    stock_receipts,
)
from ordoflow.application.ports import CloudEvent
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.eventlog import AuditEntry, ChainHead, sealed_audit_entry
from ordoflow.domain.receipts import Receipt, ReceiptKind, ReceiptLine
from ordoflow.domain.values import ActorId, SiteCode, Sku

_AT = sa.and_(stock.c.sku == sa.bindparam("b_sku"), stock.c.site == sa.bindparam("b_site"))
_Q: sa.BindParameter[int] = sa.bindparam("q", type_=sa.BigInteger())
_RESERVE = (
    stock.update()
    .where(_AT, stock.c.on_hand - stock.c.allocated >= _Q)
    .values(allocated=stock.c.allocated + _Q)
)
_UNRESERVE = (
    stock.update().where(_AT, stock.c.allocated >= _Q).values(allocated=stock.c.allocated - _Q)
)
_ISSUE = (
    stock.update()
    .where(_AT, stock.c.allocated >= _Q)
    .values(allocated=stock.c.allocated - _Q, on_hand=stock.c.on_hand - _Q)
)
_AVAILABLE = sa.select(stock.c.on_hand - stock.c.allocated).where(_AT)
#: Every order taking stock runs these: on the driver cursor (see `PreparedStatement`).
_FAST_RESERVE, _FAST_AVAILABLE = PreparedStatement(_RESERVE), PreparedStatement(_AVAILABLE)


class SqlStockRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _guarded(self, statement: sa.Update, sku: Sku, site: SiteCode, quantity: int) -> bool:
        if quantity <= 0:
            raise ValueError(f"stock moves are positive, got {quantity}")
        result = self.conn.execute(statement, {"b_sku": sku, "b_site": site, "q": quantity})
        return result.rowcount == 1

    def reserve(self, sku: Sku, site: SiteCode, quantity: int) -> bool:
        if quantity <= 0:
            raise ValueError(f"stock moves are positive, got {quantity}")
        return _FAST_RESERVE.rowcount(self.conn, {"b_sku": sku, "b_site": site, "q": quantity}) == 1

    def unreserve(self, sku: Sku, site: SiteCode, quantity: int) -> None:
        if not self._guarded(_UNRESERVE, sku, site, quantity):
            raise RuntimeError(f"{sku}@{site}: fewer than {quantity} units are allocated")

    def issue(self, sku: Sku, site: SiteCode, quantity: int) -> None:
        if not self._guarded(_ISSUE, sku, site, quantity):
            raise RuntimeError(f"{sku}@{site}: fewer than {quantity} units are allocated")

    def available(self, sku: Sku, site: SiteCode) -> int:
        row = _FAST_AVAILABLE.first(self.conn, {"b_sku": sku, "b_site": site})
        return int(row[0] or 0) if row else 0

    def on_hand(self, sku: Sku) -> int:
        query = sa.select(sa.func.coalesce(sa.func.sum(stock.c.on_hand), 0))
        return int(self.conn.execute(query.where(stock.c.sku == sku)).scalar_one())

    def levels(
        self, skus: Iterable[Sku], sites: Iterable[SiteCode]
    ) -> dict[tuple[Sku, SiteCode], int]:
        query = sa.select(stock.c.sku, stock.c.site, stock.c.on_hand - stock.c.allocated).where(
            stock.c.sku.in_(sorted(set(skus))), stock.c.site.in_(sorted(set(sites)))
        )
        return {(Sku(r[0]), SiteCode(r[1])): int(r[2]) for r in self.conn.execute(query)}

    def receive(self, sku: Sku, site: SiteCode, quantity: int) -> bool:
        if quantity < 0:
            count_out = (
                stock.update()
                .where(_AT, stock.c.on_hand + quantity >= stock.c.allocated)
                .values(on_hand=stock.c.on_hand + quantity)
            )
            return self.conn.execute(count_out, {"b_sku": sku, "b_site": site}).rowcount == 1
        statement = dialect_insert(self.conn, stock).values(
            sku=sku, site=site, on_hand=quantity, allocated=0
        )
        self.conn.execute(statement.on_conflict_do_update(
            index_elements=[stock.c.sku, stock.c.site],
            set_={"on_hand": stock.c.on_hand + statement.excluded.on_hand},
        ))  # fmt: skip
        return True

    def add_receipt(self, receipt: Receipt) -> None:
        row = {
            "site": receipt.site, "reference": receipt.reference, "kind": receipt.kind.value,
            "lines": [[ln.sku, ln.quantity] for ln in receipt.lines],
            "received_at": receipt.received_at, "actor": receipt.actor,
        }  # fmt: skip
        try:
            with self.conn.begin_nested():
                self.conn.execute(stock_receipts.insert(), row)
        except IntegrityError:
            message = f"{receipt.site} already has a receipt {receipt.reference!r}"
            raise Conflict(ErrorCode.DUPLICATE_RECEIPT, message) from None

    def receipt(self, site: SiteCode, reference: str) -> Receipt | None:
        r = self.conn.execute(
            stock_receipts.select().where(stock_receipts.c.site == site,
                                          stock_receipts.c.reference == reference)
        ).first()  # fmt: skip
        if r is None:
            return None
        return Receipt(SiteCode(r.site), r.reference, ReceiptKind(r.kind),
                       tuple(ReceiptLine(Sku(s), int(q)) for s, q in r.lines), r.received_at,
                       ActorId(r.actor))  # fmt: skip

    def set_on_hand(self, sku: Sku, site: SiteCode, on_hand: int) -> bool:
        statement = dialect_insert(self.conn, stock).values(
            sku=sku, site=site, on_hand=on_hand, allocated=0
        )
        statement = statement.on_conflict_do_update(
            index_elements=[stock.c.sku, stock.c.site],
            set_={"on_hand": statement.excluded.on_hand},
            where=stock.c.allocated <= statement.excluded.on_hand,
        )
        return self.conn.execute(statement.returning(stock.c.on_hand)).first() is not None


def _to_audit(r: Any) -> AuditEntry:
    return AuditEntry(
        stream=r.stream, seq=r.seq, action=r.action, occurred_at=r.occurred_at,
        actor=ActorId(r.actor), before=r.before, after=r.after, reason_code=r.reason_code,
        prev_hash=r.prev_hash, hash=r.hash,
    )  # fmt: skip


_AUDIT_ORDER = (audit_log.c.stream, audit_log.c.seq)


class SqlAuditLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _head(self, stream: str) -> ChainHead:
        """The stream's head, locked for the rest of the transaction (PostgreSQL row lock;
        SQLite already holds the database write lock from BEGIN IMMEDIATE)."""
        query = sa.select(audit_heads.c.seq, audit_heads.c.hash).where(
            audit_heads.c.stream == stream
        )
        row = self.conn.execute(query.with_for_update()).first()
        return ChainHead(row.seq, row.hash) if row else ChainHead()

    def append(
        self,
        stream: str,
        action: str,
        *,
        actor: ActorId,
        at: datetime,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        reason_code: str | None = None,
    ) -> AuditEntry:
        head = self._head(stream)
        entry = sealed_audit_entry(
            stream=stream, head=head, action=action, occurred_at=at, actor=actor,
            before=before, after=after, reason_code=reason_code,
        )  # fmt: skip
        self.conn.execute(
            audit_log.insert(),
            {
                "stream": stream, "seq": entry.seq, "action": action, "occurred_at": at,
                "actor": actor, "before": before, "after": after, "reason_code": reason_code,
                "prev_hash": entry.prev_hash, "hash": entry.hash,
            },
        )  # fmt: skip
        if head.seq == 0:
            self.conn.execute(
                audit_heads.insert(), {"stream": stream, "seq": 1, "hash": entry.hash}
            )
        else:
            self.conn.execute(
                audit_heads.update()
                .where(audit_heads.c.stream == stream)
                .values(seq=entry.seq, hash=entry.hash)
            )
        return entry

    def entries(self, stream: str) -> list[AuditEntry]:
        query = audit_log.select().where(audit_log.c.stream == stream).order_by(*_AUDIT_ORDER)
        return [_to_audit(r) for r in self.conn.execute(query)]

    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        query = (
            audit_log.select()
            .where(audit_log.c.occurred_at >= start, audit_log.c.occurred_at < end)
            .order_by(audit_log.c.occurred_at, *_AUDIT_ORDER)
        )
        return [_to_audit(r) for r in self.conn.execute(query)]

    def chains(self) -> Iterator[tuple[str, ChainHead, list[AuditEntry]]]:
        heads = {
            r.stream: ChainHead(r.seq, r.hash) for r in self.conn.execute(audit_heads.select())
        }
        rows = self.conn.execute(audit_log.select().order_by(*_AUDIT_ORDER)).all()
        for stream, group in groupby(rows, key=lambda r: r.stream):
            yield stream, heads.pop(stream, ChainHead()), [_to_audit(r) for r in group]
        for stream, head in heads.items():  # a head whose entries are all gone
            yield stream, head, []


_INSERT_OUTBOX = PreparedInsert(outbox)


def _event(r: Any) -> CloudEvent:
    return CloudEvent(
        id=r.id, source=r.source, type=r.type, subject=r.subject, time=r.time, data=r.data,
        specversion=r.specversion, datacontenttype=r.datacontenttype,
    )  # fmt: skip


class SqlOutbox:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, events: Sequence[CloudEvent]) -> None:
        try:
            self._insert(events)
        except IntegrityError:
            raise Conflict(
                ErrorCode.DUPLICATE_EVENT, "an event id is already in the outbox"
            ) from None

    def _insert(self, events: Sequence[CloudEvent]) -> None:
        _INSERT_OUTBOX(
            self.conn,
            [
                {
                    "id": e.id, "source": e.source, "type": e.type, "subject": e.subject,
                    "time": e.time, "data": dict(e.data), "specversion": e.specversion,
                    "datacontenttype": e.datacontenttype, "published_at": None,
                }
                for e in events
            ],
        )  # fmt: skip

    def pending(self, limit: int = 100) -> list[CloudEvent]:
        query = (
            outbox.select()
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.position)
            .limit(limit)
        )
        return [_event(r) for r in self.conn.execute(query)]

    def unhandled(self, consumer: str, types: Sequence[str], limit: int = 100) -> list[CloudEvent]:
        done = sa.select(processed_events.c.event_id).where(
            processed_events.c.consumer == consumer, processed_events.c.event_id == outbox.c.id
        )
        query = (
            outbox.select()
            .where(outbox.c.type.in_(list(types)), ~done.exists())
            .order_by(outbox.c.position)
            .limit(limit)
        )
        return [_event(r) for r in self.conn.execute(query)]

    def claim(self, consumer: str, event_id: str, at: datetime) -> bool:
        row = {"consumer": consumer, "event_id": event_id, "processed_at": at}
        return bool(insert_new(self.conn, processed_events, row, ("consumer", "event_id")))

    def take(self, event_ids: Sequence[str]) -> set[str]:
        if not event_ids:
            return set()
        query = (
            sa.select(outbox.c.id).where(outbox.c.id.in_(list(event_ids)))
            .with_for_update(skip_locked=True)  # nothing on SQLite
        )  # fmt: skip
        return {str(r[0]) for r in self.conn.execute(query)}

    def mark_published(self, event_ids: Iterable[str], at: datetime) -> None:
        ids = list(event_ids)
        if ids:
            self.conn.execute(outbox.update().where(outbox.c.id.in_(ids)).values(published_at=at))


__all__ = ["SqlAuditLog", "SqlOutbox", "SqlStockRepository"]
