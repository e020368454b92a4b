"""delegations of a role's authority from one user to another for a period

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = ordoflow.adapters.persistence.types.UtcDateTime(timezone=True)
    op.create_table(
        "delegations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("delegator", sa.String(length=64), nullable=False),
        sa.Column("delegate", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("valid_from", moment, nullable=False),
        sa.Column("valid_until", moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["delegator"], ["users.id"], name=op.f("fk_delegations_delegator_users")
        ),
        sa.ForeignKeyConstraint(
            ["delegate"], ["users.id"], name=op.f("fk_delegations_delegate_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index("ix_delegations_delegate", "delegations", ["delegate"])


def downgrade() -> None:
    op.drop_index("ix_delegations_delegate", table_name="delegations")
    op.drop_table("delegations")
