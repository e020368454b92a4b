"""Warehouse execution through the bus, on the fakes: releasing an order asks each warehouse
holding its units to ship them (one request per warehouse); picking, packing, shipment and
delivery come back as commands, checked by role and by the request's site. A shipment is taken
once per warehouse reference: sent again it changes nothing, another body under a taken reference
is refused, and nothing ships beyond what the request holds open."""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta

import pytest

from ordoflow.application import commands as c
from ordoflow.application.fulfilment import ShipmentReport
from ordoflow.application.queries import show_order
from ordoflow.application.warehouse_work import simulate_warehouse
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.masterdata import Site, StockLevel
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId, CountryCode, OrderId, SiteCode
from ordoflow.domain.warehouse import RequestStatus, WarehouseRequest, WarehouseRequestId
from tests.builders import World, place, seed
from tests.fakes import FakeClock, FakeUnitOfWork, Store, fake_bus
from tests.staff import ADMIN, AGENT, INTEGRATION, WAREHOUSE

#: A second warehouse, first in the standard process's preference for a Dallas ship-to.
DALLAS = SiteCode("DAL1")
CONFIRMED, DELIVERED = "ordoflow.shipment.confirmed", "ordoflow.shipment.delivered"
MOVED = "ordoflow.warehouse.request_moved"


def setup(stock: int = 10) -> tuple[object, Store, FakeClock, World]:
    bus, store, clock = fake_bus()
    return bus, store, clock, seed(bus, stock=stock)


def with_dallas(bus: object, world: World, units: int) -> None:
    """DAL1 as a second warehouse holding `units` of the first item."""
    for record in (Site(DALLAS, "Dallas DC", CountryCode("US"), "America/Chicago"),
                   StockLevel(world.skus[0], DALLAS, units)):  # fmt: skip
        bus.handle(c.CreateRecord(actor=ADMIN, record=record))  # type: ignore[attr-defined]


def rid(world: World, oid: OrderId, site: SiteCode | None = None) -> WarehouseRequestId:
    return WarehouseRequest.id_for(oid, site or world.site)


def ship(world: World, oid: OrderId, shipped: dict[int, int], *, reference: str = "SHP-1",
         final: bool = False, actor: ActorId = WAREHOUSE, site: SiteCode | None = None,
         carrier: str = "", tracking: str = "") -> c.ConfirmShipment:  # fmt: skip
    return c.ConfirmShipment(request_id=rid(world, oid, site), reference=reference,
                             shipped=shipped, carrier=carrier, tracking=tracking, final=final,
                             actor=actor)  # fmt: skip


def stock(store: Store, world: World, site: SiteCode | None = None, n: int = 0) -> StockLevel:
    level = store.records[(StockLevel.KIND, (world.skus[n], site or world.site))]
    assert isinstance(level, StockLevel)
    return level


def events(store: Store, kind: str) -> list[dict[str, object]]:
    return [e.data for e, _ in store.outbox if e.type == kind]


def contents(store: Store) -> dict[str, object]:
    return {f.name: copy.deepcopy(getattr(store, f.name)) for f in dataclasses.fields(store)}


def refused(bus: object, store: Store, command: c.Command) -> ErrorCode:
    """The code `command` is refused with; the store must be unchanged."""
    before = contents(store)
    with pytest.raises(DomainError) as caught:
        bus.handle(command)  # type: ignore[attr-defined]
    after = contents(store)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused {type(command).__name__} changed {changed}"
    return caught.value.code


def lead_of(bus: object, site: SiteCode) -> ActorId:
    """A warehouse lead who acts for `site` only."""
    lead = ActorId(f"lead.{site.lower()}")
    bus.handle(c.SaveUser(user=User(lead, "Lead", frozenset({Role.WAREHOUSE_LEAD}),  # type: ignore[attr-defined]
                                    frozenset({site})), actor=ADMIN))  # fmt: skip
    return lead


# -- release -------------------------------------------------------------------------------------


