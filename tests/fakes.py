"""Fakes of the ports for unit tests of the core. Each passes the same contract suite as the SQL
adapter (tests/contract), so a unit test through the bus means what it says."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Self, TypeVar

from ordoflow.application.messagebus import MessageBus
from ordoflow.application.ports import (
    CaseRepository,
    CloudEvent,
    DuplicateOrderId,
    DuplicatePurchaseOrder,
    OrderRepository,
    UnitOfWork,
)
from ordoflow.domain.cases import Case
from ordoflow.domain.decisions import DecisionRecord, Outcome
from ordoflow.domain.errors import Conflict, ErrorCode, NotFound
from ordoflow.domain.eventlog import AuditEntry, ChainHead, OrderLogEntry, sealed_audit_entry
from ordoflow.domain.invoicing import CreditMemo, Invoice
from ordoflow.domain.ledger import JournalEntry
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import (
    Customer,
    Item,
    MasterRecord,
    OrderReferences,
    PriceEntry,
    ShipTo,
    Site,
    StockLevel,
)
from ordoflow.domain.orders import Order
from ordoflow.domain.people import Delegation, User
from ordoflow.domain.receipts import Receipt
from ordoflow.domain.returns import ReturnAuthorization
from ordoflow.domain.values import AccountNumber, ActorId, OrderId, ShipToCode, SiteCode, Sku
from ordoflow.domain.warehouse import Shipment, WarehouseRequest, WarehouseRequestId
from ordoflow.governance.versions import (
    Activation,
    ArtifactKind,
    ArtifactVersion,
    VersionStatus,
)
from tests.fakes_fulfilment import (
    FakeBillingRepository,
    FakeLedger,
    FakeReturnRepository,
    FakeWarehouseRepository,
)

R = TypeVar("R", bound=MasterRecord)


class FakeClock:
    """Time that moves only when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class Store:
    """Everything the fakes hold; a unit of work works on a copy and swaps it in on commit."""

    orders: dict[OrderId, Order] = field(default_factory=dict)
    log: dict[OrderId, list[OrderLogEntry]] = field(default_factory=dict)
    decisions: dict[OrderId, list[DecisionRecord]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    records: dict[tuple[str, tuple[str, ...]], MasterRecord] = field(default_factory=dict)
    audit: dict[str, list[AuditEntry]] = field(default_factory=dict)
    audit_heads: dict[str, ChainHead] = field(default_factory=dict)
    outbox: list[tuple[CloudEvent, datetime | None]] = field(default_factory=list)
    versions: dict[tuple[ArtifactKind, str, int], ArtifactVersion] = field(default_factory=dict)
    activations: dict[str, Activation] = field(default_factory=dict)
    receipts: dict[tuple[str, str], Receipt] = field(default_factory=dict)
    processed: dict[tuple[str, str], datetime] = field(default_factory=dict)
    requests: dict[WarehouseRequestId, WarehouseRequest] = field(default_factory=dict)
    shipments: dict[tuple[str, str], Shipment] = field(default_factory=dict)
    sequences: dict[tuple[str, str], int] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    memos: dict[str, CreditMemo] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)
    returns: dict[str, ReturnAuthorization] = field(default_factory=dict)


def _snapshot(order: Order) -> Order:
    return dataclasses.replace(
        copy.deepcopy(order), new_log_entries=[], new_decisions=[], events=[]
    )


