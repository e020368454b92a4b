"""Order use cases through the message bus, on the fakes."""

import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.queries import verify_audit
from ordoflow.domain.decisions import Outcome
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.masterdata import PriceEntry, StockLevel
from ordoflow.domain.values import AccountNumber, CurrencyCode, OrderId, PriceListCode, Sku
from ordoflow.domain.warehouse import RequestStatus, WarehouseRequest
from tests.builders import World, place, seed
from tests.fakes import FakeClock, FakeUnitOfWork, Store, fake_bus
from tests.staff import ADMIN, AGENT, AUDITOR, FINANCE, WAREHOUSE

#: The steps of the shipped order-to-cash template, in running order.
STANDARD_STEPS = ("validate_customer", "price", "credit", "export_compliance", "order_review",
                  "source", "allocate", "shipping", "release")  # fmt: skip


ILLEGAL = ErrorCode.ILLEGAL_TRANSITION


@pytest.fixture
def bus_store_clock() -> tuple[object, Store, FakeClock]:
    return fake_bus()


def setup() -> tuple[object, Store, FakeClock, World]:
    bus, store, clock = fake_bus()
    return bus, store, clock, seed(bus, stock=10)


def refused(bus: object, command: c.Command) -> ErrorCode:
    with pytest.raises(DomainError) as caught:
        bus.handle(command)  # type: ignore[attr-defined]
    return caught.value.code


def partially_allocated(bus: object, store: Store, world: World) -> OrderId:
    """An order of 4 and 20 units against 10 in stock of each (see `setup`): 14 of 24 is below
    the minimum fill rate, so the process allocates what there is and waits at release."""
    oid: OrderId = bus.handle(place(world, 4, 20))  # type: ignore[attr-defined]
    assert store.orders[oid].status is OrderStatus.PARTIALLY_ALLOCATED
    return oid


def ship(world: World, oid: OrderId, shipped: dict[int, int], *, reference: str = "SHP-1",
         final: bool = False) -> c.ConfirmShipment:  # fmt: skip
    """The warehouse lead confirms a shipment of the order's request at the world's site."""
    return c.ConfirmShipment(actor=WAREHOUSE, request_id=WarehouseRequest.id_for(oid, world.site),
                             reference=reference, shipped=shipped, final=final)  # fmt: skip


def request(store: Store, world: World, oid: OrderId) -> WarehouseRequest:
    return store.requests[WarehouseRequest.id_for(oid, world.site)]


def stock(store: Store, world: World, n: int = 0) -> StockLevel:
    level = store.records[(StockLevel.KIND, (world.skus[n], world.site))]
    assert isinstance(level, StockLevel)
    return level


