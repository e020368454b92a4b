"""Governed pipeline throughput: orders of five lines placed through the application layer on a
database where the standard order-to-cash process is published, so that every order runs the whole
governed process in its placing transaction (nine decision tables: customer validation, pricing
approval, credit, export compliance, order review, sourcing policy, allocation priority,
shipping constraints, release policy; stock taken; the order released and a warehouse request
created; each step's decision trace stored in
order_decisions), against the intake-only rate of the spine benchmark measured in the same run.

    .venv/bin/python bench/governed_pipeline.py [--orders N] [--backend sqlite|postgres|both]
                                                [--rounds R] [--profile]

The governed path saves its users (the administrator, the integration account that places the
orders, a process owner and a board member), seeds a site, 50 customers (each with a ship-to and a
credit limit far above what the run can owe), the five items of bench/order_intake.py with more
stock than the run can take, and publishes the shipped rule sets and template (`ordoflow.governance`
resources `rulesets/*.dmn` and `templates/order_to_cash.yaml`), each drafted and submitted by a
process owner and approved by a board member. Its orders are those of bench/order_intake.py (same
lines, quantities and prices, channel api, one site) spread over the 50 customers, so that each
customer's open exposure, which the credit step sums, stays at a realistic size. No order may be
held: after the timed rounds every order placed (warm-up included) must be released with nine
decisions, else the benchmark stops without a figure.

The intake-only baseline is bench/order_intake.py's application path, imported and run
unchanged: the same PlaceOrder commands through the bus, handled by the intake PlaceOrder does
before the governed process (checks, pricing, the order recorded as received with its log row
and outbox row), on a database with its master data. Every baseline order must be `received`
with no decision; this is checked after the timed rounds too.

Each path is warmed up, then timed in R rounds interleaved with the other path's rounds, so both
see the same machine; a path's rate is the median of its rounds' rates. The target is for the
governed pipeline to keep at least 70% of the intake-only rate.

PostgreSQL runs in throwaway databases created on the server at ORDOFLOW_BENCH_POSTGRES_URL and
dropped afterwards; without a server it is skipped with a message. `--profile` adds, before the
report, a cProfile of 300 more governed orders per backend, by cumulative time (profiling slows
every call, so read it for shares and call counts, not for rates). The last line printed is one
JSON object with the figures; "orders" in it is a number when every backend timed the same
count, otherwise a mapping from backend to count.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import pstats
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# The spine benchmark is imported from bench/, which is on sys.path when this file runs as a
# script (also under `python -m cProfile`); put there otherwise.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import order_intake as spine
from order_intake import Measurement, Place
from ordoflow.adapters.persistence.engine import create_engine
from ordoflow.application import commands as c
from ordoflow.application.messagebus import MessageBus
from ordoflow.bootstrap import bootstrap
from ordoflow.config import Settings
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier, Item, ShipTo, Site, StockLevel
from ordoflow.domain.people import Role
from ordoflow.domain.values import AccountNumber, ActorId, CountryCode
from ordoflow.governance.versions import ArtifactKind

DEFAULT_ORDERS = spine.DEFAULT_ORDERS  # sqlite 2000, postgres 1000
DEFAULT_ROUNDS = 3
TARGET = 0.70  # governed / intake-only
PROFILE_ORDERS = 300

STEPS = 9  # the standard template's steps, one decision table each
CUSTOMERS = tuple(AccountNumber(f"C-GOV-{n:02d}") for n in range(1, 51))
CREDIT_LIMIT = Decimal("100000000")
ON_HAND = 1_000_000_000
OWNER, BOARD = ActorId("process.owner"), ActorId("board.member")
TEMPLATE = "order_to_cash"


@dataclass(frozen=True)
class Result:
    backend: str
    governed: Measurement
    intake: Measurement
    governed_rows: dict[str, float]
    intake_rows: dict[str, float]

    @property
    def ratio(self) -> float:
        return self.governed.rate / self.intake.rate

    @property
    def met(self) -> bool:
        return self.ratio >= TARGET


# -- the governed path -------------------------------------------------------------------------


def master_records() -> list[Site | Customer | ShipTo | Item | StockLevel]:
    """The spine benchmark's site and items, 50 customers with a ship-to each, and stock."""
    shared = [r for r in spine.master_records() if isinstance(r, Site | Item)]
    records: list[Site | Customer | ShipTo | Item | StockLevel] = [*shared]
    for account in CUSTOMERS:
        records.append(Customer(account, f"{account} Inc.", "TAX-1", CustomerTier.STANDARD,
                                spine.USD, "NET30", CREDIT_LIMIT))  # fmt: skip
        records.append(ShipTo(account, spine.SHIP_TO, "Dock 1", "1 Main St", "Dallas", "75001",
                              CountryCode("US")))  # fmt: skip
    records.extend(StockLevel(sku, spine.SITE, ON_HAND) for sku in spine.SKUS)
    return records


