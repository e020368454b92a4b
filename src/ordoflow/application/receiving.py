"""Stock receipts, and the orders they fill.

A receipt (purchase receipt, transfer in, adjustment) is taken once per site and reference: the
same receipt sent again changes nothing and says so; another receipt under a taken reference is
refused. In its transaction the units are added to on hand (guarded: an adjustment never counts
out units that are allocated) and `StockReceived` goes to the outbox. From there the dispatcher
runs `fill_backorders`: the orders of the site waiting for any of the items are filled in
priority order (the allocation step's points, then the requested date, then age); each takes
what it still needs, and the steps after allocation run again under its pins, so the release
policy decides again whether it goes to the warehouse. Filling stops once nothing received is
left. An order released this way records how long it waited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ordoflow.application import access, actions, allocation, pipeline, postings
from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, CloudEvent, UnitOfWork
from ordoflow.domain.decisions import Outcome
from ordoflow.domain.errors import (
    Conflict,
    ErrorCode,
    FieldError,
    NotFound,
    ValidationFailed,
)
from ordoflow.domain.events import BackorderFilled, StockReceived
from ordoflow.domain.ledger import Account
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Item, Site
from ordoflow.domain.orders import Order
from ordoflow.domain.receipts import Receipt, ReceiptKind, check_receipt_lines
from ordoflow.domain.values import FieldProblem, SiteCode, Sku, parse_code


@dataclass(frozen=True, slots=True)
class ReceiptReport:
    reference: str
    repeated: bool = False


def receive_stock(cmd: c.ReceiveStock, uow: UnitOfWork, clock: Clock) -> ReceiptReport:
    check_receipt_lines(cmd.kind, cmd.lines)
    with uow:
        access.within(access.permit(uow, cmd), cmd.site)
        at = clock.now()
        receipt = Receipt(cmd.site, _reference(cmd.reference), cmd.kind, cmd.lines, at,
                          cmd.actor)  # fmt: skip
        earlier = uow.stock.receipt(cmd.site, receipt.reference)
        if earlier is not None:
            if earlier.fingerprint != receipt.fingerprint:
                message = f"{cmd.site} already has another receipt {receipt.reference!r}"
                raise Conflict(ErrorCode.DUPLICATE_RECEIPT, message)
            return ReceiptReport(receipt.reference, repeated=True)
        _known(uow, receipt)
        uow.stock.add_receipt(receipt)
        for ln in sorted(receipt.lines, key=lambda ln: ln.sku):
            if not uow.stock.receive(ln.sku, cmd.site, ln.quantity):
                raise ValidationFailed([FieldError(
                    f"lines[{ln.sku}].quantity", ErrorCode.INVALID_STOCK,
                    f"{ln.sku}@{cmd.site}: counting out {-ln.quantity} would leave less on hand "
                    "than is allocated",
                )])  # fmt: skip
        lines = tuple((ln.sku, ln.quantity) for ln in receipt.lines)
        counter = (Account.INVENTORY_ADJUSTMENT if receipt.kind is ReceiptKind.ADJUSTMENT
                   else Account.GOODS_RECEIVED)  # fmt: skip
        postings.stock_moved(uow, ("stock_receipt", f"{cmd.site}/{receipt.reference}"), at,
                             dict(lines), counter)  # fmt: skip
        uow.audit.append(f"receipt:{cmd.site}/{receipt.reference}", receipt.kind.value,
                         actor=cmd.actor, at=at, before=None,
                         after={"lines": [list(ln) for ln in lines]})  # fmt: skip
        uow.record(StockReceived(occurred_at=at, site=cmd.site, reference=receipt.reference,
                                 kind=receipt.kind.value, lines=lines,
                                 actor=cmd.actor))  # fmt: skip
        uow.commit()
        return ReceiptReport(receipt.reference)


def _reference(raw: str) -> str:
    try:
        return parse_code("reference", raw)
    except FieldProblem as problem:
        raise ValidationFailed([problem.error]) from None


def _known(uow: UnitOfWork, receipt: Receipt) -> None:
    if uow.records.get(Site, (receipt.site,)) is None:
        raise NotFound(ErrorCode.UNKNOWN_SITE, f"no site {receipt.site!r}")
    missing = sorted(ln.sku for ln in receipt.lines if uow.records.get(Item, (ln.sku,)) is None)
    if missing:
        raise NotFound(ErrorCode.UNKNOWN_SKU, f"unknown SKU(s): {', '.join(missing)}")


def fill_backorders(event: CloudEvent, uow: UnitOfWork, clock: Clock) -> None:
    """The dispatcher's step after `StockReceived`."""
    data = event.data
    skus = [Sku(ln["sku"]) for ln in data["lines"] if int(ln["quantity"]) > 0]
    fill(uow, clock, SiteCode(data["site"]), skus)


def fill(uow: UnitOfWork, clock: Clock, site: SiteCode, received: Iterable[Sku]) -> None:
    """Give what is available of `received` at `site` to the orders waiting for it, highest
    priority first."""
    skus = sorted(set(received))
    for order_id in uow.orders.waiting_for(site, skus) if skus else []:
        if all(uow.stock.available(sku, site) <= 0 for sku in skus):
            break
        order = uow.orders.get(order_id)
        if order is None:  # pragma: no cover - listed by the same transaction
            continue
        if site not in allocation.plan_of(order).sites:
            continue
        at = clock.now()
        if not actions.allocate(order, uow, at)["taken"]:
            continue
        pipeline.after_allocation(order, uow, at)
        if order.status is OrderStatus.RELEASED:
            _waited(uow, order)


def _waited(uow: UnitOfWork, order: Order) -> None:
    """Record how long a released order waited: since its first backorder decision after
    its allocation step last ran."""
    steps = pipeline.pinned_for(uow, order.pins or {}).steps
    allocating = {s.id for s in steps if s.action == "allocate"}
    since = None
    for record in reversed(uow.orders.decisions(order.id)):
        if record.step in allocating:
            break
        if record.outcome is Outcome.BACKORDER:
            since = record.decided_at
    if since is None:
        return
    now = order.updated_at
    order.events.append(BackorderFilled(
        occurred_at=now, order_id=order.id, site=order.header.site, waited_since=since,
        waited_hours=round((now - since).total_seconds() / 3600, 2),
    ))  # fmt: skip


__all__ = ["ReceiptReport", "fill", "fill_backorders", "receive_stock"]