def test_a_placed_order_runs_the_standard_process_and_is_released_with_its_log_and_events() -> None:
    bus, store, clock, world = setup()
    events_before = len(store.outbox)
    order_id = bus.handle(place(world, 2, 3))
    order = store.orders[order_id]
    assert order.status is OrderStatus.RELEASED
    assert [ln.status for ln in order.lines] == [LineStatus.RELEASED, LineStatus.RELEASED]
    assert [(ln.allocated_qty, stock(store, world, n).allocated)
            for n, ln in enumerate(order.lines)] == [(2, 2), (3, 3)]  # fmt: skip
    log = store.log[order_id]
    assert [(e.activity, e.actor, e.line_no) for e in log] == [
        ("order received", "cs.agent", None), ("order validate", "system", None),
        ("line allocate", "system", 1), ("line allocate", "system", 2),
        ("order allocate", "system", None), ("order release", "system", None),
        ("line release", "system", 1), ("line release", "system", 2),
    ]  # fmt: skip
    assert {e.occurred_at for e in log} == {clock.now()}
    assert order.process is not None
    assert {e.process_version for e in log} == {order.process}
    assert [(d.step, d.outcome) for d in store.decisions[order_id]] == [
        (step, Outcome.PASS) for step in STANDARD_STEPS
    ]
    new = [e for e, _ in store.outbox[events_before:]]
    assert [e.type for e in new] == ["ordoflow.order.received"] + 3 * [
        "ordoflow.order.status_changed"
    ] + ["ordoflow.warehouse.release_requested"]
    assert [e.data.get("to_status") for e in new[1:4]] == ["validated", "allocated", "released"]
    assert {e.subject for e in new[:4]} == {f"orders/{order_id}"}
    assert new[0].data["line_count"] == 2
    # one warehouse request, for the one site holding the units, and the warehouse is asked
    request_id = WarehouseRequest.id_for(order_id, world.site)
    assert list(store.requests) == [request_id] == [f"{order_id}-{world.site}"]
    asked = store.requests[request_id]
    assert (asked.order_id, asked.site, asked.status) == (order_id, world.site,
                                                          RequestStatus.RELEASED)  # fmt: skip
    assert [(ln.line_no, ln.sku, ln.quantity, ln.shipped) for ln in asked.lines] == [
        (1, world.skus[0], 2, 0), (2, world.skus[1], 3, 0)
    ]  # fmt: skip
    assert new[4].subject == f"warehouse/{world.site}/{request_id}"
    assert new[4].data["lines"] == [{"line": 1, "sku": world.skus[0], "quantity": 2},
                                    {"line": 2, "sku": world.skus[1], "quantity": 3}]  # fmt: skip
    assert store.shipments == {}


def test_the_same_po_with_the_same_body_returns_the_existing_order_and_creates_nothing() -> None:
    bus, store, _, world = setup()
    command = place(world, 4, po="PO-77")
    first = bus.handle(command)
    outbox = len(store.outbox)
    assert bus.handle(command) == first
    assert len(store.orders) == 1
    assert len(store.outbox) == outbox


def test_the_same_po_with_a_different_body_is_refused() -> None:
    bus, store, _, world = setup()
    bus.handle(place(world, 4, po="PO-77"))
    assert refused(bus, place(world, 5, po="PO-77")) is ErrorCode.DUPLICATE_PO_CONFLICT
    assert len(store.orders) == 1


def test_the_same_po_may_be_used_by_another_customer() -> None:
    bus, store, _, world = setup()
    other = seed(bus)
    bus.handle(place(world, 1, po="PO-1"))
    bus.handle(place(other, 1, po="PO-1"))
    assert len(store.orders) == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"account_number": AccountNumber("NOPE")}, ErrorCode.UNKNOWN_CUSTOMER),
        ({"ship_to": "NOWHERE"}, ErrorCode.UNKNOWN_SHIP_TO),
        ({"site": "NOSITE"}, ErrorCode.UNKNOWN_SITE),
        ({"currency": CurrencyCode("EUR")}, ErrorCode.CURRENCY_MISMATCH),
        ({"lines": (c.OrderLineInput(line_no=1, sku=Sku("GHOST"), quantity=1),)},
         ErrorCode.UNKNOWN_SKU),
        ({"lines": ()}, ErrorCode.EMPTY_ORDER),
    ],
)  # fmt: skip
def test_bad_references_are_refused_with_their_code_and_nothing_is_written(
    change: dict[str, object], code: ErrorCode
) -> None:
    bus, store, _, world = setup()
    outbox = len(store.outbox)
    assert refused(bus, replace(place(world, 1), **change)) is code
    assert store.orders == {}
    assert len(store.outbox) == outbox


def test_a_line_in_another_unit_of_measure_than_the_item_is_refused() -> None:
    bus, _, _, world = setup()
    line = c.OrderLineInput(line_no=1, sku=world.skus[0], quantity=1, unit_of_measure="CS")
    assert refused(bus, replace(place(world, 1), lines=(line,))) is ErrorCode.UOM_MISMATCH


def test_zero_or_negative_quantities_are_refused_by_the_order_itself() -> None:
    bus, _, _, world = setup()
    bad = c.OrderLineInput(line_no=1, sku=world.skus[0], quantity=0)
    assert refused(bus, replace(place(world, 1), lines=(bad,))) is ErrorCode.INVALID_QUANTITY


