"""order decisions: what the governed process decided about each order, and its pins

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pins", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("process", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("process_step", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("decision_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "order_decisions",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("table_version", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column(
            "decided_at", ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("owner_role", sa.String(length=64), nullable=True),
        sa.Column(
            "due_at", ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("process", sa.String(length=64), nullable=True),
        sa.Column("evaluations", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_decisions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", "seq", name=op.f("pk_order_decisions")),
    )  # fmt: skip
    op.create_index(
        "ix_order_decisions_table_name", "order_decisions", ["table_name", "decided_at"]
    )
    _append_only("order_decisions")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS order_decisions_append_only ON order_decisions")
    op.drop_index("ix_order_decisions_table_name", table_name="order_decisions")
    op.drop_table("order_decisions")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("decision_count")
        batch_op.drop_column("process_step")
        batch_op.drop_column("process")
        batch_op.drop_column("pins")


def _append_only(table: str) -> None:
    """As for the other logs (see the first migration): no UPDATE or DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ordoflow_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
