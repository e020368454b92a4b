"""Warehouse requests and shipments in SQL. A request is written under its version (a
concurrent change is refused); a shipment's site and reference are its primary key, so the same
confirmation twice is kept once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ordoflow.adapters.persistence.fulfilment_tables import shipments, warehouse_requests
from ordoflow.adapters.persistence.inserting import insert_new
from ordoflow.application.fulfilment_ports import ShipmentExists
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.values import ActorId, OrderId, ShipToCode, SiteCode, Sku
from ordoflow.domain.warehouse import (
    RequestLine,
    RequestStatus,
    Shipment,
    WarehouseRequest,
    WarehouseRequestId,
)


def _request_row(r: WarehouseRequest) -> dict[str, Any]:
    return {
        "id": r.id, "order_id": r.order_id, "site": r.site, "ship_to": r.ship_to,
        "carrier": r.carrier, "status": r.status.value,
        "lines": [[ln.line_no, ln.sku, ln.quantity, ln.shipped] for ln in r.lines],
        "released_at": r.released_at, "updated_at": r.updated_at, "version": r.version + 1,
    }  # fmt: skip


def _to_request(r: Any) -> WarehouseRequest:
    return WarehouseRequest(
        id=WarehouseRequestId(r.id), order_id=OrderId(r.order_id), site=SiteCode(r.site),
        ship_to=ShipToCode(r.ship_to), carrier=r.carrier,
        lines=[RequestLine(int(n), Sku(s), int(q), int(sh)) for n, s, q, sh in r.lines],
        released_at=r.released_at, status=RequestStatus(r.status), updated_at=r.updated_at,
        version=r.version,
    )  # fmt: skip


def _to_shipment(r: Any) -> Shipment:
    return Shipment(
        site=SiteCode(r.site), reference=r.reference,
        request_id=WarehouseRequestId(r.request_id), order_id=OrderId(r.order_id),
        lines=tuple((int(n), int(q)) for n, q in r.lines), carrier=r.carrier,
        tracking=r.tracking, final=r.final, confirmed_at=r.confirmed_at,
        actor=ActorId(r.actor), delivered_at=r.delivered_at, received_by=r.received_by,
    )  # fmt: skip


class SqlWarehouseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: list[WarehouseRequest] = []

    def add_requests(self, requests: Sequence[WarehouseRequest]) -> None:
        self.pending.extend(requests)

    def flush(self) -> None:
        if self.pending:
            self.conn.execute(warehouse_requests.insert(),
                              [_request_row(r) for r in self.pending])  # fmt: skip
        for r in self.pending:
            r.version += 1
        self.pending = []

    def request(self, request_id: WarehouseRequestId) -> WarehouseRequest | None:
        w = warehouse_requests
        row = self.conn.execute(w.select().where(w.c.id == request_id)).first()
        return None if row is None else _to_request(row)

    def requests_for(self, order_id: OrderId) -> list[WarehouseRequest]:
        w = warehouse_requests
        query = w.select().where(w.c.order_id == order_id).order_by(w.c.site)
        return [_to_request(r) for r in self.conn.execute(query)]

    def open_requests(
        self, sites: frozenset[SiteCode] | None = None, limit: int = 100
    ) -> list[WarehouseRequest]:
        w = warehouse_requests
        done = (RequestStatus.SHIPPED.value, RequestStatus.CANCELLED.value)
        query = w.select().where(w.c.status.not_in(done))
        if sites is not None:
            query = query.where(w.c.site.in_(sorted(sites)))
        query = query.order_by(w.c.released_at, w.c.id).limit(limit)
        return [_to_request(r) for r in self.conn.execute(query)]

    def save_request(self, request: WarehouseRequest) -> None:
        w = warehouse_requests
        row = _request_row(request)
        changed = self.conn.execute(
            w.update().where(w.c.id == request.id, w.c.version == request.version)
            .values(status=row["status"], lines=row["lines"], updated_at=row["updated_at"],
                    version=row["version"])
        ).rowcount  # fmt: skip
        if changed != 1:
            message = f"warehouse request {request.id} was changed meanwhile; try again"
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, message)
        request.version += 1

    def add_shipment(self, shipment: Shipment) -> None:
        row = {
            "site": shipment.site, "reference": shipment.reference,
            "request_id": shipment.request_id, "order_id": shipment.order_id,
            "lines": [list(ln) for ln in shipment.lines], "carrier": shipment.carrier,
            "tracking": shipment.tracking, "final": shipment.final,
            "confirmed_at": shipment.confirmed_at, "actor": shipment.actor,
            "fingerprint": shipment.fingerprint, "delivered_at": shipment.delivered_at,
            "received_by": shipment.received_by,
        }  # fmt: skip
        if not insert_new(self.conn, shipments, row, ("site", "reference")):
            raise ShipmentExists(f"{shipment.site}/{shipment.reference}")

    def shipment(self, site: SiteCode, reference: str) -> Shipment | None:
        s = shipments
        row = self.conn.execute(
            s.select().where(s.c.site == site, s.c.reference == reference)
        ).first()
        return None if row is None else _to_shipment(row)

    def shipments_for(self, order_id: OrderId) -> list[Shipment]:
        s = shipments
        query = s.select().where(s.c.order_id == order_id).order_by(s.c.confirmed_at, s.c.site)
        return [_to_shipment(r) for r in self.conn.execute(query)]

    def deliver(self, site: SiteCode, reference: str, at: datetime, received_by: str) -> bool:
        s = shipments
        done = self.conn.execute(
            s.update().where(s.c.site == site, s.c.reference == reference,
                             s.c.delivered_at.is_(None))
            .values(delivered_at=at, received_by=received_by)
        )  # fmt: skip
        return done.rowcount == 1


__all__ = ["SqlWarehouseRepository"]