def test_prices_come_from_the_customer_contract_then_the_list_then_the_item() -> None:
    bus, store, _, world = setup()
    on = date(2026, 1, 1)
    for customer, price in ((None, "9.00"), (world.account, "8.25")):
        bus.handle(c.CreateRecord(actor=ADMIN, record=PriceEntry(
            PriceListCode("L"), world.skus[0], customer, CurrencyCode("USD"), Decimal(price), on
        )))  # fmt: skip
    order_id = bus.handle(place(world, 1, 1))
    lines = store.orders[order_id].lines
    assert lines[0].unit_price == Decimal("8.25")  # contract beats list
    assert lines[1].unit_price == Decimal("11.50")  # no entry: the item's list price


def test_an_expired_contract_price_no_longer_applies() -> None:
    bus, store, _, world = setup()
    bus.handle(c.CreateRecord(actor=ADMIN, record=PriceEntry(
        PriceListCode("L"), world.skus[0], world.account, CurrencyCode("USD"), Decimal("1"),
        date(2025, 1, 1), date(2025, 12, 31),
    )))  # fmt: skip
    order_id = bus.handle(place(world, 1))
    assert store.orders[order_id].lines[0].unit_price == Decimal("10.50")


def test_placing_takes_what_is_available_and_backorders_the_rest_waiting_at_release() -> None:
    bus, store, _, world = setup()
    first = bus.handle(place(world, 6))
    second = bus.handle(place(world, 6))
    third = bus.handle(place(world, 6))
    orders = [store.orders[o] for o in (first, second, third)]
    assert [(o.status, o.lines[0].allocated_qty, o.process_step) for o in orders] == [
        (OrderStatus.RELEASED, 6, None),
        (OrderStatus.PARTIALLY_ALLOCATED, 4, "release"),
        (OrderStatus.BACKORDERED, 0, "release"),
    ]
    assert [store.decisions[o][-1].outcome for o in (second, third)] == [Outcome.BACKORDER] * 2
    assert stock(store, world).allocated == 10
    assert stock(store, world).on_hand == 10


def test_a_backordered_order_allocates_when_stock_arrives() -> None:
    bus, store, _, world = setup()
    hog, waiting = bus.handle(place(world, 10)), bus.handle(place(world, 3))
    assert (store.orders[hog].status, store.orders[waiting].status) == (
        OrderStatus.RELEASED, OrderStatus.BACKORDERED
    )  # fmt: skip
    bus.handle(
        c.ImportRecords(
            actor=ADMIN, kind="stock", text=f"sku,site,on_hand\n{world.skus[0]},{world.site},15\n"
        )
    )
    bus.handle(c.AllocateOrder(actor=WAREHOUSE, order_id=waiting))
    assert store.orders[waiting].status is OrderStatus.ALLOCATED
    assert stock(store, world).allocated == 13


def test_cancel_gives_allocated_stock_back() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    assert (store.orders[oid].status, stock(store, world).allocated) == (OrderStatus.RELEASED, 4)
    bus.handle(c.CancelOrder(actor=AGENT, order_id=oid, reason_code="customer_request"))
    assert store.orders[oid].status is OrderStatus.CANCELLED
    assert store.orders[oid].lines[0].status is LineStatus.CANCELLED
    assert stock(store, world).allocated == 0


def test_reject_from_a_hold_gives_allocated_stock_back() -> None:
    bus, store, _, world = setup()
    oid = partially_allocated(bus, store, world)
    assert (stock(store, world, 0).allocated, stock(store, world, 1).allocated) == (4, 10)
    bus.handle(c.HoldOrder(actor=AGENT, order_id=oid, reason_code="credit_review"))
    bus.handle(c.RejectOrder(actor=AGENT, order_id=oid, reason_code="credit_refused"))
    assert store.orders[oid].status is OrderStatus.REJECTED
    assert (stock(store, world, 0).allocated, stock(store, world, 1).allocated) == (0, 0)


