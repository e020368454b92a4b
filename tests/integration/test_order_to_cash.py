"""The whole path on SQLite and PostgreSQL: sourcing across two warehouses, release per
warehouse, shipment confirmations, invoices from the dispatcher, postings. Confirmations sent
several times at once are taken once; invoice numbers have no gaps under concurrency; after each
test the books balance and the inventory account equals the stock at standard cost."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.dispatch import SUBSCRIPTIONS, dispatch_once
from ordoflow.application.finance_queries import trial_balance
from ordoflow.application.fulfilment import ShipmentReport
from ordoflow.application.invoicing import invoice_shipment
from ordoflow.application.queries import show_order
from ordoflow.application.warehouse_work import simulate_warehouse
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.ledger import Account
from ordoflow.domain.masterdata import Item, ShipTo, Site, StockLevel
from ordoflow.domain.returns import ReturnRequestLine
from ordoflow.domain.values import Channel, CountryCode, CurrencyCode, OrderId, ShipToCode, SiteCode
from ordoflow.domain.warehouse import WarehouseRequest
from tests.builders import ref
from tests.conftest import BACKENDS
from tests.fakes import FakeClock
from tests.governed_world import ACCOUNT, ADMIN, AGENT, SHIP_TO, SITE, SKU, set_up
from tests.integration.test_persistence import run_together
from tests.staff import FINANCE, WAREHOUSE

ATLANTA, DALLAS = SiteCode("ATL1"), SiteCode("DAL1")
EAST = ShipToCode("EAST")
USD = CurrencyCode("USD")


def books_in_order(app: App) -> None:
    """Debits equal credits, and the inventory account equals the stock at standard cost."""
    with app.uow_factory() as uow:
        levels = uow.records.all(StockLevel)
        items = {i.sku: i for i in uow.records.all(Item)}
        inventory = uow.ledger.balance(Account.INVENTORY, USD)
    assert inventory == sum((lvl.on_hand * items[lvl.sku].standard_cost for lvl in levels),
                            Decimal(0))  # fmt: skip
    assert trial_balance(app.uow_factory, FINANCE)["in_balance"]


@pytest.fixture
def shop(app: App, clock: FakeClock) -> Iterator[App]:
    """The governed world, plus Atlanta and Dallas warehouses and a ship-to in Atlanta."""
    set_up(app, clock, stock=10)
    for record in (
        Site(ATLANTA, "Atlanta", CountryCode("US"), "America/New_York"),
        Site(DALLAS, "Dallas", CountryCode("US"), "America/Chicago"),
        StockLevel(SKU, ATLANTA, 30), StockLevel(SKU, DALLAS, 50),
        ShipTo(ACCOUNT, EAST, "Store 14", "88 Peachtree Rd", "Atlanta", "30305",
               CountryCode("US")),
    ):  # fmt: skip
        app.bus.handle(c.CreateRecord(actor=ADMIN, record=record))
    yield app
    books_in_order(app)


def order(app: App, quantity: int, ship_to: ShipToCode = EAST) -> OrderId:
    return OrderId(str(app.bus.handle(c.PlaceOrder(
        actor=AGENT, account_number=ACCOUNT, ship_to=ship_to, channel=Channel.API,
        customer_po=ref("PO"), requested_date=app.bus.clock.now().date(), site=SITE,
        lines=(c.OrderLineInput(line_no=1, sku=SKU, quantity=quantity),),
    ))))  # fmt: skip


def test_an_order_split_over_two_warehouses_ships_from_both_and_is_invoiced_per_shipment(
    shop: App, clock: FakeClock
) -> None:
    app = shop
    # Atlanta (nearest) has 30, Dallas 50: no warehouse has 70, so the order splits, taking
    # first from the warehouse that fills the most
    oid = order(app, 70)
    detail = show_order(app.uow_factory, AGENT, oid)
    assert detail["status"] == "released"
    assert detail["lines"][0]["sources"] == {ATLANTA: 20, DALLAS: 50}
    assert sorted(r["site"] for r in detail["requests"]) == [ATLANTA, DALLAS]
    clock.advance(hours=5)
    shipped = simulate_warehouse(app.bus.handle, app.uow_factory, WAREHOUSE)
    assert sorted(s.units for s in shipped) == [20, 50]
    assert dispatch_once(app.bus.uow_factory, clock).failed == []
    detail = show_order(app.uow_factory, AGENT, oid)
    assert detail["status"] == "invoiced"
    assert all(s["delivered_at"] for s in detail["shipments"])
    with app.uow_factory() as uow:
        invoices = uow.billing.invoices_for(oid)
        assert sorted(i.number or "" for i in invoices) == ["INV-US01-000001", "INV-US01-000002"]
        assert sum(i.net for i in invoices) == Decimal("700.00")  # 70 x 10.00
        assert uow.ledger.balance(Account.COST_OF_GOODS_SOLD, USD) == Decimal("420.00")  # x 6
        levels = {(lvl.site, lvl.on_hand, lvl.allocated) for lvl in uow.records.all(StockLevel)}
    assert {(ATLANTA, 10, 0), (DALLAS, 0, 0)} <= levels


def test_the_same_confirmation_sent_five_times_at_once_ships_invoices_and_posts_once(
    shop: App, clock: FakeClock
) -> None:
    app = shop
    oid = order(app, 20)
    (request,) = [r["id"] for r in show_order(app.uow_factory, AGENT, oid)["requests"]]
    confirm = c.ConfirmShipment(request_id=request, reference="SHP-77", shipped={1: 20},
                                carrier="LTL", tracking="PRO-1", actor=WAREHOUSE)  # fmt: skip
    results = run_together(5, lambda _: app.bus.handle(confirm))
    reports = [r for r in results if isinstance(r, ShipmentReport)]
    assert [r.repeated for r in reports].count(False) == 1, results
    run_together(3, lambda _: dispatch_once(app.bus.uow_factory, clock))
    assert dispatch_once(app.bus.uow_factory, clock).failed == []
    with app.uow_factory() as uow:
        assert len(uow.warehouse.shipments_for(oid)) == 1
        assert len(uow.billing.invoices_for(oid)) == 1
        site = uow.warehouse.request(request).site  # type: ignore[union-attr]
        assert len(uow.ledger.entries_for("shipment", f"{site}/SHP-77")) == 1
        number = uow.billing.invoices_for(oid)[0].number or ""
        assert len(uow.ledger.entries_for("invoice", number)) == 1


def test_invoice_numbers_have_no_gaps_when_workers_invoice_at_once(
    shop: App, clock: FakeClock
) -> None:
    app = shop
    placed = [order(app, 2, SHIP_TO) for _ in range(8)]
    for n, oid in enumerate(placed):
        (request,) = [r["id"] for r in show_order(app.uow_factory, AGENT, oid)["requests"]]
        app.bus.handle(c.ConfirmShipment(request_id=request, reference=f"SHP-{n}",
                                         shipped={1: 2}, actor=WAREHOUSE))  # fmt: skip
    run_together(4, lambda _: dispatch_once(app.bus.uow_factory, clock, limit=3))
    while dispatch_once(app.bus.uow_factory, clock).handled:
        pass
    with app.uow_factory() as uow:
        numbers = sorted(uow.billing.invoices_for(o)[0].number or "" for o in placed)
    assert numbers == [f"INV-US01-{n:06d}" for n in range(1, 9)]


@pytest.mark.parametrize("db_url", [BACKENDS[1]], indirect=True)
def test_a_worker_skips_the_shipments_another_worker_is_billing_instead_of_waiting(
    shop: App, clock: FakeClock
) -> None:
    app = shop
    oid = order(app, 4, SHIP_TO)
    assert simulate_warehouse(app.bus.handle, app.uow_factory, WAREHOUSE, ship_only=True)
    billing = next(s for s in SUBSCRIPTIONS if s.handle is invoice_shipment)
    with app.uow_factory() as holder:  # another worker, in the middle of its batch
        (event,) = holder.outbox.unhandled(billing.name, billing.types)
        assert holder.outbox.take([event.id]) == {event.id}
        with ThreadPoolExecutor(1) as pool:
            report = pool.submit(dispatch_once, app.uow_factory, clock).result(timeout=30)
        assert (report.handled, report.failed) == (0, [])
    assert dispatch_once(app.bus.uow_factory, clock).handled == 1, "taken once the holder let go"
    assert show_order(app.uow_factory, AGENT, oid)["status"] == "invoiced"


def test_returns_asked_at_once_for_everything_shipped_make_one_return(
    shop: App, clock: FakeClock
) -> None:
    app = shop
    oid = order(app, 4, SHIP_TO)
    simulate_warehouse(app.bus.handle, app.uow_factory, WAREHOUSE, ship_only=True)
    assert dispatch_once(app.bus.uow_factory, clock).failed == []
    ask = c.RequestReturn(order_id=oid, lines=(ReturnRequestLine(1, 4, "damaged_in_transit"),),
                          actor=AGENT)  # fmt: skip
    results = run_together(6, lambda _: app.bus.handle(ask))
    refused = [r for r in results if isinstance(r, ErrorCode)]
    assert len(refused) == 5, results
    with app.uow_factory() as uow:
        (kept,) = uow.returns.for_order(oid)
    assert sum(ln.quantity for ln in kept.lines) == 4


def test_shipping_more_than_a_warehouse_was_asked_is_refused_and_changes_nothing(
    shop: App,
) -> None:
    app = shop
    oid = order(app, 5, SHIP_TO)
    request = WarehouseRequest.id_for(
        oid, show_order(app.uow_factory, AGENT, oid)["requests"][0]["site"]
    )
    with pytest.raises(DomainError) as caught:
        app.bus.handle(c.ConfirmShipment(request_id=request, reference="SHP-X", shipped={1: 6},
                                         actor=WAREHOUSE))  # fmt: skip
    assert caught.value.code == "over_shipment"
    detail = show_order(app.uow_factory, AGENT, oid)
    assert (detail["status"], detail["shipments"]) == ("released", [])