def test_an_order_split_over_two_warehouses_gets_one_request_each_and_ships_from_both() -> None:
    bus, store, _, world = setup(stock=4)
    with_dallas(bus, world, 6)
    oid = bus.handle(place(world, 10))
    assert store.orders[oid].status is OrderStatus.RELEASED
    assert sorted(store.requests) == sorted([f"{oid}-{DALLAS}", f"{oid}-{world.site}"])
    assert {r.site: [(ln.line_no, ln.quantity) for ln in r.lines]
            for r in store.requests.values()} == {
        DALLAS: [(1, 6)], world.site: [(1, 4)]
    }  # fmt: skip
    asked = events(store, "ordoflow.warehouse.release_requested")
    assert sorted((a["site"], a["request_id"]) for a in asked) == sorted(
        [(DALLAS, rid(world, oid, DALLAS)), (world.site, rid(world, oid))]
    )
    # each warehouse ships its own part; a reference is unique per warehouse, not overall
    bus.handle(ship(world, oid, {1: 6}, site=DALLAS))
    assert store.orders[oid].status is OrderStatus.PARTIALLY_SHIPPED
    assert store.requests[rid(world, oid, DALLAS)].status is RequestStatus.SHIPPED
    assert store.requests[rid(world, oid)].status is RequestStatus.RELEASED
    bus.handle(ship(world, oid, {1: 4}))
    assert store.orders[oid].status is OrderStatus.SHIPPED
    assert store.orders[oid].lines[0].shipped_from == {DALLAS: 6, world.site: 4}
    assert set(store.shipments) == {(DALLAS, "SHP-1"), (world.site, "SHP-1")}
    assert [(stock(store, world, s).on_hand, stock(store, world, s).allocated)
            for s in (DALLAS, world.site)] == [(0, 0), (0, 0)]  # fmt: skip
    detail = show_order(lambda: FakeUnitOfWork(store), AGENT, oid)
    assert sorted((r["site"], r["status"]) for r in detail["requests"]) == sorted(
        [(DALLAS, "shipped"), (world.site, "shipped")]
    )
    assert sorted((s["site"], s["reference"], s["lines"][1]) for s in detail["shipments"]) == (
        sorted([(DALLAS, "SHP-1", 6), (world.site, "SHP-1", 4)])
    )


# -- shipments are taken once per reference ------------------------------------------------------


@pytest.mark.parametrize("units", [1, 4], ids=["partial", "in full"])
def test_the_same_confirmation_delivered_five_times_ships_once(units: int) -> None:
    bus, store, clock, world = setup()
    oid = bus.handle(place(world, 4))
    clock.advance(hours=3)
    senders = (WAREHOUSE, INTEGRATION, WAREHOUSE, INTEGRATION, WAREHOUSE)
    reports = [bus.handle(ship(world, oid, {1: units}, actor=actor, tracking="TRK-1"))
               for actor in senders]  # fmt: skip
    assert reports == [ShipmentReport("SHP-1")] + 4 * [ShipmentReport("SHP-1", repeated=True)]
    (shipment,) = store.shipments.values()
    assert (shipment.site, shipment.reference, shipment.units, shipment.actor) == (
        world.site, "SHP-1", {1: units}, WAREHOUSE
    )  # fmt: skip
    assert (stock(store, world).on_hand, stock(store, world).allocated) == (10 - units, 4 - units)
    line = store.orders[oid].lines[0]
    assert line.shipped_qty == units
    assert [e.quantity for e in store.log[oid] if e.activity.startswith("line ship")] == [units]
    assert store.requests[rid(world, oid)].lines[0].shipped == units
    (confirmed,) = events(store, CONFIRMED)
    assert (confirmed["reference"], confirmed["tracking"], confirmed["latency_hours"]) == (
        "SHP-1", "TRK-1", 3.0
    )  # fmt: skip
    assert confirmed["lines"] == [{"line": 1, "sku": world.skus[0], "quantity": units}]


@pytest.mark.parametrize(
    "change",
    [{"shipped": {1: 2}}, {"final": True}, {"tracking": "TRK-OTHER"}, {"carrier": "UPS"}],
    ids=["units", "final", "tracking", "carrier"],
)
def test_another_shipment_under_a_taken_reference_is_refused_and_changes_nothing(
    change: dict[str, object],
) -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    first = ship(world, oid, {1: 1}, tracking="TRK-1")
    bus.handle(first)
    assert refused(bus, store, dataclasses.replace(first, **change)) is (
        ErrorCode.DUPLICATE_SHIPMENT
    )
    assert store.shipments[(world.site, "SHP-1")].units == {1: 1}
    # under a reference of its own the same units go out
    bus.handle(dataclasses.replace(first, reference="SHP-2", **change))
    assert len(store.shipments) == 2


