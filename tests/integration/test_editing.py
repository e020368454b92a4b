"""Order edits and order review on SQLite and PostgreSQL: a change is stored whole (header,
changed, added and cancelled lines, who changed it) with the stock it holds; the process runs
again and an earlier approval does not carry over; a change that would collide with another
order of the new customer changes nothing; orders of one customer add up within a day."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.cases import case_queue
from ordoflow.application.queries import verify_audit
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier, Item, ShipTo, StockLevel
from ordoflow.domain.orders import Order
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    CountryCode,
    CurrencyCode,
    OrderId,
    ShipToCode,
    Sku,
)
from tests.fakes import FakeClock
from tests.governed_world import ACCOUNT, ADMIN, AGENT, SHIP_TO, SITE, SKU, place_order, set_up
from tests.staff import AUDITOR

ANA = ActorId("credit.ana")
NUT = Sku("NUT-9")
USD = CurrencyCode("USD")


def staffed(app: App, clock: FakeClock, stock: int) -> None:
    set_up(app, clock, stock=stock)
    app.bus.handle(c.SaveUser(user=User(ANA, "Ana", frozenset({Role.CREDIT_ANALYST})),
                              actor=ADMIN))  # fmt: skip
    app.bus.handle(
        c.CreateRecord(
            actor=ADMIN,
            record=Item(
                NUT, "Nut", "EA", "HW", Decimal("2.50"), USD, Decimal("1"), Decimal("0.1"), "EAR99"
            ),
        )
    )
    app.bus.handle(c.CreateRecord(actor=ADMIN, record=StockLevel(NUT, SITE, 50)))
    app.bus.handle(
        c.CreateRecord(
            actor=ADMIN,
            record=ShipTo(
                ACCOUNT,
                ShipToCode("YARD"),
                "Yard",
                "9 Side Rd",
                "Dallas",
                "75002",
                CountryCode("US"),
            ),
        )
    )


def load(app: App, order_id: OrderId) -> Order:
    with app.uow_factory() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        return order


def allocated(app: App, sku: Sku) -> int:
    with app.uow_factory() as uow:
        level = uow.records.get(StockLevel, (sku, SITE))
        assert isinstance(level, StockLevel)
        return level.allocated


def line(n: int, quantity: int, sku: Sku = SKU) -> c.OrderLineInput:
    return c.OrderLineInput(line_no=n, sku=sku, quantity=quantity)


def test_a_change_is_stored_whole_and_the_order_runs_again(app: App, clock: FakeClock) -> None:
    staffed(app, clock, stock=10)
    order_id = OrderId(str(app.bus.handle(c.PlaceOrder(
        actor=AGENT, account_number=ACCOUNT, ship_to=SHIP_TO, channel=Channel.EDI,
        customer_po="PO-EDIT-1", requested_date=clock.now().date(), site=SITE,
        lines=(line(1, 10), line(2, 5)),
    ))))  # fmt: skip
    assert load(app, order_id).status is OrderStatus.PARTIALLY_ALLOCATED  # 10 of 15
    app.bus.handle(c.EditOrder(order_id=order_id, actor=AGENT, ship_to=ShipToCode("YARD"),
                               lines=(line(1, 9), line(3, 4, NUT))))  # fmt: skip
    order = load(app, order_id)
    assert (order.status, order.header.ship_to, order.changed_by) == (
        OrderStatus.RELEASED, "YARD", AGENT)  # fmt: skip
    got = [(ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.allocated_qty, ln.status)
           for ln in order.lines]  # fmt: skip
    assert got == [
        (1, SKU, 9, Decimal("10.0000"), 9, LineStatus.RELEASED),
        (2, SKU, 5, Decimal("10.0000"), 0, LineStatus.CANCELLED),
        (3, NUT, 4, Decimal("2.5000"), 4, LineStatus.RELEASED),
    ]
    assert (allocated(app, SKU), allocated(app, NUT)) == (9, 4)
    assert verify_audit(app.uow_factory, AUDITOR).ok


def test_an_approval_does_not_survive_a_change(app: App, clock: FakeClock) -> None:
    staffed(app, clock, stock=100)
    order_id = place_order(app, 1050)  # over the credit limit
    (case,) = case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
    app.bus.handle(c.ApproveCase(case_id=str(case["id"]), actor=ANA))
    assert load(app, order_id).status is OrderStatus.PARTIALLY_ALLOCATED
    app.bus.handle(c.EditOrder(order_id=order_id, actor=AGENT, lines=(line(1, 1080),)))
    order = load(app, order_id)
    assert (order.status, order.hold_reason) == (OrderStatus.ON_HOLD, "credit_limit_exceeded")
    assert allocated(app, SKU) == 0
    (again,) = case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
    assert again["id"] != case["id"]
    with pytest.raises(DomainError) as caught:
        app.bus.handle(c.ApproveCase(case_id=str(again["id"]), actor=AGENT))
    assert caught.value.code in {ErrorCode.SEGREGATION_OF_DUTIES, ErrorCode.NOT_AUTHORISED}


def test_a_new_customer_with_the_same_po_already_is_refused_and_nothing_changes(
    app: App, clock: FakeClock
) -> None:
    staffed(app, clock, stock=10)
    other = AccountNumber("C-2")
    app.bus.handle(
        c.CreateRecord(
            actor=ADMIN,
            record=Customer(
                other, "Other Inc.", "TAX-2", CustomerTier.STANDARD, USD, "NET30", Decimal("10000")
            ),
        )
    )
    app.bus.handle(
        c.CreateRecord(
            actor=ADMIN,
            record=ShipTo(
                other, SHIP_TO, "Dock", "2 Main St", "Dallas", "75001", CountryCode("US")
            ),
        )
    )
    mine = place_order(app, 20)
    po = load(app, mine).header.customer_po
    app.bus.handle(c.PlaceOrder(
        actor=AGENT, account_number=other, ship_to=SHIP_TO, channel=Channel.EDI, customer_po=po,
        requested_date=clock.now().date(), site=SITE, lines=(line(1, 1),),
    ))  # fmt: skip
    before, stock_before = load(app, mine), allocated(app, SKU)
    with pytest.raises(DomainError) as caught:
        app.bus.handle(c.EditOrder(order_id=mine, actor=AGENT, account_number=other))
    assert caught.value.code is ErrorCode.DUPLICATE_PO_CONFLICT
    after = load(app, mine)
    assert (after.header, after.status, after.version, after.log_head) == (
        before.header, before.status, before.version, before.log_head)  # fmt: skip
    assert allocated(app, SKU) == stock_before


def test_orders_of_one_customer_add_up_within_a_day(app: App, clock: FakeClock) -> None:
    staffed(app, clock, stock=5000)
    app.bus.handle(
        c.UpdateRecord(
            actor=ADMIN,
            record=Customer(
                ACCOUNT,
                "Buyer Inc.",
                "TAX-1",
                CustomerTier.STANDARD,
                USD,
                "NET30",
                Decimal("500000"),
            ),
        )
    )
    first = place_order(app, 1300, Decimal("9.99"))  # 12,987.00
    clock.advance(hours=23)
    second = place_order(app, 1202, Decimal("10.01"))  # 12,032.02: 25,019.02 within the day
    assert load(app, first).status is OrderStatus.RELEASED
    assert load(app, second).hold_reason == "split_order_suspected"
    with app.uow_factory() as uow:
        count, value = uow.orders.placed_since(ACCOUNT, clock.now() - timedelta(hours=24), second)
    assert (count, value) == (1, Decimal("12987.00"))
