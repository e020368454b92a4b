"""Invoicing and the ledger on the fakes: a confirmed shipment is billed once, at the order's
prices with tax and freight from the governed table, numbered without gaps, posted in balance;
an invoice that cannot go out waits in the billing queue; credit memos reverse what was
billed, never more."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.finance_queries import trial_balance
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.invoicing import InvoiceStatus
from ordoflow.domain.ledger import Account
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Item, ShipTo, StockLevel
from ordoflow.domain.values import CountryCode, CurrencyCode, OrderId, ShipToCode
from ordoflow.domain.warehouse import WarehouseRequest
from tests.governed_world import Shop, shop
from tests.staff import FINANCE, WAREHOUSE

USD = CurrencyCode("USD")


def ship(world: Shop, order_id: OrderId, reference: str, units: dict[int, int], *,
         final: bool = False) -> None:  # fmt: skip
    """The warehouse confirms a shipment; the worker then runs what follows."""
    request = WarehouseRequest.id_for(order_id, world.site)
    world.handle(c.ConfirmShipment(request_id=request, reference=reference, shipped=units,
                                   final=final, actor=WAREHOUSE))  # fmt: skip
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]


def inventory_matches_stock(world: Shop) -> None:
    """The inventory account equals the stock on hand at standard cost, and the books
    balance."""
    items = {r.sku: r for r in world.store.records.values() if isinstance(r, Item)}
    value = sum((lvl.on_hand * items[lvl.sku].standard_cost
                 for lvl in world.store.records.values() if isinstance(lvl, StockLevel)),
                Decimal(0))  # fmt: skip
    with world.bus.uow_factory() as uow:  # type: ignore[attr-defined]
        assert uow.ledger.balance(Account.INVENTORY, USD) == value
    assert trial_balance(world.bus.uow_factory, FINANCE)["in_balance"]  # type: ignore[attr-defined]


def test_a_shipment_is_invoiced_at_the_order_prices_with_tax_and_freight_and_posted() -> None:
    world = shop()
    order_id = world.order(10)  # 10 x 10.00 USD to Dallas, shipped LTL
    ship(world, order_id, "SHP-1", {1: 10})
    (invoice,) = world.store.invoices.values()
    assert invoice.number == "INV-US01-000001"
    assert (invoice.net, invoice.tax, invoice.freight) == (Decimal("100.00"), Decimal("7.25"),
                                                          Decimal("85"))  # fmt: skip
    assert invoice.gross == Decimal("192.25")
    assert invoice.tax_code == "US-SALES"
    assert invoice.due_at is not None
    assert (invoice.due_at - invoice.created_at).days == 30
    assert world.store.orders[order_id].status is OrderStatus.INVOICED
    posted = {e.document_type: e for e in world.store.journal}
    assert {(p.account, p.debit, p.credit) for p in posted["invoice"].lines} == {
        (Account.RECEIVABLES, Decimal("192.25"), 0), (Account.REVENUE, 0, Decimal("100.00")),
        (Account.TAX_PAYABLE, 0, Decimal("7.25")), (Account.FREIGHT_INCOME, 0, Decimal("85.00")),
    }  # fmt: skip
    assert {(p.account, p.debit, p.credit) for p in posted["shipment"].lines} == {
        (Account.COST_OF_GOODS_SOLD, Decimal("60.00"), 0), (Account.INVENTORY, 0, Decimal("60.00")),
    }  # fmt: skip
    inventory_matches_stock(world)


def test_the_invoicing_step_run_again_bills_nothing_twice() -> None:
    world = shop()
    order_id = world.order(4)
    ship(world, order_id, "SHP-1", {1: 4})
    world.store.processed.clear()  # as if the step's claim had been lost: it runs again
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]
    assert len(world.store.invoices) == 1
    assert [e.document_type for e in world.store.journal].count("invoice") == 1


def test_partial_shipments_are_billed_each_with_the_next_number() -> None:
    world = shop()
    order_id = world.order(10)
    ship(world, order_id, "SHP-1", {1: 4})
    assert world.store.orders[order_id].status is OrderStatus.PARTIALLY_SHIPPED
    ship(world, order_id, "SHP-2", {1: 6})
    numbers = sorted(i.number or "" for i in world.store.invoices.values())
    assert numbers == ["INV-US01-000001", "INV-US01-000002"]
    assert sum(i.net for i in world.store.invoices.values()) == Decimal("100.00")
    assert world.store.orders[order_id].status is OrderStatus.INVOICED
    inventory_matches_stock(world)


def test_an_invoice_without_a_tax_rate_waits_in_the_billing_queue_until_finance_lets_it_go() -> (
    None
):
    world = shop()
    world.add(ShipTo(world.account, ShipToCode("TOKYO"), "Dock", "1-1 Marunouchi", "Tokyo",
                     "100-0005", CountryCode("JP")))  # fmt: skip
    order_id = world.order(5, ship_to=ShipToCode("TOKYO"))
    ship(world, order_id, "SHP-JP", {1: 5})
    (invoice,) = world.store.invoices.values()
    assert (invoice.status, invoice.hold_reason, invoice.number) == (
        InvoiceStatus.ON_HOLD, "missing_tax_setup", None)  # fmt: skip
    assert [e.document_type for e in world.store.journal].count("invoice") == 0
    (case,) = [k for k in world.store.cases.values() if k.order_id == order_id]
    assert (case.queue, case.owner_role, case.reason_code) == (
        "billing", "finance", "missing_tax_setup")  # fmt: skip
    with pytest.raises(DomainError) as caught:  # approving needs the tax setup completed
        world.handle(c.ApproveCase(case_id=case.id, actor=FINANCE))
    assert caught.value.code is ErrorCode.INVOICE_ON_HOLD
    world.handle(c.OverrideCase(case_id=case.id, reason_code="management_exception",
                                comment="export sale, exempt", actor=FINANCE))  # fmt: skip
    (invoice,) = world.store.invoices.values()
    assert (invoice.status, invoice.number, invoice.tax) == (
        InvoiceStatus.ISSUED, "INV-US01-000001", Decimal(0))  # fmt: skip
    assert world.store.orders[order_id].status is OrderStatus.INVOICED
    inventory_matches_stock(world)


def test_credit_memos_reverse_part_then_the_rest_with_the_freight_and_never_more() -> None:
    world = shop()
    order_id = world.order(10)
    ship(world, order_id, "SHP-1", {1: 10})
    (invoice,) = world.store.invoices.values()
    number = invoice.number or ""
    damaged = "damaged_in_transit"
    first = world.handle(c.IssueCreditMemo(invoice=number, lines={1: 3}, reason_code=damaged,
                                           actor=FINANCE))  # fmt: skip
    assert first == "CRN-US01-000001"
    memo = world.store.memos["CRN-US01-000001"]
    assert (memo.net, memo.tax, memo.freight) == (Decimal("30.00"), Decimal("2.18"), 0)
    with pytest.raises(DomainError) as caught:
        world.handle(c.IssueCreditMemo(invoice=number, lines={1: 8}, reason_code=damaged,
                                       actor=FINANCE))  # fmt: skip
    assert caught.value.code is ErrorCode.OVER_CREDIT
    rest = world.handle(c.IssueCreditMemo(invoice=number, reason_code="order_returned",
                                          actor=FINANCE))  # fmt: skip
    memo = world.store.memos[str(rest)]
    assert (memo.net, memo.freight) == (Decimal("70.00"), Decimal("85"))
    with world.bus.uow_factory() as uow:  # type: ignore[attr-defined]
        assert uow.ledger.balance(Account.RECEIVABLES, USD) == 0  # everything credited
        assert uow.billing.receivables(world.account).open_amount == 0
    inventory_matches_stock(world)


def test_only_finance_issues_credit_memos() -> None:
    world = shop()
    order_id = world.order(2)
    ship(world, order_id, "SHP-1", {1: 2})
    (invoice,) = world.store.invoices.values()
    with pytest.raises(DomainError) as caught:
        world.handle(c.IssueCreditMemo(invoice=invoice.number or "", reason_code="goodwill",
                                       actor=WAREHOUSE))  # fmt: skip
    assert caught.value.code is ErrorCode.NOT_AUTHORISED
    assert world.store.memos == {}


def test_unpaid_invoices_count_in_the_exposure_the_credit_step_reads() -> None:
    world = shop()
    first = world.order(10)
    ship(world, first, "SHP-1", {1: 10})
    second = world.order(1)
    credit = next(d for d in world.store.decisions[second] if d.step == "credit")
    # 192.25 owed on the invoice (the first order shipped in full) + 10.00 for this order
    assert credit.evaluations[0]["inputs"]["exposure ratio"] == "0.0202"
    world.clock.advance(hours=24 * 45)  # NET30: the invoice is 15 days overdue
    third = world.order(1)
    credit = next(d for d in world.store.decisions[third] if d.step == "credit")
    assert credit.evaluations[0]["inputs"]["days past due"] == 15


def test_a_final_confirmation_that_ships_nothing_bills_nothing_and_the_order_is_invoiced() -> None:
    world = shop()
    order_id = world.order(10)
    ship(world, order_id, "SHP-1", {1: 4})
    ship(world, order_id, "SHP-2", {}, final=True)  # the rest will not ship: closed short
    (invoice,) = world.store.invoices.values()
    assert (invoice.shipment, invoice.net) == ("SHP-1", Decimal("40.00"))
    assert world.store.orders[order_id].status is OrderStatus.INVOICED
    inventory_matches_stock(world)


def confirm_only(world: Shop, order_id: OrderId, reference: str, units: dict[int, int]) -> None:
    """A shipment confirmed, the worker not run yet."""
    request = WarehouseRequest.id_for(order_id, world.site)
    world.handle(c.ConfirmShipment(request_id=request, reference=reference, shipped=units,
                                   actor=WAREHOUSE))  # fmt: skip


def test_invoicing_by_hand_bills_each_shipment_now_and_the_worker_bills_nothing_again() -> None:
    world = shop()
    order_id = world.order(6)
    confirm_only(world, order_id, "SHP-1", {1: 4})
    confirm_only(world, order_id, "SHP-2", {1: 2})
    world.handle(c.InvoiceOrder(order_id=order_id, actor=FINANCE))
    assert world.store.orders[order_id].status is OrderStatus.INVOICED
    moved = [e.actor for e in world.store.log[order_id] if e.to_state == "invoiced"]
    assert FINANCE in moved, "the order's log names who invoiced it"
    assert sorted(i.number or "" for i in world.store.invoices.values()) == [
        "INV-US01-000001", "INV-US01-000002"]  # fmt: skip
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]
    assert len(world.store.invoices) == 2
    assert [e.document_type for e in world.store.journal].count("invoice") == 2
    inventory_matches_stock(world)


def test_invoicing_by_hand_is_refused_while_an_invoice_would_wait_and_writes_nothing() -> None:
    world = shop()
    world.add(ShipTo(world.account, ShipToCode("TOKYO"), "Dock", "1-1 Marunouchi", "Tokyo",
                     "100-0005", CountryCode("JP")))  # fmt: skip
    order_id = world.order(5, ship_to=ShipToCode("TOKYO"))
    confirm_only(world, order_id, "SHP-JP", {1: 5})
    cases = len(world.store.cases)
    with pytest.raises(DomainError) as caught:
        world.handle(c.InvoiceOrder(order_id=order_id, actor=FINANCE))
    assert caught.value.code is ErrorCode.INVOICE_ON_HOLD
    assert world.store.invoices == {}
    assert len(world.store.cases) == cases
    assert world.store.orders[order_id].status is OrderStatus.SHIPPED


def test_invoicing_by_hand_an_order_not_shipped_is_an_illegal_move() -> None:
    world = shop()
    order_id = world.order(2)
    with pytest.raises(DomainError) as caught:
        world.handle(c.InvoiceOrder(order_id=order_id, actor=FINANCE))
    assert caught.value.code is ErrorCode.ILLEGAL_TRANSITION
