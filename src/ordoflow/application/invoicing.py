"""Invoicing, from the outbox: a confirmed shipment is billed.

The dispatcher runs `invoice_shipment` after `shipment.confirmed`. It bills the shipment's
units at the order's prices, with tax and freight from the `invoice_charges` table in force
(by destination, carrier and shipment value). The invoice takes its shipment as its key, so a
shipment is billed once however often the step runs. An invoice that cannot go out as it stands
(no tax rate for the destination; units above what the order shipped) is kept on hold, without
a number, and opens a case in the billing queue. An issued invoice takes the next number of its
company's series and posts to the ledger in the same transaction; an order whose every shipment
is billed moves to invoiced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ordoflow.application import pipeline
from ordoflow.application.case_opening import open_hold_case
from ordoflow.application.ports import Clock, CloudEvent, InvoiceExists, UnitOfWork
from ordoflow.application.process import table_in_force
from ordoflow.domain.errors import DomainError, ErrorCode, NotFound
from ordoflow.domain.events import InvoiceIssued
from ordoflow.domain.invoicing import (
    INVOICE_SERIES,
    MISSING_TAX_SETUP,
    QUANTITY_MISMATCH,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Customer, ShipTo, Site
from ordoflow.domain.orders import Order
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId, SiteCode
from ordoflow.domain.warehouse import Shipment
from ordoflow.governance.facts import destination_region

#: The table of tax rates and freight charges, and the queue of invoices on hold.
INVOICE_CHARGES = "invoice_charges"
BILLING_STEP, BILLING_QUEUE, BILLING_ROLE, BILLING_SLA_HOURS = "billing", "billing", "finance", 8


def invoice_shipment(event: CloudEvent, uow: UnitOfWork, clock: Clock) -> None:
    """The dispatcher's step after `shipment.confirmed`."""
    site, reference = SiteCode(event.data["site"]), str(event.data["reference"])
    shipment = uow.warehouse.shipment(site, reference)
    if shipment is None:
        raise NotFound(ErrorCode.UNKNOWN_SHIPMENT, f"no shipment {reference!r} at {site}")
    order = uow.orders.get(shipment.order_id)
    if order is None:  # pragma: no cover - a shipment's order is never deleted
        raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {shipment.order_id!r}")
    if not shipment.lines:  # a final confirmation that shipped nothing: nothing to bill
        _order_invoiced(order, clock.now(), uow.billing.invoices_for(order.id))
        return
    bill(uow, clock.now(), order, shipment)


def bill_now(uow: UnitOfWork, order: Order, at: datetime, actor: ActorId) -> None:
    """Bill, without waiting for the worker, every shipment of the order it has not billed yet
    (the worker's own step: each shipment is still billed once, and the worker later finds it
    billed), then move the order to invoiced. Refused, with nothing written, while an invoice
    of the order is on hold: its billing case decides it."""
    if order.status is not OrderStatus.SHIPPED:
        order.invoice(actor=actor, at=at)  # refused by the lifecycle, with its state named
    invoices = {i.id: i for i in uow.billing.invoices_for(order.id)}
    for shipment in uow.warehouse.shipments_for(order.id):
        key = Invoice.id_for(shipment.site, shipment.reference)
        if shipment.lines and key not in invoices:
            invoices[key] = bill(uow, at, order, shipment, actor=actor)
    held = sorted(i.id for i in invoices.values() if i.status is InvoiceStatus.ON_HOLD)
    if held:
        raise DomainError(ErrorCode.INVOICE_ON_HOLD,
                          f"invoice {held[0]} of order {order.id} is on hold; the billing queue "
                          "decides it")  # fmt: skip
    if order.status is OrderStatus.SHIPPED:  # every shipment billed before, or none with units
        order.invoice(actor=actor, at=at)


def bill(
    uow: UnitOfWork, at: datetime, order: Order, shipment: Shipment,
    *, actor: ActorId = SYSTEM_ACTOR,
) -> Invoice:  # fmt: skip
    """The shipment's invoice, issued or on hold; the one it has when it was billed before.
    `actor` moves the order to invoiced when this bills its last units."""
    lines = tuple(InvoiceLine(n, order.line(n).sku, q, order.line(n).unit_price)
                  for n, q in shipment.lines)  # fmt: skip
    net = sum((ln.amount for ln in lines), Decimal(0))
    charges = _charges(uow, order, shipment, net, at)
    site = uow.records.get(Site, (shipment.site,))
    invoice = Invoice(
        Invoice.id_for(shipment.site, shipment.reference), _company(site, shipment.site),
        order.id, order.header.account_number, order.header.currency, shipment.site,
        shipment.reference, lines, charges[0] if charges else "", charges[1] if charges else
        Decimal(0), charges[2] if charges else Decimal(0), created_at=at,
    )  # fmt: skip
    earlier = uow.billing.invoices_for(order.id)
    hold = MISSING_TAX_SETUP if charges is None else _quantity_problem(order, invoice, earlier)
    try:
        uow.billing.add_invoice(invoice)
    except InvoiceExists:
        return invoice
    if hold is not None:
        invoice.status, invoice.hold_reason = InvoiceStatus.ON_HOLD, hold
        uow.billing.save_invoice(invoice)
        _open_billing_case(uow, order, invoice, at, site)
        return invoice
    issue(uow, invoice, order, at, actor=actor)
    return invoice


