"""The general ledger: double-entry journal entries, balanced by construction.

Every document that moves value posts one entry in the same transaction as the document: a
stock receipt or count (inventory against its counter-account), a shipment (cost of goods sold
against inventory, at standard cost), an invoice (receivables against revenue, tax and freight),
a credit memo (the reverse). An entry names its document, and a document posts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ordoflow.domain.values import CurrencyCode

CENT = Decimal("0.01")


class Account(StrEnum):
    """The chart of accounts the postings use (a distributor's usual numbering)."""

    INVENTORY = "1400"
    RECEIVABLES = "1200"
    GOODS_RECEIVED = "2100"  # goods received, not yet invoiced by the supplier
    TAX_PAYABLE = "2200"
    OPENING_BALANCE = "3900"
    REVENUE = "4000"
    FREIGHT_INCOME = "4100"
    SALES_RETURNS = "4900"
    COST_OF_GOODS_SOLD = "5000"
    INVENTORY_ADJUSTMENT = "5100"
    SCRAP = "5200"

    @property
    def label(self) -> str:
        return _TITLES[self]


_TITLES = {
    Account.INVENTORY: "Inventory", Account.RECEIVABLES: "Accounts receivable",
    Account.GOODS_RECEIVED: "Goods received not invoiced", Account.TAX_PAYABLE: "Tax payable",
    Account.OPENING_BALANCE: "Opening balances", Account.REVENUE: "Sales revenue",
    Account.FREIGHT_INCOME: "Freight income", Account.SALES_RETURNS: "Sales returns",
    Account.COST_OF_GOODS_SOLD: "Cost of goods sold",
    Account.INVENTORY_ADJUSTMENT: "Inventory adjustments", Account.SCRAP: "Scrap",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Posting:
    account: Account
    debit: Decimal
    credit: Decimal


def debit(account: Account, amount: Decimal) -> Posting:
    """A debit (a negative amount credits the account)."""
    amount = amount.quantize(CENT)
    return Posting(account, amount, Decimal(0)) if amount >= 0 else credit(account, -amount)


def credit(account: Account, amount: Decimal) -> Posting:
    amount = amount.quantize(CENT)
    return Posting(account, Decimal(0), amount) if amount >= 0 else debit(account, -amount)


class Unbalanced(ValueError):
    """A journal entry whose debits and credits differ: never posted."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One posting of one document; refused at construction unless debits equal credits."""

    document_type: str
    document_id: str
    currency: CurrencyCode
    posted_at: datetime
    memo: str
    lines: tuple[Posting, ...]

    def __post_init__(self) -> None:
        debits = sum((p.debit for p in self.lines), Decimal(0))
        credits = sum((p.credit for p in self.lines), Decimal(0))
        if debits != credits:
            raise Unbalanced(f"{self.document_type} {self.document_id}: debits {debits} != "
                             f"credits {credits}")  # fmt: skip

    @classmethod
    def of(
        cls,
        document: tuple[str, str],
        currency: CurrencyCode,
        at: datetime,
        memo: str,
        lines: Iterable[Posting],
    ) -> JournalEntry | None:
        """The entry of a document, zero lines dropped; None when nothing is left to post."""
        kept = tuple(p for p in lines if p.debit or p.credit)
        if not kept:
            return None
        return cls(document[0], document[1], currency, at, memo, kept)


@dataclass(frozen=True, slots=True)
class BalanceRow:
    account: str
    currency: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def in_balance(rows: Sequence[BalanceRow]) -> bool:
    """Whether debits equal credits in every currency of a trial balance."""
    per_currency: dict[str, Decimal] = {}
    for r in rows:
        per_currency[r.currency] = per_currency.get(r.currency, Decimal(0)) + r.balance
    return all(v == 0 for v in per_currency.values())


__all__ = [
    "CENT",
    "Account",
    "BalanceRow",
    "JournalEntry",
    "Posting",
    "Unbalanced",
    "credit",
    "debit",
    "in_balance",
]
