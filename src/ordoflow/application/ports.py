"""Ports: what the application needs from the outside world, as Protocols and small base classes
that adapters (SQL) and fakes (memory) both implement and both pass one contract suite for."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from ordoflow.application.finance_ports import (
    BillingRepository,
    InvoiceExists,
    Ledger,
    Receivables,
)
from ordoflow.application.fulfilment_ports import (
    ReturnRepository,
    ShipmentExists,
    WarehouseRepository,
)
from ordoflow.application.people_ports import CaseRepository, UserRepository
from ordoflow.domain.decisions import DecisionRecord
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.eventlog import AuditEntry, ChainHead, OrderLogEntry
from ordoflow.domain.events import DomainEvent
from ordoflow.domain.masterdata import MasterRecord, OrderReferences, PriceEntry
from ordoflow.domain.orders import Order
from ordoflow.domain.receipts import Receipt
from ordoflow.domain.values import AccountNumber, ActorId, OrderId, ShipToCode, SiteCode, Sku
from ordoflow.governance.versions import Activation, ArtifactKind, ArtifactVersion

R = TypeVar("R", bound=MasterRecord)


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class CloudEvent:
    """A CloudEvents 1.0 envelope as stored in the outbox (structured JSON mode)."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: Mapping[str, Any]
    specversion: str = "1.0"
    datacontenttype: str = "application/json"

    @classmethod
    def wrap(cls, event: DomainEvent, source: str) -> CloudEvent:
        return cls(
            id=event.event_id,
            source=source,
            type=event.type,
            subject=event.subject,
            time=event.occurred_at,
            data=event.data(),
        )


class Outbox(Protocol):
    def add(self, events: Sequence[CloudEvent]) -> None: ...
    def pending(self, limit: int = 100) -> list[CloudEvent]: ...
    def mark_published(self, event_ids: Iterable[str], at: datetime) -> None: ...

    def unhandled(self, consumer: str, types: Sequence[str], limit: int = 100) -> list[CloudEvent]:
        """Events of `types` that `consumer` has not handled, oldest first."""

    def claim(self, consumer: str, event_id: str, at: datetime) -> bool:
        """Record that `consumer` handles the event in this transaction; False (and nothing
        recorded) if it already has, in this transaction or a committed one."""

    def take(self, event_ids: Sequence[str]) -> set[str]:
        """Of these events, those no other transaction holds, held by this one until it ends;
        the others are skipped, not waited for. Where the database has no row locks (SQLite,
        whose writers take turns) every event that exists."""


class DuplicatePurchaseOrder(Exception):
    """Raised by `OrderRepository.flush` when the (customer, PO) key is already taken: another
    request placed the same PO between our read and our insert."""


class DuplicateOrderId(Exception):
    """Raised by `OrderRepository.flush` when a new order's id is already taken (random ids
    clash, rarely); the order is placed again under a fresh id."""


