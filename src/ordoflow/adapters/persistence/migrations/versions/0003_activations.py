"""activations: the phases of a template roll-out

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column(
            "effective_from",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activations")),
    )
    op.create_index("ix_activations_template", "activations", ["template"])


def downgrade() -> None:
    op.drop_index("ix_activations_template", table_name="activations")
    op.drop_table("activations")