def test_hold_and_resume_return_the_order_to_where_it_was() -> None:
    bus, store, _, world = setup()
    oid = partially_allocated(bus, store, world)
    bus.handle(c.HoldOrder(actor=AGENT, order_id=oid, reason_code="pricing_review"))
    assert store.orders[oid].status is OrderStatus.ON_HOLD
    assert store.orders[oid].hold_reason == "pricing_review"
    bus.handle(c.ResumeOrder(actor=AGENT, order_id=oid))
    order = store.orders[oid]
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED
    assert (order.hold_reason, order.held_from, order.process_step) == (None, None, "release")
    # the release step ran again on resume, and still waits for stock
    assert [(d.step, d.outcome) for d in store.decisions[oid][len(STANDARD_STEPS) - 1 :]] == [
        ("release", Outcome.BACKORDER), ("release", Outcome.BACKORDER)
    ]  # fmt: skip
    assert [ln.allocated_qty for ln in order.lines] == [4, 10]
    assert stock(store, world, 1).allocated == 10


def test_the_full_path_ships_invoices_and_closes_and_stock_leaves_the_site() -> None:
    bus, store, clock, world = setup()
    oid = bus.handle(place(world, 4, 2))
    assert store.orders[oid].status is OrderStatus.RELEASED
    clock.advance(minutes=5)
    bus.handle(ship(world, oid, {1: 1}, reference="SHP-1"))
    assert store.orders[oid].status is OrderStatus.PARTIALLY_SHIPPED
    assert request(store, world, oid).status is RequestStatus.PARTIALLY_SHIPPED
    for command in (ship(world, oid, {1: 3, 2: 2}, reference="SHP-2"),
                    c.InvoiceOrder(actor=FINANCE, order_id=oid),
                    c.CloseOrder(actor=FINANCE, order_id=oid)):  # fmt: skip
        clock.advance(minutes=5)
        bus.handle(command)
    done = request(store, world, oid)
    assert done.status is RequestStatus.SHIPPED
    assert [(ln.quantity, ln.shipped) for ln in done.lines] == [(4, 4), (2, 2)]
    assert {ref: s.units for (_, ref), s in store.shipments.items()} == {
        "SHP-1": {1: 1}, "SHP-2": {1: 3, 2: 2}
    }  # fmt: skip
    order = store.orders[oid]
    assert order.status is OrderStatus.CLOSED
    assert {ln.status for ln in order.lines} == {LineStatus.CLOSED}
    assert (stock(store, world, 0).on_hand, stock(store, world, 0).allocated) == (6, 0)
    times = [e.occurred_at for e in store.log[oid]]
    assert times == sorted(times)
    assert times[-1] > times[0]


def test_shipping_more_than_was_released_is_refused() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    assert store.orders[oid].status is OrderStatus.RELEASED
    outbox = len(store.outbox)
    assert refused(bus, ship(world, oid, {1: 5})) is ErrorCode.OVER_SHIPMENT
    assert store.orders[oid].status is OrderStatus.RELEASED
    held = request(store, world, oid)
    assert (held.status, held.lines[0].shipped) == (RequestStatus.RELEASED, 0)
    assert store.shipments == {}
    assert len(store.outbox) == outbox
    assert (stock(store, world).on_hand, stock(store, world).allocated) == (10, 4)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (lambda _, oid: c.InvoiceOrder(actor=FINANCE, order_id=oid), ILLEGAL),
        (lambda _, oid: c.ReleaseOrder(actor=WAREHOUSE, order_id=oid), ILLEGAL),
        (lambda _, oid: c.ResumeOrder(actor=AGENT, order_id=oid), ILLEGAL),
        # never released: no warehouse holds a request to ship from
        (lambda w, oid: ship(w, oid, {1: 1}), ErrorCode.UNKNOWN_WAREHOUSE_REQUEST),
        (lambda _, oid: c.CloseOrder(actor=FINANCE, order_id=oid), ILLEGAL),
    ],
)  # fmt: skip
def test_illegal_moves_from_a_backordered_order_are_refused_and_change_nothing(
    command: object, code: ErrorCode
) -> None:
    bus, store, _ = fake_bus()
    world = seed(bus, stock=0)
    oid = bus.handle(place(world, 1))
    assert store.orders[oid].status is OrderStatus.BACKORDERED
    log_before, outbox = list(store.log[oid]), len(store.outbox)
    assert refused(bus, command(world, oid)) is code  # type: ignore[operator]
    assert store.orders[oid].status is OrderStatus.BACKORDERED
    assert (store.requests, store.shipments) == ({}, {})
    assert store.log[oid] == log_before
    assert len(store.outbox) == outbox