def issue(
    uow: UnitOfWork, invoice: Invoice, order: Order, at: datetime,
    *, actor: ActorId = SYSTEM_ACTOR,
) -> None:  # fmt: skip
    """Number the invoice, post it, and move the order once every shipment is billed."""
    number = uow.billing.next_number(invoice.company, INVOICE_SERIES)
    customer = uow.records.get(Customer, (invoice.account_number,))
    terms = _term_days(customer.payment_terms if customer else "")
    invoice.issue(f"{INVOICE_SERIES}-{invoice.company}-{number:06d}", at, at + terms)
    uow.billing.save_invoice(invoice)
    entry = invoice.posting()
    if entry is not None:
        uow.ledger.post(entry)
    uow.record(InvoiceIssued(
        occurred_at=at, number=invoice.number or "", order_id=invoice.order_id,
        account_number=invoice.account_number, currency=invoice.currency,
        net=str(invoice.net), tax=str(invoice.tax), freight=str(invoice.freight),
        gross=str(invoice.gross), shipment=invoice.id,
    ))  # fmt: skip
    # read after the number: the company's series serialises its invoices, so another
    # shipment of the order billed meanwhile has committed and is counted here
    _order_invoiced(order, at, uow.billing.invoices_for(order.id), actor)


def _order_invoiced(
    order: Order, at: datetime, invoices: Sequence[Invoice], actor: ActorId = SYSTEM_ACTOR
) -> None:
    """A shipped order moves to invoiced once its issued invoices bill every unit it shipped
    (each invoice bills one shipment's units, and never more than shipped)."""
    if order.status is not OrderStatus.SHIPPED:
        return
    billed: dict[int, int] = {}
    for i in invoices:
        if i.status is InvoiceStatus.ISSUED:
            for ln in i.lines:
                billed[ln.line_no] = billed.get(ln.line_no, 0) + ln.quantity
    if all(billed.get(ln.line_no, 0) >= ln.shipped_qty for ln in order.lines):
        order.invoice(actor=actor, at=at)


def _charges(
    uow: UnitOfWork, order: Order, shipment: Shipment, net: Decimal, at: datetime
) -> tuple[str, Decimal, Decimal] | None:
    """(tax code, tax rate, freight) from the table in force; None when it gives no rate."""
    table = table_in_force(uow, INVOICE_CHARGES, at)
    ship_to = uow.records.get(ShipTo, (order.header.account_number, order.header.ship_to))
    if table is None or ship_to is None:
        return None
    context: dict[str, Any] = {
        "destination country": ship_to.country, "destination region": destination_region(ship_to),
        "carrier": shipment.carrier, "shipment value": net,
    }  # fmt: skip
    answer = pipeline.compiled(table).evaluate(context).result
    if not isinstance(answer, dict) or answer.get("tax rate") is None:
        return None
    return (str(answer.get("tax code") or ""), Decimal(answer["tax rate"]),
            Decimal(answer.get("freight") or 0))  # fmt: skip


def _quantity_problem(order: Order, invoice: Invoice, others: Sequence[Invoice]) -> str | None:
    """Whether the invoice would bill a line for more units than it shipped."""
    billed: dict[int, int] = {}
    for other in others:
        for ln in other.lines:
            billed[ln.line_no] = billed.get(ln.line_no, 0) + ln.quantity
    for ln in invoice.lines:
        if billed.get(ln.line_no, 0) + ln.quantity > order.line(ln.line_no).shipped_qty:
            return QUANTITY_MISMATCH
    return None


def _open_billing_case(
    uow: UnitOfWork, order: Order, invoice: Invoice, at: datetime, site: Site | None
) -> None:
    open_hold_case(
        uow, order, step=BILLING_STEP, reason_code=invoice.hold_reason or "billing_hold",
        queue=BILLING_QUEUE, owner_role=BILLING_ROLE, sla_hours=BILLING_SLA_HOURS,
        time_zone=site.time_zone if site else "UTC", escalation=("executive",), at=at,
        invoice=invoice.id,
    )  # fmt: skip


def release_hold(uow: UnitOfWork, order: Order, at: datetime, actor: ActorId, *,
                 override: bool) -> None:  # fmt: skip
    """A billing case is resolved: its invoice goes out. Approved, the charges are looked up
    again (the tax setup may have been completed meanwhile); overridden, it goes out as it
    stands (no tax when none was set up)."""
    del actor
    invoices = uow.billing.invoices_for(order.id)
    for invoice in invoices:
        if invoice.status is not InvoiceStatus.ON_HOLD:
            continue
        if not override and invoice.hold_reason == MISSING_TAX_SETUP:
            shipment = uow.warehouse.shipment(invoice.site, invoice.shipment)
            charges = shipment and _charges(uow, order, shipment, invoice.net, at)
            if not charges:
                raise DomainError(ErrorCode.INVOICE_ON_HOLD,
                                  f"invoice {invoice.id}: {INVOICE_CHARGES} still gives no tax "
                                  "rate for its destination; complete it, or override")  # fmt: skip
            invoice.tax_code, invoice.tax_rate, invoice.freight = charges
        issue(uow, invoice, order, at)


def _company(site: Site | None, code: SiteCode) -> str:
    """The legal entity a site invoices for: one per country."""
    return f"{site.country if site else code}01"


def _term_days(terms: str) -> timedelta:
    """Days to pay from payment terms such as NET30 (0 when the terms name none)."""
    found = re.search(r"(\d+)", terms)
    return timedelta(days=int(found.group(1)) if found else 0)


__all__ = [
    "BILLING_STEP",
    "INVOICE_CHARGES",
    "bill",
    "bill_now",
    "invoice_shipment",
    "issue",
    "release_hold",
]
