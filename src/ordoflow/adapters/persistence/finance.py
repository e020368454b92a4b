"""Invoices, credit memos, document numbers and the ledger in SQL.

Numbers come from a sequence row per company and series, incremented by one guarded statement
that locks the row until the transaction ends, so concurrent invoices wait for each other's
number and a rolled-back transaction leaves no gap. An invoice's id (its shipment) and a
journal entry's document are unique keys: a shipment is invoiced once, a document posts once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from ordoflow.adapters.persistence.finance_tables import (
    credit_memos,
    document_sequences,
    invoices,
    journal_entries,
    journal_lines,
)
from ordoflow.adapters.persistence.inserting import insert_new
from ordoflow.application.finance_ports import InvoiceExists, Receivables
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.invoicing import CreditMemo, Invoice, InvoiceLine, InvoiceStatus
from ordoflow.domain.ledger import Account, BalanceRow, JournalEntry, Posting
from ordoflow.domain.values import AccountNumber, CurrencyCode, OrderId, SiteCode, Sku


def _lines(lines: tuple[InvoiceLine, ...]) -> list[list[Any]]:
    return [[ln.line_no, ln.sku, ln.quantity, str(ln.unit_price)] for ln in lines]


def _to_lines(rows: list[list[Any]]) -> tuple[InvoiceLine, ...]:
    return tuple(InvoiceLine(int(n), Sku(s), int(q), Decimal(p)) for n, s, q, p in rows)


def _invoice_row(i: Invoice) -> dict[str, Any]:
    return {
        "id": i.id, "number": i.number, "company": i.company, "order_id": i.order_id,
        "account_number": i.account_number, "currency": i.currency, "site": i.site,
        "shipment": i.shipment, "lines": _lines(i.lines), "tax_code": i.tax_code,
        "tax_rate": i.tax_rate, "freight": i.freight, "gross": i.gross,
        "status": i.status.value, "hold_reason": i.hold_reason, "created_at": i.created_at,
        "issued_at": i.issued_at, "due_at": i.due_at,
        "credited": {str(k): v for k, v in i.credited.items()},
    }  # fmt: skip


def _to_invoice(r: Any) -> Invoice:
    return Invoice(
        id=r.id, company=r.company, order_id=OrderId(r.order_id),
        account_number=AccountNumber(r.account_number), currency=CurrencyCode(r.currency),
        site=SiteCode(r.site), shipment=r.shipment, lines=_to_lines(r.lines),
        tax_code=r.tax_code, tax_rate=r.tax_rate.normalize(), freight=r.freight,
        created_at=r.created_at, status=InvoiceStatus(r.status), hold_reason=r.hold_reason,
        number=r.number, issued_at=r.issued_at, due_at=r.due_at,
        credited={int(k): int(v) for k, v in r.credited.items()},
    )  # fmt: skip


def _to_memo(r: Any) -> CreditMemo:
    return CreditMemo(
        number=r.number, invoice=r.invoice, order_id=OrderId(r.order_id),
        account_number=AccountNumber(r.account_number), currency=CurrencyCode(r.currency),
        lines=_to_lines(r.lines), tax_rate=r.tax_rate.normalize(), tax=r.tax, freight=r.freight,
        reason_code=r.reason_code, issued_at=r.issued_at,
    )  # fmt: skip


class SqlBillingRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def next_number(self, company: str, series: str) -> int:
        d = document_sequences
        take = (
            d.update().where(d.c.company == company, d.c.series == series)
            .values(next_number=d.c.next_number + 1).returning(d.c.next_number)
        )  # fmt: skip
        taken = self.conn.execute(take).scalar()
        if taken is None:  # the series' first number: its row, then the number
            row = {"company": company, "series": series, "next_number": 1}
            insert_new(self.conn, d, row, ("company", "series"))
            taken = self.conn.execute(take).scalar_one()
        return int(taken) - 1

    def add_invoice(self, invoice: Invoice) -> None:
        if not insert_new(self.conn, invoices, _invoice_row(invoice), ("id",)):
            raise InvoiceExists(invoice.id)

    def save_invoice(self, invoice: Invoice) -> None:
        row = _invoice_row(invoice)
        del row["id"]
        self.conn.execute(invoices.update().where(invoices.c.id == invoice.id).values(**row))

    def invoice(self, invoice_id: str) -> Invoice | None:
        row = self.conn.execute(invoices.select().where(invoices.c.id == invoice_id)).first()
        return None if row is None else _to_invoice(row)

    def invoice_by_number(self, number: str) -> Invoice | None:
        row = self.conn.execute(invoices.select().where(invoices.c.number == number)).first()
        return None if row is None else _to_invoice(row)

    def invoices_for(self, order_id: OrderId) -> list[Invoice]:
        i = invoices
        query = i.select().where(i.c.order_id == order_id).order_by(i.c.created_at, i.c.id)
        return [_to_invoice(r) for r in self.conn.execute(query)]

    def invoices(self, limit: int = 100) -> list[Invoice]:
        i = invoices
        query = i.select().order_by(i.c.created_at.desc(), i.c.id).limit(limit)
        return [_to_invoice(r) for r in self.conn.execute(query)]

    def add_credit_memo(self, memo: CreditMemo) -> None:
        row = {
            "number": memo.number, "invoice": memo.invoice, "order_id": memo.order_id,
            "account_number": memo.account_number, "currency": memo.currency,
            "lines": _lines(memo.lines), "tax_rate": memo.tax_rate, "tax": memo.tax,
            "freight": memo.freight,
            "gross": memo.gross, "reason_code": memo.reason_code, "issued_at": memo.issued_at,
        }  # fmt: skip
        if not insert_new(self.conn, credit_memos, row, ("number",)):
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"credit memo {memo.number} exists")

    def credit_memos_for(self, order_id: OrderId) -> list[CreditMemo]:
        m = credit_memos
        query = m.select().where(m.c.order_id == order_id).order_by(m.c.issued_at, m.c.number)
        return [_to_memo(r) for r in self.conn.execute(query)]

    def receivables(self, account: AccountNumber) -> Receivables:
        i, m = invoices, credit_memos
        issued = self.conn.execute(
            sa.select(i.c.gross, i.c.due_at).where(i.c.account_number == account,
                                                   i.c.status == InvoiceStatus.ISSUED.value)
        ).all()  # fmt: skip
        credited = self.conn.execute(sa.select(m.c.gross).where(m.c.account_number == account))
        owed = sum((r.gross for r in issued), Decimal(0)) - sum(
            (r.gross for r in credited), Decimal(0)
        )
        due = [r.due_at for r in issued if r.due_at is not None]
        oldest = min(due, default=None) if owed > 0 else None
        return Receivables(owed, oldest)


class SqlLedger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def post(self, entry: JournalEntry) -> None:
        row = {
            "document_type": entry.document_type,
            "document_id": entry.document_id,
            "currency": entry.currency,
            "posted_at": entry.posted_at,
            "memo": entry.memo[:300],
        }
        entry_id = insert_new(self.conn, journal_entries, row, ("document_type", "document_id"),
                              returning=journal_entries.c.id)  # fmt: skip
        if entry_id is None:
            raise Conflict(
                ErrorCode.DUPLICATE_POSTING,
                f"{entry.document_type} {entry.document_id} has posted already",
            )
        self.conn.execute(journal_lines.insert(), [
            {"entry_id": entry_id, "line_no": n, "account": p.account.value,
             "currency": entry.currency, "debit": p.debit, "credit": p.credit}
            for n, p in enumerate(entry.lines, start=1)
        ])  # fmt: skip

    def entries_for(self, document_type: str, document_id: str) -> list[JournalEntry]:
        e, ln = journal_entries, journal_lines
        rows = self.conn.execute(
            e.select().where(e.c.document_type == document_type, e.c.document_id == document_id)
            .order_by(e.c.id)
        ).all()  # fmt: skip
        found = []
        for r in rows:
            lines = self.conn.execute(
                ln.select().where(ln.c.entry_id == r.id).order_by(ln.c.line_no)
            ).all()
            found.append(JournalEntry(
                r.document_type, r.document_id, CurrencyCode(r.currency), r.posted_at, r.memo,
                tuple(Posting(Account(x.account), x.debit, x.credit) for x in lines),
            ))  # fmt: skip
        return found

    def _sums(self, *where: sa.ColumnElement[bool]) -> list[Any]:
        """Debits and credits per account and currency, exactly: PostgreSQL sums NUMERIC;
        SQLite keeps amounts as decimal text, which it can only sum through binary floating
        point, so there the rows are summed here as Decimals."""
        ln = journal_lines
        if self.conn.dialect.name != "sqlite":
            query = (
                sa.select(ln.c.account, ln.c.currency, sa.func.sum(ln.c.debit),
                          sa.func.sum(ln.c.credit))
                .where(*where).group_by(ln.c.account, ln.c.currency)
                .order_by(ln.c.account, ln.c.currency)
            )  # fmt: skip
            return [(a, c, Decimal(d), Decimal(k)) for a, c, d, k in self.conn.execute(query)]
        rows = self.conn.execute(
            sa.select(ln.c.account, ln.c.currency, ln.c.debit, ln.c.credit).where(*where)
        )
        sums: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        for a, c, d, k in rows:
            before = sums.get((a, c), (Decimal(0), Decimal(0)))
            sums[(a, c)] = (before[0] + d, before[1] + k)
        return [(a, c, d, k) for (a, c), (d, k) in sorted(sums.items())]

    def trial_balance(self) -> list[BalanceRow]:
        return [BalanceRow(a, c, d.quantize(Decimal("0.01")), k.quantize(Decimal("0.01")))
                for a, c, d, k in self._sums()]  # fmt: skip

    def balance(self, account: Account, currency: CurrencyCode) -> Decimal:
        ln = journal_lines
        rows = self._sums(ln.c.account == account.value, ln.c.currency == currency)
        return sum((d - k for _, _, d, k in rows), Decimal(0)).quantize(Decimal("0.01"))


__all__ = ["SqlBillingRepository", "SqlLedger"]