def test_a_command_for_an_unknown_order_is_refused() -> None:
    bus, _, _, _ = setup()
    assert (
        refused(bus, c.ValidateOrder(actor=AGENT, order_id=OrderId("SO-NONE")))
        is ErrorCode.UNKNOWN_ORDER
    )


def test_every_move_extends_the_hash_chain_and_verification_passes() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 2))
    bus.handle(c.CancelOrder(actor=AGENT, order_id=oid, reason_code="customer_request"))
    log = store.log[oid]
    # received, validate, line allocate, allocate, release, line release; cancel, line cancel
    assert [e.seq for e in log] == list(range(1, 9))
    assert [e.activity for e in log[-2:]] == ["order cancel", "line cancel"]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(log))
    assert verify_audit(lambda: FakeUnitOfWork(store), AUDITOR).ok


def test_a_concurrent_change_to_the_same_order_is_refused_not_lost() -> None:
    bus, store, _, world = setup()
    oid = partially_allocated(bus, store, world)
    slow, fast = FakeUnitOfWork(store), FakeUnitOfWork(store)
    with slow:
        order = slow.orders.get(oid)
        assert order is not None
        bus.handle(c.ReleaseOrder(actor=WAREHOUSE, order_id=oid))  # someone else moves it first
        order.hold("late", actor=order.entered_by, at=order.updated_at)
        with pytest.raises(DomainError) as caught:
            slow.commit()
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
    assert store.orders[oid].status is OrderStatus.RELEASED
    assert fast.commits == 0


def test_naming_the_default_currency_and_unit_is_the_same_order_as_leaving_them_out() -> None:
    bus, store, _, world = setup()
    implicit = place(world, 2, po="PO-DEF")
    first = bus.handle(implicit)
    line = replace(implicit.lines[0], unit_of_measure="EA")
    explicit = replace(implicit, currency=CurrencyCode("USD"), lines=(line,))
    assert bus.handle(explicit) == first
    assert len(store.orders) == 1


def test_a_price_list_entry_in_another_currency_is_passed_over() -> None:
    bus, store, _, world = seed_eur()
    order_id = bus.handle(place(world, 1))
    assert store.orders[order_id].lines[0].unit_price == Decimal("7.00")


def test_an_item_priced_only_in_another_currency_is_refused_for_a_line_without_a_price() -> None:
    bus, _, _, world = seed_eur()
    line = c.OrderLineInput(line_no=1, sku=world.skus[1], quantity=1)
    assert refused(bus, replace(place(world, 1), lines=(line,))) is ErrorCode.CURRENCY_MISMATCH


def seed_eur() -> tuple[object, Store, FakeClock, World]:
    """A EUR customer whose items are listed in EUR; the first also has a USD list entry."""
    bus, store, clock = fake_bus()
    world = seed(bus, currency="EUR")
    for currency, price in (("USD", "5.00"), ("EUR", "7.00")):
        bus.handle(c.CreateRecord(actor=ADMIN, record=PriceEntry(
            PriceListCode(currency), world.skus[0], None, CurrencyCode(currency), Decimal(price),
            date(2026, 1, 1),
        )))  # fmt: skip
    item = store.records[("item", (world.skus[1],))]
    bus.handle(c.UpdateRecord(actor=ADMIN, record=replace(item, currency=CurrencyCode("USD"))))
    return bus, store, clock, world