class FakeOrderRepository(OrderRepository):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def _get(self, order_id: OrderId, *, lock: bool = False) -> Order | None:
        del lock  # one process: nothing to hold against
        order = self.store.orders.get(order_id)
        return _snapshot(order) if order else None

    def _get_by_po(self, account: AccountNumber, customer_po: str) -> Order | None:
        for order in self.store.orders.values():
            if order.header.account_number == account and order.header.customer_po == customer_po:
                return _snapshot(order)
        return None

    def _insert(self, order: Order) -> None:
        h = order.header
        if self._get_by_po(h.account_number, h.customer_po) is not None:
            raise DuplicatePurchaseOrder(h.customer_po)
        if order.id in self.store.orders:
            raise DuplicateOrderId(order.id)
        self.store.orders[order.id] = dataclasses.replace(_snapshot(order), version=1)

    def _update(self, order: Order) -> bool:
        stored = self.store.orders.get(order.id)
        if stored is None or stored.version != order.version:
            return False
        if order.body_changed:
            h = order.header
            other = self._get_by_po(h.account_number, h.customer_po)
            if other is not None and other.id != order.id:
                raise Conflict(ErrorCode.DUPLICATE_PO_CONFLICT,
                               f"customer {h.account_number} already has an order under PO "
                               f"{h.customer_po!r}")  # fmt: skip
            order.body_changed = False
        self.store.orders[order.id] = dataclasses.replace(
            _snapshot(order), version=order.version + 1
        )
        return True

    def _append_log(self, entries: Sequence[OrderLogEntry]) -> None:
        for e in entries:
            self.store.log.setdefault(e.order_id, []).append(e)

    def _append_decisions(self, decisions: Sequence[DecisionRecord]) -> None:
        for d in decisions:
            self.store.decisions.setdefault(d.order_id, []).append(d)

    def decisions(self, order_id: OrderId) -> list[DecisionRecord]:
        return list(self.store.decisions.get(order_id, []))

    def recent_decisions(
        self, table: str, limit: int, sites: frozenset[SiteCode] | None = None
    ) -> list[DecisionRecord]:
        latest = [next((d for d in reversed(found)
                        if d.table == table and d.outcome is not Outcome.ACCEPTED), None)
                  for oid, found in self.store.decisions.items()
                  if sites is None or self.store.orders[oid].header.site in sites]  # fmt: skip
        chosen = sorted((d for d in latest if d is not None),
                        key=lambda d: (-d.decided_at.timestamp(), d.order_id))  # fmt: skip
        return chosen[:limit]

    def open_value(self, account: AccountNumber, excluding: OrderId) -> Decimal:
        settled = {"closed", "rejected", "cancelled"}
        return sum(
            (ln.unit_price * (ln.quantity - ln.shipped_qty) for o in self.store.orders.values()
             if o.header.account_number == account and o.id != excluding
             and o.status.value not in settled
             for ln in o.lines if ln.status.value not in settled),
            Decimal(0),
        )  # fmt: skip

    def placed_since(
        self, account: AccountNumber, since: datetime, excluding: OrderId
    ) -> tuple[int, Decimal]:
        withdrawn = {"rejected", "cancelled"}
        found = [o for o in self.store.orders.values()
                 if o.header.account_number == account and o.id != excluding
                 and o.received_at >= since and o.status.value not in withdrawn]  # fmt: skip
        value = sum((ln.amount for o in found for ln in o.lines
                     if ln.status.value not in withdrawn), Decimal(0))  # fmt: skip
        return len(found), value

    def waiting_for(self, site: SiteCode, skus: Iterable[Sku]) -> list[OrderId]:
        wanted = set(skus)
        waiting = {OrderStatus.BACKORDERED, OrderStatus.PARTIALLY_ALLOCATED}
        found = [o for o in self.store.orders.values()
                 if site in (o.sourcing.sites if o.sourcing else (o.header.site,))
                 and o.status in waiting and o.process_step is not None
                 and any(ln.sku in wanted and ln.allocated_qty < ln.quantity
                         and ln.status.value not in {"cancelled", "rejected"}
                         for ln in o.lines)]  # fmt: skip
        found.sort(key=lambda o: (-(o.priority or 0), o.header.requested_date, o.received_at,
                                  o.id))  # fmt: skip
        return [o.id for o in found]

    def latest(
        self,
        limit: int = 50,
        status: str | None = None,
        sites: frozenset[SiteCode] | None = None,
    ) -> list[Order]:
        found = [o for o in self.store.orders.values()
                 if (status is None or o.status == status)
                 and (sites is None or o.header.site in sites)]  # fmt: skip
        found.sort(key=lambda o: (o.received_at, o.id), reverse=True)
        return [_snapshot(o) for o in found[:limit]]

    def log(self, order_id: OrderId) -> list[OrderLogEntry]:
        return list(self.store.log.get(order_id, []))

    def log_between(self, start: datetime, end: datetime) -> list[OrderLogEntry]:
        found = [e for log in self.store.log.values() for e in log
                 if start <= e.occurred_at < end]  # fmt: skip
        return sorted(found, key=lambda e: (e.occurred_at, e.order_id, e.seq))

    def chains(self) -> Iterator[tuple[OrderId, ChainHead, list[OrderLogEntry]]]:
        for order_id, order in sorted(self.store.orders.items()):
            yield order_id, order.log_head, self.log(order_id)


class FakeStockRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _level(self, sku: Sku, site: SiteCode) -> StockLevel | None:
        found = self.store.records.get((StockLevel.KIND, (sku, site)))
        return found if isinstance(found, StockLevel) else None

    def _put(self, level: StockLevel) -> None:
        self.store.records[(StockLevel.KIND, level.key)] = level

    def reserve(self, sku: Sku, site: SiteCode, quantity: int) -> bool:
        level = self._level(sku, site)
        if quantity <= 0:
            raise ValueError(f"stock moves are positive, got {quantity}")
        if level is None or level.available < quantity:
            return False
        self._put(dataclasses.replace(level, allocated=level.allocated + quantity))
        return True

    def unreserve(self, sku: Sku, site: SiteCode, quantity: int) -> None:
        level = self._level(sku, site)
        if level is None or level.allocated < quantity:
            raise RuntimeError(f"{sku}@{site}: fewer than {quantity} units are allocated")
        self._put(dataclasses.replace(level, allocated=level.allocated - quantity))

    def issue(self, sku: Sku, site: SiteCode, quantity: int) -> None:
        level = self._level(sku, site)
        if level is None or level.allocated < quantity:
            raise RuntimeError(f"{sku}@{site}: fewer than {quantity} units are allocated")
        self._put(dataclasses.replace(
            level, allocated=level.allocated - quantity, on_hand=level.on_hand - quantity
        ))  # fmt: skip

    def available(self, sku: Sku, site: SiteCode) -> int:
        level = self._level(sku, site)
        return level.available if level else 0

    def on_hand(self, sku: Sku) -> int:
        return sum(level.on_hand for level in self.store.records.values()
                   if isinstance(level, StockLevel) and level.sku == sku)  # fmt: skip

    def levels(
        self, skus: Iterable[Sku], sites: Iterable[SiteCode]
    ) -> dict[tuple[Sku, SiteCode], int]:
        found = {(sku, site): self._level(sku, site) for sku in set(skus) for site in set(sites)}
        return {key: level.available for key, level in found.items() if level is not None}

    def receive(self, sku: Sku, site: SiteCode, quantity: int) -> bool:
        level = self._level(sku, site) or StockLevel(sku, site, 0)
        if level.on_hand + quantity < level.allocated:
            return False
        self._put(dataclasses.replace(level, on_hand=level.on_hand + quantity))
        return True

    def add_receipt(self, receipt: Receipt) -> None:
        key = (receipt.site, receipt.reference)
        if key in self.store.receipts:
            message = f"{receipt.site} already has a receipt {receipt.reference!r}"
            raise Conflict(ErrorCode.DUPLICATE_RECEIPT, message)
        self.store.receipts[key] = receipt

    def receipt(self, site: SiteCode, reference: str) -> Receipt | None:
        return self.store.receipts.get((site, reference))

    def set_on_hand(self, sku: Sku, site: SiteCode, on_hand: int) -> bool:
        level = self._level(sku, site)
        if level is not None and level.allocated > on_hand:
            return False
        self._put(StockLevel(sku, site, on_hand, level.allocated if level else 0))
        return True


class FakeRecordRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, kind: type[R], key: tuple[str, ...]) -> R | None:
        found = self.store.records.get((kind.KIND, key))
        return found if isinstance(found, kind) else None

    def get_many(self, kind: type[R], keys: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], R]:
        return {k: rec for k in set(keys) if (rec := self.get(kind, k)) is not None}

    def add(self, record: MasterRecord) -> None:
        if (record.KIND, record.key) in self.store.records:
            raise Conflict(ErrorCode.DUPLICATE_RECORD, f"{record.KIND} {record.key} exists")
        self.store.records[(record.KIND, record.key)] = record

    def update(self, record: MasterRecord) -> None:
        if (record.KIND, record.key) not in self.store.records:
            raise NotFound(ErrorCode.UNKNOWN_RECORD, f"no {record.KIND} {record.key}")
        self.store.records[(record.KIND, record.key)] = record

    def order_references(
        self, account: AccountNumber, ship_to: ShipToCode, site: SiteCode, skus: Iterable[Sku]
    ) -> OrderReferences:
        customer = self.get(Customer, (account,))
        return OrderReferences(
            customer=customer,
            ship_to=None if customer is None else self.get(ShipTo, (account, ship_to)),
            site_known=customer is not None and self.get(Site, (site,)) is not None,
            site_time_zone=(found.time_zone if customer is not None
                            and (found := self.get(Site, (site,))) is not None else "UTC"),
            items={} if customer is None else {
                i.sku: i for i in self.get_many(Item, [(s,) for s in skus]).values()
            },
        )  # fmt: skip

    def prices_for(self, skus: Iterable[Sku]) -> list[PriceEntry]:
        wanted = set(skus)
        return [p for p in self.all(PriceEntry) if p.sku in wanted]

    def all(self, kind: type[R]) -> list[R]:
        found = [r for (k, _), r in self.store.records.items() if k == kind.KIND]
        return sorted((r for r in found if isinstance(r, kind)), key=lambda r: r.key)


