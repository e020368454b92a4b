"""Placing an order: resolve the customer's defaults, tell a resubmission from a conflict, check
every reference, price the lines, and record the order as received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ordoflow.application import access, fact_data, pipeline
from ordoflow.application import commands as c
from ordoflow.application.pipeline import Runnable
from ordoflow.application.ports import Clock, DuplicateOrderId, DuplicatePurchaseOrder, UnitOfWork
from ordoflow.domain.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    FieldError,
    NotFound,
    ValidationFailed,
)
from ordoflow.domain.intake import LineRequest, OrderHeader, body_hash, new_order_id
from ordoflow.domain.masterdata import Customer, Item, OrderReferences, PriceEntry, quote_price
from ordoflow.domain.orders import Order
from ordoflow.domain.values import OrderId, Sku

#: Fresh ids to try when a random order id is already taken (about once in 370,000 orders
#: among ten million); three clashes in a row mean something else is wrong.
_ID_ATTEMPTS = 3


def place_order(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> OrderId:
    """Place an order, or return the existing one when the same PO arrives again with the same
    body (a different body is refused). New orders are the common case, so the insert goes
    first and the unique key (customer, PO) decides; only a refusal looks for an earlier order."""
    for _ in range(_ID_ATTEMPTS - 1):
        try:
            return _place_or_find(cmd, uow, clock)
        except DuplicateOrderId:
            continue
    return _place_or_find(cmd, uow, clock)


def _place_or_find(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> OrderId:
    attempt = _Attempt()
    try:
        return _place(cmd, uow, clock, attempt)
    except DuplicatePurchaseOrder:
        pass
    except DomainError:
        if attempt.fingerprint is None:
            raise
        existing = _existing(cmd, uow, attempt.fingerprint)
        if existing is None:
            raise
        return existing
    assert attempt.fingerprint is not None, "the insert came after the fingerprint"
    existing = _existing(cmd, uow, attempt.fingerprint)
    if existing is None:  # pragma: no cover - the key was taken, so the order is there
        raise Conflict(ErrorCode.DUPLICATE_PO_CONFLICT, f"PO {cmd.customer_po!r} is taken")
    return existing


@dataclass(slots=True)
class _Attempt:
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class Intake:
    """An order as checked and priced, ready to be recorded."""

    header: OrderHeader
    lines: list[LineRequest]
    refs: OrderReferences
    prices: list[PriceEntry] | None  # read only when a line needed a price
    fingerprint: str


def take_in(cmd: c.PlaceOrder, uow: UnitOfWork, attempt: _Attempt | None = None) -> Intake:
    """Check every reference and price the lines, inside `uow`. `attempt` learns the body's
    fingerprint as soon as it is known, so a refusal can still find an earlier order."""
    _distinct_line_numbers(cmd)
    refs = uow.records.order_references(
        cmd.account_number, cmd.ship_to, cmd.site, (ln.sku for ln in cmd.lines)
    )
    customer = _known(cmd, refs)
    header = OrderHeader(
        cmd.account_number, cmd.ship_to, cmd.channel, cmd.customer_po, cmd.requested_date,
        cmd.site, cmd.currency or customer.currency,
    )  # fmt: skip
    uoms = {ln.line_no: ln.unit_of_measure or refs.items[ln.sku].unit_of_measure
            for ln in cmd.lines}  # fmt: skip
    requested = [(ln.line_no, ln.sku, ln.quantity, ln.unit_price, uoms[ln.line_no])
                 for ln in cmd.lines]  # fmt: skip
    fingerprint = body_hash(header, requested)
    if attempt is not None:
        attempt.fingerprint = fingerprint
    _check_header(cmd, header, customer, refs)
    entries = None
    if any(ln.unit_price is None for ln in cmd.lines):
        entries = uow.records.prices_for(ln.sku for ln in cmd.lines)
    lines = _priced_lines(cmd, header, refs.items, uoms, entries or [])
    return Intake(header, lines, refs, entries, fingerprint)


def _place(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock, attempt: _Attempt) -> OrderId:
    with uow:
        access.within(access.permit(uow, cmd), cmd.site)
        intake = take_in(cmd, uow, attempt)
        at = clock.now()
        runnable = _process(uow, intake.header, at)
        order = Order.place(
            new_order_id(), intake.header, intake.lines, actor=cmd.actor, at=at,
            fingerprint=intake.fingerprint,
            process=None if isinstance(runnable, DomainError) else runnable.process.label,
        )  # fmt: skip
        data = lambda: fact_data.order_data(uow, order, intake.refs, intake.prices)  # noqa: E731
        pipeline.start(order, uow, clock, data, runnable)
        uow.orders.add(order)
        uow.commit()
        return order.id


def _process(uow: UnitOfWork, header: OrderHeader, at: datetime) -> Runnable | DomainError:
    try:
        return pipeline.process_for(uow, header.site, header.channel.value, at)
    except DomainError as exc:
        return exc


def _distinct_line_numbers(cmd: c.PlaceOrder) -> None:
    seen: set[int] = set()
    for ln in cmd.lines:
        if ln.line_no in seen:
            raise _invalid(
                f"lines[{ln.line_no}]", ErrorCode.DUPLICATE_LINE, "line number used twice"
            )
        seen.add(ln.line_no)


def _existing(cmd: c.PlaceOrder, uow: UnitOfWork, fingerprint: str) -> OrderId | None:
    with uow:
        existing = uow.orders.get_by_po(cmd.account_number, cmd.customer_po)
        return None if existing is None else _same_body_or_conflict(existing, fingerprint, cmd)


def _known(cmd: c.PlaceOrder, refs: OrderReferences) -> Customer:
    if refs.customer is None:
        raise NotFound(ErrorCode.UNKNOWN_CUSTOMER, f"no customer {cmd.account_number!r}")
    missing = sorted({ln.sku for ln in cmd.lines if ln.sku not in refs.items})
    if missing:
        raise NotFound(ErrorCode.UNKNOWN_SKU, f"unknown SKU(s): {', '.join(missing)}")
    return refs.customer


def _same_body_or_conflict(existing: Order, fingerprint: str, cmd: c.PlaceOrder) -> OrderId:
    if existing.body_hash != fingerprint:
        raise Conflict(
            ErrorCode.DUPLICATE_PO_CONFLICT,
            f"customer {cmd.account_number} already has order {existing.id} under PO "
            f"{cmd.customer_po!r} with a different body",
        )
    return existing.id


def _check_header(
    cmd: c.PlaceOrder, header: OrderHeader, customer: Customer, refs: OrderReferences
) -> None:
    if not refs.ship_to_known:
        raise NotFound(
            ErrorCode.UNKNOWN_SHIP_TO,
            f"customer {cmd.account_number} has no ship-to {cmd.ship_to!r}",
        )
    if not refs.site_known:
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
    entries: list[PriceEntry],
) -> list[LineRequest]:
    """Requested prices stand; missing ones come from the price list in the order's currency."""
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


def _invalid(field: str, code: ErrorCode, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, code, message)])


__all__ = ["Intake", "place_order", "take_in"]