@pytest.mark.parametrize(
    ("held_by", "reason"),
    [("person", "credit_review"), ("pricing rule", "discount_above_tier_limit")],
)
def test_hold_information_is_cleared_when_a_held_order_is_rejected(
    held_by: str, reason: str
) -> None:
    bus, store, _, world = setup()
    if held_by == "person":
        oid = partially_allocated(bus, store, world)
        bus.handle(c.HoldOrder(actor=AGENT, order_id=oid, reason_code=reason))
    else:  # 9.00 against a list price of 10.50 is above a standard customer's discount limit
        oid = bus.handle(place(world, 1, price=Decimal("9.00")))
    assert store.orders[oid].status is OrderStatus.ON_HOLD
    assert store.orders[oid].hold_reason == reason
    bus.handle(c.RejectOrder(actor=AGENT, order_id=oid, reason_code="credit_refused"))
    assert store.orders[oid].status is OrderStatus.REJECTED
    assert (store.orders[oid].held_from, store.orders[oid].hold_reason) == (None, None)


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", ErrorCode.REQUIRED_FIELD_MISSING), ("two words", ErrorCode.INVALID_CODE),
     ("x" * 65, ErrorCode.TEXT_TOO_LONG)],
)  # fmt: skip
def test_a_reason_must_be_a_short_code(reason: str, code: ErrorCode) -> None:
    bus, store, _, world = setup()
    oid = partially_allocated(bus, store, world)
    assert refused(bus, c.HoldOrder(actor=AGENT, order_id=oid, reason_code=reason)) is code
    assert store.orders[oid].status is OrderStatus.PARTIALLY_ALLOCATED


def test_a_final_shipment_closes_short_and_gives_back_what_did_not_ship() -> None:
    bus, store, _, world = setup()
    hog = bus.handle(place(world, 7))
    oid = bus.handle(place(world, 5, 4))  # line 1 gets 3 of 5, line 2 all 4: 7 of 9 is < 0.8
    assert store.orders[hog].status is OrderStatus.RELEASED
    assert store.orders[oid].status is OrderStatus.PARTIALLY_ALLOCATED
    bus.handle(c.ReleaseOrder(actor=WAREHOUSE, order_id=oid))
    assert [(ln.line_no, ln.quantity) for ln in request(store, world, oid).lines] == [
        (1, 3),
        (2, 4),
    ]
    bus.handle(ship(world, oid, {1: 2, 2: 4}, final=True))
    finished = request(store, world, oid)
    assert finished.status is RequestStatus.SHIPPED
    assert [(ln.quantity, ln.shipped) for ln in finished.lines] == [(3, 2), (4, 4)]
    order = store.orders[oid]
    assert order.status is OrderStatus.SHIPPED
    assert [(ln.status, ln.shipped_qty, ln.allocated_qty) for ln in order.lines] == [
        (LineStatus.SHIPPED, 2, 2), (LineStatus.SHIPPED, 4, 4)
    ]  # fmt: skip
    assert (stock(store, world, 0).on_hand, stock(store, world, 0).allocated) == (8, 7)
    short = [e for e in store.log[oid] if e.reason_code == "short_shipped"]
    assert [(e.line_no, e.quantity) for e in short] == [(1, 3)]
    bus.handle(c.InvoiceOrder(actor=FINANCE, order_id=oid))
    assert store.orders[oid].status is OrderStatus.INVOICED


def test_a_final_shipment_cancels_lines_that_shipped_nothing() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 2, 3))
    assert store.orders[oid].status is OrderStatus.RELEASED
    bus.handle(ship(world, oid, {1: 2}, final=True))
    assert request(store, world, oid).status is RequestStatus.SHIPPED
    lines = store.orders[oid].lines
    assert [ln.status for ln in lines] == [LineStatus.SHIPPED, LineStatus.CANCELLED]
    assert store.orders[oid].status is OrderStatus.SHIPPED
    assert stock(store, world, 1).allocated == 0


