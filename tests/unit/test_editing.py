"""Editing an order before release, on the fakes: the change is checked and priced like a new
order, the stock it held goes back, live cases end, and the process runs again from the first
step the change affects under the order's pins; an approval never carries over; whoever
changed the order cannot decide its holds; every refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.pipeline import affected, pinned_for
from ordoflow.domain.cases import Case, CaseStatus
from ordoflow.domain.decisions import Outcome
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier, Item, ShipTo, StockLevel
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
from tests.governed_world import ADMIN, AGENT, Shop, shop

ANA, FIN = ActorId("credit.ana"), ActorId("finance.fay")
#: Customer service and credit analyst at once: may change an order and clear credit holds.
DUAL = ActorId("sup.sam")


def staffed(stock: int = 5000) -> Shop:
    world = shop(stock=stock)
    for user in (
        User(ANA, "Ana", frozenset({Role.CREDIT_ANALYST})),
        User(FIN, "Fay", frozenset({Role.FINANCE})),
        User(DUAL, "Sam", frozenset({Role.CUSTOMER_SERVICE, Role.CREDIT_ANALYST})),
    ):
        world.handle(c.SaveUser(user=user, actor=ADMIN))  # fmt: skip
    return world


def live_case(world: Shop, order_id: OrderId) -> Case:
    (case,) = [k for k in world.store.cases.values() if k.order_id == order_id and k.is_live]
    return case


def allocated(world: Shop, sku: Sku | None = None) -> int:
    """Units of the SKU allocated at the world's site."""
    level = world.store.records[(StockLevel.KIND, (sku or world.sku, world.site))]
    assert isinstance(level, StockLevel)
    return level.allocated


def line(n: int, quantity: int, sku: Sku, price: Decimal | None = None) -> c.OrderLineInput:
    return c.OrderLineInput(line_no=n, sku=sku, quantity=quantity, unit_price=price)


def refused(world: Shop, command: c.Command) -> ErrorCode:
    orders, cases = dict(world.store.orders), dict(world.store.cases)
    audit = sum(len(e) for e in world.store.audit.values())
    outbox, records = len(world.store.outbox), dict(world.store.records)
    with pytest.raises(DomainError) as caught:
        world.handle(command)
    assert world.store.orders == orders, "a refusal changes no order"
    assert world.store.cases == cases, "a refusal changes no case"
    assert world.store.records == records, "a refusal takes no stock"
    assert (sum(len(e) for e in world.store.audit.values()), len(world.store.outbox)) == (
        audit, outbox)  # fmt: skip
    return caught.value.code


def test_an_order_held_for_credit_and_cut_below_the_limit_runs_again_and_is_released() -> None:
    world = staffed()
    order_id = world.order(1050)  # 10,500 against a 10,000 limit: held at credit
    held = live_case(world, order_id)
    decisions_before = len(world.store.decisions[order_id])
    world.handle(c.EditOrder(order_id=order_id, lines=(line(1, 900, world.sku),), actor=AGENT))
    order = world.store.orders[order_id]
    assert order.status is OrderStatus.RELEASED
    assert (order.lines[0].quantity, order.lines[0].allocated_qty) == (900, 900)
    assert allocated(world) == 900, "the stock taken is the new quantity"
    assert (order.changed_by, order.entered_by) == (AGENT, AGENT)
    assert world.store.cases[held.id].status is CaseStatus.CANCELLED
    rerun = world.store.decisions[order_id][decisions_before:]
    # lines feed the pricing step first: it and every later step decided again
    assert [d.step for d in rerun] == ["price", "credit", "export_compliance", "order_review",
                                       "source", "allocate", "shipping", "release"]  # fmt: skip
    assert all(d.outcome is Outcome.PASS for d in rerun)
    log = [e.activity for e in world.store.log[order_id]]
    assert "order change" in log
    assert "line change" in log
    changed = [e for e, _ in world.store.outbox if e.type == "ordoflow.order.changed"]
    assert [e.data["parts"] for e in changed] == [["lines"]]


