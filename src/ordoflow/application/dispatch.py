"""The durable internal dispatcher: the steps that follow an event run from the outbox.

Each subscription names a consumer, the event types it takes and its handler. A tick reads, per
consumer, the events it has not handled yet, oldest first, and runs the handler for each in a
transaction of its own that also records the event as handled by that consumer (`claim`, a
unique key). So a crash between the event and its step leaves the event unhandled and the next
tick runs the step; a step never runs twice for one event, even with several workers ticking at
once (the second claim of an event is refused and that worker moves on). A handler that refuses
(a `DomainError`) changes nothing and is tried again at the next tick.
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
) -> DispatchReport:
    """One tick: every consumer's unhandled events, up to `limit` each."""
    report = DispatchReport()
    for sub in subscriptions:
        with uow_factory() as reader:
            events = reader.outbox.unhandled(sub.name, sub.types, limit)
        for event in events:
            try:
                with uow_factory() as uow:
                    if not uow.outbox.claim(sub.name, event.id, clock.now()):
                        continue
                    sub.handle(event, uow, clock)
                    uow.commit()
            except DomainError as exc:
                report.failed.append((sub.name, event.id, f"[{exc.code}] {exc.message}"))
                continue
            report.handled += 1
    return report


__all__ = ["SUBSCRIPTIONS", "DispatchReport", "Subscription", "dispatch_once"]
