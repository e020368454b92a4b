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
from ordoflow.domain.values import OrderId
from tests.builders import World, order_id, place, seed
from tests.staff import ADMIN, AGENT, AUDITOR, WAREHOUSE


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
    detail = show_order(app.uow_factory, AGENT, order_id)
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
    # six orders of 3 placed at once: each runs the process and takes stock as it is placed
    orders = [order_id(o) for o in run_together(6, lambda _: app.bus.handle(place(world, 3)))]
    assert stock_row(app, world) == (10, allocated_to(app, orders))
    assert allocated_to(app, orders) == 10
    statuses = [OrderStatus(show_order(app.uow_factory, AGENT, o)["status"]) for o in orders]
    assert statuses.count(OrderStatus.RELEASED) == 3
    assert set(statuses) <= {OrderStatus.RELEASED, OrderStatus.PARTIALLY_ALLOCATED,
                             OrderStatus.BACKORDERED}  # fmt: skip
    # six more arrive, and the three orders still waiting (8 units short) allocate at once
    stock_file = f"sku,site,on_hand\n{world.skus[0]},{world.site},16\n"
    app.bus.handle(c.ImportRecords(actor=ADMIN, kind="stock", text=stock_file))
    waiting = [o for o, s in zip(orders, statuses, strict=True) if s is not OrderStatus.RELEASED]
    run_together(3, lambda i: app.bus.handle(c.AllocateOrder(actor=WAREHOUSE, order_id=waiting[i])))
    assert stock_row(app, world) == (16, allocated_to(app, orders))
    assert allocated_to(app, orders) == 16


def stock_row(app: App, world: World) -> tuple[int, int]:
    with app.engine.connect() as conn:
        on_hand, allocated = conn.exec_driver_sql(
            f"SELECT on_hand, allocated FROM stock WHERE sku = '{world.skus[0]}'"
        ).one()
    return on_hand, allocated


def allocated_to(app: App, orders: list[OrderId]) -> int:
    return sum(show_order(app.uow_factory, AGENT, o)["lines"][0]["allocated"] for o in orders)


def test_two_clients_moving_one_order_at_once_cannot_both_win(app: App) -> None:
    world = seed(app.bus, stock=2)
    oid = app.bus.handle(place(world, 3))  # takes 2 of 3 and waits at release
    before = show_order(app.uow_factory, AGENT, oid)
    assert before["status"] == OrderStatus.PARTIALLY_ALLOCATED
    # a hold and a release each rule the other out, whichever commits first
    results = run_together(2, lambda i: app.bus.handle(
        c.ReleaseOrder(actor=WAREHOUSE, order_id=oid) if i == 0
        else c.HoldOrder(actor=AGENT, order_id=oid, reason_code="dup")
    ))  # fmt: skip
    detail = show_order(app.uow_factory, AGENT, oid)
    losers = [r for r in results if r is not None]
    assert len(losers) == 1
    assert all(r in (ErrorCode.CONCURRENT_UPDATE, ErrorCode.ILLEGAL_TRANSITION) for r in losers)
    released, held = results[0] is None, results[1] is None
    assert detail["status"] == (OrderStatus.RELEASED if released else OrderStatus.ON_HOLD)
    # two entries (order and line) for release, one for hold: none lost, none extra
    assert len(detail["events"]) == len(before["events"]) + 2 * released + held
    assert verify_audit(app.uow_factory, AUDITOR).ok


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