def test_an_approval_does_not_carry_over_to_an_order_changed_after_it() -> None:
    world = staffed(stock=100)
    order_id = world.order(1050)
    first = live_case(world, order_id)
    world.handle(c.ApproveCase(case_id=first.id, actor=ANA, comment="known customer"))
    order = world.store.orders[order_id]
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED, "approved, waiting for stock"
    assert allocated(world) == 100
    world.handle(c.EditOrder(order_id=order_id, lines=(line(1, 1080, world.sku),), actor=AGENT))
    order = world.store.orders[order_id]
    assert (order.status, order.hold_reason) == (OrderStatus.ON_HOLD, "credit_limit_exceeded")
    assert allocated(world) == 0, "the stock taken before the change went back"
    second = live_case(world, order_id)
    assert second.id != first.id
    assert second.step == "credit"
    assert world.store.decisions[order_id][-1].outcome is Outcome.HOLD


def test_who_changed_an_order_cannot_decide_its_holds_and_another_person_can() -> None:
    world = staffed(stock=100)
    order_id = world.order(900)  # waits at release for stock
    world.handle(c.EditOrder(order_id=order_id, lines=(line(1, 1050, world.sku),), actor=DUAL))
    case = live_case(world, order_id)
    assert case.step == "credit"
    assert refused(world, c.ApproveCase(case_id=case.id, actor=DUAL)) is (
        ErrorCode.SEGREGATION_OF_DUTIES
    )
    world.handle(c.ApproveCase(case_id=case.id, actor=ANA, comment="agreed"))
    assert world.store.orders[order_id].status is OrderStatus.PARTIALLY_ALLOCATED


def test_lines_are_added_removed_and_priced_from_the_price_list_like_a_new_order() -> None:
    world = staffed(stock=10)  # 15 ordered: waits at release for stock
    other = Sku("NUT-9")
    world.add(Item(other, "Nut", "EA", "HW", Decimal("2.50"), CurrencyCode("USD"), Decimal("1"),
                   Decimal("0.1"), "EAR99"))  # fmt: skip
    world.add(StockLevel(other, world.site, 50))
    order_id = OrderId(str(world.handle(c.PlaceOrder(
        actor=AGENT, account_number=world.account, ship_to=world.ship_to,
        channel=Channel.API, customer_po="PO-EDIT", requested_date=world.clock.now().date(),
        site=world.site, lines=(line(1, 10, world.sku), line(2, 5, world.sku)),
    ))))  # fmt: skip
    world.handle(c.EditOrder(order_id=order_id, actor=AGENT,
                             lines=(line(1, 10, world.sku), line(3, 4, other))))  # fmt: skip
    order = world.store.orders[order_id]
    got = [(ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.status) for ln in order.lines]
    assert got == [
        (1, world.sku, 10, Decimal("10"), LineStatus.RELEASED),
        (2, world.sku, 5, Decimal("10"), LineStatus.CANCELLED),
        (3, other, 4, Decimal("2.50"), LineStatus.RELEASED),
    ]
    assert (allocated(world), allocated(world, other)) == (10, 4)
    assert order.total.amount == Decimal("110.00")
    assert refused(world, c.EditOrder(order_id=order_id, actor=AGENT,
                                      lines=(line(1, 1, world.sku),))) is (
        ErrorCode.ILLEGAL_TRANSITION
    ), "a released order is no longer changed"  # fmt: skip


def test_a_new_ship_to_reruns_from_the_first_step_reading_the_ship_to() -> None:
    world = staffed(stock=10)
    world.add(ShipTo(world.account, ShipToCode("EXPORT"), "Dock NL", "Kade 1", "Rotterdam",
                     "3011", CountryCode("NL")))  # fmt: skip
    order_id = world.order(20)  # waits at release: 10 of 20 in stock
    assert world.store.orders[order_id].status is OrderStatus.PARTIALLY_ALLOCATED
    before = len(world.store.decisions[order_id])
    world.handle(c.EditOrder(order_id=order_id, ship_to=ShipToCode("EXPORT"), actor=AGENT))
    order = world.store.orders[order_id]
    assert order.header.ship_to == "EXPORT"
    steps = [d.step for d in world.store.decisions[order_id][before:]]
    assert steps[0] == "validate_customer", "ship-to completeness is read at validation"
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED
    assert allocated(world) == 10


