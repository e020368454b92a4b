"""Order intake throughput: orders of five lines taken in through the application layer (command,
bus, handler, unit of work: the checks and pricing of `placing.take_in`, then order, lines,
event-log row and outbox row in one transaction) against the same rows inserted with plain SQL
through the raw driver, one transaction per order.

The application path is the intake PlaceOrder does before it runs the governed process: the
handler here records the order as received and stops there. bench/governed_pipeline.py measures
the whole of PlaceOrder, process included, against this rate.

The plain SQL path does no domain work (no checks, reads, hashing or event building): it is the
floor set by the database and its driver, and the ratio says how much of it the application keeps.

    .venv/bin/python bench/order_intake.py [--orders N] [--backend sqlite|postgres|both]
                                           [--rounds R]

Each path is warmed up, then timed in R rounds interleaved with the other path's rounds, so both
see the same machine; a path's rate is the median of its rounds' rates.

PostgreSQL runs in throwaway databases created on the server at ORDOFLOW_BENCH_POSTGRES_URL and
dropped afterwards; without a server it is skipped with a message. The last line printed is one
JSON object with the figures; "orders" in it is a number when every backend timed the same count,
otherwise a mapping from backend to count.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy.engine import make_url

from ordoflow.adapters.persistence import migrate
from ordoflow.adapters.persistence.engine import create_engine
from ordoflow.application import access, placing
from ordoflow.application import commands as c
from ordoflow.application.messagebus import HANDLERS, MessageBus
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.bootstrap import bootstrap
from ordoflow.config import Settings
from ordoflow.domain.eventlog import GENESIS
from ordoflow.domain.intake import new_order_id
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier, Item, ShipTo, Site
from ordoflow.domain.orders import Order
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    CountryCode,
    CurrencyCode,
    ShipToCode,
    SiteCode,
    Sku,
)

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_ORDERS = {"sqlite": 2000, "postgres": 1000}
TARGETS = {"sqlite": 0.30, "postgres": 0.50}
WARMUP = 100
EVENT_SOURCE = "urn:ordoflow"

SITE = SiteCode("DC-BENCH")
CUSTOMERS = tuple(AccountNumber(f"C-BENCH-{n}") for n in range(1, 4))
SHIP_TO = ShipToCode("MAIN")
SKUS = tuple(Sku(f"SKU-BENCH-{n}") for n in range(1, 6))
PRICES = tuple(Decimal("10.50") + n for n in range(len(SKUS)))
USD = CurrencyCode("USD")
REQUESTED = date(2026, 12, 1)
ACTOR = ActorId("bench")  # an integration account taking API orders in
ADMIN = ActorId("admin")


Place = Callable[[int], object]


@dataclass(frozen=True)
class Round:
    orders: int
    seconds: float
    cpu_seconds: float


@dataclass(frozen=True)
class Measurement:
    """Timed rounds of one path; its rate is the median of the rounds' rates, so a burst of
    other work on the machine during one round does not decide the result."""

    rounds: tuple[Round, ...]

    @property
    def orders(self) -> int:
        return sum(r.orders for r in self.rounds)

    @property
    def rate(self) -> float:
        return statistics.median(r.orders / r.seconds for r in self.rounds)

    def ms_per_order(self) -> tuple[float, float]:
        """Wall-clock and this process's CPU milliseconds per order, over all rounds."""
        wall = sum(r.seconds for r in self.rounds)
        cpu = sum(r.cpu_seconds for r in self.rounds)
        return wall * 1e3 / self.orders, cpu * 1e3 / self.orders


@dataclass(frozen=True)
class Result:
    backend: str
    app: Measurement
    plain: Measurement
    rows_per_order: dict[str, str]

    @property
    def ratio(self) -> float:
        return self.app.rate / self.plain.rate

    @property
    def target(self) -> float:
        return TARGETS[self.backend]


def timed(place: Place, first: int, count: int) -> Round:
    began, cpu = time.perf_counter(), time.process_time()
    for i in range(first, first + count):
        place(i)
    return Round(count, time.perf_counter() - began, time.process_time() - cpu)


