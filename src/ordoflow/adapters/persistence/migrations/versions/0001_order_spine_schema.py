"""order spine schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 11:01:52.140104
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordoflow.adapters.persistence.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column("stream", sa.String(length=300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("stream", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "audit_log",
        sa.Column("stream", sa.String(length=300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column(
            "occurred_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("stream", "seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "customers",
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms", sa.String(length=64), nullable=False),
        sa.Column(
            "credit_limit",
            ordoflow.adapters.persistence.types.Amount(precision=18, scale=4),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("account_number", name=op.f("pk_customers")),
    )
    op.create_table(
        "items",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=64), nullable=False),
        sa.Column("product_class", sa.String(length=64), nullable=False),
        sa.Column(
            "list_price",
            ordoflow.adapters.persistence.types.Amount(precision=18, scale=4),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "standard_cost",
            ordoflow.adapters.persistence.types.Amount(precision=18, scale=4),
            nullable=False,
        ),
        sa.Column(
            "weight_kg",
            ordoflow.adapters.persistence.types.Amount(precision=18, scale=4),
            nullable=False,
        ),
        sa.Column("export_classification", sa.String(length=64), nullable=False),
        sa.Column("hazmat", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_items")),
    )
    op.create_table(
        "order_events",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=64), nullable=False),
        sa.Column(
            "occurred_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("process_version", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "seq", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index("ix_order_events_occurred_at", ["occurred_at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column(
            "time", ordoflow.adapters.persistence.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("specversion", sa.String(length=8), nullable=False),
        sa.Column("datacontenttype", sa.String(length=64), nullable=False),
        sa.Column(
            "published_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_outbox")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unpublished", ["published_at", "position"], unique=False)

    op.create_table(
        "sites",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sites")),
    )
    op.create_table(
        "prices",
        sa.Column("price_list", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "unit_price",
            ordoflow.adapters.persistence.types.Amount(precision=18, scale=4),
            nullable=False,
        ),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_prices_sku_items")),
        sa.PrimaryKeyConstraint(
            "price_list", "sku", "customer", "valid_from", name=op.f("pk_prices")
        ),
    )
    op.create_table(
        "ship_tos",
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address_line", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["customers.account_number"],
            name=op.f("fk_ship_tos_account_number_customers"),
        ),
        sa.PrimaryKeyConstraint("account_number", "code", name=op.f("pk_ship_tos")),
    )
    op.create_table(
        "stock",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("allocated", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "allocated >= 0 AND allocated <= on_hand",
            name=op.f("ck_stock_allocated_within_on_hand"),
        ),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_stock_site_sites")),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_stock_sku_items")),
        sa.PrimaryKeyConstraint("sku", "site", name=op.f("pk_stock")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_number", sa.String(length=64), nullable=False),
        sa.Column("ship_to", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("customer_po", sa.String(length=100), nullable=False),
        sa.Column("requested_date", sa.Date(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("held_from", sa.String(length=32), nullable=True),
        sa.Column("hold_reason", sa.String(length=64), nullable=True),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            ordoflow.adapters.persistence.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("log_seq", sa.Integer(), nullable=False),
        sa.Column("log_head", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_number", "ship_to"],
            ["ship_tos.account_number", "ship_tos.code"],
            name="fk_orders_ship_to",
        ),
        sa.ForeignKeyConstraint(
            ["account_number"],
            ["customers.account_number"],
            name=op.f("fk_orders_account_number_customers"),
        ),
        sa.ForeignKeyConstraint(["site"], ["sites.code"], name=op.f("fk_orders_site_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("account_number", "customer_po", name="uq_orders_customer_po"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_orders_status", ["status"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column(
            "unit_price",
            ordoflow.adapters.persistence.types.Amount(precision=18, scale=4),
            nullable=False,
        ),
        sa.Column("unit_of_measure", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("allocated_qty", sa.BigInteger(), nullable=False),
        sa.Column("shipped_qty", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "allocated_qty >= 0 AND shipped_qty >= 0 AND shipped_qty <= allocated_qty AND allocated_qty <= quantity",
            name=op.f("ck_order_lines_quantities_consistent"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_order_lines_sku_items")),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_lines")),
    )

    _append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("order_lines")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status")
        batch_op.drop_index("ix_orders_received_at")

    op.drop_table("orders")
    op.drop_table("stock")
    op.drop_table("ship_tos")
    op.drop_table("prices")
    op.drop_table("sites")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished")

    op.drop_table("outbox")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_occurred_at")

    op.drop_table("order_events")
    op.drop_table("items")
    op.drop_table("customers")
    op.drop_table("audit_log")
    op.drop_table("audit_heads")


APPEND_ONLY = ("order_events", "audit_log")


def _append_only_triggers() -> None:
    """Refuse UPDATE and DELETE on the logs. The hash chain detects tampering; these triggers
    stop the casual kind (an operator "fixing" a row) before it happens."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ordoflow_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ordoflow_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ordoflow_append_only()")
        return
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