def test_the_first_affected_step_follows_what_each_table_reads() -> None:
    world = staffed()
    order_id = world.order(5)
    order = world.store.orders[order_id]
    assert order.pins is not None
    with world.bus.uow_factory() as uow:  # type: ignore[attr-defined]
        runnable = pinned_for(uow, order.pins)
    names = [s.id for s in runnable.steps]
    assert names[affected(runnable, frozenset({"customer"}))] == "validate_customer"
    assert names[affected(runnable, frozenset({"lines"}))] == "price"
    assert affected(runnable, frozenset({"nothing"})) == len(names)


def test_a_new_customer_must_trade_in_the_order_currency_and_have_the_ship_to() -> None:
    world = staffed()
    order_id = world.order(1050)
    euro = AccountNumber("C-EURO")
    world.add(Customer(euro, "Euro BV", "NL1", CustomerTier.STANDARD, CurrencyCode("EUR"),
                       "NET30", Decimal("50000")))  # fmt: skip
    assert refused(world, c.EditOrder(order_id=order_id, account_number=euro, actor=AGENT)) is (
        ErrorCode.UNKNOWN_SHIP_TO
    )
    world.add(ShipTo(euro, world.ship_to, "Dock", "1 Kade", "Rotterdam", "3011",
                     CountryCode("NL")))  # fmt: skip
    assert refused(world, c.EditOrder(order_id=order_id, account_number=euro, actor=AGENT)) is (
        ErrorCode.CURRENCY_MISMATCH
    )
    big = AccountNumber("C-BIG")
    world.add(Customer(big, "Big Inc.", "TAX-2", CustomerTier.STANDARD, CurrencyCode("USD"),
                       "NET30", Decimal("50000")))  # fmt: skip
    world.add(ShipTo(big, world.ship_to, "Dock", "1 Main St", "Dallas", "75001",
                     CountryCode("US")))  # fmt: skip
    world.handle(c.EditOrder(order_id=order_id, account_number=big, actor=AGENT))
    order = world.store.orders[order_id]
    assert (order.header.account_number, order.status) == (big, OrderStatus.RELEASED)


def test_edits_that_cannot_be_made_are_refused_and_change_nothing() -> None:
    world = staffed(stock=100)
    order_id = world.order(1050)
    same = c.EditOrder(order_id=order_id, lines=(line(1, 1050, world.sku),), actor=AGENT)
    assert refused(world, same) is ErrorCode.NOTHING_CHANGED
    unknown = c.EditOrder(order_id=order_id, lines=(line(1, 5, Sku("NOPE")),), actor=AGENT)
    assert refused(world, unknown) is ErrorCode.UNKNOWN_SKU
    zero = c.EditOrder(order_id=order_id, lines=(line(1, 0, world.sku),), actor=AGENT)
    assert refused(world, zero) is ErrorCode.INVALID_QUANTITY
    world.handle(c.EditOrder(order_id=order_id, actor=AGENT,
                             lines=(line(2, 900, world.sku),)))  # fmt: skip
    again = c.EditOrder(order_id=order_id, lines=(line(1, 5, world.sku),), actor=AGENT)
    assert refused(world, again) is ErrorCode.DUPLICATE_LINE, "line 1 was cancelled"
    warehouse = c.EditOrder(order_id=order_id, lines=(line(3, 5, world.sku),),
                            actor=ActorId("wh.lead"))  # fmt: skip
    assert refused(world, warehouse) is ErrorCode.NOT_AUTHORISED
