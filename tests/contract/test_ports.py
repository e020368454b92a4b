"""One contract per port. The fake and the SQL adapter must behave alike on every test here."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordoflow.application.ports import CloudEvent, DuplicateOrderId, DuplicatePurchaseOrder
from ordoflow.domain.decisions import DecisionRecord, Outcome
from ordoflow.domain.errors import Conflict, DomainError, ErrorCode, NotFound
from ordoflow.domain.eventlog import ChainHead, find_break
from ordoflow.domain.intake import LineRequest, OrderHeader, new_order_id
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import (
    Customer,
    CustomerTier,
    Item,
    PriceEntry,
    ShipTo,
    Site,
    StockLevel,
)
from ordoflow.domain.orders import Order
from ordoflow.domain.receipts import Receipt, ReceiptKind, ReceiptLine
from ordoflow.domain.sourcing import SourcingPlan
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    CountryCode,
    CurrencyCode,
    OrderId,
    PriceListCode,
    ShipToCode,
    SiteCode,
    Sku,
)
from tests.builders import ref
from tests.contract.conftest import UowFactory

AT = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)
ACTOR = ActorId("tester")


def seed(uow_factory: UowFactory) -> tuple[SiteCode, AccountNumber, Sku]:
    site, account, sku = SiteCode(ref("S")), AccountNumber(ref("C")), Sku(ref("SKU"))
    with uow_factory() as uow:
        uow.records.add(Site(site, "DC", CountryCode("US"), "UTC"))
        uow.records.add(Customer(account, "Co", "T", CustomerTier.STANDARD, CurrencyCode("USD"),
                                 "NET30", Decimal("100.5")))  # fmt: skip
        uow.records.add(ShipTo(account, ShipToCode("MAIN"), "Dock", "1 St", "X", "1",
                               CountryCode("US")))  # fmt: skip
        uow.records.add(Item(sku, "Thing", "EA", "HW", Decimal("12.3456"), CurrencyCode("USD"),
                             Decimal("1"), Decimal("0.5"), "EAR99", hazmat=True))  # fmt: skip
        uow.stock.set_on_hand(sku, site, 10)
        uow.commit()
    return site, account, sku


def new_order(uow_factory: UowFactory, po: str | None = None) -> Order:
    site, account, sku = seed(uow_factory)
    header = OrderHeader(account, ShipToCode("MAIN"), Channel.EDI, po or ref("PO"),
                         date(2026, 12, 1), site, CurrencyCode("USD"))  # fmt: skip
    lines = [LineRequest(1, sku, 3, Decimal("9.99"), "EA"),
             LineRequest(2, sku, 1, Decimal("0.0001"), "EA")]  # fmt: skip
    return Order.place(new_order_id(), header, lines, actor=ACTOR, at=AT, fingerprint="f" * 64)


def save(uow_factory: UowFactory, order: Order) -> None:
    with uow_factory() as uow:
        uow.orders.add(order)
        uow.commit()


# -- orders ------------------------------------------------------------------------------------
def test_an_order_reads_back_exactly_as_it_was_written(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    save(uow_factory, order)
    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)
        by_po = uow.orders.get_by_po(order.header.account_number, order.header.customer_po)
    assert loaded is not None
    assert by_po is not None
    assert by_po.id == order.id
    assert loaded.header == order.header
    assert loaded.lines == order.lines
    assert loaded.received_at == AT
    assert loaded.total.amount == Decimal("29.9701")
    assert (loaded.status, loaded.version, loaded.log_head) == (
        OrderStatus.RECEIVED,
        1,
        order.log_head,
    )


def test_an_unknown_order_is_none(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        assert uow.orders.get(OrderId("SO-MISSING")) is None
        assert uow.orders.get_by_po(AccountNumber("C"), "nope") is None


def test_a_second_order_under_the_same_po_is_refused_by_the_store(uow_factory: UowFactory) -> None:
    first = new_order(uow_factory)
    save(uow_factory, first)
    twin = Order.place(new_order_id(), first.header, [LineRequest(1, first.lines[0].sku, 1,
                       Decimal("1"), "EA")], actor=ACTOR, at=AT, fingerprint="x")  # fmt: skip
    with pytest.raises(DuplicatePurchaseOrder):
        save(uow_factory, twin)
    with uow_factory() as uow:
        assert uow.orders.get(twin.id) is None


def test_changes_and_log_entries_are_saved_with_a_new_version(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    save(uow_factory, order)
    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)
        assert loaded is not None
        loaded.validate(actor=ACTOR, at=AT)
        loaded.hold("credit_review", actor=ACTOR, at=AT)
        uow.commit()
    with uow_factory() as uow:
        again = uow.orders.get(order.id)
        log = uow.orders.log(order.id)
    assert again is not None
    assert again.status is OrderStatus.ON_HOLD
    assert again.version == 2
    assert (again.held_from, again.hold_reason) == (OrderStatus.VALIDATED, "credit_review")
    assert [e.activity for e in log] == ["order received", "order validate", "order hold"]
    assert log[2].reason_code == "credit_review"
    assert log[2].occurred_at == AT
    assert find_break("o", log, again.log_head) is None


def test_a_stale_version_is_refused(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    save(uow_factory, order)
    with uow_factory() as uow:
        first = uow.orders.get(order.id)
        assert first is not None
        first.validate(actor=ACTOR, at=AT)
        uow.commit()
    order.version = 1  # as loaded before that change
    order.reject("late", actor=ACTOR, at=AT)
    with uow_factory() as uow:
        uow.orders.seen[order.id] = order
        with pytest.raises(Conflict) as caught:
            uow.commit()
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE


def test_latest_lists_newest_first_and_filters_by_status(uow_factory: UowFactory) -> None:
    older, newer = new_order(uow_factory), new_order(uow_factory)
    newer.received_at = AT.replace(hour=10)
    save(uow_factory, older)
    save(uow_factory, newer)
    with uow_factory() as uow:
        ids = [o.id for o in uow.orders.latest()]
        assert ids.index(newer.id) < ids.index(older.id)
        assert uow.orders.latest(status="closed") == []
        assert len(uow.orders.latest(limit=1)) == 1


def another_order(order: Order, received_at: datetime) -> Order:
    """A second order of the same customer at the same site, under a new PO."""
    header = replace(order.header, customer_po=ref("PO"))
    line = LineRequest(1, order.lines[0].sku, 1, Decimal("1"), "EA")
    return Order.place(new_order_id(), header, [line], actor=ACTOR, at=received_at,
                       fingerprint="g" * 64)  # fmt: skip


def test_latest_lists_only_orders_of_the_given_sites(uow_factory: UowFactory) -> None:
    here = new_order(uow_factory)
    newer_here = another_order(here, AT.replace(hour=10))
    there = new_order(uow_factory)  # at a site of its own
    there.received_at = AT.replace(hour=11)
    for order in (here, newer_here, there):
        save(uow_factory, order)
    site, other = here.header.site, there.header.site
    with uow_factory() as uow:
        assert [o.id for o in uow.orders.latest(sites=frozenset({site}))] == [
            newer_here.id, here.id,
        ]  # fmt: skip
        assert [o.id for o in uow.orders.latest(limit=1, sites=frozenset({site}))] == [
            newer_here.id
        ]
        both = uow.orders.latest(sites=frozenset({site, other}))
        assert [o.id for o in both] == [there.id, newer_here.id, here.id]
        assert both[2].lines == here.lines
        assert {o.id for o in uow.orders.latest()} >= {here.id, newer_here.id, there.id}
        assert uow.orders.latest(sites=frozenset()) == []
        assert uow.orders.latest(sites=frozenset({SiteCode("NOWHERE")})) == []
        assert uow.orders.latest(status="closed", sites=frozenset({site})) == []
        received = [o.id for o in uow.orders.latest(status="received", sites=frozenset({other}))]
        assert received == [there.id]


def test_placed_since_counts_the_customers_orders_of_the_window_not_withdrawn(
    uow_factory: UowFactory,
) -> None:
    first = new_order(uow_factory)  # 3 x 9.99 + 1 x 0.0001 at AT
    account = first.header.account_number
    later = another_order(first, AT.replace(hour=12))  # 1 x 1
    withdrawn = another_order(first, AT.replace(hour=13))
    withdrawn.cancel("customer_request", actor=ACTOR, at=AT.replace(hour=13))
    before = another_order(first, AT.replace(hour=8))
    for order in (first, later, withdrawn, before):
        save(uow_factory, order)
    with uow_factory() as uow:
        since_nine = uow.orders.placed_since(account, AT.replace(hour=9), excluding=later.id)
        assert since_nine == (1, Decimal("29.9701"))
        everything = uow.orders.placed_since(account, AT.replace(hour=0), excluding=OrderId("x"))
        assert everything == (3, Decimal("31.9701"))
        nobody = uow.orders.placed_since(AccountNumber("NOBODY"), AT.replace(hour=0),
                                         excluding=first.id)  # fmt: skip
        assert nobody == (0, Decimal(0))


def test_a_changed_order_is_stored_with_its_new_header_and_lines(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    save(uow_factory, order)
    sku = order.lines[0].sku
    with uow_factory() as uow:
        loaded = uow.orders.get(order.id)
        assert loaded is not None
        header = replace(loaded.header, ship_to=ShipToCode("MAIN"))
        lines = [LineRequest(1, sku, 5, Decimal("8.50"), "EA"),
                 LineRequest(3, sku, 2, Decimal("1.25"), "EA")]  # fmt: skip
        parts, _ = loaded.change(header, lines, actor=ActorId("cs.agent"), at=AT,
                                 fingerprint="h" * 64)  # fmt: skip
        uow.commit()
    assert parts == frozenset({"lines"})
    with uow_factory() as uow:
        again = uow.orders.get(order.id)
        log = uow.orders.log(order.id)
    assert again is not None
    assert (again.changed_by, again.body_hash, again.version) == ("cs.agent", "h" * 64, 2)
    assert [(ln.line_no, ln.quantity, ln.unit_price, ln.status.value) for ln in again.lines] == [
        (1, 5, Decimal("8.50"), "open"), (2, 1, Decimal("0.0001"), "cancelled"),
        (3, 2, Decimal("1.25"), "open"),
    ]  # fmt: skip
    assert again.total.amount == Decimal("45.0000")
    assert [e.activity for e in log][1:] == ["order change", "line change", "line cancel",
                                             "line added"]  # fmt: skip
    assert find_break("o", log, again.log_head) is None


def decide(order: Order, table: str, *outcomes: tuple[Outcome, datetime]) -> list[DecisionRecord]:
    """Decisions of `table` for the order, one per outcome, in turn."""
    records = []
    for outcome, at in outcomes:
        record = DecisionRecord(
            order_id=order.id, seq=order.next_decision_seq(), step="credit", table=table,
            table_version="v1", outcome=outcome,
            reason=None if outcome in (Outcome.PASS, Outcome.ACCEPTED) else "credit_review",
            decided_at=at, actor=ACTOR,
            evaluations=({"inputs": {"exposure ratio": "1.05", "days past due": 0}},),
        )  # fmt: skip
        order.decide(record, stopped=False)
        records.append(record)
    return records


def test_recent_decisions_give_each_orders_latest_for_the_table_newest_first(
    uow_factory: UowFactory,
) -> None:
    table = ref("t").lower()
    first, second = new_order(uow_factory), new_order(uow_factory)
    held, accepted = decide(first, table, (Outcome.HOLD, AT),
                            (Outcome.ACCEPTED, AT.replace(hour=12)))  # fmt: skip
    decide(first, ref("other").lower(), (Outcome.PASS, AT.replace(hour=13)))
    _, waiting = decide(second, table, (Outcome.PASS, AT.replace(hour=10)),
                        (Outcome.BACKORDER, AT.replace(hour=11)))  # fmt: skip
    save(uow_factory, first)
    save(uow_factory, second)
    with uow_factory() as uow:
        found = uow.orders.recent_decisions(table, 10)
        assert uow.orders.recent_decisions(table, 1) == [waiting]
        assert uow.orders.recent_decisions(ref("none").lower(), 10) == []
    assert found == [waiting, held], "a person's acceptance is not a decision to replay"
    assert accepted not in found


def test_recent_decisions_are_only_of_orders_at_the_given_sites(uow_factory: UowFactory) -> None:
    table = ref("t").lower()
    here, there = new_order(uow_factory), new_order(uow_factory)
    newer_here = another_order(here, AT)
    (old,) = decide(here, table, (Outcome.HOLD, AT))
    (new,) = decide(newer_here, table, (Outcome.PASS, AT.replace(hour=10)))
    (newest,) = decide(there, table, (Outcome.REJECT, AT.replace(hour=11)))
    for order in (here, newer_here, there):
        save(uow_factory, order)
    site, other = here.header.site, there.header.site
    with uow_factory() as uow:
        assert uow.orders.recent_decisions(table, 10, sites=frozenset({site})) == [new, old]
        # the limit counts only the orders of the sites
        assert uow.orders.recent_decisions(table, 1, sites=frozenset({site})) == [new]
        assert uow.orders.recent_decisions(table, 10, sites=frozenset({other})) == [newest]
        assert uow.orders.recent_decisions(table, 10, sites=frozenset({site, other})) == [
            newest, new, old,
        ]  # fmt: skip
        assert uow.orders.recent_decisions(table, 10, sites=None) == [newest, new, old]
        assert uow.orders.recent_decisions(table, 10, sites=frozenset()) == []


def test_chains_give_every_order_with_its_head_and_log(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    save(uow_factory, order)
    with uow_factory() as uow:
        chains = {oid: (head, log) for oid, head, log in uow.orders.chains()}
    head, log = chains[order.id]
    assert head == order.log_head
    assert len(log) == 1
    assert log[0].hash == head.hash


# -- stock -------------------------------------------------------------------------------------
def test_reserve_never_takes_more_than_is_available(uow_factory: UowFactory) -> None:
    site, _, sku = seed(uow_factory)
    with uow_factory() as uow:
        assert uow.stock.reserve(sku, site, 7)
        assert not uow.stock.reserve(sku, site, 4)
        assert uow.stock.reserve(sku, site, 3)
        assert uow.stock.available(sku, site) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.records.get(StockLevel, (sku, site)) == StockLevel(sku, site, 10, 10)


def test_unreserve_and_issue_move_allocated_units(uow_factory: UowFactory) -> None:
    site, _, sku = seed(uow_factory)
    with uow_factory() as uow:
        uow.stock.reserve(sku, site, 6)
        uow.stock.unreserve(sku, site, 2)
        uow.stock.issue(sku, site, 4)
        with pytest.raises(RuntimeError):
            uow.stock.issue(sku, site, 1)
        level = uow.records.get(StockLevel, (sku, site))
    assert level == StockLevel(sku, site, 6, 0)


def test_stock_of_an_unknown_item_is_none_available(uow_factory: UowFactory) -> None:
    site, _, _ = seed(uow_factory)
    with uow_factory() as uow:
        assert uow.stock.available(Sku("NONE"), site) == 0
        assert not uow.stock.reserve(Sku("NONE"), site, 1)


def test_on_hand_cannot_drop_below_allocated(uow_factory: UowFactory) -> None:
    site, _, sku = seed(uow_factory)
    with uow_factory() as uow:
        uow.stock.reserve(sku, site, 5)
        assert not uow.stock.set_on_hand(sku, site, 4)
        assert uow.stock.set_on_hand(sku, site, 5)
        assert uow.stock.available(sku, site) == 0


def test_receive_adds_to_on_hand_and_never_counts_out_allocated_units(
    uow_factory: UowFactory,
) -> None:
    site, _, sku = seed(uow_factory)  # 10 on hand
    other = Sku(ref("SKU"))
    with uow_factory() as uow:
        uow.records.add(Item(other, "New", "EA", "HW", Decimal("1"), CurrencyCode("USD"),
                             Decimal("1"), Decimal("1"), "EAR99"))  # fmt: skip
        uow.stock.reserve(sku, site, 6)
        assert uow.stock.receive(sku, site, 5)
        assert not uow.stock.receive(sku, site, -10)  # 15 on hand, 6 allocated
        assert uow.stock.receive(sku, site, -9)
        assert uow.stock.receive(other, site, 4)  # no stock row yet
        assert not uow.stock.receive(Sku(ref("NONE")), site, -1)
        uow.commit()
    with uow_factory() as uow:
        assert uow.records.get(StockLevel, (sku, site)) == StockLevel(sku, site, 6, 6)
        assert uow.records.get(StockLevel, (other, site)) == StockLevel(other, site, 4, 0)


def test_a_receipt_is_kept_once_per_site_and_reference(uow_factory: UowFactory) -> None:
    site, _, sku = seed(uow_factory)
    kept = Receipt(site, "PO-9", ReceiptKind.TRANSFER_IN, (ReceiptLine(sku, 3),), AT, ACTOR)
    with uow_factory() as uow:
        uow.stock.add_receipt(kept)
        uow.commit()
    with uow_factory() as uow:
        assert uow.stock.receipt(site, "PO-9") == kept
        assert uow.stock.receipt(site, "PO-8") is None
        with pytest.raises(Conflict) as caught:
            uow.stock.add_receipt(replace(kept, lines=(ReceiptLine(sku, 4),)))
    assert caught.value.code is ErrorCode.DUPLICATE_RECEIPT


def test_waiting_orders_come_by_priority_then_requested_date_then_age(
    uow_factory: UowFactory,
) -> None:
    first = new_order(uow_factory)  # lines of one SKU: 3 and 1 units
    site, sku = first.header.site, first.lines[0].sku
    low, high, early = (another_order(first, AT.replace(hour=h)) for h in (10, 11, 12))
    early.header = replace(early.header, requested_date=date(2026, 11, 20))
    for order, priority in ((first, 10), (low, 10), (high, 40), (early, 10)):
        order.validate(actor=ACTOR, at=AT)
        order.allocate({}, actor=ACTOR, at=AT)  # nothing in stock taken: backordered
        order.process_step, order.priority = "release", priority
    released = another_order(first, AT)
    released.validate(actor=ACTOR, at=AT)
    released.allocate({1: {site: 1}}, actor=ACTOR, at=AT)
    elsewhere = SiteCode("ELSEWHERE")
    low.sourcing = SourcingPlan((elsewhere, site), 1, "sourcing_policy")
    released.process_step = "release"
    for order in (first, low, high, early, released):
        save(uow_factory, order)
    with uow_factory() as uow:
        assert uow.orders.waiting_for(site, [sku]) == [high.id, early.id, first.id, low.id]
        assert uow.orders.waiting_for(site, [Sku("OTHER")]) == []
        assert uow.orders.waiting_for(SiteCode("NOWHERE"), [sku]) == []
        assert uow.orders.waiting_for(elsewhere, [sku]) == [low.id]
        assert uow.orders.get(low.id).sourcing == low.sourcing  # type: ignore[union-attr]
        kept = uow.orders.get(released.id)
        assert kept is not None
        assert kept.lines[0].sources == {site: 1}


# -- records -----------------------------------------------------------------------------------
def test_records_round_trip_with_their_types(uow_factory: UowFactory) -> None:
    site, account, sku = seed(uow_factory)
    price = PriceEntry(PriceListCode("L"), sku, None, CurrencyCode("USD"), Decimal("1.2345"),
                       date(2026, 1, 1), date(2026, 12, 31))  # fmt: skip
    contract = PriceEntry(PriceListCode("L"), sku, account, CurrencyCode("USD"), Decimal("1"),
                          date(2026, 1, 1))  # fmt: skip
    with uow_factory() as uow:
        uow.records.add(price)
        uow.records.add(contract)
        uow.commit()
    with uow_factory() as uow:
        customer = uow.records.get(Customer, (account,))
        item = uow.records.get(Item, (sku,))
        assert uow.records.get(PriceEntry, price.key) == price
        assert {p.key for p in uow.records.all(PriceEntry) if p.sku == sku} == {
            price.key,
            contract.key,
        }
        many = uow.records.get_many(ShipTo, [(account, "MAIN"), (account, "NOPE")])
    assert customer is not None
    assert customer.tier is CustomerTier.STANDARD
    assert customer.credit_limit == Decimal("100.5")
    assert item is not None
    assert item.hazmat is True
    assert item.list_price == Decimal("12.3456")
    assert list(many) == [(account, "MAIN")]
    assert site


def test_add_refuses_a_duplicate_and_update_refuses_a_missing_record(
    uow_factory: UowFactory,
) -> None:
    site, _, _ = seed(uow_factory)
    with uow_factory() as uow:
        with pytest.raises(Conflict):
            uow.records.add(Site(site, "again", CountryCode("US"), "UTC"))
        with pytest.raises(NotFound):
            uow.records.update(Site(SiteCode(ref("S")), "x", CountryCode("US"), "UTC"))
        uow.records.update(Site(site, "Renamed", CountryCode("CA"), "UTC"))
        assert uow.records.get(Site, (site,)) == Site(site, "Renamed", CountryCode("CA"), "UTC")


# -- audit log ---------------------------------------------------------------------------------
def test_audit_entries_chain_per_stream(uow_factory: UowFactory) -> None:
    stream = f"customer:{ref('C')}"
    with uow_factory() as uow:
        uow.audit.append(stream, "created", actor=ACTOR, at=AT, before=None, after={"a": "1"})
        uow.audit.append(stream, "updated", actor=ACTOR, at=AT, before={"a": "1"},
                         after={"a": "2", "n": [1, None]}, reason_code="fix")  # fmt: skip
        uow.commit()
    with uow_factory() as uow:
        entries = uow.audit.entries(stream)
        chains = {s: (h, e) for s, h, e in uow.audit.chains()}
    assert [e.seq for e in entries] == [1, 2]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[1].after == {"a": "2", "n": [1, None]}
    assert entries[1].reason_code == "fix"
    head, chained = chains[stream]
    assert head == ChainHead(2, entries[1].hash)
    assert find_break(stream, chained, head) is None


# -- outbox and the unit of work ---------------------------------------------------------------
def event(n: int) -> CloudEvent:
    return CloudEvent(id=ref("EV"), source="urn:test", type="t.test", subject=f"s/{n}", time=AT,
                      data={"n": n, "amount": "1.50"})  # fmt: skip


def test_the_outbox_hands_out_pending_events_in_order_until_published(
    uow_factory: UowFactory,
) -> None:
    events = [event(n) for n in range(3)]
    with uow_factory() as uow:
        uow.outbox.add(events)
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.pending() == events
        uow.outbox.mark_published([events[0].id], AT)
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.pending(limit=5) == events[1:]


def test_a_consumer_is_handed_each_event_of_its_types_until_it_claims_it(
    uow_factory: UowFactory,
) -> None:
    mine = [replace(event(n), type="test.mine") for n in range(3)]
    theirs = replace(event(9), type="test.theirs")
    consumer = ref("consumer")
    with uow_factory() as uow:
        uow.outbox.add([mine[0], theirs, mine[1], mine[2]])
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.unhandled(consumer, ["test.mine"]) == mine
        assert uow.outbox.unhandled(consumer, ["test.mine"], limit=1) == mine[:1]
        assert uow.outbox.claim(consumer, mine[1].id, AT)
        assert not uow.outbox.claim(consumer, mine[1].id, AT), "claimed in this transaction"
        uow.commit()
    with uow_factory() as uow:
        assert not uow.outbox.claim(consumer, mine[1].id, AT), "claimed and committed"
        assert uow.outbox.claim(ref("other"), mine[1].id, AT), "another consumer's own claim"
        assert uow.outbox.unhandled(consumer, ["test.mine", "test.theirs"]) == [
            mine[0], theirs, mine[2]]  # fmt: skip
        uow.outbox.claim(consumer, mine[0].id, AT)  # not committed: left unhandled
    with uow_factory() as uow:
        assert uow.outbox.unhandled(consumer, ["test.mine"]) == [mine[0], mine[2]]


def test_an_event_id_is_written_once(uow_factory: UowFactory) -> None:
    one = event(1)
    with uow_factory() as uow:
        uow.outbox.add([one])
        uow.commit()
    with uow_factory() as uow, pytest.raises(Conflict):
        uow.outbox.add([one])


def test_leaving_without_commit_writes_nothing_at_all(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    site, sku = order.header.site, order.lines[0].sku
    with uow_factory() as uow:
        uow.orders.add(order)
        uow.stock.reserve(sku, site, 3)
        uow.audit.append("x:1", "created", actor=ACTOR, at=AT, before=None, after={})
        uow.outbox.add([event(9)])
        uow.orders.flush()
    with uow_factory() as uow:
        assert uow.orders.get(order.id) is None
        assert uow.orders.log(order.id) == []
        assert uow.stock.available(sku, site) == 10
        assert uow.audit.entries("x:1") == []
        assert uow.outbox.pending() == []


def test_a_failure_inside_the_block_rolls_everything_back(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)

    def fail_midway() -> None:
        with uow_factory() as uow:
            uow.orders.add(order)
            uow.stock.reserve(order.lines[0].sku, order.header.site, 3)
            raise NotFound(ErrorCode.UNKNOWN_SKU, "boom")

    with pytest.raises(DomainError):
        fail_midway()
    with uow_factory() as uow:
        assert uow.orders.get(order.id) is None
        assert uow.stock.available(order.lines[0].sku, order.header.site) == 10


def test_commit_writes_the_order_its_log_and_its_events_together(uow_factory: UowFactory) -> None:
    order = new_order(uow_factory)
    with uow_factory() as uow:
        uow.orders.add(order)
        uow.commit()
    with uow_factory() as uow:
        pending = [e for e in uow.outbox.pending(limit=1000) if e.subject == f"orders/{order.id}"]
        assert uow.orders.get(order.id) is not None
        assert len(uow.orders.log(order.id)) == 1
    assert [e.type for e in pending] == ["ordoflow.order.received"]
    assert pending[0].data["total"] == "29.9701"


def test_order_references_come_back_in_one_read(uow_factory: UowFactory) -> None:
    site, account, sku = seed(uow_factory)
    with uow_factory() as uow:
        found = uow.records.order_references(account, ShipToCode("MAIN"), site, [sku, sku])
        partial = uow.records.order_references(account, ShipToCode("NOPE"), SiteCode("X"),
                                               [Sku("GHOST")])  # fmt: skip
        nobody = uow.records.order_references(AccountNumber("NOBODY"), ShipToCode("MAIN"), site,
                                              [sku])  # fmt: skip
    assert found.customer == uow_records_customer(uow_factory, account)
    assert (found.ship_to_known, found.site_known, list(found.items)) == (True, True, [sku])
    assert found.items[sku].hazmat is True
    assert found.items[sku].list_price == Decimal("12.3456")
    assert partial.customer is not None
    assert (partial.ship_to_known, partial.site_known, partial.items) == (False, False, {})
    assert nobody.customer is None


def uow_records_customer(uow_factory: UowFactory, account: AccountNumber) -> Customer | None:
    with uow_factory() as uow:
        return uow.records.get(Customer, (account,))


def test_a_second_order_under_a_taken_id_is_refused_by_the_store(uow_factory: UowFactory) -> None:
    first = new_order(uow_factory)
    save(uow_factory, first)
    clash = new_order(uow_factory)
    clash.id = first.id
    with pytest.raises(DuplicateOrderId):
        save(uow_factory, clash)


def test_a_transaction_takes_the_events_it_names_that_exist(uow_factory: UowFactory) -> None:
    events = [event(n) for n in range(3)]
    with uow_factory() as uow:
        uow.outbox.add(events[:2])
        uow.commit()
    with uow_factory() as uow:
        named = [events[2].id, events[1].id, events[0].id]
        assert uow.outbox.take(named) == {events[0].id, events[1].id}
        assert uow.outbox.take([]) == set()