class OrderRepository(abc.ABC):
    """Orders by id or by customer PO. Tracks what it handed out; `flush` writes new orders and
    changed ones (with an optimistic version check) together with their new log entries."""

    def __init__(self) -> None:
        self.seen: dict[OrderId, Order] = {}

    def add(self, order: Order) -> None:
        self.seen[order.id] = order

    def get(self, order_id: OrderId, *, lock: bool = False) -> Order | None:
        """The order; with `lock`, read first in this transaction, it is also held against
        other writers until the transaction ends (a row lock where the database has them;
        SQLite's writers take turns anyway), so that what is decided from it cannot race."""
        order = self.seen.get(order_id) or self._get(order_id, lock=lock)
        if order is not None:
            self.seen[order.id] = order
        return order

    def get_by_po(self, account: AccountNumber, customer_po: str) -> Order | None:
        order = self._get_by_po(account, customer_po)
        if order is not None:
            order = self.seen.setdefault(order.id, order)
        return order

    def flush(self) -> list[DomainEvent]:
        """Write every new or changed order; return the events they recorded."""
        events: list[DomainEvent] = []
        for order in self.seen.values():
            if not order.new_log_entries:
                continue
            if order.version == 0:
                self._insert(order)
            elif not self._update(order):
                raise Conflict(
                    ErrorCode.CONCURRENT_UPDATE,
                    f"order {order.id} was changed by someone else; reload and retry",
                )
            self._append_log(order.new_log_entries)
            if order.new_decisions:
                self._append_decisions(order.new_decisions)
            order.version += 1
            order.new_log_entries = []
            order.new_decisions = []
            events.extend(order.events)
            order.events = []
        return events

    @abc.abstractmethod
    def _get(self, order_id: OrderId, *, lock: bool = False) -> Order | None: ...

    @abc.abstractmethod
    def _get_by_po(self, account: AccountNumber, customer_po: str) -> Order | None: ...

    @abc.abstractmethod
    def _insert(self, order: Order) -> None:
        """Insert header and lines; raise `DuplicatePurchaseOrder` when the customer already has
        an order under this PO (the unique key decides, not a prior read), `DuplicateOrderId`
        when the id is taken."""

    @abc.abstractmethod
    def _update(self, order: Order) -> bool:
        """Update header and lines where the stored version is `order.version`; False if not."""

    @abc.abstractmethod
    def _append_log(self, entries: Sequence[OrderLogEntry]) -> None: ...

    @abc.abstractmethod
    def _append_decisions(self, decisions: Sequence[DecisionRecord]) -> None: ...

    @abc.abstractmethod
    def decisions(self, order_id: OrderId) -> list[DecisionRecord]:
        """The order's decisions in the order they were taken."""

    @abc.abstractmethod
    def recent_decisions(
        self, table: str, limit: int, sites: frozenset[SiteCode] | None = None
    ) -> list[DecisionRecord]:
        """The latest decisions that evaluated `table`, one per order (its latest), newest
        first, of orders at `sites` (None: every site): the stored inputs a what-if replays."""

    @abc.abstractmethod
    def open_value(self, account: AccountNumber, excluding: OrderId) -> Decimal:
        """The value of the live lines of the customer's orders that are not closed, rejected
        or cancelled, apart from `excluding`: what the customer may yet owe."""

    @abc.abstractmethod
    def placed_since(
        self, account: AccountNumber, since: datetime, excluding: OrderId
    ) -> tuple[int, Decimal]:
        """How many orders the customer placed at or after `since`, apart from `excluding`,
        that are not rejected or cancelled, and the value of their lines that are not: what
        tells an order split to stay under a threshold."""

    @abc.abstractmethod
    def waiting_for(self, site: SiteCode, skus: Iterable[Sku]) -> list[OrderId]:
        """Orders that may take stock at `site` (their sourcing plan names it; without a plan,
        their own site is it) waiting in the process for any of `skus` (backordered or
        partially allocated, a live line of one of them short), first by priority (highest
        first), then requested date, then age."""

    @abc.abstractmethod
    def latest(
        self,
        limit: int = 50,
        status: str | None = None,
        sites: frozenset[SiteCode] | None = None,
    ) -> list[Order]:
        """Newest first, optionally only those in `status`, of orders at `sites` (None: every
        site)."""

    @abc.abstractmethod
    def log(self, order_id: OrderId) -> list[OrderLogEntry]: ...

    @abc.abstractmethod
    def log_between(self, start: datetime, end: datetime) -> list[OrderLogEntry]:
        """Every order's log entries with start <= occurred_at < end, in time order."""

    @abc.abstractmethod
    def chains(self) -> Iterator[tuple[OrderId, ChainHead, list[OrderLogEntry]]]:
        """Every order's head and log entries in stored order, for audit verification."""


class StockRepository(Protocol):
    """Stock per item and site. Every change is one guarded statement, never read-then-write."""

    def reserve(self, sku: Sku, site: SiteCode, quantity: int) -> bool:
        """Allocate `quantity` if that many are available; False and nothing changed if not."""

    def unreserve(self, sku: Sku, site: SiteCode, quantity: int) -> None: ...

    def issue(self, sku: Sku, site: SiteCode, quantity: int) -> None:
        """Take allocated units out of on hand (they left the building)."""

    def available(self, sku: Sku, site: SiteCode) -> int: ...

    def on_hand(self, sku: Sku) -> int:
        """Units on hand at every site."""

    def levels(
        self, skus: Iterable[Sku], sites: Iterable[SiteCode]
    ) -> dict[tuple[Sku, SiteCode], int]:
        """Units available per item and site, in one read (a row missing counts as 0)."""

    def set_on_hand(self, sku: Sku, site: SiteCode, on_hand: int) -> bool:
        """Set on hand (creating the row); False if below what is already allocated."""

    def receive(self, sku: Sku, site: SiteCode, quantity: int) -> bool:
        """Add `quantity` (negative: count units out) to on hand, creating the row; False and
        nothing changed if on hand would drop below what is allocated."""

    def add_receipt(self, receipt: Receipt) -> None:
        """Keep a receipt; `Conflict(DUPLICATE_RECEIPT)` if its site and reference are taken."""

    def receipt(self, site: SiteCode, reference: str) -> Receipt | None: ...


