"""warehouse execution: a request per order and warehouse, and shipments by the warehouse's
reference

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = ordoflow.adapters.persistence.types.UtcDateTime(timezone=True)
    op.create_table(
        "warehouse_requests",
        sa.Column("id", sa.String(length=140), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("ship_to", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("released_at", moment, nullable=False),
        sa.Column("updated_at", moment, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site"], ["sites.code"], name=op.f("fk_warehouse_requests_site_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_requests")),
        sa.UniqueConstraint("order_id", "site", name="uq_warehouse_requests_order_site"),
    )
    op.create_index("ix_warehouse_requests_site_status", "warehouse_requests", ["site", "status"])
    op.create_table(
        "shipments",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=140), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking", sa.String(length=100), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("confirmed_at", moment, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("delivered_at", moment, nullable=True),
        sa.Column("received_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_shipments_site_sites")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["warehouse_requests.id"],
            name=op.f("fk_shipments_request_id_warehouse_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("site", "reference", name=op.f("pk_shipments")),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_shipments_order_id", table_name="shipments")
    op.drop_table("shipments")
    op.drop_index("ix_warehouse_requests_site_status", table_name="warehouse_requests")
    op.drop_table("warehouse_requests")
