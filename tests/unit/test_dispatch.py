"""The durable dispatcher on the fakes: each consumer handles each event once, in a transaction
of its own with the record that it did; a crash in the middle leaves the event to the next
tick; a refusal is reported and retried; a step's effects never happen twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest

from ordoflow.application import commands as c
from ordoflow.application.dispatch import SUBSCRIPTIONS, Subscription, dispatch_once
from ordoflow.application.ports import Clock, CloudEvent, UnitOfWork
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.events import StockReceived
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import StockLevel
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.values import ActorId
from tests.governed_world import Shop, shop
from tests.staff import WAREHOUSE


def received(world: Shop, quantity: int = 10, reference: str = "PO-1") -> None:
    world.handle(c.ReceiveStock(site=world.site, kind=ReceiptKind.PURCHASE_RECEIPT,
                                reference=reference, lines=(ReceiptLine(world.sku, quantity),),
                                actor=WAREHOUSE))  # fmt: skip


def audit_noting(stream: str) -> Subscription:
    """A consumer whose only effect is an audit entry per event."""

    def note(event: CloudEvent, uow: UnitOfWork, clock: Clock) -> None:
        uow.audit.append(stream, event.id, actor=ActorId("system"), at=clock.now(), before=None,
                         after={"event": event.id})  # fmt: skip

    return Subscription(stream, (StockReceived.type,), note)


def uows(world: Shop) -> Callable[[], UnitOfWork]:
    return cast("Callable[[], UnitOfWork]", world.bus.uow_factory)  # type: ignore[attr-defined]


def tick(world: Shop, *subs: Subscription) -> object:
    return dispatch_once(world.bus.uow_factory, world.clock, subs or SUBSCRIPTIONS)  # type: ignore[attr-defined]


def test_each_consumer_handles_each_event_once() -> None:
    world = shop(stock=0)
    received(world, reference="PO-1")
    received(world, reference="PO-2")
    first, second = audit_noting("first"), audit_noting("second")
    assert tick(world, first, second).handled == 4  # type: ignore[attr-defined]
    assert tick(world, first, second).handled == 0  # type: ignore[attr-defined]
    assert len(world.store.audit["first"]) == len(world.store.audit["second"]) == 2
    assert {k[0] for k in world.store.processed} == {"first", "second"}


def test_a_crash_in_the_middle_of_a_step_leaves_the_event_to_the_next_tick() -> None:
    world = shop(stock=0)
    order_id = world.order(10)
    received(world)

    def crash(event: CloudEvent, uow: UnitOfWork, clock: Clock) -> None:
        SUBSCRIPTIONS[0].handle(event, uow, clock)  # the order takes its stock ...
        raise RuntimeError("worker killed")  # ... and the worker dies before committing

    with pytest.raises(RuntimeError):
        tick(world, Subscription("fill_backorders", (StockReceived.type,), crash))
    assert world.store.orders[order_id].status is OrderStatus.BACKORDERED
    assert world.store.processed == {}
    assert tick(world).handled == 1  # type: ignore[attr-defined]
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
    level = world.store.records[(StockLevel.KIND, (world.sku, world.site))]
    assert isinstance(level, StockLevel)
    assert (level.on_hand, level.allocated) == (10, 10), "taken once, not twice"
    assert tick(world).handled == 0  # type: ignore[attr-defined]


def test_a_refused_step_is_reported_changes_nothing_and_is_tried_again() -> None:
    world = shop(stock=0)
    received(world)
    attempts: list[str] = []

    def refuse_once(event: CloudEvent, uow: UnitOfWork, clock: Clock) -> None:
        attempts.append(event.id)
        uow.audit.append("tries", event.id, actor=ActorId("system"), at=clock.now(),
                         before=None, after=None)  # fmt: skip
        if len(attempts) == 1:
            raise DomainError(ErrorCode.CONCURRENT_UPDATE, "try again")

    sub = Subscription("flaky", (StockReceived.type,), refuse_once)
    report = tick(world, sub)
    assert (report.handled, len(report.failed)) == (0, 1)  # type: ignore[attr-defined]
    assert "[concurrent_update]" in report.failed[0][2]  # type: ignore[attr-defined]
    assert "tries" not in world.store.audit
    assert tick(world, sub).handled == 1  # type: ignore[attr-defined]
    assert len(world.store.audit["tries"]) == 1


def test_a_refusal_in_a_batch_leaves_the_others_to_go_through_one_by_one() -> None:
    world = shop(stock=0)
    for n in range(5):
        received(world, reference=f"PO-{n}")
    refused: set[str] = set()

    def refuse_the_third(event: CloudEvent, uow: UnitOfWork, clock: Clock) -> None:
        uow.audit.append("batched", event.id, actor=ActorId("system"), at=clock.now(),
                         before=None, after=None)  # fmt: skip
        if event.data["reference"] == "PO-2":
            refused.add(event.id)
            raise DomainError(ErrorCode.CONCURRENT_UPDATE, "not now")

    sub = Subscription("batched", (StockReceived.type,), refuse_the_third)
    report = dispatch_once(uows(world), world.clock, (sub,), batch=5)
    assert report.handled == 4
    assert [f[1] for f in report.failed] == sorted(refused)
    entries = [e.action for e in world.store.audit["batched"]]
    assert len(entries) == 4
    assert not refused & set(entries), "the refused step left nothing"
    assert {k[1] for k in world.store.processed} == set(entries)
    assert dispatch_once(uows(world), world.clock, (sub,)).failed != []
    assert len(world.store.audit["batched"]) == 4, "the others are not run again"


def test_events_are_run_in_batches_of_the_size_asked() -> None:
    world = shop(stock=0)
    for n in range(5):
        received(world, reference=f"PO-{n}")
    transactions: list[int] = []
    factory = uows(world)

    def counting() -> UnitOfWork:
        transactions.append(1)
        return factory()

    sub = audit_noting("counted")
    report = dispatch_once(counting, world.clock, (sub,), batch=2)
    assert report.handled == 5
    assert len(transactions) == 1 + 3, "one read, then batches of 2, 2 and 1"