def compare(app: Place, plain: Place, orders: int, rounds: int) -> tuple[Measurement, Measurement]:
    """Warm both paths up, then time `orders` on each in interleaved rounds (app, plain, app,
    plain...) so that both see the same machine."""
    warmup = min(WARMUP, orders)
    for i in range(warmup):
        app(i)
        plain(i)
    sizes = [orders // rounds + (1 if k < orders % rounds else 0) for k in range(rounds)]
    app_rounds, plain_rounds = [], []
    first = warmup
    for size in filter(None, sizes):
        app_rounds.append(timed(app, first, size))
        plain_rounds.append(timed(plain, first, size))
        first += size
    return Measurement(tuple(app_rounds)), Measurement(tuple(plain_rounds))


# -- the application path ----------------------------------------------------------------------


def master_records() -> list[Site | Customer | ShipTo | Item]:
    records: list[Site | Customer | ShipTo | Item] = [
        Site(SITE, "Bench DC", CountryCode("US"), "America/Chicago")
    ]
    for account in CUSTOMERS:
        records.append(Customer(account, f"{account} Inc.", "TAX-1", CustomerTier.STANDARD, USD,
                                "NET30", Decimal("1000000")))  # fmt: skip
        records.append(ShipTo(account, SHIP_TO, "Dock 1", "1 Main St", "Dallas", "75001",
                              CountryCode("US")))  # fmt: skip
    for n, (sku, price) in enumerate(zip(SKUS, PRICES, strict=True)):
        records.append(Item(sku, f"Item {n}", "EA", "HW", price, USD, Decimal("6"),
                            Decimal("1.2"), "EAR99"))  # fmt: skip
    return records


def save_users(bus: MessageBus, users: dict[ActorId, Role]) -> None:
    """The administrator first (a new database's first user saves itself), then `users`, each
    with one role and acting for every site."""
    everyone = {ADMIN: Role.ADMINISTRATOR, **users}
    for user_id, role in everyone.items():
        bus.handle(c.SaveUser(user=User(user_id, user_id, frozenset({role})), actor=ADMIN))


def place_command(i: int, run: str) -> c.PlaceOrder:
    return c.PlaceOrder(
        actor=ACTOR,
        account_number=CUSTOMERS[i % len(CUSTOMERS)],
        ship_to=SHIP_TO,
        channel=Channel.API,
        customer_po=f"PO-{run}-{i:06d}",
        requested_date=REQUESTED,
        site=SITE,
        lines=tuple(
            c.OrderLineInput(line_no=n + 1, sku=sku, quantity=1 + (i + n) % 9, unit_price=price)
            for n, (sku, price) in enumerate(zip(SKUS, PRICES, strict=True))
        ),
    )


def intake_only(cmd: c.PlaceOrder, uow: UnitOfWork, clock: Clock) -> str:
    """PlaceOrder up to the governed process: who acts checked, the order checked, priced and
    recorded as received."""
    with uow:
        access.within(access.permit(uow, cmd), cmd.site)
        intake = placing.take_in(cmd, uow)
        order = Order.place(new_order_id(), intake.header, intake.lines, actor=cmd.actor,
                            at=clock.now(), fingerprint=intake.fingerprint)  # fmt: skip
        uow.orders.add(order)
        uow.commit()
        return order.id


@contextmanager
def app_intake(url: str) -> Iterator[Place]:
    """A bootstrapped app on a migrated database with its users and master data seeded through
    the bus, taking orders in through `intake_only`."""
    app = bootstrap(Settings(database_url=url, event_source=EVENT_SOURCE))
    try:
        app.upgrade_database()
        save_users(app.bus, {ACTOR: Role.INTEGRATION})
        for record in master_records():
            app.bus.handle(c.CreateRecord(actor=ADMIN, record=record))
        run = secrets.token_hex(3).upper()
        bus = MessageBus(app.bus.uow_factory, app.bus.clock,
                         {**HANDLERS, c.PlaceOrder: intake_only})  # fmt: skip
        yield lambda i: bus.handle(place_command(i, run))
    finally:
        app.close()


# -- the plain SQL path ------------------------------------------------------------------------

ORDER_COLUMNS = (
    "id", "account_number", "ship_to", "channel", "customer_po", "requested_date", "site",
    "currency", "status", "held_from", "hold_reason", "entered_by", "received_at", "updated_at",
    "body_hash", "version", "log_seq", "log_head",
)  # fmt: skip
LINE_COLUMNS = (
    "order_id", "line_no", "sku", "quantity", "unit_price", "unit_of_measure", "status",
    "allocated_qty", "shipped_qty",
)  # fmt: skip
EVENT_COLUMNS = (
    "order_id", "seq", "activity", "occurred_at", "actor", "site", "channel", "from_state",
    "to_state", "line_no", "reason_code", "process_version", "prev_hash", "hash",
)  # fmt: skip
OUTBOX_COLUMNS = (
    "id", "source", "type", "subject", "time", "data", "specversion", "datacontenttype",
)  # fmt: skip


def insert(table: str, columns: Sequence[str], mark: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


@dataclass(frozen=True)
class Driver:
    """How one driver takes values: SQLite gets the text the app's column types store
    (ISO dates and times, decimal strings, JSON text); psycopg gets Python objects."""

    mark: str
    as_text: bool

    def stamp(self, at: datetime) -> Any:
        return at.isoformat(timespec="microseconds") if self.as_text else at

    def day(self, value: date) -> Any:
        return value.isoformat() if self.as_text else value

    def amount(self, value: Decimal) -> Any:
        return str(value) if self.as_text else value

    def document(self, value: dict[str, Any]) -> Any:
        return json.dumps(value) if self.as_text else Json(value)


@dataclass(frozen=True)
class PlainOrder:
    order: tuple[Any, ...]
    lines: list[tuple[Any, ...]]
    event: tuple[Any, ...]
    outbox: tuple[Any, ...]


def plain_order(i: int, run: str, driver: Driver, prices: Sequence[Any]) -> PlainOrder:
    """The rows the app writes for order `i`, in the same shape, with no domain work."""
    order_id = f"SO-{run}{i:010X}"
    account = CUSTOMERS[i % len(CUSTOMERS)]
    at = driver.stamp(datetime.now(UTC))
    head = f"{i:064x}"
    received = OrderStatus.RECEIVED.value
    lines = [
        (order_id, n + 1, sku, 1 + (i + n) % 9, price, "EA", LineStatus.OPEN.value, 0, 0)
        for n, (sku, price) in enumerate(zip(SKUS, prices, strict=True))
    ]
    po = f"PO-{run}-{i:06d}"
    data = {"order_id": order_id, "account_number": account, "customer_po": po, "channel": "api",
            "site": SITE, "currency": USD, "total": "97.50", "line_count": len(lines)}  # fmt: skip
    return PlainOrder(
        order=(order_id, account, SHIP_TO, "api", po, driver.day(REQUESTED),
               SITE, USD, received, None, None, ACTOR, at, at, head, 1, 1, head),
        lines=lines,
        event=(order_id, 1, "order received", at, ACTOR, SITE, "api", None, received, None, None,
               None, GENESIS, head),
        outbox=(str(uuid.uuid4()), EVENT_SOURCE, "ordoflow.order.received",
                f"orders/{order_id}", at, driver.document(data), "1.0", "application/json"),
    )  # fmt: skip


def master_rows(driver: Driver) -> list[tuple[str, dict[str, Any]]]:
    """Master data rows so the order rows' foreign keys hold."""
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "sites",
            {"code": SITE, "name": "Bench DC", "country": "US", "time_zone": "America/Chicago"},
        )
    ]
    for account in CUSTOMERS:
        rows.append(("customers", {"account_number": account, "legal_name": account,
                     "tax_id": "TAX-1", "tier": "standard", "currency": USD,
                     "payment_terms": "NET30", "credit_limit": driver.amount(Decimal("1000000")),
                     "status": "active"}))  # fmt: skip
        rows.append(("ship_tos", {"account_number": account, "code": SHIP_TO, "name": "Dock 1",
                     "address_line": "1 Main St", "city": "Dallas", "postal_code": "75001",
                     "country": "US"}))  # fmt: skip
    for sku, price in zip(SKUS, PRICES, strict=True):
        rows.append(("items", {"sku": sku, "description": sku, "unit_of_measure": "EA",
                     "product_class": "HW", "list_price": driver.amount(price), "currency": USD,
                     "standard_cost": driver.amount(Decimal("6")),
                     "weight_kg": driver.amount(Decimal("1.2")), "export_classification": "EAR99",
                     "hazmat": False}))  # fmt: skip
    return rows


