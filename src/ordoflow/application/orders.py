"""Handlers for order commands: build values, open the unit of work, load one aggregate, call one
domain method, commit."""

from __future__ import annotations

from collections.abc import Callable

from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, DuplicatePurchaseOrder, UnitOfWork
from ordoflow.domain.errors import Conflict, ErrorCode, FieldError, NotFound, ValidationFailed
from ordoflow.domain.masterdata import Customer, Item, PriceEntry, ShipTo, Site, quote_price
from ordoflow.domain.orders import LineRequest, Order, OrderHeader, body_hash, new_order_id
from ordoflow.domain.values import CurrencyCode, OrderId, Sku


def place_order(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> OrderId:
    """Place an order, or return the existing one when the same PO arrives again with the same
    body. The unique key (customer, PO) decides races: the loser re-reads and compares."""
    try:
        return _place(cmd, uow, clock)
    except DuplicatePurchaseOrder:
        return _place(cmd, uow, clock)


def _place(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> OrderId:
    with uow:
        fingerprint = _fingerprint(cmd)
        existing = uow.orders.get_by_po(cmd.account_number, cmd.customer_po)
        if existing is not None:
            return _same_body_or_conflict(existing, fingerprint, cmd)
        header, lines = _resolve(cmd, uow)
        order = Order.place(
            new_order_id(), header, lines, actor=cmd.actor, at=clock.now(), fingerprint=fingerprint
        )
        uow.orders.add(order)
        uow.commit()
        return order.id


def _fingerprint(cmd: c.PlaceOrder) -> str:
    header = OrderHeader(
        cmd.account_number, cmd.ship_to, cmd.channel, cmd.customer_po, cmd.requested_date,
        cmd.site, cmd.currency or CurrencyCode(""),
    )  # fmt: skip
    lines = [
        (ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.unit_of_measure) for ln in cmd.lines
    ]
    return body_hash(header, lines)


def _same_body_or_conflict(existing: Order, fingerprint: str, cmd: c.PlaceOrder) -> OrderId:
    if existing.body_hash != fingerprint:
        raise Conflict(
            ErrorCode.DUPLICATE_PO_CONFLICT,
            f"customer {cmd.account_number} already has order {existing.id} under PO "
            f"{cmd.customer_po!r} with a different body",
        )
    return existing.id


def _resolve(cmd: c.PlaceOrder, uow: UnitOfWork) -> tuple[OrderHeader, list[LineRequest]]:
    """Check every reference and fill defaults: currency from the customer, unit of measure
    from the item, price from the price list."""
    customer = uow.records.get(Customer, (cmd.account_number,))
    if customer is None:
        raise NotFound(ErrorCode.UNKNOWN_CUSTOMER, f"no customer {cmd.account_number!r}")
    if uow.records.get(ShipTo, (cmd.account_number, cmd.ship_to)) is None:
        raise NotFound(
            ErrorCode.UNKNOWN_SHIP_TO,
            f"customer {cmd.account_number} has no ship-to {cmd.ship_to!r}",
        )
    if uow.records.get(Site, (cmd.site,)) is None:
        raise NotFound(ErrorCode.UNKNOWN_SITE, f"no site {cmd.site!r}")
    currency = cmd.currency or customer.currency
    if currency != customer.currency:
        raise ValidationFailed([FieldError(
            "currency", ErrorCode.CURRENCY_MISMATCH,
            f"customer {customer.account_number} trades in {customer.currency}, not {currency}",
        )])  # fmt: skip
    items = uow.records.get_many(Item, [(ln.sku,) for ln in cmd.lines])
    missing = sorted({ln.sku for ln in cmd.lines if (ln.sku,) not in items})
    if missing:
        raise NotFound(ErrorCode.UNKNOWN_SKU, f"unknown SKU(s): {', '.join(missing)}")
    header = OrderHeader(
        cmd.account_number, cmd.ship_to, cmd.channel, cmd.customer_po, cmd.requested_date,
        cmd.site, currency,
    )  # fmt: skip
    prices = _price_entries(cmd, uow)
    lines = []
    for ln in cmd.lines:
        item = items[(ln.sku,)]
        price = ln.unit_price
        if price is None:
            quote = quote_price(item, prices, cmd.account_number, cmd.requested_date)
            if quote.currency != currency:
                raise ValidationFailed([FieldError(
                    f"lines[{ln.line_no}].unit_price", ErrorCode.CURRENCY_MISMATCH,
                    f"no {currency} price for {ln.sku} (found {quote.source} in {quote.currency})",
                )])  # fmt: skip
            price = quote.unit_price
        uom = ln.unit_of_measure or item.unit_of_measure
        if uom != item.unit_of_measure:
            raise ValidationFailed([FieldError(
                f"lines[{ln.line_no}].unit_of_measure", ErrorCode.UOM_MISMATCH,
                f"{ln.sku} is sold in {item.unit_of_measure}, not {uom}",
            )])  # fmt: skip
        lines.append(LineRequest(ln.line_no, ln.sku, ln.quantity, price, uom))
    return header, lines


def _price_entries(cmd: c.PlaceOrder, uow: UnitOfWork) -> list[PriceEntry]:
    if all(ln.unit_price is not None for ln in cmd.lines):
        return []
    skus = {ln.sku for ln in cmd.lines}
    return [p for p in uow.records.all(PriceEntry) if p.sku in skus]


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
    _change(cmd, uow, lambda o: o.resume(actor=cmd.actor, at=clock.now()))


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
        _give_back(uow, order, freed)
        uow.commit()


def cancel_order(cmd: c.CancelOrder, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd.order_id)
        freed = order.cancel(cmd.reason_code, actor=cmd.actor, at=clock.now())
        _give_back(uow, order, freed)
        uow.commit()


def _give_back(uow: UnitOfWork, order: Order, freed: dict[Sku, int]) -> None:
    for sku in sorted(freed):
        uow.stock.unreserve(sku, order.header.site, freed[sku])


def allocate_order(cmd: c.AllocateOrder, uow: UnitOfWork, clock: Clock) -> None:
    """Take what is available at the order's site, line by line in SKU order (a deterministic
    lock order); each take is a guarded update, retried smaller if another order got there first."""
    with uow:
        order = _load(uow, cmd.order_id)
        taken: dict[int, int] = {}
        site = order.header.site
        for ln in sorted(order.lines, key=lambda ln: (ln.sku, ln.line_no)):
            want = ln.quantity - ln.allocated_qty
            while ln.is_live and want > 0:
                take = min(want, uow.stock.available(ln.sku, site))
                if take <= 0:
                    break
                if uow.stock.reserve(ln.sku, site, take):
                    taken[ln.line_no] = take
                    break
        order.allocate(taken, actor=cmd.actor, at=clock.now())
        uow.commit()


def confirm_shipment(cmd: c.ConfirmShipment, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        order = _load(uow, cmd.order_id)
        issued = order.confirm_shipment(cmd.shipped, actor=cmd.actor, at=clock.now())
        for sku in sorted(issued):
            uow.stock.issue(sku, order.header.site, issued[sku])
        uow.commit()


__all__ = [
    "allocate_order",
    "cancel_order",
    "close_order",
    "confirm_shipment",
    "hold_order",
    "invoice_order",
    "place_order",
    "reject_order",
    "release_order",
    "resume_order",
    "validate_order",
]
