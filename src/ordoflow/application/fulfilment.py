"""Release to the warehouses and what they report back.

Releasing an order creates one warehouse request per warehouse holding its units and sends
`release_requested` to the warehouse. Picking, packing, shipment and delivery come back through
the commands here, from a WMS, the built-in simulator or a person, each checked by role and by
the warehouse's site. A shipment is taken once per warehouse reference: sent again it changes
nothing and says so; another shipment under a taken reference is refused. Its units leave stock,
the order's lines move, and `shipment.confirmed` (with the time since release) goes to the
outbox, from where invoicing follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ordoflow.application import access, allocation, postings
from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, ShipmentExists, UnitOfWork
from ordoflow.domain.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from ordoflow.domain.fulfilment_events import (
    ReleaseRequested,
    ShipmentConfirmed,
    ShipmentDelivered,
    WarehouseRequestMoved,
)
from ordoflow.domain.ledger import Account
from ordoflow.domain.orders import Order
from ordoflow.domain.values import ActorId, FieldProblem, SiteCode, Sku, parse_code
from ordoflow.domain.warehouse import (
    RequestEvent,
    RequestLine,
    Shipment,
    WarehouseRequest,
)


@dataclass(frozen=True, slots=True)
class ShipmentReport:
    reference: str
    repeated: bool = False


def release(order: Order, uow: UnitOfWork, at: datetime, actor: ActorId, carrier: str) -> None:
    """Release the order and ask each warehouse holding its units to ship them."""
    order.release(actor=actor, at=at)
    per_site: dict[SiteCode, list[RequestLine]] = {}
    for ln in order.lines:
        for site, units in ln.unshipped().items():
            per_site.setdefault(site, []).append(RequestLine(ln.line_no, ln.sku, units))
    requests = [
        WarehouseRequest(WarehouseRequest.id_for(order.id, site), order.id, site,
                         order.header.ship_to, carrier, lines, released_at=at)
        for site, lines in sorted(per_site.items())
    ]  # fmt: skip
    uow.warehouse.add_requests(requests)
    for r in requests:
        uow.record(ReleaseRequested(
            occurred_at=at, request_id=r.id, order_id=r.order_id, site=r.site,
            ship_to=r.ship_to, carrier=r.carrier,
            lines=tuple((ln.line_no, ln.sku, ln.quantity) for ln in r.lines),
        ))  # fmt: skip


def cancel_requests(order: Order, uow: UnitOfWork, at: datetime) -> None:
    """Tell the warehouses that a cancelled order's open requests are off."""
    for r in uow.warehouse.requests_for(order.id):
        if r.is_open:
            _move(uow, r, RequestEvent.CANCEL, at)


def _load(uow: UnitOfWork, cmd: c.WarehouseCommand) -> WarehouseRequest:
    acting = access.permit(uow, cmd)
    request = uow.warehouse.request(cmd.request_id)
    if request is None:
        raise NotFound(ErrorCode.UNKNOWN_WAREHOUSE_REQUEST,
                       f"no warehouse request {cmd.request_id!r}")  # fmt: skip
    access.within(acting, request.site)
    return request


def _move(uow: UnitOfWork, request: WarehouseRequest, event: RequestEvent, at: datetime) -> None:
    request.move(event, at)
    uow.warehouse.save_request(request)
    uow.record(WarehouseRequestMoved(
        occurred_at=at, request_id=request.id, order_id=request.order_id, site=request.site,
        event=event.value, status=request.status.value,
    ))  # fmt: skip


