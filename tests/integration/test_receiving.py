"""Stock receipts on SQLite and PostgreSQL: the orders waiting for an item are filled highest
priority first and never beyond what was received; a receipt is taken once per reference; an
adjustment never counts out allocated units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.queries import verify_audit
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.masterdata import Customer, CustomerTier, ShipTo, StockLevel
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.values import (
    AccountNumber,
    Channel,
    CountryCode,
    CurrencyCode,
    OrderId,
)
from tests.builders import ref
from tests.fakes import FakeClock
from tests.governed_world import ADMIN, AGENT, SHIP_TO, SITE, SKU, set_up
from tests.staff import AUDITOR, WAREHOUSE

TIERS = (CustomerTier.STANDARD, CustomerTier.PREFERRED, CustomerTier.STRATEGIC)


def waiting_orders(app: App, clock: FakeClock) -> list[OrderId]:
    """One order of ten units per tier, none in stock, least important first."""
    set_up(app, clock, stock=0)
    placed = []
    for tier in TIERS:
        account = AccountNumber(f"C-{tier.value.upper()}")
        app.bus.handle(
            c.CreateRecord(
                actor=ADMIN,
                record=Customer(
                    account, "Co", "TAX-9", tier, CurrencyCode("USD"), "NET30", Decimal("10000")
                ),
            )
        )
        app.bus.handle(
            c.CreateRecord(
                actor=ADMIN,
                record=ShipTo(
                    account, SHIP_TO, "Dock", "1 Main St", "Dallas", "75001", CountryCode("US")
                ),
            )
        )
        placed.append(OrderId(str(app.bus.handle(c.PlaceOrder(
            actor=AGENT, account_number=account, ship_to=SHIP_TO, channel=Channel.EDI,
            customer_po=ref("PO"), requested_date=clock.now().date(), site=SITE,
            lines=(c.OrderLineInput(line_no=1, sku=SKU, quantity=10),),
        )))))  # fmt: skip
    return placed


def receipt(quantity: int, reference: str = "PO-1",
            kind: ReceiptKind = ReceiptKind.PURCHASE_RECEIPT) -> c.ReceiveStock:  # fmt: skip
    return c.ReceiveStock(site=SITE, kind=kind, reference=reference,
                          lines=(ReceiptLine(SKU, quantity),), actor=WAREHOUSE)  # fmt: skip


def state(app: App, order_ids: list[OrderId]) -> tuple[list[tuple[str, int]], StockLevel]:
    with app.uow_factory() as uow:
        orders = [uow.orders.get(oid) for oid in order_ids]
        level = uow.records.get(StockLevel, (SKU, SITE))
    assert isinstance(level, StockLevel)
    return [(o.status.value, o.lines[0].allocated_qty) for o in orders if o], level


def test_a_receipt_fills_the_waiting_orders_by_priority(app: App, clock: FakeClock) -> None:
    standard, preferred, strategic = waiting_orders(app, clock)
    clock.advance(hours=2)
    app.bus.handle(receipt(15))
    assert state(app, [standard, preferred, strategic])[0] == [("backordered", 0)] * 3
    assert dispatch_once(app.bus.uow_factory, clock).handled == 1
    orders, level = state(app, [standard, preferred, strategic])
    assert orders == [("backordered", 0), ("partially_allocated", 5), ("released", 10)]
    assert (level.on_hand, level.allocated) == (15, 15)
    again = app.bus.handle(receipt(15))
    assert again.repeated
    assert dispatch_once(app.bus.uow_factory, clock).handled == 0, "each event is handled once"
    assert state(app, [standard, preferred, strategic]) == (orders, level)
    app.bus.handle(receipt(15, reference="PO-2"))
    dispatch_once(app.bus.uow_factory, clock)
    orders, level = state(app, [standard, preferred, strategic])
    assert [o[0] for o in orders] == ["released", "released", "released"]
    assert (level.on_hand, level.allocated) == (30, 30)
    assert verify_audit(app.uow_factory, AUDITOR).ok


def test_refused_receipts_change_nothing(app: App, clock: FakeClock) -> None:
    standard, preferred, strategic = waiting_orders(app, clock)
    app.bus.handle(receipt(10))
    dispatch_once(app.bus.uow_factory, clock)
    before = state(app, [standard, preferred, strategic])
    for command, code in (
        (receipt(11), ErrorCode.DUPLICATE_RECEIPT),
        (receipt(-1, "COUNT-1", ReceiptKind.ADJUSTMENT), ErrorCode.INVALID_STOCK),
        (c.ReceiveStock(site=SITE, kind=ReceiptKind.PURCHASE_RECEIPT, reference="PO-X",
                        lines=(ReceiptLine(SKU, 5),), actor=AGENT), ErrorCode.NOT_AUTHORISED),
    ):  # fmt: skip
        with pytest.raises(DomainError) as caught:
            app.bus.handle(command)
        assert caught.value.code is code
        assert state(app, [standard, preferred, strategic]) == before
    with app.uow_factory() as uow:
        assert uow.stock.receipt(SITE, "COUNT-1") is None
    assert [o[0] for o in before[0]] == ["backordered", "backordered", "released"]