def test_nothing_ships_beyond_what_the_request_holds_open() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    bus.handle(ship(world, oid, {1: 3}, reference="SHP-1"))
    assert refused(bus, store, ship(world, oid, {1: 2}, reference="SHP-2")) is (
        ErrorCode.OVER_SHIPMENT
    )
    assert refused(bus, store, ship(world, oid, {2: 1}, reference="SHP-2")) is (
        ErrorCode.OVER_SHIPMENT
    )  # the order has no line 2
    assert refused(bus, store, ship(world, oid, {1: 0}, reference="SHP-2")) is (
        ErrorCode.INVALID_QUANTITY
    )
    bus.handle(ship(world, oid, {1: 1}, reference="SHP-2"))
    assert store.orders[oid].status is OrderStatus.SHIPPED


@pytest.mark.parametrize("command", [c.ConfirmPicking, c.ConfirmPacking, c.ConfirmShipment])
def test_a_report_on_an_unknown_request_is_refused(command: type[c.WarehouseCommand]) -> None:
    bus, store, _, world = setup()
    bus.handle(place(world, 1))
    extra = {"reference": "SHP-1", "shipped": {1: 1}} if command is c.ConfirmShipment else {}
    ghost = command(request_id=WarehouseRequestId("SO-NONE-X"), actor=WAREHOUSE, **extra)  # type: ignore[arg-type]
    assert refused(bus, store, ghost) is ErrorCode.UNKNOWN_WAREHOUSE_REQUEST


@pytest.mark.parametrize("reference", ["", "two words"])
def test_a_shipment_needs_a_reference_code(reference: str) -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 1))
    assert refused(bus, store, ship(world, oid, {1: 1}, reference=reference)) in (
        ErrorCode.REQUIRED_FIELD_MISSING, ErrorCode.INVALID_CODE
    )  # fmt: skip


# -- progress --------------------------------------------------------------------------------------


def test_picking_packing_and_shipping_move_the_request() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    request_id = rid(world, oid)
    seen = [store.requests[request_id].status]
    for command in (c.ConfirmPicking(request_id=request_id, actor=WAREHOUSE),
                    c.ConfirmPacking(request_id=request_id, actor=WAREHOUSE),
                    ship(world, oid, {1: 4})):  # fmt: skip
        bus.handle(command)
        seen.append(store.requests[request_id].status)
    assert seen == [RequestStatus.RELEASED, RequestStatus.PICKED, RequestStatus.PACKED,
                    RequestStatus.SHIPPED]  # fmt: skip
    assert [(m["event"], m["status"]) for m in events(store, MOVED)] == [
        ("pick", "picked"), ("pack", "packed")
    ]  # fmt: skip
    assert store.orders[oid].status is OrderStatus.SHIPPED
    # a shipped request takes no more progress
    again = c.ConfirmPicking(request_id=request_id, actor=WAREHOUSE)
    assert refused(bus, store, again) is ErrorCode.ILLEGAL_TRANSITION


def test_packing_may_come_without_picking_but_not_picking_after_packing() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    request_id = rid(world, oid)
    bus.handle(c.ConfirmPacking(request_id=request_id, actor=WAREHOUSE))
    assert store.requests[request_id].status is RequestStatus.PACKED
    late = c.ConfirmPicking(request_id=request_id, actor=WAREHOUSE)
    assert refused(bus, store, late) is ErrorCode.ILLEGAL_TRANSITION


@pytest.mark.parametrize(
    "progress",
    [(), (c.ConfirmPicking,), (c.ConfirmPicking, c.ConfirmPacking)],
    ids=["released", "picked", "packed"],
)
def test_cancelling_a_released_order_cancels_its_open_request_and_gives_stock_back(
    progress: tuple[type[c.WarehouseCommand], ...],
) -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    for command in progress:
        bus.handle(command(request_id=rid(world, oid), actor=WAREHOUSE))
    assert stock(store, world).allocated == 4
    bus.handle(c.CancelOrder(order_id=oid, reason_code="customer_request", actor=AGENT))
    assert store.orders[oid].status is OrderStatus.CANCELLED
    assert store.requests[rid(world, oid)].status is RequestStatus.CANCELLED
    assert (stock(store, world).on_hand, stock(store, world).allocated) == (10, 0)
    assert events(store, MOVED)[-1] == {"request_id": rid(world, oid), "order_id": oid,
                                        "site": world.site, "event": "cancel",
                                        "status": "cancelled"}  # fmt: skip
    # the warehouse can no longer ship it
    assert refused(bus, store, ship(world, oid, {1: 4})) is ErrorCode.ILLEGAL_TRANSITION


