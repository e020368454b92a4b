"""stock receipts, and each order's priority for stock that arrives

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = ordoflow.adapters.persistence.types.UtcDateTime(timezone=True)
    op.create_table(
        "stock_receipts",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("received_at", moment, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["site"], ["sites.code"], name=op.f("fk_stock_receipts_site_sites")
        ),
        sa.PrimaryKeyConstraint("site", "reference", name=op.f("pk_stock_receipts")),
    )
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=True))
    op.create_index("ix_orders_site_status", "orders", ["site", "status"])


def downgrade() -> None:
    op.drop_index("ix_orders_site_status", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("priority")
    op.drop_table("stock_receipts")
