"""Ports for billing and the ledger. Part of `ordoflow.application.ports`, which re-exports
them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from ordoflow.domain.invoicing import CreditMemo, Invoice
from ordoflow.domain.ledger import Account, BalanceRow, JournalEntry
from ordoflow.domain.values import AccountNumber, CurrencyCode, OrderId


class InvoiceExists(Exception):
    """The shipment is invoiced already."""


@dataclass(frozen=True, slots=True)
class Receivables:
    """What a customer owes on issued invoices (less credit memos), and since when the oldest
    unpaid invoice is due (None when nothing is owed)."""

    open_amount: Decimal
    oldest_due: datetime | None


class BillingRepository(Protocol):
    def next_number(self, company: str, series: str) -> int:
        """The next number of a series, from its sequence row, locked until the transaction
        ends: numbers are gap-free under concurrency (a rolled-back transaction gives its
        number back)."""

    def add_invoice(self, invoice: Invoice) -> None:
        """Keep an invoice; `InvoiceExists` (nothing changed) if its shipment has one."""

    def save_invoice(self, invoice: Invoice) -> None: ...
    def invoice(self, invoice_id: str) -> Invoice | None: ...
    def invoice_by_number(self, number: str) -> Invoice | None: ...
    def invoices_for(self, order_id: OrderId) -> list[Invoice]: ...
    def invoices(self, limit: int = 100) -> list[Invoice]:
        """The latest invoices, newest first."""

    def add_credit_memo(self, memo: CreditMemo) -> None: ...
    def credit_memos_for(self, order_id: OrderId) -> list[CreditMemo]: ...
    def receivables(self, account: AccountNumber) -> Receivables: ...


class Ledger(Protocol):
    def post(self, entry: JournalEntry) -> None:
        """Post an entry; `Conflict(DUPLICATE_POSTING)` if its document has posted."""

    def entries_for(self, document_type: str, document_id: str) -> list[JournalEntry]: ...
    def trial_balance(self) -> list[BalanceRow]:
        """Debits and credits per account and currency, by account."""

    def balance(self, account: Account, currency: CurrencyCode) -> Decimal:
        """Debits less credits."""


__all__ = ["BillingRepository", "InvoiceExists", "Ledger", "Receivables"]
