"""Tables of billing and the ledger, on the schema's one `MetaData`."""

from __future__ import annotations

import sqlalchemy as sa

from ordoflow.adapters.persistence.tables import BigId, Code, metadata
from ordoflow.adapters.persistence.types import Amount, UtcDateTime

document_sequences = sa.Table(
    "document_sequences", metadata,
    sa.Column("company", Code, primary_key=True),
    sa.Column("series", Code, primary_key=True),
    sa.Column("next_number", sa.BigInteger(), nullable=False),
)  # fmt: skip

invoices = sa.Table(
    "invoices", metadata,
    sa.Column("id", sa.String(140), primary_key=True),  # the shipment's site/reference
    sa.Column("number", Code, nullable=True, unique=True),
    sa.Column("company", Code, nullable=False),
    sa.Column("order_id", Code, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("account_number", Code, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("site", Code, nullable=False),
    sa.Column("shipment", Code, nullable=False),
    sa.Column("lines", sa.JSON(), nullable=False),
    sa.Column("tax_code", Code, nullable=False),
    sa.Column("tax_rate", Amount, nullable=False),
    sa.Column("freight", Amount, nullable=False),
    sa.Column("gross", Amount, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("hold_reason", Code, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=True),
    sa.Column("due_at", UtcDateTime, nullable=True),
    sa.Column("credited", sa.JSON(), nullable=False),
    sa.Index("ix_invoices_order_id", "order_id"),
    sa.Index("ix_invoices_account_number", "account_number"),
)  # fmt: skip

credit_memos = sa.Table(
    "credit_memos", metadata,
    sa.Column("number", Code, primary_key=True),
    sa.Column("invoice", Code, sa.ForeignKey("invoices.number"), nullable=False),
    sa.Column("order_id", Code, nullable=False),
    sa.Column("account_number", Code, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("lines", sa.JSON(), nullable=False),
    sa.Column("tax_rate", Amount, nullable=False),
    sa.Column("tax", Amount, nullable=False),
    sa.Column("freight", Amount, nullable=False),
    sa.Column("gross", Amount, nullable=False),
    sa.Column("reason_code", Code, nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Index("ix_credit_memos_order_id", "order_id"),
    sa.Index("ix_credit_memos_account_number", "account_number"),
)  # fmt: skip

journal_entries = sa.Table(
    "journal_entries", metadata,
    sa.Column("id", BigId, primary_key=True,
              autoincrement=True),
    sa.Column("document_type", Code, nullable=False),
    sa.Column("document_id", sa.String(140), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("posted_at", UtcDateTime, nullable=False),
    sa.Column("memo", sa.String(300), nullable=False),
    sa.UniqueConstraint("document_type", "document_id", name="uq_journal_entries_document"),
)  # fmt: skip

journal_lines = sa.Table(
    "journal_lines", metadata,
    sa.Column("entry_id", BigId,
              sa.ForeignKey("journal_entries.id"), primary_key=True),
    sa.Column("line_no", sa.Integer(), primary_key=True),
    sa.Column("account", Code, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("debit", Amount, nullable=False),
    sa.Column("credit", Amount, nullable=False),
    sa.CheckConstraint("debit >= 0 AND credit >= 0", name="amounts_not_negative"),
    sa.Index("ix_journal_lines_account", "account", "currency"),
)  # fmt: skip

__all__ = ["credit_memos", "document_sequences", "invoices", "journal_entries", "journal_lines"]