def test_an_order_is_no_longer_cancelled_once_its_warehouse_has_shipped() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    bus.handle(ship(world, oid, {1: 1}))
    cancel = c.CancelOrder(order_id=oid, reason_code="customer_request", actor=AGENT)
    assert refused(bus, store, cancel) is ErrorCode.ILLEGAL_TRANSITION
    assert store.requests[rid(world, oid)].status is RequestStatus.PARTIALLY_SHIPPED


# -- delivery --------------------------------------------------------------------------------------


def test_proof_of_delivery_is_recorded_once() -> None:
    bus, store, clock, world = setup()
    oid = bus.handle(place(world, 4))
    bus.handle(ship(world, oid, {1: 4}))
    clock.advance(hours=20)
    deliver = c.ConfirmDelivery(site=world.site, reference="SHP-1", received_by="J. Doe",
                                actor=WAREHOUSE)  # fmt: skip
    assert bus.handle(deliver) is True
    shipment = store.shipments[(world.site, "SHP-1")]
    assert (shipment.delivered_at, shipment.received_by) == (clock.now(), "J. Doe")
    (delivered,) = events(store, DELIVERED)
    assert (delivered["reference"], delivered["received_by"], delivered["delivered_at"]) == (
        "SHP-1", "J. Doe", clock.now().isoformat()
    )  # fmt: skip
    # a second proof changes nothing, whoever signed it
    clock.advance(hours=1)
    before = contents(store)
    assert bus.handle(dataclasses.replace(deliver, received_by="Someone Else")) is False
    assert contents(store) == before
    detail = show_order(lambda: FakeUnitOfWork(store), AGENT, oid)
    assert [s["delivered_at"] for s in detail["shipments"]] == [
        (clock.now() - timedelta(hours=1)).isoformat()
    ]


def test_a_delivery_may_name_when_it_happened() -> None:
    bus, store, clock, world = setup()
    oid = bus.handle(place(world, 4))
    bus.handle(ship(world, oid, {1: 4}))
    when = clock.now() + timedelta(hours=5)
    clock.advance(days=2)
    bus.handle(c.ConfirmDelivery(site=world.site, reference="SHP-1", received_by="Dock",
                                 delivered_at=when, actor=INTEGRATION))  # fmt: skip
    assert store.shipments[(world.site, "SHP-1")].delivered_at == when


def test_a_delivery_of_an_unknown_shipment_is_refused() -> None:
    bus, store, _, world = setup()
    bus.handle(place(world, 4))
    deliver = c.ConfirmDelivery(site=world.site, reference="SHP-9", received_by="J. Doe",
                                actor=WAREHOUSE)  # fmt: skip
    assert refused(bus, store, deliver) is ErrorCode.UNKNOWN_SHIPMENT


# -- sites ---------------------------------------------------------------------------------------


def test_a_warehouse_lead_of_another_site_may_not_report_on_this_sites_requests() -> None:
    bus, store, _, world = setup(stock=4)
    with_dallas(bus, world, 6)
    oid = bus.handle(place(world, 10))  # 6 from Dallas, 4 from the world's site
    bus.handle(ship(world, oid, {1: 4}, reference="SHP-H"))
    dallas = lead_of(bus, DALLAS)
    here = rid(world, oid)
    for command in (c.ConfirmPicking(request_id=here, actor=dallas),
                    c.ConfirmPacking(request_id=here, actor=dallas),
                    ship(world, oid, {1: 4}, reference="SHP-D", actor=dallas),
                    c.ConfirmDelivery(site=world.site, reference="SHP-H", received_by="X",
                                      actor=dallas)):  # fmt: skip
        assert refused(bus, store, command) is ErrorCode.OUTSIDE_SITE_SCOPE, command
    # the same lead reports on their own warehouse's request
    bus.handle(c.ConfirmPicking(request_id=rid(world, oid, DALLAS), actor=dallas))
    bus.handle(ship(world, oid, {1: 6}, reference="SHP-D", actor=dallas, site=DALLAS))
    bus.handle(c.ConfirmDelivery(site=DALLAS, reference="SHP-D", received_by="X", actor=dallas))
    assert store.orders[oid].status is OrderStatus.SHIPPED


def test_people_who_do_not_work_the_warehouse_may_not_ship() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    assert refused(bus, store, ship(world, oid, {1: 4}, actor=AGENT)) is ErrorCode.NOT_AUTHORISED