class FakeAuditLog:
    def __init__(self, store: Store) -> None:
        self.store = store

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
    ) -> AuditEntry:
        entry = sealed_audit_entry(
            stream=stream, head=self.store.audit_heads.get(stream, ChainHead()), action=action,
            occurred_at=at, actor=actor, before=before, after=after, reason_code=reason_code,
        )  # fmt: skip
        self.store.audit.setdefault(stream, []).append(entry)
        self.store.audit_heads[stream] = ChainHead(entry.seq, entry.hash)
        return entry

    def between(self, start: datetime, end: datetime) -> list[AuditEntry]:
        found = [e for log in self.store.audit.values() for e in log
                 if start <= e.occurred_at < end]  # fmt: skip
        return sorted(found, key=lambda e: (e.occurred_at, e.stream, e.seq))

    def entries(self, stream: str) -> list[AuditEntry]:
        return list(self.store.audit.get(stream, []))

    def chains(self) -> Iterator[tuple[str, ChainHead, list[AuditEntry]]]:
        for stream in sorted(self.store.audit_heads.keys() | self.store.audit.keys()):
            yield stream, self.store.audit_heads.get(stream, ChainHead()), self.entries(stream)


class FakeOutbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, events: Sequence[CloudEvent]) -> None:
        known = {e.id for e, _ in self.store.outbox}
        if any(e.id in known for e in events):
            raise Conflict(ErrorCode.DUPLICATE_EVENT, "event id already in the outbox")
        self.store.outbox.extend((e, None) for e in events)

    def pending(self, limit: int = 100) -> list[CloudEvent]:
        return [e for e, published in self.store.outbox if published is None][:limit]

    def mark_published(self, event_ids: Iterable[str], at: datetime) -> None:
        ids = set(event_ids)
        self.store.outbox = [(e, at if e.id in ids else p) for e, p in self.store.outbox]

    def unhandled(self, consumer: str, types: Sequence[str], limit: int = 100) -> list[CloudEvent]:
        done = self.store.processed
        found = [
            e for e, _ in self.store.outbox if e.type in types and (consumer, e.id) not in done
        ]
        return found[:limit]

    def claim(self, consumer: str, event_id: str, at: datetime) -> bool:
        if (consumer, event_id) in self.store.processed:
            return False
        self.store.processed[(consumer, event_id)] = at
        return True

    def take(self, event_ids: Sequence[str]) -> set[str]:
        known = {e.id for e, _ in self.store.outbox}
        return {i for i in event_ids if i in known}


class FakeVersionRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def next_number(self, kind: ArtifactKind, name: str) -> int:
        return 1 + max((n for k, a, n in self.store.versions if (k, a) == (kind, name)), default=0)

    def add(self, version: ArtifactVersion) -> None:
        key = (version.kind, version.name, version.number)
        if key in self.store.versions:
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"{version.label} exists")
        version.row_version += 1
        self.store.versions[key] = copy.deepcopy(version)

    def get(self, kind: ArtifactKind, name: str, number: int) -> ArtifactVersion | None:
        found = self.store.versions.get((kind, name, number))
        return copy.deepcopy(found) if found else None

    def save(self, version: ArtifactVersion) -> bool:
        key = (version.kind, version.name, version.number)
        stored = self.store.versions.get(key)
        if stored is None or stored.row_version != version.row_version:
            return False
        version.row_version += 1
        self.store.versions[key] = copy.deepcopy(version)
        return True

    def history(self, kind: ArtifactKind, name: str) -> list[ArtifactVersion]:
        keys = sorted(k for k in self.store.versions if k[:2] == (kind, name))
        return [copy.deepcopy(self.store.versions[k]) for k in keys]

    def published(self, kind: ArtifactKind) -> list[ArtifactVersion]:
        keys = sorted(k for k in self.store.versions if k[0] == kind)
        found = [self.store.versions[k] for k in keys]
        return [copy.deepcopy(v) for v in found if v.status is VersionStatus.PUBLISHED]

    def add_activation(self, activation: Activation) -> None:
        self.store.activations[activation.id] = copy.deepcopy(activation)

    def activation(self, activation_id: str) -> Activation | None:
        found = self.store.activations.get(activation_id)
        return copy.deepcopy(found) if found else None

    def save_activation(self, activation: Activation) -> None:
        self.store.activations[activation.id] = copy.deepcopy(activation)

    def activations(self, template: str) -> list[Activation]:
        found = [a for a in self.store.activations.values() if a.template == template]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: (a.effective_from, a.id))]

    def revision(self) -> tuple[int, ...]:
        versions = self.store.versions.values()
        decided = sum(a.decided_by is not None for a in self.store.activations.values())
        return (len(versions), sum(v.row_version for v in versions),
                len(self.store.activations), decided)  # fmt: skip


class FakeUserRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, user_id: str) -> User | None:
        return self.store.users.get(user_id)

    def add(self, user: User) -> None:
        if user.id in self.store.users:
            raise Conflict(ErrorCode.DUPLICATE_RECORD, f"user {user.id} already exists")
        self.store.users[user.id] = user

    def save(self, user: User) -> None:
        self.store.users[user.id] = user

    def all(self) -> list[User]:
        return [self.store.users[k] for k in sorted(self.store.users)]

    def add_delegation(self, delegation: Delegation) -> None:
        self.store.delegations[delegation.id] = delegation

    def delegations_to(self, user_id: str) -> list[Delegation]:
        found = [d for d in self.store.delegations.values() if d.delegate == user_id]
        return sorted(found, key=lambda d: (d.valid_from, d.id))


class FakeCaseRepository(CaseRepository):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def _copy(self, case: Case) -> Case:
        return self.seen.setdefault(case.id, dataclasses.replace(copy.deepcopy(case), events=[]))

    def _get(self, case_id: str) -> Case | None:
        case = self.store.cases.get(case_id)
        return None if case is None else self._copy(case)

    def _insert(self, case: Case) -> None:
        self.store.cases[case.id] = dataclasses.replace(copy.deepcopy(case), events=[],
                                                        version=1)  # fmt: skip

    def _update(self, case: Case) -> bool:
        stored = self.store.cases.get(case.id)
        if stored is None or stored.version != case.version:
            return False
        self.store.cases[case.id] = dataclasses.replace(copy.deepcopy(case), events=[],
                                                        version=case.version + 1)  # fmt: skip
        return True

    def _many(self, keep: Callable[[Case], bool]) -> list[Case]:
        found = sorted((c for c in self.store.cases.values() if keep(c)),
                       key=lambda c: (c.opened_at, c.id))  # fmt: skip
        return [self._copy(c) for c in found]

    def for_order(self, order_id: OrderId) -> list[Case]:
        return self._many(lambda c: c.order_id == order_id)

    def live(self, queue: str | None = None) -> list[Case]:
        return self._many(lambda c: c.is_live and (queue is None or c.queue == queue))

    def due(self, at: datetime) -> list[Case]:
        return self._many(lambda c: c.is_live and c.due_at <= at)


