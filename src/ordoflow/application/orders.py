"""Handlers that move orders through their lifecycle: open the unit of work, load the order, call
one domain method, commit."""

from __future__ import annotations

from collections.abc import Callable

from ordoflow.application import (
    access,
    actions,
    allocation,
    fact_data,
    fulfilment,
    invoicing,
    pipeline,
)
from ordoflow.application import commands as c
from ordoflow.application.cases import cancel_cases_of
from ordoflow.application.placing import take_in
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.domain.errors import Conflict, ErrorCode, NotFound
from ordoflow.domain.orders import Order


def _load(uow: UnitOfWork, cmd: c.OrderCommand) -> Order:
    """The order, once the acting user may run `cmd` (by role) on it (by its site)."""
    acting = access.permit(uow, cmd)
    order = uow.orders.get(cmd.order_id)
    if order is None:
        raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {cmd.order_id!r}")
    access.within(acting, order.header.site)
    return order


def _change(cmd: c.OrderCommand, uow: UnitOfWork, act: Callable[[Order], None]) -> None:
    with uow:
        act(_load(uow, cmd))
        uow.commit()


def validate_order(cmd: c.ValidateOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.validate(actor=cmd.actor, at=clock.now()))


def hold_order(cmd: c.HoldOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.hold(cmd.reason_code, actor=cmd.actor, at=clock.now()))


def resume_order(cmd: c.ResumeOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Lift a hold put on by hand; the governed process goes on from where it stopped, under
    its pins. A hold the process raised is lifted only by resolving its case."""
    with uow:
        order = _load(uow, cmd)
        live = [k.id for k in uow.cases.for_order(order.id) if k.is_live]
        if live:
            raise Conflict(ErrorCode.CASE_OPEN,
                           f"order {order.id} waits on case {live[0]}: approve, override or "
                           "reject the case instead")  # fmt: skip
        order.resume(actor=cmd.actor, at=clock.now())
        pipeline.resume(order, uow, clock, cmd.actor)
        uow.commit()


def release_order(cmd: c.ReleaseOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Release by hand, to the warehouses holding the order's units (see `fulfilment`)."""
    with uow:
        order = _load(uow, cmd)
        fulfilment.release(order, uow, clock.now(), cmd.actor, pipeline.carrier_of(uow, order))
        uow.commit()


def invoice_order(cmd: c.InvoiceOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Invoiced by hand means billed now: see `invoicing.bill_now`."""
    _change(cmd, uow, lambda o: invoicing.bill_now(uow, o, clock.now(), cmd.actor))


def close_order(cmd: c.CloseOrder, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, lambda o: o.close(actor=cmd.actor, at=clock.now()))


def reject_order(cmd: c.RejectOrder, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd)
        freed = order.reject(cmd.reason_code, actor=cmd.actor, at=clock.now())
        allocation.give_back(uow, freed)
        cancel_cases_of(uow, order, cmd.actor, clock.now())
        uow.commit()


def cancel_order(cmd: c.CancelOrder, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd)
        freed = order.cancel(cmd.reason_code, actor=cmd.actor, at=clock.now())
        allocation.give_back(uow, freed)
        fulfilment.cancel_requests(order, uow, clock.now())
        cancel_cases_of(uow, order, cmd.actor, clock.now())
        uow.commit()


def allocate_order(cmd: c.AllocateOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Take what is available under the order's sourcing plan (see `allocation.take_stock`)."""
    with uow:
        order = _load(uow, cmd)
        actions.allocate(order, uow, clock.now(), cmd.actor)
        uow.commit()


def edit_order(cmd: c.EditOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Change lines, prices, ship-to or customer before release, checked and priced as a new
    order would be. Live cases end (an approval never carries over to a changed order), the
    stock taken goes back, and the process runs again from the first step the change
    affects, under the order's pins."""
    with uow:
        order = _load(uow, cmd)
        h = order.header
        lines = cmd.lines
        if lines is None:
            lines = tuple(c.OrderLineInput(line_no=ln.line_no, sku=ln.sku, quantity=ln.quantity,
                                           unit_price=ln.unit_price,
                                           unit_of_measure=ln.unit_of_measure)
                          for ln in order.live_lines)  # fmt: skip
        intake = take_in(c.PlaceOrder(
            actor=cmd.actor, account_number=cmd.account_number or h.account_number,
            ship_to=cmd.ship_to or h.ship_to, channel=h.channel, customer_po=h.customer_po,
            requested_date=h.requested_date, site=h.site, lines=lines, currency=h.currency,
        ), uow)  # fmt: skip
        at = clock.now()
        parts, freed = order.change(intake.header, intake.lines, actor=cmd.actor, at=at,
                                    fingerprint=intake.fingerprint)  # fmt: skip
        allocation.give_back(uow, freed)
        cancel_cases_of(uow, order, cmd.actor, at)
        data = lambda: fact_data.order_data(uow, order, intake.refs, intake.prices)  # noqa: E731
        pipeline.rerun(order, uow, clock, parts, data)
        uow.commit()


__all__ = [
    "allocate_order",
    "cancel_order",
    "close_order",
    "edit_order",
    "hold_order",
    "invoice_order",
    "reject_order",
    "release_order",
    "resume_order",
    "validate_order",
]
