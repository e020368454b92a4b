"""Tables of warehouse execution (requests, shipments), on the schema's one `MetaData`."""

from __future__ import annotations

import sqlalchemy as sa

from ordoflow.adapters.persistence.tables import Code, Hash, metadata
from ordoflow.adapters.persistence.types import UtcDateTime

warehouse_requests = sa.Table(
    "warehouse_requests", metadata,
    sa.Column("id", sa.String(140), primary_key=True),
    # no foreign key to orders: a request is written while the order's own transaction runs,
    # before the order's row (which the unit of work writes at commit)
    sa.Column("order_id", Code, nullable=False),
    sa.Column("site", Code, sa.ForeignKey("sites.code"), nullable=False),
    sa.Column("ship_to", Code, nullable=False),
    sa.Column("carrier", Code, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("lines", sa.JSON(), nullable=False),
    sa.Column("released_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("order_id", "site", name="uq_warehouse_requests_order_site"),
    sa.Index("ix_warehouse_requests_site_status", "site", "status"),
)  # fmt: skip

shipments = sa.Table(
    "shipments", metadata,
    sa.Column("site", Code, sa.ForeignKey("sites.code"), primary_key=True),
    sa.Column("reference", Code, primary_key=True),
    sa.Column("request_id", sa.String(140), sa.ForeignKey("warehouse_requests.id"),
              nullable=False),
    sa.Column("order_id", Code, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("lines", sa.JSON(), nullable=False),
    sa.Column("carrier", Code, nullable=False),
    sa.Column("tracking", sa.String(100), nullable=False),
    sa.Column("final", sa.Boolean(), nullable=False),
    sa.Column("confirmed_at", UtcDateTime, nullable=False),
    sa.Column("actor", Code, nullable=False),
    sa.Column("fingerprint", Hash, nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Column("received_by", sa.String(200), nullable=True),
    sa.Index("ix_shipments_order_id", "order_id"),
)  # fmt: skip

returns = sa.Table(
    "returns", metadata,
    sa.Column("id", Code, primary_key=True),
    sa.Column("order_id", Code, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("account_number", Code, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("lines", sa.JSON(), nullable=False),
    sa.Column("note", sa.String(2000), nullable=False),
    sa.Column("requested_by", Code, nullable=False),
    sa.Column("requested_at", UtcDateTime, nullable=False),
    sa.Column("decision_reason", Code, nullable=True),
    sa.Column("site", Code, nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=True),
    sa.Column("disposed_at", UtcDateTime, nullable=True),
    sa.Column("credit_memos", sa.JSON(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Index("ix_returns_order_id", "order_id"),
)  # fmt: skip

__all__ = ["returns", "shipments", "warehouse_requests"]
