"""The one schema, as SQLAlchemy Core tables, for SQLite and PostgreSQL alike. Alembic
migrations under `migrations/` create it; the repositories query it with Core."""

from __future__ import annotations

import sqlalchemy as sa

from ordoflow.adapters.persistence.types import Amount, UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Code = sa.String(64)
Hash = sa.String(64)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

sites = sa.Table(
    "sites", metadata,
    sa.Column("code", Code, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
)  # fmt: skip

customers = sa.Table(
    "customers", metadata,
    sa.Column("account_number", Code, primary_key=True),
    sa.Column("legal_name", sa.String(200), nullable=False),
    sa.Column("tax_id", sa.String(64), nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("payment_terms", Code, nullable=False),
    sa.Column("credit_limit", Amount, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)  # fmt: skip

ship_tos = sa.Table(
    "ship_tos", metadata,
    sa.Column("account_number", Code, sa.ForeignKey("customers.account_number"), primary_key=True),
    sa.Column("code", Code, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address_line", sa.String(200), nullable=False),
    sa.Column("city", sa.String(100), nullable=False),
    sa.Column("postal_code", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
)  # fmt: skip

items = sa.Table(
    "items", metadata,
    sa.Column("sku", Code, primary_key=True),
    sa.Column("description", sa.String(300), nullable=False),
    sa.Column("unit_of_measure", Code, nullable=False),
    sa.Column("product_class", Code, nullable=False),
    sa.Column("list_price", Amount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("standard_cost", Amount, nullable=False),
    sa.Column("weight_kg", Amount, nullable=False),
    sa.Column("export_classification", Code, nullable=False),
    sa.Column("hazmat", sa.Boolean(), nullable=False),
)  # fmt: skip

stock = sa.Table(
    "stock", metadata,
    sa.Column("sku", Code, sa.ForeignKey("items.sku"), primary_key=True),
    sa.Column("site", Code, sa.ForeignKey("sites.code"), primary_key=True),
    sa.Column("on_hand", sa.BigInteger(), nullable=False),
    sa.Column("allocated", sa.BigInteger(), nullable=False, server_default="0"),
    sa.CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
)  # fmt: skip

prices = sa.Table(
    "prices", metadata,
    sa.Column("price_list", Code, primary_key=True),
    sa.Column("sku", Code, sa.ForeignKey("items.sku"), primary_key=True),
    # '' stands for "every customer": a primary key column cannot be NULL.
    sa.Column("customer", Code, primary_key=True),
    sa.Column("valid_from", sa.Date(), primary_key=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("unit_price", Amount, nullable=False),
    sa.Column("valid_to", sa.Date(), nullable=True),
)  # fmt: skip

orders = sa.Table(
    "orders", metadata,
    sa.Column("id", Code, primary_key=True),
    sa.Column("account_number", Code, sa.ForeignKey("customers.account_number"), nullable=False),
    sa.Column("ship_to", Code, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("customer_po", sa.String(100), nullable=False),
    sa.Column("requested_date", sa.Date(), nullable=False),
    sa.Column("site", Code, sa.ForeignKey("sites.code"), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("held_from", sa.String(32), nullable=True),
    sa.Column("hold_reason", Code, nullable=True),
    sa.Column("entered_by", Code, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("body_hash", Hash, nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("log_seq", sa.Integer(), nullable=False),
    sa.Column("log_head", Hash, nullable=False),
    sa.Column("pins", sa.JSON(), nullable=True),
    sa.Column("process", Code, nullable=True),
    sa.Column("process_step", Code, nullable=True),
    sa.Column("decision_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("changed_by", Code, nullable=True),
    sa.Column("priority", sa.Integer(), nullable=True),
    sa.Column("sourcing", sa.JSON(), nullable=True),
    sa.UniqueConstraint("account_number", "customer_po", name="uq_orders_customer_po"),
    sa.ForeignKeyConstraint(
        ["account_number", "ship_to"], ["ship_tos.account_number", "ship_tos.code"],
        name="fk_orders_ship_to",
    ),
    sa.Index("ix_orders_status", "status"),
    sa.Index("ix_orders_received_at", "received_at"),
    sa.Index("ix_orders_site_status", "site", "status"),
)  # fmt: skip

order_lines = sa.Table(
    "order_lines", metadata,
    sa.Column("order_id", Code, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("line_no", sa.Integer(), primary_key=True),
    sa.Column("sku", Code, sa.ForeignKey("items.sku"), nullable=False),
    sa.Column("quantity", sa.BigInteger(), nullable=False),
    sa.Column("unit_price", Amount, nullable=False),
    sa.Column("unit_of_measure", Code, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("allocated_qty", sa.BigInteger(), nullable=False),
    sa.Column("shipped_qty", sa.BigInteger(), nullable=False),
    sa.Column("sources", sa.JSON(), nullable=True),
    sa.Column("shipped_from", sa.JSON(), nullable=True),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.CheckConstraint(
        "allocated_qty >= 0 AND shipped_qty >= 0 AND shipped_qty <= allocated_qty "
        "AND allocated_qty <= quantity",
        name="quantities_consistent",
    ),
)  # fmt: skip

order_events = sa.Table(
    "order_events", metadata,
    sa.Column("order_id", Code, primary_key=True),
    sa.Column("seq", sa.Integer(), primary_key=True),
    sa.Column("activity", sa.String(64), nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("actor", Code, nullable=False),
    sa.Column("site", Code, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("from_state", sa.String(32), nullable=True),
    sa.Column("to_state", sa.String(32), nullable=False),
    sa.Column("line_no", sa.Integer(), nullable=True),
    sa.Column("quantity", sa.BigInteger(), nullable=True),
    sa.Column("reason_code", Code, nullable=True),
    sa.Column("process_version", Code, nullable=True),
    sa.Column("prev_hash", Hash, nullable=False),
    sa.Column("hash", Hash, nullable=False),
    sa.Index("ix_order_events_occurred_at", "occurred_at"),
)  # fmt: skip

order_decisions = sa.Table(
    "order_decisions", metadata,
    sa.Column("order_id", Code, sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("seq", sa.Integer(), primary_key=True),
    sa.Column("step", Code, nullable=False),
    sa.Column("table_name", Code, nullable=False),
    sa.Column("table_version", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("reason_code", Code, nullable=True),
    sa.Column("decided_at", UtcDateTime, nullable=False),
    sa.Column("actor", Code, nullable=False),
    sa.Column("queue", Code, nullable=True),
    sa.Column("owner_role", Code, nullable=True),
    sa.Column("due_at", UtcDateTime, nullable=True),
    sa.Column("process", Code, nullable=True),
    sa.Column("evaluations", sa.Text(), nullable=False),
    sa.Column("effect", sa.Text(), nullable=True),
    sa.Index("ix_order_decisions_table_name", "table_name", "decided_at"),
)  # fmt: skip

users = sa.Table(
    "users", metadata,
    sa.Column("id", Code, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("roles", sa.JSON(), nullable=False),
    sa.Column("sites", sa.JSON(), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
)  # fmt: skip

stock_receipts = sa.Table(
    "stock_receipts", metadata,
    sa.Column("site", Code, sa.ForeignKey("sites.code"), primary_key=True),
    sa.Column("reference", Code, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("lines", sa.JSON(), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("actor", Code, nullable=False),
)  # fmt: skip

delegations = sa.Table(
    "delegations", metadata,
    sa.Column("id", Code, primary_key=True),
    sa.Column("delegator", Code, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("delegate", Code, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("role", Code, nullable=False),
    sa.Column("valid_from", UtcDateTime, nullable=False),
    sa.Column("valid_until", UtcDateTime, nullable=False),
    sa.Index("ix_delegations_delegate", "delegate"),
)  # fmt: skip

cases = sa.Table(
    "cases", metadata,
    sa.Column("id", Code, primary_key=True),
    sa.Column("order_id", Code, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("site", Code, nullable=False),
    sa.Column("step", Code, nullable=False),
    sa.Column("decision_seq", sa.Integer(), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("reason_code", Code, nullable=False),
    sa.Column("queue", Code, nullable=False),
    sa.Column("owner_role", Code, nullable=False),
    sa.Column("priority", sa.Integer(), nullable=False),
    sa.Column("opened_at", UtcDateTime, nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("sla_hours", sa.Float(), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("escalation", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("assignee", Code, nullable=True),
    sa.Column("escalation_level", sa.Integer(), nullable=False),
    sa.Column("resolution", sa.String(16), nullable=True),
    sa.Column("resolved_by", Code, nullable=True),
    sa.Column("resolved_at", UtcDateTime, nullable=True),
    sa.Column("resolution_reason", Code, nullable=True),
    sa.Column("comment", sa.String(2000), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Index("ix_cases_status_due_at", "status", "due_at"),
    sa.Index("ix_cases_order_id", "order_id"),
)  # fmt: skip

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("stream", sa.String(300), primary_key=True),
    sa.Column("seq", sa.Integer(), primary_key=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("actor", Code, nullable=False),
    sa.Column("before", sa.JSON(), nullable=True),
    sa.Column("after", sa.JSON(), nullable=True),
    sa.Column("reason_code", Code, nullable=True),
    sa.Column("prev_hash", Hash, nullable=False),
    sa.Column("hash", Hash, nullable=False),
)  # fmt: skip

audit_heads = sa.Table(
    "audit_heads", metadata,
    sa.Column("stream", sa.String(300), primary_key=True),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("hash", Hash, nullable=False),
)  # fmt: skip

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("position", BigId, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("time", UtcDateTime, nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("specversion", sa.String(8), nullable=False),
    sa.Column("datacontenttype", sa.String(64), nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=True),
    sa.Index("ix_outbox_unpublished", "published_at", "position"),
    sa.Index("ix_outbox_type", "type", "position"),
)  # fmt: skip

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("consumer", Code, primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("processed_at", UtcDateTime, nullable=False),
)  # fmt: skip

governed_versions = sa.Table(
    "governed_versions", metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("name", Code, primary_key=True),
    sa.Column("number", sa.Integer(), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("content", sa.JSON(), nullable=False),
    sa.Column("content_hash", Hash, nullable=False),
    sa.Column("author", Code, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("approved_by", Code, nullable=True),
    sa.Column("effective_from", UtcDateTime, nullable=True),
    sa.Column("retired_at", UtcDateTime, nullable=True),
    sa.Column("row_version", sa.Integer(), nullable=False),
)  # fmt: skip

activations = sa.Table(
    "activations", metadata,
    sa.Column("id", Code, primary_key=True),
    sa.Column("template", Code, nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("target", Code, nullable=False),
    sa.Column("effective_from", UtcDateTime, nullable=False),
    sa.Column("requested_by", Code, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by", Code, nullable=True),
    sa.Index("ix_activations_template", "template"),
)  # fmt: skip

#: Tables whose rows are never updated or deleted: triggers refuse it (see the first migration).
APPEND_ONLY = ("order_events", "audit_log", "order_decisions")

__all__ = [
    "APPEND_ONLY",
    "activations",
    "audit_heads",
    "audit_log",
    "cases",
    "customers",
    "delegations",
    "governed_versions",
    "items",
    "metadata",
    "order_decisions",
    "order_events",
    "order_lines",
    "orders",
    "outbox",
    "prices",
    "processed_events",
    "ship_tos",
    "sites",
    "stock",
    "stock_receipts",
    "users",
]

# Later parts of the schema keep their tables in modules of their own, on the same `metadata`.
from ordoflow.adapters.persistence import finance_tables as _finance  # noqa: E402, F401
from ordoflow.adapters.persistence import fulfilment_tables as _fulfilment  # noqa: E402, F401
