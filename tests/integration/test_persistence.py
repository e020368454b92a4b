"""Schema and storage guarantees on the real databases: migrations, append-only logs, exact
values, and concurrency decided by the database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ordoflow.adapters.persistence import migrate, schema
from ordoflow.adapters.persistence.tables import metadata
from ordoflow.adapters.persistence.uow import SqlUnitOfWork
from ordoflow.application import commands as c
from ordoflow.application.queries import show_order, verify_audit
from ordoflow.bootstrap import App, bootstrap
from ordoflow.config import Settings
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from tests.builders import place, seed


def test_migrations_go_down_to_nothing_and_back_up(app: App) -> None:
    assert app.database_revision() == (schema.SCHEMA_HEAD, schema.SCHEMA_HEAD)
    migrate.downgrade(app.engine, "base")
    assert sa.inspect(app.engine).get_table_names() in ([], ["alembic_version"])
    migrate.upgrade(app.engine)
    assert app.database_revision() == (schema.SCHEMA_HEAD, schema.SCHEMA_HEAD)


@pytest.mark.parametrize("statement", ["UPDATE order_events SET actor = 'mallory'",
                                       "DELETE FROM order_events"])  # fmt: skip
def test_the_order_event_log_refuses_updates_and_deletes(app: App, statement: str) -> None:
    world = seed(app.bus)
    app.bus.handle(place(world, 1))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), app.engine.begin() as conn:
        conn.exec_driver_sql(statement)


def test_the_audit_log_refuses_updates(app: App) -> None:
    seed(app.bus)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), app.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'mallory'")


def test_amounts_keep_every_digit(app: App) -> None:
    world = seed(app.bus)
    order_id = app.bus.handle(place(world, 3, price=Decimal("0.1001")))
    detail = show_order(app.uow_factory, order_id)
    assert detail["total"] == "0.3003"
    assert detail["lines"][0]["unit_price"] == "0.1001"


def run_together(n: int, work: Callable[[int], object]) -> list[object]:
    start = threading.Barrier(n)

    def go(i: int) -> object:
        start.wait()
        try:
            return work(i)
        except DomainError as exc:
            return exc.code

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(go, range(n)))


def test_the_same_po_sent_at_once_from_many_clients_makes_one_order(app: App) -> None:
    world = seed(app.bus)
    command = place(world, 2, po="PO-RACE")
    results = run_together(6, lambda _: app.bus.handle(command))
    assert len(set(results)) == 1
    assert str(results[0]).startswith("SO-")
    with app.engine.connect() as conn:
        count = conn.exec_driver_sql(
            "SELECT count(*) FROM orders WHERE customer_po = 'PO-RACE'"
        ).scalar_one()
    assert count == 1


def test_concurrent_allocations_never_take_more_than_is_on_hand(app: App) -> None:
    world = seed(app.bus, stock=10, items=1)
    orders = [app.bus.handle(place(world, 3)) for _ in range(6)]
    for order_id in orders:
        app.bus.handle(c.ValidateOrder(order_id=order_id))
    run_together(6, lambda i: app.bus.handle(c.AllocateOrder(order_id=orders[i])))
    details = [show_order(app.uow_factory, o) for o in orders]
    allocated = sum(d["lines"][0]["allocated"] for d in details)
    with app.engine.connect() as conn:
        on_hand, held = conn.exec_driver_sql(
            f"SELECT on_hand, allocated FROM stock WHERE sku = '{world.skus[0]}'"
        ).one()
    assert (on_hand, held) == (10, allocated)
    assert allocated == 10
    statuses = {OrderStatus(d["status"]) for d in details}
    assert statuses <= {OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_ALLOCATED,
                        OrderStatus.BACKORDERED}  # fmt: skip


def test_two_clients_moving_one_order_at_once_cannot_both_win(app: App) -> None:
    world = seed(app.bus)
    order_id = app.bus.handle(place(world, 1))
    results = run_together(2, lambda i: app.bus.handle(
        c.ValidateOrder(order_id=order_id) if i == 0
        else c.RejectOrder(order_id=order_id, reason_code="dup")
    ))  # fmt: skip
    detail = show_order(app.uow_factory, order_id)
    losers = [r for r in results if r is not None]
    assert len(losers) <= 1
    assert all(r in (ErrorCode.CONCURRENT_UPDATE, ErrorCode.ILLEGAL_TRANSITION) for r in losers)
    validated, rejected = results[0] is None, results[1] is None
    # received, then one entry for validate, two (order and line) for reject: none lost
    assert len(detail["events"]) == 1 + validated + 2 * rejected
    assert verify_audit(app.uow_factory).ok


def test_an_unmigrated_database_is_refused_with_a_pointer_to_the_upgrade(tmp_path: Path) -> None:
    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    with pytest.raises(DomainError) as caught:
        app.require_current_schema()
    assert caught.value.code is ErrorCode.SCHEMA_OUT_OF_DATE
    assert "ordoflow db upgrade" in caught.value.message
    app.upgrade_database()
    app.require_current_schema()
    app.close()


def test_the_migrated_schema_matches_the_tables_the_code_uses(app: App) -> None:
    with app.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_queries_on_sqlite_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'rw.db'}"))
    app.upgrade_database()
    world = seed(app.bus)
    order_id = app.bus.handle(place(world, 1))
    writer = SqlUnitOfWork(app.engine)
    with writer:  # holds the write lock until it leaves
        with app.uow_factory() as reader:
            found = reader.orders.get(order_id)
        assert found is not None
    app.close()


def test_the_revision_the_code_needs_is_the_newest_migration(app: App) -> None:
    assert migrate.head_revision(app.engine) == schema.SCHEMA_HEAD
    assert schema.current_revision(app.engine) == migrate.current_revision(app.engine)
