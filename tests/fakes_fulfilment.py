"""In-memory warehouse requests and shipments for unit tests of the core; they pass the same
contract suite as the SQL repository (tests/contract)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ordoflow.application.finance_ports import InvoiceExists, Receivables
from ordoflow.application.fulfilment_ports import ShipmentExists
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.invoicing import CreditMemo, Invoice, InvoiceStatus
from ordoflow.domain.ledger import Account, BalanceRow, JournalEntry
from ordoflow.domain.returns import ReturnAuthorization, ReturnId
from ordoflow.domain.values import AccountNumber, CurrencyCode, OrderId, SiteCode
from ordoflow.domain.warehouse import Shipment, WarehouseRequest, WarehouseRequestId

if TYPE_CHECKING:
    from tests.fakes import Store


class FakeWarehouseRepository:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: list[WarehouseRequest] = []

    def add_requests(self, requests: Sequence[WarehouseRequest]) -> None:
        self.pending.extend(requests)

    def flush(self) -> None:
        for r in self.pending:
            if r.id in self.store.requests:
                raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"request {r.id} exists")
            r.version += 1
            self.store.requests[r.id] = copy.deepcopy(r)
        self.pending = []

    def request(self, request_id: WarehouseRequestId) -> WarehouseRequest | None:
        found = self.store.requests.get(request_id)
        return copy.deepcopy(found) if found else None

    def requests_for(self, order_id: OrderId) -> list[WarehouseRequest]:
        found = [r for r in self.store.requests.values() if r.order_id == order_id]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: r.site)]

    def open_requests(
        self, sites: frozenset[SiteCode] | None = None, limit: int = 100
    ) -> list[WarehouseRequest]:
        found = [r for r in self.store.requests.values()
                 if r.is_open and (sites is None or r.site in sites)]  # fmt: skip
        found.sort(key=lambda r: (r.released_at, r.id))
        return [copy.deepcopy(r) for r in found[:limit]]

    def save_request(self, request: WarehouseRequest) -> None:
        stored = self.store.requests.get(request.id)
        if stored is None or stored.version != request.version:
            message = f"warehouse request {request.id} was changed meanwhile; try again"
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, message)
        request.version += 1
        self.store.requests[request.id] = copy.deepcopy(request)

    def add_shipment(self, shipment: Shipment) -> None:
        key = (shipment.site, shipment.reference)
        if key in self.store.shipments:
            raise ShipmentExists(f"{shipment.site}/{shipment.reference}")
        self.store.shipments[key] = shipment

    def shipment(self, site: SiteCode, reference: str) -> Shipment | None:
        return self.store.shipments.get((site, reference))

    def shipments_for(self, order_id: OrderId) -> list[Shipment]:
        found = [s for s in self.store.shipments.values() if s.order_id == order_id]
        return sorted(found, key=lambda s: (s.confirmed_at, s.site))

    def deliver(self, site: SiteCode, reference: str, at: datetime, received_by: str) -> bool:
        found = self.store.shipments.get((site, reference))
        if found is None or found.delivered_at is not None:
            return False
        self.store.shipments[(site, reference)] = dataclasses.replace(
            found, delivered_at=at, received_by=received_by
        )
        return True


__all__ = ["FakeWarehouseRepository"]


class FakeReturnRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, rma: ReturnAuthorization) -> None:
        rma.version += 1
        self.store.returns[rma.id] = copy.deepcopy(rma)

    def get(self, rma_id: ReturnId) -> ReturnAuthorization | None:
        found = self.store.returns.get(rma_id)
        return copy.deepcopy(found) if found else None

    def for_order(self, order_id: OrderId) -> list[ReturnAuthorization]:
        found = [r for r in self.store.returns.values() if r.order_id == order_id]
        found.sort(key=lambda r: (r.requested_at, r.id))
        return [copy.deepcopy(r) for r in found]

    def save(self, rma: ReturnAuthorization) -> None:
        stored = self.store.returns.get(rma.id)
        if stored is None or stored.version != rma.version:
            message = f"return {rma.id} was changed meanwhile; try again"
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, message)
        rma.version += 1
        self.store.returns[rma.id] = copy.deepcopy(rma)


class FakeBillingRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def next_number(self, company: str, series: str) -> int:
        key = (company, series)
        taken = self.store.sequences.get(key, 1)
        self.store.sequences[key] = taken + 1
        return taken

    def add_invoice(self, invoice: Invoice) -> None:
        if invoice.id in self.store.invoices:
            raise InvoiceExists(invoice.id)
        self.store.invoices[invoice.id] = copy.deepcopy(invoice)

    def save_invoice(self, invoice: Invoice) -> None:
        self.store.invoices[invoice.id] = copy.deepcopy(invoice)

    def invoice(self, invoice_id: str) -> Invoice | None:
        found = self.store.invoices.get(invoice_id)
        return copy.deepcopy(found) if found else None

    def invoice_by_number(self, number: str) -> Invoice | None:
        found = [i for i in self.store.invoices.values() if i.number == number]
        return copy.deepcopy(found[0]) if found else None

    def invoices_for(self, order_id: OrderId) -> list[Invoice]:
        found = [i for i in self.store.invoices.values() if i.order_id == order_id]
        return [copy.deepcopy(i) for i in sorted(found, key=lambda i: (i.created_at, i.id))]

    def invoices(self, limit: int = 100) -> list[Invoice]:
        found = sorted(self.store.invoices.values(), key=lambda i: i.id)
        found.sort(key=lambda i: i.created_at, reverse=True)
        return [copy.deepcopy(i) for i in found[:limit]]

    def add_credit_memo(self, memo: CreditMemo) -> None:
        if memo.number in self.store.memos:
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"credit memo {memo.number} exists")
        self.store.memos[memo.number] = memo

    def credit_memos_for(self, order_id: OrderId) -> list[CreditMemo]:
        found = [m for m in self.store.memos.values() if m.order_id == order_id]
        return sorted(found, key=lambda m: (m.issued_at, m.number))

    def receivables(self, account: AccountNumber) -> Receivables:
        issued = [i for i in self.store.invoices.values()
                  if i.account_number == account and i.status is InvoiceStatus.ISSUED]  # fmt: skip
        credited = sum((m.gross for m in self.store.memos.values()
                        if m.account_number == account), Decimal(0))  # fmt: skip
        owed = sum((i.gross for i in issued), Decimal(0)) - credited
        due = [i.due_at for i in issued if i.due_at is not None]
        return Receivables(owed, min(due) if owed > 0 and due else None)


class FakeLedger:
    def __init__(self, store: Store) -> None:
        self.store = store

    def post(self, entry: JournalEntry) -> None:
        if any((e.document_type, e.document_id) == (entry.document_type, entry.document_id)
               for e in self.store.journal):  # fmt: skip
            message = f"{entry.document_type} {entry.document_id} has posted already"
            raise Conflict(ErrorCode.DUPLICATE_POSTING, message)
        self.store.journal.append(entry)

    def entries_for(self, document_type: str, document_id: str) -> list[JournalEntry]:
        return [e for e in self.store.journal
                if (e.document_type, e.document_id) == (document_type, document_id)]  # fmt: skip

    def trial_balance(self) -> list[BalanceRow]:
        sums: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        for e in self.store.journal:
            for p in e.lines:
                d, k = sums.get((p.account.value, e.currency), (Decimal(0), Decimal(0)))
                sums[(p.account.value, e.currency)] = (d + p.debit, k + p.credit)
        return [BalanceRow(a, c, d, k) for (a, c), (d, k) in sorted(sums.items())]

    def balance(self, account: Account, currency: CurrencyCode) -> Decimal:
        rows = [r for r in self.trial_balance() if (r.account, r.currency) == (account, currency)]
        return sum((r.balance for r in rows), Decimal(0))


__all__ += ["FakeBillingRepository", "FakeLedger", "FakeReturnRepository"]
