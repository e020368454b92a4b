"""Stock receipts on the fakes: units received fill the orders waiting for them, highest
priority first, and an order released that way records how long it waited; a receipt sent
again changes nothing; every refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.receiving import ReceiptReport
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier, ShipTo, StockLevel
from ordoflow.domain.people import Role, User
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    CountryCode,
    CurrencyCode,
    OrderId,
    SiteCode,
    Sku,
)
from tests.governed_world import ADMIN, AGENT, Shop, shop
from tests.staff import WAREHOUSE


def customer(world: Shop, account: str, tier: CustomerTier) -> AccountNumber:
    code = AccountNumber(account)
    world.add(Customer(code, f"{account} Inc.", "TAX-9", tier, CurrencyCode("USD"), "NET30",
                       Decimal("10000")))  # fmt: skip
    world.add(ShipTo(code, world.ship_to, "Dock", "1 Main St", "Dallas", "75001",
                     CountryCode("US")))  # fmt: skip
    return code


def waiting(world: Shop) -> dict[str, OrderId]:
    """Three orders of ten units, none in stock, placed least important first."""
    orders = {}
    for name, tier in (("standard", CustomerTier.STANDARD), ("preferred", CustomerTier.PREFERRED),
                       ("strategic", CustomerTier.STRATEGIC)):  # fmt: skip
        account = customer(world, f"C-{name.upper()}", tier)
        orders[name] = world.order(10, account=account)
        assert world.store.orders[orders[name]].status is OrderStatus.BACKORDERED
    return orders


def receive(world: Shop, quantity: int, reference: str = "PO-4711",
            kind: ReceiptKind = ReceiptKind.PURCHASE_RECEIPT,
            actor: ActorId = WAREHOUSE) -> ReceiptReport:  # fmt: skip
    """Receive, then let the worker run the steps that follow."""
    report = world.handle(c.ReceiveStock(site=world.site, kind=kind, reference=reference,
                                         lines=(ReceiptLine(world.sku, quantity),),
                                         actor=actor))  # fmt: skip
    assert isinstance(report, ReceiptReport)
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]
    return report


def level(world: Shop) -> StockLevel:
    found = world.store.records[(StockLevel.KIND, (world.sku, world.site))]
    assert isinstance(found, StockLevel)
    return found


def test_a_receipt_fills_waiting_orders_by_priority_and_records_the_wait() -> None:
    world = shop(stock=0)
    orders = waiting(world)
    assert [world.store.orders[orders[n]].priority for n in ("standard", "strategic")] == [15, 45]
    world.clock.advance(hours=5)
    receive(world, 15)
    status = {n: world.store.orders[oid].status for n, oid in orders.items()}
    assert status == {"strategic": OrderStatus.RELEASED,
                      "preferred": OrderStatus.PARTIALLY_ALLOCATED,  # 5 of 10: below the minimum
                      "standard": OrderStatus.BACKORDERED}  # fmt: skip
    assert (level(world).on_hand, level(world).allocated) == (15, 15)
    (filled,) = [e for e, _ in world.store.outbox if e.type == "ordoflow.order.backorder_filled"]
    assert (filled.data["order_id"], filled.data["waited_hours"]) == (orders["strategic"], 5.0)
    steps = [d.step for d in world.store.decisions[orders["strategic"]]][-2:]
    assert steps == ["shipping", "release"], "the steps after allocation ran again"
    assert [e.action for e in world.store.audit[f"receipt:{world.site}/PO-4711"]] == [
        "purchase_receipt"]  # fmt: skip
    receive(world, 20, reference="PO-4712")
    assert {world.store.orders[oid].status for oid in orders.values()} == {OrderStatus.RELEASED}


def test_stock_nobody_waits_for_only_adds_to_on_hand() -> None:
    world = shop(stock=3)
    receive(world, 7, kind=ReceiptKind.TRANSFER_IN, reference="TR-1")
    assert (level(world).on_hand, level(world).allocated) == (10, 0)
    receive(world, -4, kind=ReceiptKind.ADJUSTMENT, reference="COUNT-1")
    assert level(world).on_hand == 6


def refused(world: Shop, command: c.Command) -> ErrorCode:
    records, orders, outbox = dict(world.store.records), dict(world.store.orders), len(
        world.store.outbox)  # fmt: skip
    receipts = dict(world.store.receipts)
    with pytest.raises(DomainError) as caught:
        world.handle(command)
    assert (world.store.records, world.store.orders) == (records, orders)
    assert (len(world.store.outbox), world.store.receipts) == (outbox, receipts)
    return caught.value.code


def command(world: Shop, *lines: ReceiptLine, reference: str = "PO-1",
            kind: ReceiptKind = ReceiptKind.PURCHASE_RECEIPT,
            actor: ActorId = WAREHOUSE) -> c.ReceiveStock:  # fmt: skip
    return c.ReceiveStock(site=world.site, kind=kind, reference=reference, lines=lines,
                          actor=actor)  # fmt: skip


def test_a_receipt_sent_again_changes_nothing_and_another_under_its_reference_is_refused() -> None:
    world = shop(stock=0)
    waiting(world)
    receive(world, 10)
    before = (dict(world.store.records), dict(world.store.orders), len(world.store.outbox))
    again = receive(world, 10)
    assert again.repeated is True
    assert (dict(world.store.records), dict(world.store.orders), len(world.store.outbox)) == before
    other = command(world, ReceiptLine(world.sku, 11), reference="PO-4711")
    assert refused(world, other) is ErrorCode.DUPLICATE_RECEIPT


def test_bad_receipts_are_refused_and_change_nothing() -> None:
    world = shop(stock=0)
    orders = waiting(world)
    receive(world, 10)  # the strategic order takes all ten
    assert world.store.orders[orders["strategic"]].status is OrderStatus.RELEASED
    sku = world.sku
    assert refused(world, command(world, ReceiptLine(sku, -1), kind=ReceiptKind.ADJUSTMENT)) is (
        ErrorCode.INVALID_STOCK)  # fmt: skip
    assert refused(world, command(world, ReceiptLine(sku, -1))) is ErrorCode.INVALID_QUANTITY
    assert refused(world, command(world, ReceiptLine(sku, 0), kind=ReceiptKind.ADJUSTMENT)) is (
        ErrorCode.INVALID_QUANTITY)  # fmt: skip
    assert refused(world, command(world, ReceiptLine(sku, 1), ReceiptLine(sku, 2))) is (
        ErrorCode.DUPLICATE_LINE)  # fmt: skip
    assert refused(world, command(world)) is ErrorCode.EMPTY_ORDER
    assert refused(world, command(world, ReceiptLine(Sku("NOPE"), 1))) is (
        ErrorCode.UNKNOWN_SKU)  # fmt: skip
    assert refused(world, command(world, ReceiptLine(sku, 1), reference="not a code!")) is (
        ErrorCode.INVALID_CODE)  # fmt: skip
    assert refused(world, command(world, ReceiptLine(sku, 1), actor=AGENT)) is (
        ErrorCode.NOT_AUTHORISED)  # fmt: skip
    elsewhere = ActorId("wh.rtm")
    rotterdam = User(
        elsewhere, "R", frozenset({Role.WAREHOUSE_LEAD}), frozenset({SiteCode("RTM1")})
    )
    world.handle(c.SaveUser(user=rotterdam, actor=ADMIN))
    assert refused(world, command(world, ReceiptLine(sku, 1), actor=elsewhere)) is (
        ErrorCode.OUTSIDE_SITE_SCOPE)  # fmt: skip
