"""Return authorizations in SQL, written under their version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from ordoflow.adapters.persistence.fulfilment_tables import returns
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.returns import (
    Disposition,
    ReturnAuthorization,
    ReturnId,
    ReturnLine,
    ReturnStatus,
)
from ordoflow.domain.values import AccountNumber, ActorId, OrderId, SiteCode, Sku


def _row(r: ReturnAuthorization) -> dict[str, Any]:
    return {
        "id": r.id, "order_id": r.order_id, "account_number": r.account_number,
        "status": r.status.value,
        "lines": [[ln.line_no, ln.sku, ln.quantity, ln.reason_code, str(ln.unit_price),
                   ln.received, ln.disposition.value if ln.disposition else None]
                  for ln in r.lines],
        "note": r.note, "requested_by": r.requested_by, "requested_at": r.requested_at,
        "decision_reason": r.decision_reason, "site": r.site, "received_at": r.received_at,
        "disposed_at": r.disposed_at, "credit_memos": list(r.credit_memos),
        "version": r.version + 1,
    }  # fmt: skip


def _to_return(r: Any) -> ReturnAuthorization:
    return ReturnAuthorization(
        id=ReturnId(r.id), order_id=OrderId(r.order_id),
        account_number=AccountNumber(r.account_number),
        lines=[ReturnLine(int(n), Sku(s), int(q), reason, Decimal(price), int(received),
                          Disposition(d) if d else None)
               for n, s, q, reason, price, received, d in r.lines],
        note=r.note, requested_by=ActorId(r.requested_by), requested_at=r.requested_at,
        status=ReturnStatus(r.status), decision_reason=r.decision_reason,
        site=SiteCode(r.site) if r.site else None, received_at=r.received_at,
        disposed_at=r.disposed_at, credit_memos=list(r.credit_memos), version=r.version,
    )  # fmt: skip


class SqlReturnRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, rma: ReturnAuthorization) -> None:
        self.conn.execute(returns.insert(), _row(rma))
        rma.version += 1

    def get(self, rma_id: ReturnId) -> ReturnAuthorization | None:
        row = self.conn.execute(returns.select().where(returns.c.id == rma_id)).first()
        return None if row is None else _to_return(row)

    def for_order(self, order_id: OrderId) -> list[ReturnAuthorization]:
        query = (returns.select().where(returns.c.order_id == order_id)
                 .order_by(returns.c.requested_at, returns.c.id))  # fmt: skip
        return [_to_return(r) for r in self.conn.execute(query)]

    def save(self, rma: ReturnAuthorization) -> None:
        row = _row(rma)
        del row["id"]
        changed = self.conn.execute(
            returns.update().where(returns.c.id == rma.id, returns.c.version == rma.version)
            .values(**row)
        ).rowcount  # fmt: skip
        if changed != 1:
            message = f"return {rma.id} was changed meanwhile; try again"
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, message)
        rma.version += 1


__all__ = ["SqlReturnRepository"]