def test_an_empty_shipment_confirmation_is_refused() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 2))
    assert store.orders[oid].status is OrderStatus.RELEASED
    assert refused(bus, ship(world, oid, {}, final=True)) is ErrorCode.INVALID_QUANTITY
    assert store.orders[oid].status is OrderStatus.RELEASED
    assert request(store, world, oid).status is RequestStatus.RELEASED
    assert store.shipments == {}  # the reference stays free for the real confirmation
    bus.handle(ship(world, oid, {1: 2}))
    assert store.orders[oid].status is OrderStatus.SHIPPED


def test_log_entries_carry_the_units_allocated_and_shipped() -> None:
    bus, store, _, world = setup()
    oid = bus.handle(place(world, 4))
    bus.handle(ship(world, oid, {1: 4}))
    moves = {(e.activity, e.quantity) for e in store.log[oid] if e.line_no == 1}
    assert {("line allocate", 4), ("line ship", 4)} <= moves


def test_units_taken_without_a_change_of_state_are_saved_and_logged() -> None:
    bus, store, _, world = setup()
    bus.handle(place(world, 8))
    oid = bus.handle(place(world, 6))  # takes 2 of 6 and waits at release
    assert store.orders[oid].status is OrderStatus.PARTIALLY_ALLOCATED
    restock = f"sku,site,on_hand\n{world.skus[0]},{world.site},11\n"
    bus.handle(c.ImportRecords(actor=ADMIN, kind="stock", text=restock))
    bus.handle(c.AllocateOrder(actor=WAREHOUSE, order_id=oid))  # one more: still partial
    line = store.orders[oid].lines[0]
    assert (line.status, line.allocated_qty) == (LineStatus.PARTIALLY_ALLOCATED, 3)
    assert stock(store, world).allocated == 11  # every allocated unit belongs to a line
    assert [e.quantity for e in store.log[oid] if e.activity.startswith("line allocate")] == [2, 1]


def test_an_order_with_a_line_number_used_twice_is_refused_before_anything_else() -> None:
    bus, store, _, world = setup()
    one = c.OrderLineInput(line_no=1, sku=world.skus[0], quantity=1, unit_price=Decimal("1"))
    twin = c.OrderLineInput(line_no=1, sku=world.skus[0], quantity=1)
    assert refused(bus, replace(place(world, 1), lines=(one, twin))) is ErrorCode.DUPLICATE_LINE
    assert store.orders == {}


def test_an_order_released_short_closes_short_once_its_warehouse_shipped_all_it_was_asked() -> None:
    bus, store, _, world = setup()
    bus.handle(place(world, 7))
    oid = bus.handle(place(world, 5))  # takes 3 of 5 and waits at release
    assert store.orders[oid].status is OrderStatus.PARTIALLY_ALLOCATED
    bus.handle(c.ReleaseOrder(actor=WAREHOUSE, order_id=oid))
    bus.handle(ship(world, oid, {1: 3}, reference="SHP-1"))
    # no warehouse holds anything more for it: the 2 never released are closed short
    assert store.orders[oid].status is OrderStatus.SHIPPED
    assert store.orders[oid].lines[0].shipped_qty == 3
    refused_code = refused(bus, ship(world, oid, {}, reference="SHP-2", final=True))
    assert refused_code is ErrorCode.ILLEGAL_TRANSITION  # the request is done


def test_an_order_id_already_taken_is_replaced_by_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bus, store, _, world = setup()
    first = bus.handle(place(world, 1))
    ids = iter([first, first, OrderId("SO-FRESH")])
    monkeypatch.setattr("ordoflow.application.placing.new_order_id", lambda: next(ids))
    assert bus.handle(place(world, 2)) == "SO-FRESH"
    assert len(store.orders) == 2