class PlainWriter:
    """One order per transaction through a DB-API connection: BEGIN (SQLite: IMMEDIATE, as the
    app), the order row, the five line rows in one executemany, the event row, the outbox row,
    COMMIT."""

    def __init__(self, conn: Any, driver: Driver, begin: str | None) -> None:
        self.conn, self.driver, self.begin = conn, driver, begin
        self.run = secrets.token_hex(3).upper()
        self.prices = [driver.amount(p) for p in PRICES]
        self.sql = [insert(table, columns, driver.mark) for table, columns in (
            ("orders", ORDER_COLUMNS), ("order_lines", LINE_COLUMNS),
            ("order_events", EVENT_COLUMNS), ("outbox", OUTBOX_COLUMNS),
        )]  # fmt: skip

    def seed(self) -> None:
        cur = self.conn.cursor()
        if self.begin:
            cur.execute(self.begin)
        for table, row in master_rows(self.driver):
            cur.execute(insert(table, list(row), self.driver.mark), list(row.values()))
        self.conn.commit()

    def place(self, i: int) -> None:
        rows = plain_order(i, self.run, self.driver, self.prices)
        cur = self.conn.cursor()
        if self.begin:
            cur.execute(self.begin)
        cur.execute(self.sql[0], rows.order)
        cur.executemany(self.sql[1], rows.lines)
        cur.execute(self.sql[2], rows.event)
        cur.execute(self.sql[3], rows.outbox)
        self.conn.commit()