# -- the built-in simulator ------------------------------------------------------------------------


def test_the_simulator_ships_every_open_request_in_full_and_delivers_it() -> None:
    bus, store, _, world = setup(stock=4)
    with_dallas(bus, world, 6)
    split = bus.handle(place(world, 10))  # 6 from Dallas, 4 from the world's site
    lines = tuple(c.OrderLineInput(line_no=n, sku=world.skus[n], quantity=3 - n) for n in (1, 2))
    single = bus.handle(dataclasses.replace(place(world, 1), lines=lines))  # the other items
    bus.handle(c.ConfirmPicking(request_id=rid(world, single), actor=WAREHOUSE))
    bus.handle(ship(world, single, {1: 1}))  # one unit of line 1 is gone already
    assert {r.id: (r.status, sum(ln.open for ln in r.lines)) for r in store.requests.values()} == {
        rid(world, split, DALLAS): (RequestStatus.RELEASED, 6),
        rid(world, split): (RequestStatus.RELEASED, 4),
        rid(world, single): (RequestStatus.PARTIALLY_SHIPPED, 1 + 1),
    }  # fmt: skip
    done = simulate_warehouse(bus.handle, lambda: FakeUnitOfWork(store), WAREHOUSE)  # type: ignore[attr-defined]
    assert sorted((s.request_id, s.units) for s in done) == sorted([
        (rid(world, split, DALLAS), 6), (rid(world, split), 4), (rid(world, single), 2),
    ])  # fmt: skip
    assert {r.status for r in store.requests.values()} == {RequestStatus.SHIPPED}
    assert all(ln.open == 0 for r in store.requests.values() for ln in r.lines)
    for oid, quantities in ((split, [10]), (single, [2, 1])):
        order = store.orders[oid]
        assert order.status is OrderStatus.SHIPPED
        assert [(ln.status, ln.shipped_qty) for ln in order.lines] == [
            (LineStatus.SHIPPED, q) for q in quantities
        ]
    simulated = {(s.request_id, s.reference) for s in done}
    assert len(simulated) == 3
    assert {(s.request_id, s.reference, s.received_by, s.delivered_at is not None)
            for s in store.shipments.values() if s.reference != "SHP-1"} == {
        (r, ref, "dock", True) for r, ref in simulated
    }  # fmt: skip
    assert store.shipments[(world.site, "SHP-1")].delivered_at is None  # not the simulator's
    assert len(events(store, CONFIRMED)) == 1 + len(events(store, DELIVERED)) == 1 + 3
    assert [(stock(store, world, DALLAS).on_hand, stock(store, world).on_hand)] + [
        (stock(store, world, n=n).on_hand, stock(store, world, n=n).allocated) for n in (1, 2)
    ] == [(0, 0), (2, 0), (3, 0)]  # fmt: skip
    # nothing is left open, so a second run does nothing
    assert simulate_warehouse(bus.handle, lambda: FakeUnitOfWork(store), WAREHOUSE) == []  # type: ignore[attr-defined]


def test_the_simulator_ships_what_was_released_and_closes_a_short_order() -> None:
    bus, store, _, world = setup(stock=10)
    bus.handle(place(world, 7))
    oid = bus.handle(place(world, 5))  # takes 3 of 5 and waits at release
    bus.handle(c.ReleaseOrder(order_id=oid, actor=WAREHOUSE))
    simulate_warehouse(bus.handle, lambda: FakeUnitOfWork(store), WAREHOUSE)  # type: ignore[attr-defined]
    order = store.orders[oid]
    assert order.status is OrderStatus.SHIPPED
    assert (order.lines[0].status, order.lines[0].shipped_qty) == (LineStatus.SHIPPED, 3)
    assert (stock(store, world).on_hand, stock(store, world).allocated) == (0, 0)


def test_the_simulator_plays_only_the_sites_it_is_given() -> None:
    bus, store, _, world = setup(stock=4)
    with_dallas(bus, world, 6)
    oid = bus.handle(place(world, 10))
    done = simulate_warehouse(bus.handle, lambda: FakeUnitOfWork(store), WAREHOUSE,  # type: ignore[attr-defined]
                              frozenset({DALLAS}))  # fmt: skip
    assert [s.request_id for s in done] == [rid(world, oid, DALLAS)]
    assert store.requests[rid(world, oid)].status is RequestStatus.RELEASED
    assert store.orders[oid].status is OrderStatus.PARTIALLY_SHIPPED
