"""sourcing across warehouses: each order's plan, each line's units per warehouse, and what
each decision's action did

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("sourcing", sa.JSON(), nullable=True))
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("sources", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("shipped_from", sa.JSON(), nullable=True))
    with op.batch_alter_table("order_decisions") as batch:
        batch.add_column(sa.Column("effect", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_decisions") as batch:
        batch.drop_column("effect")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("shipped_from")
        batch.drop_column("sources")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("sourcing")
