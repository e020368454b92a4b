"""Order-to-cash throughput: orders of five lines taken the whole way, from PlaceOrder to a posted
invoice, by one and by two worker processes on one database, against the governed placing rate
of bench/governed_pipeline.py measured in the same run.

    .venv/bin/python bench/order_to_cash.py [--orders N] [--backend sqlite|postgres|both]
                                            [--rounds R] [--profile] [--milestones]

A complete order has gone through
  - PlaceOrder through the bus: intake, then the standard process (one decision table per step,
    sourcing included), stock taken, the order released and a warehouse request created;
  - the built-in warehouse simulator (`warehouse_work.simulate_warehouse`, `ship_only`), which
    sends ConfirmShipment (every open unit, final: stock issued, cost of goods posted) for each
    open request of its site, as a WMS that reports shipments only does: the issue's path ends
    with the shipment confirmation, and picking, packing and proof of delivery, which a WMS may
    or may not report, are each one more transaction of a row or two per order (run with
    `--milestones` to have the simulator report them too);
  - the durable dispatcher (`dispatch.dispatch_once`, ticked until a tick handles nothing),
    which bills each shipment from its `shipment.confirmed` event, `dispatch.BATCH` events per
    transaction: tax and freight from the `invoice_charges` table, the next number of the
    company's series, the invoice posted to the ledger, the order moved to invoiced.

Each worker process bootstraps its own App on the database and takes its share of each round
(order i goes to worker i mod W) end to end: it places its orders, runs the simulator on its
own site in batches of 100 requests until none is open, then ticks the dispatcher until idle.
Two workers tick the dispatcher at once on the same events: both read the oldest unhandled
ones; a batch another worker holds is skipped (on PostgreSQL, `FOR UPDATE SKIP LOCKED`), and
the claim (a unique key) decides which of them bills each shipment.

Data, users and rules are bench/governed_pipeline.py's, seeded by its own code: the
administrator (who also reads the trial balance), the integration account (which places the
orders and, holding a warehouse role, confirms the warehouse work), a process owner and a board
member; the spine benchmark's site and five items, 50 customers with a Dallas ship-to (ZIP
75001: region US-CENTRAL) and credit far above what the run can owe; every shipped rule set
(`ordoflow.governance` resources `rulesets/*.dmn`, sourcing_policy and invoice_charges included)
and the standard template, published through the bus. Added here: a second site, DC-BENCH-2,
with the same ample stock. Worker 1 places its orders at DC-BENCH and worker 2 at DC-BENCH-2.
For US-CENTRAL the sourcing table prefers DAL1 then ATL1, which are not seeded here, so the
plan falls back on the order's own site: every order ships complete, in one shipment, from its
worker's site, and no order splits. That is also what lets each worker's simulator work on its
own orders only.

The baseline is bench/governed_pipeline.py's governed path, imported and run unchanged
(`governed_intake`): the same orders placed and released, nothing shipped or invoiced, by this
one process, on a database of its own on the same backend. Each full-path figure is also given
as a share of it.

Each path is warmed up with 20 orders (the full path's taken end to end and shared among its
workers, whose processes are started and bootstrapped by then), then timed in R rounds
(default 2) of N orders in all (default 120 on SQLite, 80 on PostgreSQL: both backends then
take under two minutes on two busy cores, most of it seeding databases), interleaved across
the paths (baseline, 1 worker, 2 workers, baseline...) so that all see the same machine. A
full-path round runs from handing the workers their shares to the last worker done with its
dispatcher; its rate is the round's orders over that time, and a path's rate is the median of
its rounds' rates. The workers share the machine with the database server (and on SQLite, its
one write lock): a second worker adds throughput only where cores and locks are left over.

After the timed rounds, on each full-path database every order placed (warm-up and profile
included) must be invoiced, no warehouse request may be open, there must be as many invoices as
shipments, all issued and each billed once by the dispatcher, and the trial balance must be in
balance; on the baseline database every order must be released with one decision per step of
the template. Otherwise the benchmark exits non-zero without figures.

The issue's target is at least 300 complete orders/s on PostgreSQL; the table says whether it
is met and the run does not fail when it is not. For scale: ERPNext 15 ran the same five-line
order through sales order, delivery note and sales invoice at 1.6 orders/s on this kind of
machine (median of nine runs).

The order_review table holds an order when the customer's orders of the last 24 hours reach
25,000 together; with 50 customers that allows about 4,000 of these orders per database, so a
run may place at most 3,500 orders per database (warm-up and profile included).

PostgreSQL runs in throwaway databases created on the server at ORDOFLOW_BENCH_POSTGRES_URL and
dropped afterwards; without a server it is skipped with a message. `--profile` adds, before the
report, a cProfile of 200 more complete orders per backend, run by this process on the 1-worker
database (profiling slows every call, so read it for shares and call counts, not for rates). The
last line printed is one JSON object with the figures, each with its unit, per backend: the
baseline, each worker count's rate and its share of the baseline, and on PostgreSQL the target;
"orders" in it is a number when every backend timed the same count, otherwise a mapping from
backend to count.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import functools
import io
import multiprocessing as mp
import pstats
import queue
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# The other benchmarks are imported from bench/, which is on sys.path when this file runs as a
# script (also under `python -m cProfile`, and in the worker processes it spawns); put there
# otherwise.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import governed_pipeline as gp
import order_intake as spine
from order_intake import Measurement, Round
from ordoflow.adapters.persistence.engine import create_engine
from ordoflow.application import commands as c
from ordoflow.application import invoicing
from ordoflow.application.dispatch import SUBSCRIPTIONS, dispatch_once
from ordoflow.application.finance_queries import trial_balance
from ordoflow.application.warehouse_work import simulate_warehouse
from ordoflow.bootstrap import App, bootstrap
from ordoflow.config import Settings
from ordoflow.domain.invoicing import InvoiceStatus
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Site, StockLevel
from ordoflow.domain.values import CountryCode, SiteCode
from ordoflow.domain.warehouse import RequestStatus
from ordoflow.governance.template import load_template

DEFAULT_ORDERS = {"sqlite": 120, "postgres": 80}
DEFAULT_ROUNDS = 2
WORKER_COUNTS = (1, 2)
TARGET = 300.0  # complete orders/s on PostgreSQL
TARGET_BACKEND = "postgres"
BATCH = 100  # requests per simulator call, events per consumer per dispatcher tick
STALLED_TICKS = 3  # dispatcher ticks in a row that only fail before a worker gives up
PROFILE_ORDERS = 200
PROFILE_WARMUP = 20
MAX_ORDERS = 3500  # per database, under order_review's 24-hour value per customer
WARMUP = 20  # orders per path (the full path's shared among its workers)

SITES = (spine.SITE, SiteCode("DC-BENCH-2"))  # worker k places and ships at SITES[k]
#: The dispatcher's consumer that bills shipments.
BILLING = next(s.name for s in SUBSCRIPTIONS if s.handle is invoicing.invoice_shipment)


def template_steps() -> int:
    """How many steps (so decisions) the standard template has."""
    package = resources.files("ordoflow.governance")
    text = (package / "templates" / f"{gp.TEMPLATE}.yaml").read_text(encoding="utf-8")
    return len(load_template(text).steps)


# -- the databases -----------------------------------------------------------------------------


def new_app(url: str) -> App:
    return bootstrap(Settings(database_url=url, event_source=spine.EVENT_SOURCE))


def prepare(url: str) -> None:
    """governed_pipeline's database (users, master data, the standard process published), plus
    the second site and its stock."""
    with gp.governed_intake(url):
        pass
    app = new_app(url)
    try:
        records: list[Site | StockLevel] = [
            Site(SITES[1], "Bench DC 2", CountryCode("US"), "America/Chicago"),
            *(StockLevel(sku, SITES[1], gp.ON_HAND) for sku in spine.SKUS),
        ]
        for record in records:
            app.bus.handle(c.CreateRecord(actor=spine.ADMIN, record=record))
    finally:
        app.close()


@contextmanager
def databases(backend: str) -> Iterator[dict[str, str]]:
    """Empty databases: "baseline", and one per worker count (1, 2)."""
    labels = ["baseline", *(f"workers{w}" for w in WORKER_COUNTS)]
    with ExitStack() as stack:
        if backend == "sqlite":
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ordoflow-")))
            yield {label: f"sqlite:///{folder / label}.db" for label in labels}
        else:
            yield {label: stack.enter_context(spine.throwaway_database(label))
                   for label in labels}  # fmt: skip


# -- the full path -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """What one worker did with its share of a round: orders, seconds spent placing, shipping
    (simulator) and invoicing (dispatcher), its CPU seconds, shipments confirmed, events its
    dispatcher handled, and dispatcher attempts refused (tried again at the next tick)."""

    orders: int
    place: float
    ship: float
    invoice: float
    cpu: float
    shipments: int
    handled: int
    refused: int


class FullPath:
    """Worker k of `workers`: places order i when i mod workers is k, at its own site, ships what
    its site has open, and runs the dispatcher until idle."""

    def __init__(self, app: App, k: int, workers: int, run: str, milestones: bool) -> None:
        self.app, self.k, self.workers, self.run = app, k, workers, run
        self.site, self.milestones = SITES[k], milestones

    def command(self, i: int) -> c.PlaceOrder:
        return dataclasses.replace(gp.governed_command(i, self.run), site=self.site)

    def share(self, first: int, count: int) -> Share:
        cpu, began = time.process_time(), time.perf_counter()
        mine = range(first + (self.k - first) % self.workers, first + count, self.workers)
        bus = self.app.bus
        for i in mine:
            bus.handle(self.command(i))
        placed = time.perf_counter()
        shipments = 0
        while done := simulate_warehouse(bus.handle, self.app.uow_factory, spine.ACTOR,
                                         frozenset({self.site}), limit=BATCH,
                                         ship_only=not self.milestones):  # fmt: skip
            shipments += len(done)
        shipped = time.perf_counter()
        handled, refused = self.dispatch()
        ended = time.perf_counter()
        return Share(len(mine), placed - began, shipped - placed, ended - shipped,
                     time.process_time() - cpu, shipments, handled, refused)  # fmt: skip

    def dispatch(self) -> tuple[int, int]:
        """Tick until a tick handles and refuses nothing (or only refuses, STALLED_TICKS times
        in a row: the final checks then say what was left); returns (handled, refused)."""
        handled = refused = stalled = 0
        while stalled < STALLED_TICKS:
            report = dispatch_once(self.app.bus.uow_factory, self.app.bus.clock, limit=BATCH)
            handled += report.handled
            refused += len(report.failed)
            if report.handled:
                stalled = 0
            elif report.failed:
                stalled += 1
            else:
                break
        return handled, refused


def work(*, url: str, k: int, workers: int, run: str, milestones: bool, jobs: Any,
         results: Any) -> None:  # fmt: skip
    """A worker process: its own App; one share per job (first, count) until None."""
    try:
        app = new_app(url)
        try:
            path = FullPath(app, k, workers, run, milestones)
            while (job := jobs.get()) is not None:
                results.put((k, dataclasses.asdict(path.share(*job))))
        finally:
            app.close()
    except BaseException:
        results.put((k, traceback.format_exc()))
        raise


class Workers:
    """`count` worker processes (spawned, so nothing of this process is shared) on one
    database."""

    def __init__(self, url: str, count: int, milestones: bool) -> None:
        context = mp.get_context("spawn")
        run = secrets.token_hex(3).upper()
        self.jobs = [context.Queue() for _ in range(count)]
        self.results = context.Queue()
        self.processes = [
            context.Process(target=work, name=f"order-to-cash-worker-{k + 1}", daemon=True,
                            kwargs={"url": url, "k": k, "workers": count, "run": run,
                                    "milestones": milestones, "jobs": self.jobs[k],
                                    "results": self.results})
            for k in range(count)
        ]  # fmt: skip
        for p in self.processes:
            p.start()

    def round(self, first: int, count: int) -> tuple[Round, list[Share]]:
        """Orders first..first+count-1, shared among the workers; timed until the last is done."""
        began = time.perf_counter()
        for jobs in self.jobs:
            jobs.put((first, count))
        shares = self.collect()
        seconds = time.perf_counter() - began
        return Round(count, seconds, sum(s.cpu for s in shares)), shares

    def collect(self) -> list[Share]:
        got: dict[int, Share] = {}
        while len(got) < len(self.processes):
            try:
                k, outcome = self.results.get(timeout=5)
            except queue.Empty:
                for p in self.processes:
                    if p.exitcode is not None:
                        raise SystemExit(f"{p.name} ended with exit code {p.exitcode}") from None
                continue
            if isinstance(outcome, str):
                raise SystemExit(f"worker {k + 1} failed:\n{outcome}")
            got[k] = Share(**outcome)
        return [got[k] for k in sorted(got)]

    def close(self) -> None:
        for jobs in self.jobs:
            jobs.put(None)
        for p in self.processes:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
                p.join()


@contextmanager
def workers(url: str, count: int, milestones: bool) -> Iterator[Workers]:
    group = Workers(url, count, milestones)
    try:
        yield group
    finally:
        group.close()


# -- checks ------------------------------------------------------------------------------------

_DONE = f"('{RequestStatus.SHIPPED.value}', '{RequestStatus.CANCELLED.value}')"
FULL_CENSUS = {
    "orders": "SELECT count(*) FROM orders",
    "invoiced": f"SELECT count(*) FROM orders WHERE status = '{OrderStatus.INVOICED.value}'",
    "open_requests": f"SELECT count(*) FROM warehouse_requests WHERE status NOT IN {_DONE}",
    "shipments": "SELECT count(*) FROM shipments",
    "delivered": "SELECT count(*) FROM shipments WHERE delivered_at IS NOT NULL",
    "invoices": "SELECT count(*) FROM invoices",
    "issued": f"SELECT count(*) FROM invoices WHERE status = '{InvoiceStatus.ISSUED.value}'",
    "billed": f"SELECT count(*) FROM processed_events WHERE consumer = '{BILLING}'",
    "journal_entries": "SELECT count(*) FROM journal_entries "
    "WHERE document_type IN ('shipment', 'invoice')",
    "order_events": "SELECT count(*) FROM order_events",
    "decisions": "SELECT count(*) FROM order_decisions",
}
BASELINE_CENSUS = {
    "orders": "SELECT count(*) FROM orders",
    "released": f"SELECT count(*) FROM orders WHERE status = '{OrderStatus.RELEASED.value}'",
    "decisions": "SELECT count(*) FROM order_decisions",
    "order_events": "SELECT count(*) FROM order_events",
}
#: What the report shows, per order placed.
SHOWN = ("order_events", "decisions", "shipments", "invoices", "journal_entries")


def count_rows(url: str, queries: dict[str, str]) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {key: conn.execute(sa.text(q)).scalar_one() for key, q in queries.items()}
    finally:
        engine.dispose()


def refuse(label: str, placed: int, wrong: list[str]) -> None:
    if wrong:
        raise SystemExit(f"{label}: {placed} orders placed, but " + "; ".join(wrong))


def checked_full(label: str, url: str, placed: int, milestones: bool) -> dict[str, float]:
    """Rows per order placed; stops the benchmark unless every order went the whole way (and
    with `milestones`, every shipment was delivered; without, none)."""
    n = count_rows(url, FULL_CENSUS)
    expected = {"orders": placed, "invoiced": placed, "open_requests": 0, "delivered":
                n["shipments"] if milestones else 0, "invoices": n["shipments"], "issued":
                n["shipments"], "billed": n["shipments"]}  # fmt: skip
    wrong = [f"{key}: {n[key]}, expected {want}" for key, want in expected.items()
             if n[key] != want]  # fmt: skip
    if n["shipments"] < placed:
        wrong.append(f"shipments: {n['shipments']}, expected at least {placed}")
    app = new_app(url)
    try:
        if not trial_balance(app.uow_factory, spine.ADMIN)["in_balance"]:
            wrong.append("the trial balance is not in balance")
    finally:
        app.close()
    refuse(label, placed, wrong)
    return {key: n[key] / placed for key in SHOWN}


def checked_baseline(url: str, placed: int, steps: int) -> None:
    n = count_rows(url, BASELINE_CENSUS)
    expected = {"orders": placed, "released": placed, "decisions": placed * steps}
    refuse("baseline", placed, [f"{key}: {n[key]}, expected {want}"
                                for key, want in expected.items() if n[key] != want])  # fmt: skip


# -- runs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FullRun:
    workers: int
    measurement: Measurement
    shares: tuple[Share, ...]  # every worker's share of every timed round
    rows: dict[str, float]

    def per_order_ms(self, phase: str) -> float:
        """Worker seconds in `phase` (summed over workers), in ms per order."""
        seconds = sum(float(getattr(s, phase)) for s in self.shares)
        return seconds * 1e3 / self.measurement.orders


@dataclass(frozen=True)
class Result:
    backend: str
    baseline: Measurement
    full: tuple[FullRun, ...]
    milestones: bool

    def share(self, run: FullRun) -> float:
        return run.measurement.rate / self.baseline.rate

    @property
    def has_target(self) -> bool:
        return self.backend == TARGET_BACKEND

    def met(self, run: FullRun) -> bool:
        return run.measurement.rate >= TARGET


def profiled(url: str, first: int, backend: str, milestones: bool, lines: int = 30) -> str:
    """cProfile of PROFILE_ORDERS complete orders, placed, shipped and invoiced by this process
    as the only worker, by cumulative and by own time."""
    app = new_app(url)
    try:
        path = FullPath(app, 0, 1, secrets.token_hex(3).upper(), milestones)
        path.share(first, PROFILE_WARMUP)  # this process's own caches
        profile = cProfile.Profile()
        profile.runcall(path.share, first + PROFILE_WARMUP, PROFILE_ORDERS)
    finally:
        app.close()
    parts = [f"cProfile of {PROFILE_ORDERS} complete orders on {backend} (1 worker):"]
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key).print_stats(lines)
        parts.append(f"by {key} time:\n{out.getvalue().strip()}")
    return "\n".join(parts)


def measure(
    backend: str, urls: dict[str, str], orders: int, rounds: int, *, profile: bool,
    milestones: bool,
) -> Result:  # fmt: skip
    steps = template_steps()
    warmup = min(WARMUP, orders)
    sizes = [orders // rounds + (1 if k < orders % rounds else 0) for k in range(rounds)]
    baseline_rounds: list[Round] = []
    full_rounds: dict[int, list[Round]] = {w: [] for w in WORKER_COUNTS}
    shares: dict[int, list[Share]] = {w: [] for w in WORKER_COUNTS}
    with ExitStack() as stack:
        # the workers start and bootstrap (no connection before their first share) while the
        # databases are seeded and the baseline warms up
        groups = {w: stack.enter_context(workers(urls[f"workers{w}"], w, milestones))
                  for w in WORKER_COUNTS}  # fmt: skip
        for w in WORKER_COUNTS:
            prepare(urls[f"workers{w}"])
        place = stack.enter_context(gp.governed_intake(urls["baseline"]))
        for i in range(warmup):
            place(i)
        for group in groups.values():
            group.round(0, warmup)
        first = warmup
        for size in filter(None, sizes):
            baseline_rounds.append(spine.timed(place, first, size))
            for w, group in groups.items():
                timed, done = group.round(first, size)
                full_rounds[w].append(timed)
                shares[w].extend(done)
            first += size
    placed = dict.fromkeys(WORKER_COUNTS, first)
    if profile:
        print(profiled(urls["workers1"], first, backend, milestones), flush=True)
        placed[1] += PROFILE_WARMUP + PROFILE_ORDERS
    checked_baseline(urls["baseline"], first, steps)
    full = tuple(
        FullRun(w, Measurement(tuple(full_rounds[w])), tuple(shares[w]),
                checked_full(f"{w} worker(s)", urls[f"workers{w}"], placed[w], milestones))
        for w in WORKER_COUNTS
    )  # fmt: skip
    return Result(backend, Measurement(tuple(baseline_rounds)), full, milestones)


# -- report ------------------------------------------------------------------------------------

FULL_PATH = "full path: placed, released, shipped, invoiced, posted"
FULL_PATH_MILESTONES = "full path: placed, released, picked, packed, shipped, delivered, invoiced"
BASELINE_PATH = "baseline: governed_pipeline.py placing (released, not shipped)"


def render(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as columns: the first left-aligned, the others right-aligned, a rule under the
    head."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
        ]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def table(r: Result) -> str:
    rows = [("path", "workers", "orders", "orders/s", "of baseline", "target", "met")]
    for run in r.full:
        target = (f"{TARGET:,.0f}/s", "yes" if r.met(run) else "no") if r.has_target else ("", "")
        path = FULL_PATH_MILESTONES if r.milestones else FULL_PATH
        rows.append((path, str(run.workers), str(run.measurement.orders),
                     f"{run.measurement.rate:,.1f}", f"{r.share(run):.0%}", *target))  # fmt: skip
    rows.append((BASELINE_PATH, "1", str(r.baseline.orders), f"{r.baseline.rate:,.1f}", "100%",
                 "", ""))  # fmt: skip
    return "\n".join([r.backend, *render(rows)])


def details(r: Result) -> str:
    wall, cpu = r.baseline.ms_per_order()
    pad = " " * len(r.backend)
    lines = [f"{r.backend}: baseline {wall:.2f} ms/order ({cpu:.2f} ms of CPU)"]
    for run in r.full:
        wall, cpu = run.measurement.ms_per_order()
        phases = ", ".join(f"{phase} {run.per_order_ms(phase):.2f}"
                           for phase in ("place", "ship", "invoice"))  # fmt: skip
        refused = sum(s.refused for s in run.shares)
        billed = "/".join(str(sum(s.handled for s in run.shares[k :: run.workers]))
                          for k in range(run.workers))  # fmt: skip
        lines.append(
            f"{pad}  {run.workers} worker(s): {wall:.2f} ms/order wall; worker time per order "
            f"{phases} ms; workers' CPU {cpu:.2f} ms/order; shipments billed by each worker's "
            f"dispatcher {billed}"
            + (f"; {refused} dispatcher attempts refused and retried" if refused else "")
        )
    shape = "/".join(f"{r.full[0].rows[key]:g}" for key in SHOWN)
    lines.append(f"{pad}  rows per order ({'/'.join(SHOWN)}): {shape}")
    return "\n".join(lines)


def summary(results: Sequence[Result], skipped: dict[str, str]) -> dict[str, Any]:
    counts = {r.backend: r.baseline.orders for r in results}
    out: dict[str, Any] = {
        "benchmark": "order_to_cash",
        "orders": next(iter(counts.values())) if len(set(counts.values())) == 1 else counts,
        "warehouse_messages": "pick, pack, ship, deliver"
        if any(r.milestones for r in results) else "ship",
    }  # fmt: skip
    for r in results:
        figures: dict[str, Any] = {
            "baseline": {"value": round(r.baseline.rate, 1), "unit": "orders/s",
                         "path": "governed placing, released, 1 worker"},
        }  # fmt: skip
        for run in r.full:
            name = f"{run.workers}_worker" + ("s" if run.workers > 1 else "")
            figures[f"full_{name}"] = {"value": round(run.measurement.rate, 1),
                                       "unit": "complete orders/s"}  # fmt: skip
            figures[f"share_{name}"] = {"value": round(r.share(run), 3),
                                        "unit": "full path/baseline"}  # fmt: skip
        if r.has_target:
            figures["target"] = {"value": TARGET, "unit": "complete orders/s",
                                 "met": any(r.met(run) for run in r.full)}  # fmt: skip
        out[r.backend] = figures
    if skipped:
        out["skipped"] = skipped
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--orders", type=int, default=None,
        help=f"orders timed per path (default: {DEFAULT_ORDERS['sqlite']} on SQLite, "
        f"{DEFAULT_ORDERS['postgres']} on PostgreSQL)",
    )  # fmt: skip
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--milestones", action="store_true",
        help="have the simulator confirm picking, packing and delivery too",
    )  # fmt: skip
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help="interleaved timed rounds per path")  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help=f"also profile {PROFILE_ORDERS} more complete orders per backend",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error("--orders must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    most = args.orders or max(DEFAULT_ORDERS.values())
    profiled_orders = PROFILE_WARMUP + PROFILE_ORDERS if args.profile else 0
    if most + min(WARMUP, most) + profiled_orders > MAX_ORDERS:
        parser.error(f"at most {MAX_ORDERS} orders per database, warm-up and profile included")
    return args


def run(backend: str, orders: int, rounds: int, profile: bool, milestones: bool) -> Result | str:
    """The backend's result, or why it was skipped."""
    if backend == "postgres" and (problem := spine.postgres_problem()) is not None:
        print(
            f"PostgreSQL skipped: cannot use the server at {spine.shown_server()}: {problem}",
            flush=True,
        )
        return problem
    print(f"{backend}: {orders} orders of {len(spine.SKUS)} lines per path and worker count, "
          f"{rounds} rounds", flush=True)  # fmt: skip
    with databases(backend) as urls:
        return measure(backend, urls, orders, rounds, profile=profile, milestones=milestones)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return gp.run_backends(args, run=functools.partial(run, milestones=args.milestones),
                           default_orders=DEFAULT_ORDERS, table=table, details=details,
                           summary=summary)  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
