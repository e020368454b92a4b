"""Order review on the fakes: an order at or above the review threshold, and an order split
into smaller ones of one customer within 24 hours that together reach it, are held for sales
operations; orders further apart, or withdrawn, do not add up."""

from __future__ import annotations

from decimal import Decimal

from ordoflow.application import commands as c
from ordoflow.application.explaining import explain_order
from ordoflow.domain.cases import Case
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier
from ordoflow.domain.values import CurrencyCode, OrderId
from tests.governed_world import AGENT, Shop, shop

THRESHOLD = Decimal(25000)  # the standard template's review threshold


def roomy() -> Shop:
    """A customer whose credit limit leaves room for orders above the review threshold."""
    world = shop(stock=10000)
    world.update(Customer(world.account, "Buyer Inc.", "TAX-1", CustomerTier.STANDARD,
                          CurrencyCode("USD"), "NET30", Decimal("500000")))  # fmt: skip
    return world


def live_cases(world: Shop, order_id: OrderId) -> list[Case]:
    return [k for k in world.store.cases.values() if k.order_id == order_id and k.is_live]


def test_an_order_split_under_the_threshold_within_a_day_is_held_for_review() -> None:
    world = roomy()
    first = world.order(1300)  # 13,000
    world.clock.advance(hours=3)
    second = world.order(1250)  # 12,500: 25,500 within the day
    assert world.store.orders[first].status is OrderStatus.RELEASED
    held = world.store.orders[second]
    assert (held.status, held.hold_reason) == (OrderStatus.ON_HOLD, "split_order_suspected")
    (case,) = live_cases(world, second)
    assert (case.queue, case.owner_role, case.step) == ("order_review", "sales_operations",
                                                        "order_review")  # fmt: skip
    decision = world.store.decisions[second][-1]
    (evaluation,) = decision.evaluations
    assert evaluation["inputs"]["orders in last 24 hours"] == 2
    assert Decimal(evaluation["inputs"]["value in last 24 hours"]) == Decimal("25500")
    text = explain_order(world.bus.uow_factory, AGENT, second).to_json()  # type: ignore[attr-defined]
    assert "split_order_suspected" in str(text)


def test_orders_more_than_a_day_apart_or_withdrawn_do_not_add_up() -> None:
    world = roomy()
    world.order(1300)
    world.clock.advance(hours=25)
    later = world.order(1250)
    assert world.store.orders[later].status is OrderStatus.RELEASED, "a day apart"
    split = world.order(1300)
    assert world.store.orders[split].hold_reason == "split_order_suspected"
    world.handle(c.CancelOrder(order_id=split, reason_code="customer_request", actor=AGENT))
    smaller = world.order(1000)  # 12,500 + 10,000, the cancelled 13,000 left out
    assert world.store.orders[smaller].status is OrderStatus.RELEASED


def test_one_order_at_the_threshold_is_held_as_a_large_order() -> None:
    world = roomy()
    order_id = world.order(int(THRESHOLD / 10))
    order = world.store.orders[order_id]
    assert (order.status, order.hold_reason) == (OrderStatus.ON_HOLD, "large_order_review")
    assert [k.owner_role for k in live_cases(world, order_id)] == ["sales_operations"]
