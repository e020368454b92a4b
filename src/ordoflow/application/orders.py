"""Handlers that move orders through their lifecycle: open the unit of work, load the order, call
one domain method, commit."""

from __future__ import annotations

from collections.abc import Callable

from ordoflow.application import commands as c
from ordoflow.application import pipeline
from ordoflow.application.cases import cancel_cases_of
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.domain.errors import ErrorCode, NotFound
from ordoflow.domain.orders import Order
from ordoflow.domain.values import OrderId


def _load(uow: UnitOfWork, order_id: OrderId) -> Order:
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {order_id!r}")
    return order


def _change(cmd: c.OrderCommand, uow: UnitOfWork, act: Callable[[Order], None]) -> None:
    with uow:
        act(_load(uow, cmd.order_id))
        uow.commit()


def validate_order(cmd: c.ValidateOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.validate(actor=cmd.actor, at=clock.now()))


def hold_order(cmd: c.HoldOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.hold(cmd.reason_code, actor=cmd.actor, at=clock.now()))


def resume_order(cmd: c.ResumeOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Lift a hold; the governed process goes on from where it stopped, under its pins."""
    with uow:
        order = _load(uow, cmd.order_id)
        order.resume(actor=cmd.actor, at=clock.now())
        pipeline.resume(order, uow, clock, cmd.actor)
        uow.commit()


def release_order(cmd: c.ReleaseOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.release(actor=cmd.actor, at=clock.now()))


def invoice_order(cmd: c.InvoiceOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.invoice(actor=cmd.actor, at=clock.now()))


def close_order(cmd: c.CloseOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.close(actor=cmd.actor, at=clock.now()))


def reject_order(cmd: c.RejectOrder, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd.order_id)
        freed = order.reject(cmd.reason_code, actor=cmd.actor, at=clock.now())
        pipeline.give_back(uow, order, freed)
        cancel_cases_of(uow, order, cmd.actor, clock.now())
        uow.commit()


def cancel_order(cmd: c.CancelOrder, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd.order_id)
        freed = order.cancel(cmd.reason_code, actor=cmd.actor, at=clock.now())
        pipeline.give_back(uow, order, freed)
        cancel_cases_of(uow, order, cmd.actor, clock.now())
        uow.commit()


def allocate_order(cmd: c.AllocateOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Take what is available at the order's site (see `pipeline.take_stock`)."""
    with uow:
        order = _load(uow, cmd.order_id)
        order.allocate(pipeline.take_stock(uow, order), actor=cmd.actor, at=clock.now())
        uow.commit()


def confirm_shipment(cmd: c.ConfirmShipment, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd.order_id)
        issued, freed = order.confirm_shipment(
            cmd.shipped, actor=cmd.actor, at=clock.now(), final=cmd.final
        )
        for sku in sorted(issued):
            uow.stock.issue(sku, order.header.site, issued[sku])
        pipeline.give_back(uow, order, freed)
        uow.commit()


__all__ = [
    "allocate_order",
    "cancel_order",
    "close_order",
    "confirm_shipment",
    "hold_order",
    "invoice_order",
    "reject_order",
    "release_order",
    "resume_order",
    "validate_order",
]
