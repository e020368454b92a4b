"""Sourcing: one warehouse that fills every line wins, the first in preference (warehouses the
order already ships from first); otherwise warehouses are added one at a time, each the one
filling most of what is missing, within the split limit, and the rest is backordered. Through
the bus, the governed `source` step plans the warehouses by region and `allocate` takes stock
there, never more than a warehouse holds; a receipt at any planned warehouse fills the order."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from ordoflow.application import commands as c
from ordoflow.application.actions import sourcing_plan
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.receiving import ReceiptReport
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import ShipTo, Site, StockLevel
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.sourcing import (
    FIRST_CHOICE,
    NOTHING_AVAILABLE,
    SHORT,
    SINGLE_SITE,
    SPLIT,
    Need,
    Sourcing,
    SourcingPlan,
    choose_sources,
)
from ordoflow.domain.values import CountryCode, OrderId, ShipToCode, SiteCode, Sku
from ordoflow.governance.template import Step
from tests.governed_world import Shop, shop
from tests.staff import WAREHOUSE

A, B, C = SiteCode("A"), SiteCode("B"), SiteCode("C")
X, Y = Sku("X"), Sku("Y")
ATL, DAL = SiteCode("ATL1"), SiteCode("DAL1")
ATLANTA = ShipToCode("ATL")


def need(line_no: int, quantity: int, sku: Sku = X, **sources: int) -> Need:
    return Need(line_no, sku, quantity, {SiteCode(s): q for s, q in sources.items()})


def choose(needs: list[Need], sites: tuple[SiteCode, ...], max_splits: int,
           available: Mapping[tuple[Sku, SiteCode], int]) -> Sourcing:  # fmt: skip
    return choose_sources(needs, SourcingPlan(sites, max_splits, "test"), available)


# -- choosing the warehouses -------------------------------------------------------------------


def test_the_first_choice_ships_everything_when_it_covers_every_line() -> None:
    got = choose([need(1, 5), need(2, 3, Y)], (A, B), 1, {(X, A): 5, (Y, A): 3, (X, B): 99,
                                                          (Y, B): 99})  # fmt: skip
    assert got == Sourcing({1: {A: 5}, 2: {A: 3}}, FIRST_CHOICE)


def test_a_later_warehouse_that_covers_everything_beats_a_split_across_preferred_ones() -> None:
    got = choose([need(1, 10)], (A, B, C), 2, {(X, A): 6, (X, B): 4, (X, C): 10})
    assert got == Sourcing({1: {C: 10}}, SINGLE_SITE)


def test_an_order_no_warehouse_covers_is_split_taking_most_where_most_is_missing() -> None:
    available = {(X, A): 6, (Y, A): 5, (X, B): 10}  # A lacks X, B lacks Y
    got = choose([need(1, 10), need(2, 5, Y)], (B, A), 1, available)
    assert got == Sourcing({1: {A: 6, B: 4}, 2: {A: 5}}, SPLIT)  # A fills 11, B only 10
    assert got.units() == 15


def test_on_a_tie_the_preferred_warehouse_is_added_first() -> None:
    got = choose([need(1, 10)], (C, B, A), 1, {(X, A): 5, (X, B): 5, (X, C): 5})
    assert got == Sourcing({1: {C: 5, B: 5}}, SPLIT)


def test_without_splits_the_warehouse_filling_most_ships_and_the_rest_is_short() -> None:
    got = choose([need(1, 10)], (A, B), 0, {(X, A): 3, (X, B): 7})
    assert got == Sourcing({1: {B: 7}}, SHORT)


def test_splits_beyond_the_limit_are_not_taken_and_the_rest_is_short() -> None:
    got = choose([need(1, 10)], (A, B, C), 1, {(X, A): 3, (X, B): 4, (X, C): 2})
    assert got == Sourcing({1: {B: 4, A: 3}}, SHORT)


def test_nothing_anywhere_takes_nothing() -> None:
    assert choose([need(1, 10)], (A, B), 2, {}) == Sourcing({}, NOTHING_AVAILABLE)
    assert choose([need(1, 10)], (A, B), 2, {(X, A): 0, (Y, B): 5}) == Sourcing(
        {}, NOTHING_AVAILABLE)  # fmt: skip


def test_a_warehouse_the_order_already_ships_from_comes_first() -> None:
    got = choose([need(1, 5, C=5)], (A, B), 0, {(X, A): 10, (X, C): 5})
    assert got == Sourcing({1: {C: 5}}, FIRST_CHOICE)


def test_a_warehouse_the_order_already_ships_from_uses_no_split() -> None:
    available = {(X, A): 6, (X, B): 10, (X, C): 4}
    got = choose([need(1, 10, C=5)], (A,), 1, available)
    assert got == Sourcing({1: {C: 4, A: 6}}, SPLIT)
    # without splits the order keeps to the warehouse it ships from
    assert choose([need(1, 10, C=5)], (A, B), 0, available) == Sourcing({1: {C: 4}}, SHORT)


def test_lines_of_one_item_share_what_a_warehouse_has() -> None:
    available = {(X, A): 8, (X, B): 10}  # neither covers 12 alone
    got = choose([need(1, 6), need(2, 6)], (A, B), 1, available)
    assert got == Sourcing({1: {B: 6}, 2: {B: 4, A: 2}}, SPLIT)
    short = choose([need(1, 4), need(2, 4)], (A,), 0, {(X, A): 5})
    assert short == Sourcing({1: {A: 4}, 2: {A: 1}}, SHORT)


def test_a_plan_names_a_warehouse_never_splits_negatively_and_round_trips() -> None:
    with pytest.raises(ValueError, match="at least one warehouse"):
        SourcingPlan((), 0, "none")
    with pytest.raises(ValueError, match="negative"):
        SourcingPlan((A,), -1, "none")
    plan = SourcingPlan((ATL, DAL), 2, "due_within_a_day")
    assert plan.as_json() == {"sites": ["ATL1", "DAL1"], "max_splits": 2,
                              "reason": "due_within_a_day"}  # fmt: skip
    assert SourcingPlan.from_json(plan.as_json()) == plan


# -- the governed process on the fakes ----------------------------------------------------------


def east(*, atlanta: int, dallas: int, home: int = 0) -> Shop:
    """The shop with warehouses in Atlanta and Dallas, and a ship-to in Atlanta (US-EAST)."""
    world = shop(stock=home)
    world.add(Site(DAL, "Dallas DC", CountryCode("US"), "America/Chicago"))
    world.add(Site(ATL, "Atlanta DC", CountryCode("US"), "America/New_York"))
    world.add(StockLevel(world.sku, ATL, atlanta))
    world.add(StockLevel(world.sku, DAL, dallas))
    world.add(ShipTo(world.account, ATLANTA, "Dock", "1 Peachtree St", "Atlanta", "30305",
                     CountryCode("US")))  # fmt: skip
    return world


def level(world: Shop, site: SiteCode) -> StockLevel:
    found = world.store.records[(StockLevel.KIND, (world.sku, site))]
    assert isinstance(found, StockLevel)
    return found


def sources(world: Shop, order_id: OrderId) -> dict[SiteCode, int]:
    (line,) = world.store.orders[order_id].lines
    return dict(line.sources)


def allocation(world: Shop, order_id: OrderId) -> Mapping[str, object]:
    (allocated,) = [d for d in world.store.decisions[order_id] if d.step == "allocate"][-1:]
    assert allocated.effect is not None
    return allocated.effect


def test_an_order_to_atlanta_that_atlanta_covers_ships_from_atlanta() -> None:
    world = east(atlanta=40, dallas=100, home=100)
    order_id = world.order(30, ship_to=ATLANTA)
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
    assert sources(world, order_id) == {"ATL1": 30}
    effect = allocation(world, order_id)
    assert effect["plan"] == {"sites": ["ATL1", "DAL1", world.site], "max_splits": 2,
                              "reason": "due_within_a_day"}  # fmt: skip
    assert (effect["reason"], effect["taken"]) == (FIRST_CHOICE, {"1": {"ATL1": 30}})
    assert [level(world, s).allocated for s in (ATL, DAL, world.site)] == [30, 0, 0]


def test_an_order_no_warehouse_covers_is_split_and_released() -> None:
    world = east(atlanta=30, dallas=50, home=10)
    order_id = world.order(70, ship_to=ATLANTA)
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
    assert sources(world, order_id) == {"DAL1": 50, "ATL1": 20}  # Dallas fills most first
    effect = allocation(world, order_id)
    assert (effect["reason"], effect["taken"]) == (SPLIT, {"1": {"ATL1": 20, "DAL1": 50}})
    assert [level(world, s).allocated for s in (ATL, DAL, world.site)] == [20, 50, 0]


def test_orders_never_take_more_than_a_warehouse_holds() -> None:
    world = east(atlanta=25, dallas=15, home=5)
    placed = [world.order(q, ship_to=to) for q, to in ((20, ATLANTA), (12, None), (9, ATLANTA),
                                                       (8, None), (6, ATLANTA))]  # fmt: skip
    for site in (ATL, DAL, world.site):
        stock = level(world, site)
        assert stock.allocated <= stock.on_hand
        held = sum(sources(world, o).get(site, 0) for o in placed)
        assert held == stock.allocated, f"{site}: the orders hold what the site allocated"
    assert sum(level(world, s).allocated for s in (ATL, DAL, world.site)) == 45
    assert world.store.orders[placed[-1]].status is OrderStatus.BACKORDERED


def test_a_receipt_at_a_planned_warehouse_other_than_the_order_site_fills_the_backorder() -> None:
    world = east(atlanta=0, dallas=0)
    order_id = world.order(10, ship_to=ATLANTA)
    assert world.store.orders[order_id].status is OrderStatus.BACKORDERED
    assert allocation(world, order_id)["reason"] == NOTHING_AVAILABLE
    report = world.handle(c.ReceiveStock(site=ATL, kind=ReceiptKind.PURCHASE_RECEIPT,
                                         reference="PO-ATL-1", lines=(ReceiptLine(world.sku, 10),),
                                         actor=WAREHOUSE))  # fmt: skip
    assert isinstance(report, ReceiptReport)
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
    assert sources(world, order_id) == {"ATL1": 10}
    assert (level(world, ATL).on_hand, level(world, ATL).allocated) == (10, 10)


def test_the_fallback_order_serves_only_destinations_the_policy_names_no_warehouse_for() -> None:
    step = Step(id="source", table="sourcing_policy", action="source",
                parameters={"maximum splits": 1, "fallback order": "DAL1 ATL1"})  # fmt: skip
    named = sourcing_plan(step, {"warehouses": "RTM1", "max splits": 0}, "europe", SiteCode("RTM1"))
    assert named.sites == ("RTM1",)
    unnamed = sourcing_plan(step, {"warehouses": None}, "fallback_order", SiteCode("TOR1"))
    assert (unnamed.sites, unnamed.max_splits) == (("TOR1", "DAL1", "ATL1"), 1)