@contextmanager
def plain_sqlite(path: Path) -> Iterator[Place]:
    """sqlite3 on a migrated file with the app's pragmas and BEGIN IMMEDIATE transactions."""
    migrated(f"sqlite:///{path}")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        writer = PlainWriter(conn, Driver("?", as_text=True), begin="BEGIN IMMEDIATE")
        writer.seed()
        yield writer.place
    finally:
        conn.close()


@contextmanager
def plain_postgres(conninfo: str) -> Iterator[Place]:
    """psycopg 3 on a migrated database, one transaction per order."""
    migrated(conninfo)
    with psycopg.connect(conninfo) as conn:
        writer = PlainWriter(conn, Driver("%s", as_text=False), begin=None)
        writer.seed()
        yield writer.place


# -- databases ---------------------------------------------------------------------------------


def migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


COUNTS = {
    "orders": "SELECT count(*) FROM orders",
    "order_lines": "SELECT count(*) FROM order_lines",
    "order_events": "SELECT count(*) FROM order_events",
    "outbox": "SELECT count(*) FROM outbox WHERE type = 'ordoflow.order.received'",
}


def rows_per_order(url: str, orders: int) -> str:
    """Rows per order placed (warm-up included) in orders / order_lines / order_events / outbox
    (order events only: master data writes leave outbox rows too)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = [conn.execute(sa.text(query)).scalar_one() for query in COUNTS.values()]
    finally:
        engine.dispose()
    total = orders + min(WARMUP, orders)
    return "/".join(f"{n / total:g}" for n in counts)


def bench_sqlite(orders: int, rounds: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="ordoflow-bench-") as folder:
        app_url, plain_path = f"sqlite:///{Path(folder) / 'app.db'}", Path(folder) / "plain.db"
        with app_intake(app_url) as app, plain_sqlite(plain_path) as plain:
            app_m, plain_m = compare(app, plain, orders, rounds)
        shape = {
            "app": rows_per_order(app_url, orders),
            "plain_sql": rows_per_order(f"sqlite:///{plain_path}", orders),
        }
        return Result("sqlite", app_m, plain_m, shape)


def server_url() -> str:
    return os.environ.get("ORDOFLOW_BENCH_POSTGRES_URL", DEFAULT_SERVER)


def shown_server() -> str:
    """The server URL without its password, as far as it parses."""
    try:
        return make_url(server_url()).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return repr(server_url())


def libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


CAN_CREATE_DATABASES = "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"


def postgres_problem() -> str | None:
    """Why the server cannot be used (no answer, or no right to create databases), or None."""
    try:
        with psycopg.connect(libpq(server_url()), connect_timeout=5) as conn:
            row = conn.execute(CAN_CREATE_DATABASES).fetchone()
    except (psycopg.Error, sa.exc.ArgumentError) as exc:
        text = str(exc).strip()
        return text.splitlines()[0] if text else type(exc).__name__
    if not (row and row[0]):
        return "the role may not create databases"
    return None


@contextmanager
def throwaway_database(label: str) -> Iterator[str]:
    """A new database on the server (its libpq URL), dropped on the way out."""
    name = f"ordoflow_bench_{label}_{secrets.token_hex(4)}"
    with psycopg.connect(libpq(server_url()), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield libpq(server_url(), name)
    finally:
        with psycopg.connect(libpq(server_url()), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def bench_postgres(orders: int, rounds: int) -> Result:
    with throwaway_database("app") as app_url, throwaway_database("plain") as plain_url:
        with app_intake(app_url) as app, plain_postgres(plain_url) as plain:
            app_m, plain_m = compare(app, plain, orders, rounds)
        shape = {
            "app": rows_per_order(app_url, orders),
            "plain_sql": rows_per_order(plain_url, orders),
        }
        return Result("postgres", app_m, plain_m, shape)


# -- report ------------------------------------------------------------------------------------


def table(results: Sequence[Result]) -> str:
    head = ("backend", "orders", "app orders/s", "plain SQL orders/s", "ratio", "target", "met")
    rows = [head] + [
        (r.backend, str(r.app.orders), f"{r.app.rate:,.1f}", f"{r.plain.rate:,.1f}",
         f"{r.ratio:.0%}", f"{r.target:.0%}", "yes" if r.ratio >= r.target else "no")
        for r in results
    ]  # fmt: skip
    widths = [max(len(row[k]) for row in rows) for k in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if k else cell.ljust(w) for k, (cell, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def per_order(m: Measurement) -> str:
    wall, cpu = m.ms_per_order()
    return f"{wall:.3f} ms/order ({cpu:.3f} ms of it on this process's CPU)"


def details(r: Result) -> str:
    return (
        f"{r.backend}: app {per_order(r.app)}, plain SQL {per_order(r.plain)}\n"
        f"{' ' * len(r.backend)}  rows per order ({'/'.join(COUNTS)}): "
        f"app {r.rows_per_order['app']}, plain SQL {r.rows_per_order['plain_sql']}"
    )


def summary(results: Sequence[Result], skipped: dict[str, str]) -> dict[str, Any]:
    counts = {r.backend: r.app.orders for r in results}
    out: dict[str, Any] = {
        "benchmark": "order_intake",
        "orders": next(iter(counts.values())) if len(set(counts.values())) == 1 else counts,
        "results": {
            r.backend: {
                "app": {"value": round(r.app.rate, 1), "unit": "orders/s"},
                "plain_sql": {"value": round(r.plain.rate, 1), "unit": "orders/s"},
                "ratio": {"value": round(r.ratio, 3), "unit": "app/plain_sql"},
                "target": {"value": r.target, "unit": "app/plain_sql"},
            }
            for r in results
        },
    }
    if skipped:
        out["skipped"] = skipped
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--orders", type=int, default=None,
        help="orders timed per path (default: 2000 on SQLite, 1000 on PostgreSQL)",
    )  # fmt: skip
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timed rounds per path")
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error("--orders must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def run(backend: str, orders: int, rounds: int) -> Result | str:
    """The backend's result, or why it was skipped."""
    if backend == "postgres" and (problem := postgres_problem()) is not None:
        print(
            f"PostgreSQL skipped: cannot use the server at {shown_server()}: {problem}", flush=True
        )
        return problem
    print(f"{backend}: {orders} orders of {len(SKUS)} lines per path, {rounds} rounds", flush=True)
    bench = bench_sqlite if backend == "sqlite" else bench_postgres
    return bench(orders, rounds)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results: list[Result] = []
    skipped: dict[str, str] = {}
    for backend in backends:
        outcome = run(backend, args.orders or DEFAULT_ORDERS[backend], args.rounds)
        if isinstance(outcome, Result):
            results.append(outcome)
        else:
            skipped[backend] = outcome
    if results:
        print()
        print(table(results))
        print()
        for r in results:
            print(details(r))
    print(json.dumps(summary(results, skipped)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
