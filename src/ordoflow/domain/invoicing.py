"""Invoices and credit memos.

An invoice bills exactly one shipment: the units it shipped at the order's prices (those the
order was placed and pinned with), tax at the rate the tax table gives for the ship-to, and the
freight the table charges. An invoice that cannot be issued as it stands (no tax rate for the
destination, units that would bill more than shipped) is kept on hold, without a number, for
the billing queue (its prices are the order's, so they cannot differ from the order's). A
number is given when the invoice is issued, from a gap-free sequence per
company and series. A credit memo reverses all or part of an issued invoice, line by line, at
the invoice's prices and tax rate, never more than was invoiced and not yet credited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.ledger import CENT, Account, JournalEntry, credit, debit
from ordoflow.domain.values import AccountNumber, CurrencyCode, OrderId, SiteCode, Sku

INVOICE_SERIES, CREDIT_SERIES = "INV", "CRN"
#: Why an invoice waits in the billing queue.
MISSING_TAX_SETUP = "missing_tax_setup"
QUANTITY_MISMATCH = "quantity_mismatch"


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class InvoiceStatus(StrEnum):
    ON_HOLD = "on_hold"
    ISSUED = "issued"


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line_no: int
    sku: Sku
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return cents(self.unit_price * self.quantity)


@dataclass(slots=True)
class Invoice:
    """The bill for one shipment (its site and reference identify it)."""

    id: str
    company: str
    order_id: OrderId
    account_number: AccountNumber
    currency: CurrencyCode
    site: SiteCode
    shipment: str
    lines: tuple[InvoiceLine, ...]
    tax_code: str
    tax_rate: Decimal
    freight: Decimal
    created_at: datetime
    status: InvoiceStatus = InvoiceStatus.ISSUED
    hold_reason: str | None = None
    number: str | None = None
    issued_at: datetime | None = None
    due_at: datetime | None = None
    credited: dict[int, int] = field(default_factory=dict)  # units credited per line

    @staticmethod
    def id_for(site: SiteCode, shipment: str) -> str:
        return f"{site}/{shipment}"

    @property
    def net(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return cents(self.net * self.tax_rate)

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax + self.freight

    def issue(self, number: str, at: datetime, due_at: datetime) -> None:
        self.status, self.hold_reason = InvoiceStatus.ISSUED, None
        self.number, self.issued_at, self.due_at = number, at, due_at

    def posting(self) -> JournalEntry | None:
        """Receivables against revenue, tax and freight."""
        assert self.number is not None, "an invoice posts once issued"
        return JournalEntry.of(
            ("invoice", self.number), self.currency, self.issued_at or self.created_at,
            f"invoice {self.number} for shipment {self.id}",
            [debit(Account.RECEIVABLES, self.gross), credit(Account.REVENUE, self.net),
             credit(Account.TAX_PAYABLE, self.tax), credit(Account.FREIGHT_INCOME, self.freight)],
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CreditMemo:
    """Reverses units of an issued invoice at its prices and tax rate; the memo that credits
    what is left of an invoice also credits its freight, and exactly the tax not yet credited
    (so rounding never leaves a cent behind)."""

    number: str
    invoice: str  # the invoice's number
    order_id: OrderId
    account_number: AccountNumber
    currency: CurrencyCode
    lines: tuple[InvoiceLine, ...]
    tax_rate: Decimal
    tax: Decimal
    freight: Decimal
    reason_code: str
    issued_at: datetime

    @property
    def net(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax + self.freight

    def posting(self, revenue: Account = Account.SALES_RETURNS) -> JournalEntry | None:
        return JournalEntry.of(
            ("credit_memo", self.number), self.currency, self.issued_at,
            f"credit memo {self.number} on invoice {self.invoice} ({self.reason_code})",
            [debit(revenue, self.net), debit(Account.TAX_PAYABLE, self.tax),
             debit(Account.FREIGHT_INCOME, self.freight), credit(Account.RECEIVABLES, self.gross)],
        )  # fmt: skip


def credit_lines(invoice: Invoice, units: Mapping[int, int] | None) -> tuple[InvoiceLine, ...]:
    """The invoice lines a credit memo reverses: `units` per line, or everything not yet
    credited (None). Refused above what was invoiced and not yet credited."""
    by_line = {ln.line_no: ln for ln in invoice.lines}
    wanted = units if units is not None else {
        n: ln.quantity - invoice.credited.get(n, 0) for n, ln in by_line.items()
    }  # fmt: skip
    errors, lines = [], []
    for line_no, qty in sorted(wanted.items()):
        ln = by_line.get(line_no)
        left = 0 if ln is None else ln.quantity - invoice.credited.get(line_no, 0)
        if ln is None or qty > left or qty < 0:
            errors.append(FieldError(f"lines[{line_no}].quantity", ErrorCode.OVER_CREDIT,
                                     f"credits {qty}, but {left} are invoiced and not "
                                     "yet credited"))  # fmt: skip
        elif qty and ln is not None:
            lines.append(InvoiceLine(line_no, ln.sku, qty, ln.unit_price))
    if errors:
        raise ValidationFailed(errors)
    if not lines:
        raise ValidationFailed([FieldError("lines", ErrorCode.OVER_CREDIT,
                                           "nothing is left to credit")])  # fmt: skip
    return tuple(lines)


__all__ = [
    "CREDIT_SERIES",
    "INVOICE_SERIES",
    "MISSING_TAX_SETUP",
    "QUANTITY_MISMATCH",
    "CreditMemo",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "cents",
    "credit_lines",
]
