"""governed versions of templates, variants and decision tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governed_versions",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column(
            "effective_from",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "retired_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "name", "number", name=op.f("pk_governed_versions")),
    )


def downgrade() -> None:
    op.drop_table("governed_versions")