def governed_command(i: int, run: str) -> c.PlaceOrder:
    """The spine benchmark's order `i`, placed by one of the 50 customers."""
    return dataclasses.replace(
        spine.place_command(i, run), account_number=CUSTOMERS[i % len(CUSTOMERS)]
    )


def publish(bus: MessageBus, kind: ArtifactKind, name: str, text: str) -> None:
    """Draft and submit by the process owner, approve by a board member."""
    number = int(bus.handle(c.DraftVersion(kind=kind, name=name, text=text, actor=OWNER)))
    bus.handle(c.SubmitVersion(kind=kind, name=name, number=number, actor=OWNER))
    bus.handle(c.ApproveVersion(kind=kind, name=name, number=number, actor=BOARD))


def publish_standard_process(bus: MessageBus) -> None:
    """Every shipped rule set, then the standard template."""
    package = resources.files("ordoflow.governance")
    rulesets = sorted((p for p in (package / "rulesets").iterdir() if p.name.endswith(".dmn")),
                      key=lambda p: p.name)  # fmt: skip
    for path in rulesets:
        text = path.read_text(encoding="utf-8")
        publish(bus, ArtifactKind.TABLE, path.name.removesuffix(".dmn"), text)
    template = (package / "templates" / f"{TEMPLATE}.yaml").read_text(encoding="utf-8")
    publish(bus, ArtifactKind.TEMPLATE, TEMPLATE, template)


@contextmanager
def governed_intake(url: str) -> Iterator[Place]:
    """A bootstrapped app on a migrated database with its users and master data seeded through
    the bus and the standard process published."""
    app = bootstrap(Settings(database_url=url, event_source=spine.EVENT_SOURCE))
    try:
        app.upgrade_database()
        spine.save_users(app.bus, {spine.ACTOR: Role.INTEGRATION, OWNER: Role.PROCESS_OWNER,
                                   BOARD: Role.GOVERNANCE_BOARD})  # fmt: skip
        for record in master_records():
            app.bus.handle(c.CreateRecord(actor=spine.ADMIN, record=record))
        publish_standard_process(app.bus)
        run = secrets.token_hex(3).upper()
        yield lambda i: app.bus.handle(governed_command(i, run))
    finally:
        app.close()


# -- checks ------------------------------------------------------------------------------------

CENSUS = {
    "orders": "SELECT count(*) FROM orders",
    "released": f"SELECT count(*) FROM orders WHERE status = '{OrderStatus.RELEASED.value}'",
    "received": f"SELECT count(*) FROM orders WHERE status = '{OrderStatus.RECEIVED.value}'",
    "decisions": "SELECT count(*) FROM order_decisions",
    "fully_decided": "SELECT count(*) FROM (SELECT order_id FROM order_decisions GROUP BY "
    f"order_id HAVING count(DISTINCT step) = {STEPS}) AS decided",
    "order_lines": "SELECT count(*) FROM order_lines",
    "order_events": "SELECT count(*) FROM order_events",
}
#: What each path must have left behind, per order placed.
EXPECTED = {
    "governed": {"released": 1, "decisions": STEPS, "fully_decided": 1},
    "intake": {"received": 1, "decisions": 0},
}
#: What the report shows, per order placed.
SHOWN = ("order_lines", "order_events", "decisions")