class RecordRepository(Protocol):
    """Master data records by kind and key."""

    def get(self, kind: type[R], key: tuple[str, ...]) -> R | None: ...
    def get_many(
        self, kind: type[R], keys: Iterable[tuple[str, ...]]
    ) -> dict[tuple[str, ...], R]: ...
    def add(self, record: MasterRecord) -> None:
        """Insert; `Conflict(DUPLICATE_RECORD)` if the key exists."""

    def update(self, record: MasterRecord) -> None:
        """Replace; `NotFound(UNKNOWN_RECORD)` if the key does not exist."""

    def all(self, kind: type[R]) -> list[R]: ...
    def prices_for(self, skus: Iterable[Sku]) -> list[PriceEntry]:
        """Every price entry of these items, for all customers."""

    def order_references(
        self, account: AccountNumber, ship_to: ShipToCode, site: SiteCode, skus: Iterable[Sku]
    ) -> OrderReferences:
        """The customer, whether its ship-to and the site exist, and the items, in one read."""


class AuditLog(Protocol):
    """Hash-chained audit entries per stream (one stream per record, case, template...)."""

    def append(
        self,
        stream: str,
        action: str,
        *,
        actor: ActorId,
        at: datetime,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        reason_code: str | None = None,
    ) -> AuditEntry: ...

    def entries(self, stream: str) -> list[AuditEntry]: ...
    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        """Entries of every stream with start <= occurred_at < end, in time order."""

    def chains(self) -> Iterator[tuple[str, ChainHead, list[AuditEntry]]]: ...


class VersionRepository(Protocol):
    """Versions of governed artifacts. `save` writes a changed version with an optimistic check
    and returns False when someone else changed it first."""

    def next_number(self, kind: ArtifactKind, name: str) -> int: ...
    def add(self, version: ArtifactVersion) -> None: ...
    def get(self, kind: ArtifactKind, name: str, number: int) -> ArtifactVersion | None: ...
    def save(self, version: ArtifactVersion) -> bool: ...
    def history(self, kind: ArtifactKind, name: str) -> list[ArtifactVersion]:
        """Every version of one artifact, oldest first."""

    def published(self, kind: ArtifactKind) -> list[ArtifactVersion]:
        """Every published version of every artifact of one kind."""

    def add_activation(self, activation: Activation) -> None: ...
    def activation(self, activation_id: str) -> Activation | None: ...
    def save_activation(self, activation: Activation) -> None: ...
    def activations(self, template: str) -> list[Activation]:
        """Every activation of a template's versions, in the order they were requested."""

    def revision(self) -> tuple[int, ...]:
        """Changes whenever any version or activation is added or changed: a cheap check that
        a process resolved earlier still holds."""


class UnitOfWork(abc.ABC):
    """One transaction: aggregate changes, their log and audit rows and their outbox rows commit
    together or not at all. Leaving the block without `commit` rolls everything back."""

    orders: OrderRepository
    stock: StockRepository
    records: RecordRepository
    audit: AuditLog
    outbox: Outbox
    versions: VersionRepository
    users: UserRepository
    cases: CaseRepository
    warehouse: WarehouseRepository
    returns: ReturnRepository
    billing: BillingRepository
    ledger: Ledger
    event_source: str = "urn:ordoflow"
    #: Derived data kept between units of work on the same database (resolved processes,
    #: keyed by what they were derived from); shared by every unit of work of one factory.
    memo: dict[Any, Any]

    def __enter__(self) -> Self:
        self._events: list[DomainEvent] = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def record(self, event: DomainEvent) -> None:
        """Queue an event that is not an order's for the outbox of this transaction."""
        self._events.append(event)

    def commit(self) -> None:
        events = self.orders.flush() + self.cases.flush() + self._events
        self.warehouse.flush()
        self._events = []
        if events:
            self.outbox.add([CloudEvent.wrap(e, self.event_source) for e in events])
        self._commit()

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


__all__ = [
    "AuditLog",
    "BillingRepository",
    "CaseRepository",
    "Clock",
    "CloudEvent",
    "DuplicateOrderId",
    "DuplicatePurchaseOrder",
    "InvoiceExists",
    "Ledger",
    "OrderRepository",
    "Outbox",
    "Receivables",
    "RecordRepository",
    "ReturnRepository",
    "ShipmentExists",
    "StockRepository",
    "UnitOfWork",
    "UserRepository",
    "VersionRepository",
    "WarehouseRepository",
]
