"""Placing an order: resolve the customer's defaults, tell a resubmission from a conflict, check
every reference, price the lines, and record the order as received."""

from __future__ import annotations

from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, DuplicatePurchaseOrder, UnitOfWork
from ordoflow.domain.errors import Conflict, ErrorCode, FieldError, NotFound, ValidationFailed
from ordoflow.domain.masterdata import Customer, Item, PriceEntry, ShipTo, Site, quote_price
from ordoflow.domain.orders import LineRequest, Order, OrderHeader, body_hash, new_order_id
from ordoflow.domain.values import OrderId, Sku


def place_order(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> OrderId:
    """Place an order, or return the existing one when the same PO arrives again with the same
    body. The unique key (customer, PO) decides races: the loser re-reads and compares."""
    try:
        return _place(cmd, uow, clock)
    except DuplicatePurchaseOrder:
        return _place(cmd, uow, clock)


def _place(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> OrderId:
    with uow:
        customer = _customer(cmd, uow)
        items = _items(cmd, uow)
        header = OrderHeader(
            cmd.account_number, cmd.ship_to, cmd.channel, cmd.customer_po, cmd.requested_date,
            cmd.site, cmd.currency or customer.currency,
        )  # fmt: skip
        uoms = {ln.line_no: ln.unit_of_measure or items[ln.sku].unit_of_measure for ln in cmd.lines}
        fingerprint = body_hash(
            header,
            [
                (ln.line_no, ln.sku, ln.quantity, ln.unit_price, uoms[ln.line_no])
                for ln in cmd.lines
            ],
        )
        existing = uow.orders.get_by_po(cmd.account_number, cmd.customer_po)
        if existing is not None:
            return _same_body_or_conflict(existing, fingerprint, cmd)
        _check_header(cmd, header, customer, uow)
        lines = _priced_lines(cmd, header, items, uoms, uow)
        order = Order.place(
            new_order_id(), header, lines, actor=cmd.actor, at=clock.now(), fingerprint=fingerprint
        )
        uow.orders.add(order)
        uow.commit()
        return order.id


def _customer(cmd: c.PlaceOrder, uow: UnitOfWork) -> Customer:
    customer = uow.records.get(Customer, (cmd.account_number,))
    if customer is None:
        raise NotFound(ErrorCode.UNKNOWN_CUSTOMER, f"no customer {cmd.account_number!r}")
    return customer


def _items(cmd: c.PlaceOrder, uow: UnitOfWork) -> dict[Sku, Item]:
    found = uow.records.get_many(Item, [(ln.sku,) for ln in cmd.lines])
    missing = sorted({ln.sku for ln in cmd.lines if (ln.sku,) not in found})
    if missing:
        raise NotFound(ErrorCode.UNKNOWN_SKU, f"unknown SKU(s): {', '.join(missing)}")
    return {item.sku: item for item in found.values()}


def _same_body_or_conflict(existing: Order, fingerprint: str, cmd: c.PlaceOrder) -> OrderId:
    if existing.body_hash != fingerprint:
        raise Conflict(
            ErrorCode.DUPLICATE_PO_CONFLICT,
            f"customer {cmd.account_number} already has order {existing.id} under PO "
            f"{cmd.customer_po!r} with a different body",
        )
    return existing.id


def _check_header(
    cmd: c.PlaceOrder, header: OrderHeader, customer: Customer, uow: UnitOfWork
) -> None:
    if uow.records.get(ShipTo, (cmd.account_number, cmd.ship_to)) is None:
        raise NotFound(
            ErrorCode.UNKNOWN_SHIP_TO,
            f"customer {cmd.account_number} has no ship-to {cmd.ship_to!r}",
        )
    if uow.records.get(Site, (cmd.site,)) is None:
        raise NotFound(ErrorCode.UNKNOWN_SITE, f"no site {cmd.site!r}")
    if header.currency != customer.currency:
        raise _invalid("currency", ErrorCode.CURRENCY_MISMATCH,
                       f"customer {customer.account_number} trades in {customer.currency}, "
                       f"not {header.currency}")  # fmt: skip


def _priced_lines(
    cmd: c.PlaceOrder,
    header: OrderHeader,
    items: dict[Sku, Item],
    uoms: dict[int, str],
    uow: UnitOfWork,
) -> list[LineRequest]:
    """Requested prices stand; missing ones come from the price list in the order's currency."""
    entries = _price_entries(cmd, uow)
    lines = []
    for ln in cmd.lines:
        item, uom = items[ln.sku], uoms[ln.line_no]
        if uom != item.unit_of_measure:
            raise _invalid(f"lines[{ln.line_no}].unit_of_measure", ErrorCode.UOM_MISMATCH,
                           f"{ln.sku} is sold in {item.unit_of_measure}, not {uom}")  # fmt: skip
        price = ln.unit_price
        if price is None:
            quote = quote_price(item, entries, cmd.account_number, cmd.requested_date,
                                header.currency)  # fmt: skip
            if quote is None:
                raise _invalid(f"lines[{ln.line_no}].unit_price", ErrorCode.CURRENCY_MISMATCH,
                               f"no {header.currency} price for {ln.sku}")  # fmt: skip
            price = quote.unit_price
        lines.append(LineRequest(ln.line_no, ln.sku, ln.quantity, price, uom))
    return lines


def _price_entries(cmd: c.PlaceOrder, uow: UnitOfWork) -> list[PriceEntry]:
    if all(ln.unit_price is not None for ln in cmd.lines):
        return []
    skus = {ln.sku for ln in cmd.lines}
    return [p for p in uow.records.all(PriceEntry) if p.sku in skus]


def _invalid(field: str, code: ErrorCode, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, code, message)])


__all__ = ["place_order"]