def confirm_picking(cmd: c.ConfirmPicking, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        _move(uow, _load(uow, cmd), RequestEvent.PICK, clock.now())
        uow.commit()


def confirm_packing(cmd: c.ConfirmPacking, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        _move(uow, _load(uow, cmd), RequestEvent.PACK, clock.now())
        uow.commit()


def confirm_shipment(cmd: c.ConfirmShipment, uow: UnitOfWork, clock: Clock) -> ShipmentReport:
    """Take the shipment once (its reference first, so a repeat changes nothing), then move
    the request and the order, and take the units out of stock."""
    reference = _reference(cmd.reference)
    with uow:
        request = _load(uow, cmd)
        at = clock.now()
        shipment = Shipment(request.site, reference, request.id, request.order_id,
                            tuple(sorted(cmd.shipped.items())), cmd.carrier or request.carrier,
                            cmd.tracking, cmd.final, at, cmd.actor)  # fmt: skip
        try:
            uow.warehouse.add_shipment(shipment)
        except ShipmentExists:
            return _repeated(uow, shipment)
        request.ship(cmd.shipped, at, final=cmd.final)
        uow.warehouse.save_request(request)
        order = uow.orders.get(request.order_id)
        if order is None:  # pragma: no cover - a request's order is never deleted
            raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {request.order_id!r}")
        # a request done (nothing open, or told final) ends what its warehouse ships: the
        # order closes short once no warehouse holds anything unshipped
        issued, freed = order.confirm_shipment(cmd.shipped, site=request.site, actor=cmd.actor,
                                               at=at, final=not request.is_open)  # fmt: skip
        allocation.issue(uow, issued)
        allocation.give_back(uow, freed)
        units: dict[Sku, int] = {}
        for (sku, _), qty in issued.items():
            units[sku] = units.get(sku, 0) - qty
        postings.stock_moved(uow, ("shipment", f"{request.site}/{reference}"), at, units,
                             Account.COST_OF_GOODS_SOLD)  # fmt: skip
        skus = {ln.line_no: ln.sku for ln in order.lines}
        uow.record(ShipmentConfirmed(
            occurred_at=at, request_id=request.id, order_id=order.id, site=request.site,
            reference=reference, lines=tuple((n, skus[n], q) for n, q in shipment.lines),
            carrier=shipment.carrier, tracking=shipment.tracking, final=shipment.final,
            released_at=request.released_at,
            latency_hours=round((at - request.released_at).total_seconds() / 3600, 2),
        ))  # fmt: skip
        uow.commit()
        return ShipmentReport(reference)


def _repeated(uow: UnitOfWork, shipment: Shipment) -> ShipmentReport:
    earlier = uow.warehouse.shipment(shipment.site, shipment.reference)
    if earlier is None or earlier.fingerprint != shipment.fingerprint:
        raise Conflict(ErrorCode.DUPLICATE_SHIPMENT,
                       f"{shipment.site} already has another shipment "
                       f"{shipment.reference!r}")  # fmt: skip
    return ShipmentReport(shipment.reference, repeated=True)


def _reference(raw: str) -> str:
    try:
        return parse_code("reference", raw)
    except FieldProblem as problem:
        raise ValidationFailed([problem.error]) from None


def confirm_delivery(cmd: c.ConfirmDelivery, uow: UnitOfWork, clock: Clock) -> bool:
    """Record proof of delivery; False when it was recorded before (nothing changes)."""
    with uow:
        access.within(access.permit(uow, cmd), cmd.site)
        shipment = uow.warehouse.shipment(cmd.site, cmd.reference)
        if shipment is None:
            raise NotFound(ErrorCode.UNKNOWN_SHIPMENT,
                           f"no shipment {cmd.reference!r} at {cmd.site}")  # fmt: skip
        at = cmd.delivered_at or clock.now()
        if not uow.warehouse.deliver(cmd.site, cmd.reference, at, cmd.received_by):
            return False
        uow.record(ShipmentDelivered(
            occurred_at=clock.now(), request_id=shipment.request_id,
            order_id=shipment.order_id, site=cmd.site, reference=cmd.reference,
            delivered_at=at, received_by=cmd.received_by,
        ))  # fmt: skip
        uow.commit()
        return True


__all__ = [
    "ShipmentReport",
    "cancel_requests",
    "confirm_delivery",
    "confirm_packing",
    "confirm_picking",
    "confirm_shipment",
    "release",
]
