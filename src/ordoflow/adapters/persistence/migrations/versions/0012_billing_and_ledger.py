"""billing and the ledger: invoices per shipment, credit memos, gap-free document numbers,
and double-entry journal entries

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = ordoflow.adapters.persistence.types.UtcDateTime(timezone=True)
    amount = ordoflow.adapters.persistence.types.Amount(precision=18, scale=4)
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "document_sequences",
        sa.Column("company", sa.String(length=64), nullable=False),
        sa.Column("series", sa.String(length=64), nullable=False),
        sa.Column("next_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("company", "series", name=op.f("pk_document_sequences")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(length=140), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("company", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("shipment", sa.String(length=64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("tax_code", sa.String(length=64), nullable=False),
        sa.Column("tax_rate", amount, nullable=False),
        sa.Column("freight", amount, nullable=False),
        sa.Column("gross", amount, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hold_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("issued_at", moment, nullable=True),
        sa.Column("due_at", moment, nullable=True),
        sa.Column("credited", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index("ix_invoices_order_id", "invoices", ["order_id"])
    op.create_index("ix_invoices_account_number", "invoices", ["account_number"])
    op.create_table(
        "credit_memos",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("invoice", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("tax_rate", amount, nullable=False),
        sa.Column("tax", amount, nullable=False),
        sa.Column("freight", amount, nullable=False),
        sa.Column("gross", amount, nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("issued_at", moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice"], ["invoices.number"], name=op.f("fk_credit_memos_invoice_invoices")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_credit_memos")),
    )
    op.create_index("ix_credit_memos_order_id", "credit_memos", ["order_id"])
    op.create_index("ix_credit_memos_account_number", "credit_memos", ["account_number"])
    op.create_table(
        "journal_entries",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=140), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("posted_at", moment, nullable=False),
        sa.Column("memo", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("document_type", "document_id", name="uq_journal_entries_document"),
    )
    op.create_table(
        "journal_lines",
        sa.Column("entry_id", big_id, nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("debit", amount, nullable=False),
        sa.Column("credit", amount, nullable=False),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0", name=op.f("ck_journal_lines_amounts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_lines_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("entry_id", "line_no", name=op.f("pk_journal_lines")),
    )
    op.create_index("ix_journal_lines_account", "journal_lines", ["account", "currency"])


def downgrade() -> None:
    op.drop_index("ix_journal_lines_account", table_name="journal_lines")
    op.drop_table("journal_lines")
    op.drop_table("journal_entries")
    op.drop_index("ix_credit_memos_account_number", table_name="credit_memos")
    op.drop_index("ix_credit_memos_order_id", table_name="credit_memos")
    op.drop_table("credit_memos")
    op.drop_index("ix_invoices_account_number", table_name="invoices")
    op.drop_index("ix_invoices_order_id", table_name="invoices")
    op.drop_table("invoices")
    op.drop_table("document_sequences")