def census(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {key: conn.execute(sa.text(q)).scalar_one() for key, q in CENSUS.items()}
    finally:
        engine.dispose()


def checked(path: str, url: str, placed: int) -> dict[str, float]:
    """Rows per order placed; stops the benchmark when the path did not do what it is
    measured for (every order governed and released, or every order held for no process)."""
    counts = census(url)
    wrong = [f"{key}: {counts[key]}, expected {placed * per}"
             for key, per in {"orders": 1, **EXPECTED[path]}.items()
             if counts[key] != placed * per]  # fmt: skip
    if wrong:
        raise SystemExit(f"{path} path: {placed} orders placed, but " + "; ".join(wrong))
    return {key: counts[key] / placed for key in SHOWN}


# -- runs --------------------------------------------------------------------------------------


def profiled(place: Place, first: int, backend: str, lines: int = 25) -> str:
    profile = cProfile.Profile()
    profile.runcall(spine.timed, place, first, PROFILE_ORDERS)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats("cumulative").print_stats(lines)
    return (f"cProfile of {PROFILE_ORDERS} governed orders on {backend}, by cumulative time:\n"
            f"{out.getvalue().strip()}")  # fmt: skip


def measure(
    backend: str, governed_url: str, intake_url: str, *, orders: int, rounds: int, profile: bool
) -> Result:
    with governed_intake(governed_url) as governed, spine.app_intake(intake_url) as intake:
        governed_m, intake_m = spine.compare(governed, intake, orders, rounds)
        placed = orders + min(spine.WARMUP, orders)
        if profile:
            print(profiled(governed, placed, backend), flush=True)
    governed_rows = checked("governed", governed_url, placed + (PROFILE_ORDERS if profile else 0))
    intake_rows = checked("intake", intake_url, placed)
    return Result(backend, governed_m, intake_m, governed_rows, intake_rows)


def bench_sqlite(orders: int, rounds: int, profile: bool) -> Result:
    with tempfile.TemporaryDirectory(prefix="ordoflow-bench-") as folder:
        governed_url = f"sqlite:///{Path(folder) / 'governed.db'}"
        intake_url = f"sqlite:///{Path(folder) / 'intake.db'}"
        return measure(
            "sqlite", governed_url, intake_url, orders=orders, rounds=rounds, profile=profile
        )


def bench_postgres(orders: int, rounds: int, profile: bool) -> Result:
    with (
        spine.throwaway_database("governed") as governed_url,
        spine.throwaway_database("intake") as intake_url,
    ):
        return measure(
            "postgres", governed_url, intake_url, orders=orders, rounds=rounds, profile=profile
        )


# -- report ------------------------------------------------------------------------------------

GOVERNED_PATH = f"governed: {STEPS} steps, stock taken, released, traces stored"
INTAKE_PATH = "intake-only: order_intake.py app path (received, no process)"


def table(r: Result) -> str:
    head = ("path", "orders", "orders/s", "governed/intake", "target", "met")
    rows = [
        head,
        (GOVERNED_PATH, str(r.governed.orders), f"{r.governed.rate:,.1f}", f"{r.ratio:.0%}",
         f"{TARGET:.0%}", "yes" if r.met else "no"),
        (INTAKE_PATH, str(r.intake.orders), f"{r.intake.rate:,.1f}", "", "", ""),
    ]  # fmt: skip
    widths = [max(len(row[k]) for row in rows) for k in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if k else cell.ljust(w) for k, (cell, w) in
                       enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return f"{r.backend}\n" + "\n".join(lines)


def rows(shape: dict[str, float]) -> str:
    return "/".join(f"{shape[key]:g}" for key in SHOWN)


def details(r: Result) -> str:
    pad = " " * len(r.backend)
    return (
        f"{r.backend}: governed {spine.per_order(r.governed)}\n"
        f"{pad}  intake   {spine.per_order(r.intake)}\n"
        f"{pad}  rows per order ({'/'.join(SHOWN)}): "
        f"governed {rows(r.governed_rows)}, intake {rows(r.intake_rows)}"
    )


def summary(results: Sequence[Result], skipped: dict[str, str]) -> dict[str, Any]:
    counts = {r.backend: r.governed.orders for r in results}
    out: dict[str, Any] = {
        "benchmark": "governed_pipeline",
        "orders": next(iter(counts.values())) if len(set(counts.values())) == 1 else counts,
    }
    for r in results:
        out[r.backend] = {
            "governed": {"value": round(r.governed.rate, 1), "unit": "orders/s"},
            "intake": {"value": round(r.intake.rate, 1), "unit": "orders/s"},
            "ratio": {"value": round(r.ratio, 3), "unit": "governed/intake"},
            "target": {"value": TARGET, "unit": "governed/intake"},
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
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help="interleaved timed rounds per path")  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help=f"also profile {PROFILE_ORDERS} more governed orders per backend",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error("--orders must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def run(backend: str, orders: int, rounds: int, profile: bool) -> Result | str:
    """The backend's result, or why it was skipped."""
    if backend == "postgres" and (problem := spine.postgres_problem()) is not None:
        print(
            f"PostgreSQL skipped: cannot use the server at {spine.shown_server()}: {problem}",
            flush=True,
        )
        return problem
    print(f"{backend}: {orders} orders of {len(spine.SKUS)} lines per path, {rounds} rounds",
          flush=True)  # fmt: skip
    bench = bench_sqlite if backend == "sqlite" else bench_postgres
    return bench(orders, rounds, profile)


def run_backends(
    args: argparse.Namespace,
    *,
    run: Callable[[str, int, int, bool], Any],
    default_orders: Mapping[str, int],
    table: Callable[[Any], str],
    details: Callable[[Any], str],
    summary: Callable[[list[Any], dict[str, str]], Any],
) -> int:
    """Run each backend asked for (a backend that cannot run answers with the reason, a str),
    print each result's table and details, then the JSON line."""
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results: list[Any] = []
    skipped: dict[str, str] = {}
    for backend in backends:
        outcome = run(backend, args.orders or default_orders[backend], args.rounds, args.profile)
        if isinstance(outcome, str):
            skipped[backend] = outcome
        else:
            results.append(outcome)
    for r in results:
        print()
        print(table(r))
    if results:
        print()
        for r in results:
            print(details(r))
    print(json.dumps(summary(results, skipped)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_backends(parse_args(argv), run=run, default_orders=DEFAULT_ORDERS, table=table,
                        details=details, summary=summary)  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