class FakeUnitOfWork(UnitOfWork):
    """Works on a deep copy of the shared store. Commit checks, against the shared store, what a
    database would (an order changed by someone else since it was read, a PO taken meanwhile),
    then merges in what this unit of work changed, key by key."""

    def __init__(self, store: Store | None = None, memo: dict[Any, Any] | None = None) -> None:
        self.shared = store or Store()
        self.memo = {} if memo is None else memo
        self.commits = 0

    def __enter__(self) -> Self:
        self.working = copy.deepcopy(self.shared)
        self.base = copy.deepcopy(self.shared)
        self.orders = FakeOrderRepository(self.working)
        self.stock = FakeStockRepository(self.working)
        self.records = FakeRecordRepository(self.working)
        self.audit = FakeAuditLog(self.working)
        self.outbox = FakeOutbox(self.working)
        self.versions = FakeVersionRepository(self.working)
        self.users = FakeUserRepository(self.working)
        self.cases = FakeCaseRepository(self.working)
        self.warehouse = FakeWarehouseRepository(self.working)
        self.billing = FakeBillingRepository(self.working)
        self.ledger = FakeLedger(self.working)
        self.returns = FakeReturnRepository(self.working)
        return super().__enter__()

    def _commit(self) -> None:
        shared, base, working = self.shared, self.base, self.working
        for oid, order in working.orders.items():
            if oid not in base.orders:
                h = order.header
                taken = any(
                    o.header.account_number == h.account_number
                    and o.header.customer_po == h.customer_po
                    for o in shared.orders.values()
                )
                if taken:
                    raise DuplicatePurchaseOrder(h.customer_po)
                if oid in shared.orders:
                    raise DuplicateOrderId(oid)
            elif (
                order.version != base.orders[oid].version
                and shared.orders[oid].version != base.orders[oid].version
            ):
                raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"order {oid} changed meanwhile")
        for cid, case in working.cases.items():
            if (
                cid in base.cases
                and case.version != base.cases[cid].version
                and (shared.cases[cid].version != base.cases[cid].version)
            ):
                raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"case {cid} changed meanwhile")
        if any(k in shared.processed for k in working.processed.keys() - base.processed.keys()):
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, "the event was handled meanwhile")
        _check_warehouse(shared, base, working)
        for key, receipt in working.receipts.items():
            if key not in base.receipts and key in shared.receipts:
                message = f"{receipt.site} already has a receipt {receipt.reference!r}"
                raise Conflict(ErrorCode.DUPLICATE_RECEIPT, message)
        _merge(shared.orders, base.orders, working.orders)
        _merge(shared.cases, base.cases, working.cases)
        _merge(shared.users, base.users, working.users)
        _merge(shared.delegations, base.delegations, working.delegations)
        _merge(shared.log, base.log, working.log)
        _merge(shared.decisions, base.decisions, working.decisions)
        _merge(shared.records, base.records, working.records)
        _merge(shared.audit, base.audit, working.audit)
        _merge(shared.audit_heads, base.audit_heads, working.audit_heads)
        _merge(shared.versions, base.versions, working.versions)
        _merge(shared.activations, base.activations, working.activations)
        _merge(shared.receipts, base.receipts, working.receipts)
        _merge(shared.processed, base.processed, working.processed)
        _merge(shared.requests, base.requests, working.requests)
        _merge(shared.shipments, base.shipments, working.shipments)
        _merge(shared.sequences, base.sequences, working.sequences)
        _merge(shared.invoices, base.invoices, working.invoices)
        _merge(shared.memos, base.memos, working.memos)
        _merge(shared.returns, base.returns, working.returns)
        shared.journal.extend(working.journal[len(base.journal) :])
        published = {e.id: at for e, at in working.outbox if at is not None}
        shared.outbox = [(e, published.get(e.id, at)) for e, at in shared.outbox]
        shared.outbox.extend(working.outbox[len(base.outbox) :])
        self.commits += 1

    def rollback(self) -> None:
        """Nothing to undo: uncommitted work lives only in the copy."""


def _check_warehouse(shared: Store, base: Store, working: Store) -> None:
    """What the database refuses at commit: a request or return changed meanwhile, a shipment
    or invoice whose key was taken meanwhile, a document number taken meanwhile."""
    versioned: tuple[tuple[Any, Any, Any], ...] = (
        (working.requests, base.requests, shared.requests),
        (working.returns, base.returns, shared.returns),
    )
    for mine, before, now in versioned:
        for key, item in mine.items():
            if key in before and before[key].version not in (item.version, now[key].version):
                raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"{key} changed meanwhile")
    if any(k in shared.shipments for k in working.shipments.keys() - base.shipments.keys()):
        raise Conflict(ErrorCode.CONCURRENT_UPDATE, "the shipment was confirmed meanwhile")
    if any(k in shared.invoices for k in working.invoices.keys() - base.invoices.keys()):
        raise Conflict(ErrorCode.CONCURRENT_UPDATE, "the shipment was invoiced meanwhile")
    if any(shared.sequences.get(k) != base.sequences.get(k) for k in working.sequences):
        raise Conflict(ErrorCode.CONCURRENT_UPDATE, "a document number was taken meanwhile")


def _merge(shared: dict[Any, Any], base: dict[Any, Any], working: dict[Any, Any]) -> None:
    for key, value in working.items():
        if key not in base or base[key] != value:
            shared[key] = copy.deepcopy(value)


def fake_bus(clock: FakeClock | None = None) -> tuple[MessageBus, Store, FakeClock]:
    store, memo = Store(), {}  # type: ignore[var-annotated]
    clock = clock or FakeClock()
    return MessageBus(lambda: FakeUnitOfWork(store, memo), clock), store, clock


__all__ = ["FakeClock", "FakeUnitOfWork", "Store", "fake_bus"]
