"""The durable internal dispatcher: the steps that follow an event run from the outbox.

Each subscription names a consumer, the event types it takes and its handler. A tick reads, per
consumer, the events it has not handled yet, oldest first, and runs the handler for them in
batches: one transaction per batch takes the batch's events (`take`: those another worker is
handling are skipped, not waited for), records each as handled by that consumer (`claim`, a
unique key) and runs the handler. So a crash between the event and its step leaves the event
unhandled and the next tick runs the step; a step never runs twice for one event, even with
several workers ticking at once. A handler that refuses (a `DomainError`) sinks its batch, whose
events then run one transaction each, so that the others go through; the refused one changes
nothing and is tried again at the next tick.

A batch shares one commit among its events, which is most of what a step costs on a database
that flushes every commit to disk; it also holds what its steps lock (the invoice number series
of a company) until it ends, which is why batches stay small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ordoflow.application import invoicing, receiving
from ordoflow.application.ports import Clock, CloudEvent, UnitOfWork
from ordoflow.domain.errors import DomainError
from ordoflow.domain.events import StockReceived
from ordoflow.domain.fulfilment_events import ShipmentConfirmed

Consumer = Callable[[CloudEvent, UnitOfWork, Clock], None]

#: Events per transaction.
BATCH = 20


@dataclass(frozen=True, slots=True)
class Subscription:
    name: str
    types: tuple[str, ...]
    handle: Consumer


#: What follows which event.
SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("fill_backorders", (StockReceived.type,), receiving.fill_backorders),
    Subscription("invoice_shipments", (ShipmentConfirmed.type,), invoicing.invoice_shipment),
)


@dataclass(slots=True)
class DispatchReport:
    handled: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # consumer, event, error


def dispatch_once(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    subscriptions: Sequence[Subscription] = SUBSCRIPTIONS,
    limit: int = 100,
    batch: int = BATCH,
) -> DispatchReport:
    """One tick: every consumer's unhandled events, up to `limit` each, `batch` at a time.
    `uow_factory` gives writing units of work (the bus's): a batch reads before it writes."""
    report = DispatchReport()
    for sub in subscriptions:
        with uow_factory() as reader:
            events = reader.outbox.unhandled(sub.name, sub.types, limit)
        for start in range(0, len(events), batch):
            chunk = events[start : start + batch]
            if len(chunk) > 1:
                try:
                    report.handled += _in_one_transaction(sub, chunk, uow_factory, clock)
                    continue
                except DomainError:
                    pass  # a step refused: each event on its own, so that the others go through
            for event in chunk:
                try:
                    report.handled += _in_one_transaction(sub, [event], uow_factory, clock)
                except DomainError as exc:
                    report.failed.append((sub.name, event.id, f"[{exc.code}] {exc.message}"))
    return report


def _in_one_transaction(
    sub: Subscription,
    events: Sequence[CloudEvent],
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
) -> int:
    with uow_factory() as uow:
        handled = _steps(sub, events, uow, clock)
        uow.commit()
    return handled


def _steps(sub: Subscription, events: Sequence[CloudEvent], uow: UnitOfWork, clock: Clock) -> int:
    """Run the step for each event this transaction takes and claims; how many it ran."""
    free = uow.outbox.take([e.id for e in events])
    handled = 0
    for event in events:
        if event.id in free and uow.outbox.claim(sub.name, event.id, clock.now()):
            sub.handle(event, uow, clock)
            handled += 1
    return handled


__all__ = ["BATCH", "SUBSCRIPTIONS", "DispatchReport", "Subscription", "dispatch_once"]
