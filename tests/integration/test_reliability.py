"""Reliability under real concurrency and crashes, with separate processes on one database.

Sixteen processes placing orders for thirty seconds on one item with 100 units over two
warehouses never oversell it and lose no order; one shipment confirmation sent by five processes
at once ships, invoices and posts once, with the dispatcher running in two processes; a worker
killed at random on the release - ship - invoice path, twenty times, leaves every order, request,
shipment, invoice and stock row consistent. After each test (the `shop` fixture) debits equal
credits and the inventory account equals the stock at standard cost.

The processes are fresh interpreters that inherit nothing of pytest (see START_METHOD) and run
`tests.integration.reliability_worker`, each with its own App on the test's database; every one
is killed and joined when the test ends, whatever happened. ORDOFLOW_CONTENTION_SECONDS shortens
the contention run locally (30 seconds by default, as the requirement says).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from signal import SIGKILL
from typing import Any

import pytest
import sqlalchemy as sa

from ordoflow.adapters.persistence.tables import orders as order_rows
from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.queries import show_order
from ordoflow.application.warehouse_work import simulate_warehouse
from ordoflow.bootstrap import App
from ordoflow.domain.invoicing import Invoice, InvoiceStatus
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerTier, StockLevel
from ordoflow.domain.orders import Order
from ordoflow.domain.values import CurrencyCode, SiteCode
from ordoflow.governance.versions import ArtifactKind
from tests.conftest import BACKENDS
from tests.fakes import FakeClock
from tests.governance_data import publish
from tests.governed_world import ACCOUNT, ADMIN, AGENT, SITE, SKU
from tests.integration import reliability_worker as worker
from tests.integration import test_order_to_cash
from tests.integration.test_order_to_cash import ATLANTA, DALLAS, EAST, books_in_order, order
from tests.staff import WAREHOUSE

#: The governed world with DC1, ATL1 and DAL1, whose teardown checks the books.
shop = test_order_to_cash.shop

POSTGRES_ONLY = [p for p in BACKENDS if p.id == "postgres"]
#: Fresh interpreters for the processes, which inherit nothing of pytest: a fork server, itself
#: a fresh interpreter that has imported the worker module and nothing else, forks each one.
#: 'spawn' would do the same but pays the imports (two to three seconds of CPU) per process,
#: which triples the run time of the kill loop.
START_METHOD = "forkserver"
CONTENTION_SECONDS = float(os.environ.get("ORDOFLOW_CONTENTION_SECONDS", "30"))
#: How long a spawned process may take to start (import, bootstrap) on a loaded machine.
START_UP = 120.0
PLACED_STATES = {OrderStatus.ALLOCATED, OrderStatus.RELEASED, OrderStatus.PARTIALLY_ALLOCATED,
                 OrderStatus.BACKORDERED, OrderStatus.REJECTED}  # fmt: skip
#: The states an order can be left in by the release - ship - invoice path.
FULFILMENT_STATES = {OrderStatus.RELEASED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
                     OrderStatus.INVOICED, OrderStatus.PARTIALLY_ALLOCATED,
                     OrderStatus.BACKORDERED}  # fmt: skip
NO_REVIEW = """\
name: reliability
template: order_to_cash
scope: site
applies_to: DC1
changes:
  steps.order_review.parameters.review threshold: 1000000
"""


# -- the world -----------------------------------------------------------------------------------


def stock_at(app: App, on_hand: dict[SiteCode, int]) -> None:
    """Count the item's stock at these sites to these figures (posted like any stock count)."""
    for site, units in on_hand.items():
        app.bus.handle(c.UpdateRecord(actor=ADMIN, record=StockLevel(SKU, site, units)))


def unlimited(app: App, clock: FakeClock) -> None:
    """Thousands of orders by one customer within minutes are neither a credit risk nor a split
    order here: a credit limit far above them, and the site's review threshold at its maximum
    (through a published variant, as a process owner would)."""
    app.bus.handle(c.UpdateRecord(actor=ADMIN, record=Customer(
        ACCOUNT, "Buyer Inc.", "TAX-1", CustomerTier.STANDARD, CurrencyCode("USD"), "NET30",
        Decimal("100000000"),
    )))  # fmt: skip
    publish(app.bus, ArtifactKind.VARIANT, "reliability", NO_REVIEW)
    clock.advance(minutes=1)


def shifted(clock: FakeClock) -> worker.ShiftedClock:
    """The processes' clock: the test's fake time, moving on with the wall clock."""
    return worker.ShiftedClock(clock.now(), time.time())


def catch_up(clock: FakeClock, moving: worker.ShiftedClock) -> None:
    """Move the test's clock past every moment the processes saw."""
    clock.current = moving.now() + timedelta(seconds=1)


# -- processes -----------------------------------------------------------------------------------


@contextmanager
def processes() -> Iterator[list[BaseProcess]]:
    """The processes a test starts; each still running at the end is killed, all are joined."""
    started: list[BaseProcess] = []
    try:
        yield started
    finally:
        for p in started:
            if p.is_alive():
                p.kill()
        for p in started:
            p.join(timeout=30)


def start_method() -> ForkServerContext | SpawnContext:
    context = multiprocessing.get_context(START_METHOD)
    assert isinstance(context, ForkServerContext | SpawnContext)
    if isinstance(context, ForkServerContext):
        context.set_forkserver_preload([worker.__name__])  # not __main__, pytest's own script
    return context


def run_processes(
    target: Callable[..., None], n: int, args: Callable[[int, Any, Any], tuple[Any, ...]],
    timeout: float,
) -> list[worker.Outcome]:  # fmt: skip
    """Start `n` processes that begin together (a barrier) and collect their outcomes."""
    context = start_method()
    start, results = context.Barrier(n), context.Queue()
    outcomes: list[worker.Outcome] = []
    with processes() as started:
        for i in range(n):
            process = context.Process(target=target, args=args(i, start, results), daemon=True)
            process.start()
            started.append(process)
        deadline = time.monotonic() + timeout
        while len(outcomes) < n:
            try:
                outcomes.append(results.get(timeout=1))
            except queue.Empty:
                dead = [p.exitcode for p in started if p.exitcode not in {None, 0}]
                assert not dead, f"processes died without a word: exit codes {dead}"
                assert time.monotonic() < deadline, f"{len(outcomes)} of {n} processes answered"
        for p in started:
            p.join(timeout=30)
        assert [p.exitcode for p in started] == [0] * n
    failures = [f for o in outcomes for f in o.failures]
    assert not failures, "\n".join(failures)
    return sorted(outcomes, key=lambda o: o.worker)


# -- reading the database ------------------------------------------------------------------------


def all_orders(app: App) -> list[Order]:
    with app.engine.connect() as conn:
        ids = list(conn.scalars(sa.select(order_rows.c.id).order_by(order_rows.c.id)))
    with app.uow_factory() as uow:
        found = [uow.orders.get(i) for i in ids]
    assert None not in found
    return [o for o in found if o is not None]


def stock_levels(app: App) -> dict[SiteCode, StockLevel]:
    with app.uow_factory() as uow:
        return {lvl.site: lvl for lvl in uow.records.all(StockLevel) if lvl.sku == SKU}


def held_per_site(placed: list[Order], *, unshipped: bool) -> Counter[SiteCode]:
    """Units the orders' live lines hold per warehouse (not yet shipped ones, if asked)."""
    held: Counter[SiteCode] = Counter()
    for o in placed:
        for ln in o.lines:
            if ln.is_live:
                held.update(ln.unshipped() if unshipped else ln.sources)
    return held


# -- 1. contention -------------------------------------------------------------------------------


@pytest.mark.parametrize("db_url", POSTGRES_ONLY, indirect=True)
def test_sixteen_processes_ordering_one_scarce_item_never_oversell_and_lose_no_order(
    shop: App, clock: FakeClock, db_url: str
) -> None:
    app = shop
    stock_at(app, {SITE: 0, ATLANTA: 60, DALLAS: 40})
    unlimited(app, clock)
    moving, who = shifted(clock), worker.Customer(ACCOUNT, EAST, SITE, SKU)
    outcomes = run_processes(
        worker.place_orders, 16,
        lambda i, start, results: (db_url, moving, who, i, CONTENTION_SECONDS, start, results),
        timeout=CONTENTION_SECONDS + START_UP + 60,
    )  # fmt: skip
    catch_up(clock, moving)

    refused = sum((o.refused for o in outcomes), Counter[str]())
    assert not refused, f"orders refused under contention: {dict(refused)}"
    placed_ids = [i for o in outcomes for i in o.placed]
    assert len(set(placed_ids)) == len(placed_ids)
    placed = all_orders(app)
    assert sorted(o.id for o in placed) == sorted(placed_ids), "every order placed is stored"
    states = Counter(o.status for o in placed)
    assert set(states) <= PLACED_STATES, states

    levels = stock_levels(app)
    assert {s: lvl.on_hand for s, lvl in levels.items()} == {SITE: 0, ATLANTA: 60, DALLAS: 40}
    held = held_per_site(placed, unshipped=False)
    for site, lvl in levels.items():
        assert lvl.allocated <= lvl.on_hand, f"{site} oversold: {lvl}"
        assert held[site] == lvl.allocated, f"{site}: orders hold {held[site]}, stock {lvl}"
    allocated = sum(lvl.allocated for lvl in levels.values())
    demand = sum(ln.quantity for o in placed for ln in o.lines)
    assert allocated <= 100
    if demand >= 200:  # with demand well above the stock, every unit is taken
        assert allocated == 100, (allocated, demand, states)
    with app.uow_factory() as uow:
        for o in placed:
            requests = uow.warehouse.requests_for(o.id)
            live = {s for ln in o.lines if ln.is_live for s, q in ln.sources.items() if q}
            if o.status is OrderStatus.RELEASED:
                assert {r.site for r in requests} == live, o.id
            else:
                assert requests == [], o.id
    print(f"\n{len(placed)} orders from 16 processes in {CONTENTION_SECONDS:g} s, "
          f"{demand} units asked, {allocated} allocated: {dict(states)}")  # fmt: skip


# -- 2. duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize("db_url", POSTGRES_ONLY, indirect=True)
def test_one_confirmation_from_five_processes_ships_invoices_and_posts_once(
    shop: App, clock: FakeClock, db_url: str
) -> None:
    app = shop
    oid = order(app, 20)
    (request,) = [r["id"] for r in show_order(app.uow_factory, AGENT, oid)["requests"]]
    confirm = c.ConfirmShipment(request_id=request, reference="SHP-77", shipped={1: 20},
                                carrier="LTL", tracking="PRO-1", actor=WAREHOUSE)  # fmt: skip
    moving = shifted(clock)
    outcomes = run_processes(
        worker.confirm_and_dispatch, 5,
        lambda i, start, results: (db_url, moving, confirm, i, 2, start, results),
        timeout=START_UP,
    )  # fmt: skip
    answers = Counter(r for o in outcomes for r in o.results)
    refused = sum((o.refused for o in outcomes), Counter[str]())
    assert (answers, refused) == (Counter(taken=1, repeated=4), Counter()), outcomes
    assert sum(o.handled for o in outcomes) == 1, "two dispatchers invoiced the shipment once"
    catch_up(clock, moving)
    report = dispatch_once(app.bus.uow_factory, clock)
    assert (report.handled, report.failed) == (0, [])

    with app.uow_factory() as uow:
        site = uow.warehouse.request(request).site  # type: ignore[union-attr]
        assert len(uow.warehouse.shipments_for(oid)) == 1
        (invoice,) = uow.billing.invoices_for(oid)
        assert invoice.number == "INV-US01-000001"
        assert len(uow.ledger.entries_for("shipment", f"{site}/SHP-77")) == 1
        assert len(uow.ledger.entries_for("invoice", invoice.number)) == 1
        assert uow.orders.get(oid).status is OrderStatus.INVOICED  # type: ignore[union-attr]
        assert uow.records.get(StockLevel, (SKU, site)).allocated == 0  # type: ignore[union-attr]


# -- 3. crashes ----------------------------------------------------------------------------------

KILLS = 20
#: How many workers start up ahead of the one at work (starting one takes seconds).
AHEAD = 3


@pytest.mark.parametrize("db_url", BACKENDS, indirect=True)
def test_a_worker_killed_anywhere_from_release_to_invoice_leaves_everything_consistent(
    shop: App, clock: FakeClock, db_url: str
) -> None:
    app = shop
    stock_at(app, {ATLANTA: 40, DALLAS: 40})  # and 10 at the order site; receipts add more
    unlimited(app, clock)
    moving = shifted(clock)
    who = worker.Customer(ACCOUNT, EAST, SITE, SKU, warehouses=(ATLANTA, DALLAS))
    rng, context = random.Random(KILLS), start_method()
    with processes() as started:

        def spawn(run: int) -> tuple[BaseProcess, Any, Any]:
            ready, go = context.Event(), context.Event()
            p = context.Process(target=worker.churn, daemon=True,
                              args=(db_url, moving, who, run, 40, ready, go))  # fmt: skip
            p.start()
            started.append(p)
            return p, ready, go

        upcoming = deque(spawn(run) for run in range(min(AHEAD, KILLS)))
        for run in range(KILLS):
            p, ready, go = upcoming.popleft()
            deadline = time.monotonic() + START_UP
            while not ready.wait(1):
                assert p.is_alive(), f"worker {run} died starting up (exit code {p.exitcode})"
                assert time.monotonic() < deadline, f"worker {run} did not start"
            if run + AHEAD < KILLS:  # the next ones start up while this one works
                upcoming.append(spawn(run + AHEAD))
            go.set()
            time.sleep(rng.uniform(0.05, 0.6))
            assert p.is_alive(), f"worker {run} stopped by itself (exit code {p.exitcode})"
            p.kill()
            p.join(timeout=30)
            assert p.exitcode == -SIGKILL
    catch_up(clock, moving)
    left = pending(consistent(app, finished=False), app)

    while True:  # finish the work: ship what is open, invoice, fill backorders, again
        shipped = simulate_warehouse(app.bus.handle, app.uow_factory, WAREHOUSE)
        report = dispatch_once(app.bus.uow_factory, clock)
        assert report.failed == []
        if not shipped and not report.handled:
            break
    placed = consistent(app, finished=True)
    states = Counter(o.status for o in placed)
    assert states[OrderStatus.INVOICED] > 0, states
    print(f"\n{len(placed)} orders over {KILLS} killed workers: {dict(states)}; "
          f"left by the last kill: {left}")  # fmt: skip
    books_in_order(app)


def pending(placed: list[Order], app: App) -> dict[str, int]:
    """The work in flight: open requests, shipments not invoiced, orders waiting for stock."""
    with app.uow_factory() as uow:
        requests = [r for o in placed for r in uow.warehouse.requests_for(o.id) if r.is_open]
        billed = {i.id for o in placed for i in uow.billing.invoices_for(o.id)}
        unbilled = [s for o in placed for s in uow.warehouse.shipments_for(o.id)
                    if Invoice.id_for(s.site, s.reference) not in billed]  # fmt: skip
    waiting = [o for o in placed if o.status in {OrderStatus.BACKORDERED,
                                                 OrderStatus.PARTIALLY_ALLOCATED}]  # fmt: skip
    return {"open requests": len(requests), "shipments not invoiced": len(unbilled),
            "orders waiting for stock": len(waiting)}  # fmt: skip


def consistent(app: App, *, finished: bool) -> list[Order]:  # noqa: PLR0912 - one survey
    """Every order, request, shipment, invoice and stock row agree with each other. Once the
    work is finished, every shipment is invoiced and no request is open."""
    placed = all_orders(app)
    invoiced: list[Invoice] = []
    with app.uow_factory() as uow:
        for o in placed:
            assert o.status in FULFILMENT_STATES, (o.id, o.status)
            requests = uow.warehouse.requests_for(o.id)
            shipments = uow.warehouse.shipments_for(o.id)
            invoices = {i.id: i for i in uow.billing.invoices_for(o.id)}
            invoiced += invoices.values()
            open_at = {r.site for r in requests if r.is_open}
            if o.status is OrderStatus.RELEASED:
                assert open_at, f"{o.id} is released but no warehouse has it"
            if o.status in {OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
                            OrderStatus.INVOICED}:  # fmt: skip
                assert shipments, f"{o.id} is {o.status} without a shipment"
            for ln in o.lines:
                from_shipments = sum(q for s in shipments for n, q in s.lines if n == ln.line_no)
                assert from_shipments == ln.shipped_qty, (o.id, ln)
                for site, units in ln.unshipped().items():
                    if units and o.status in {OrderStatus.RELEASED,
                                              OrderStatus.PARTIALLY_SHIPPED}:  # fmt: skip
                        assert site in open_at, f"{o.id}: {units} to ship at {site}, no request"
            expected = {Invoice.id_for(s.site, s.reference) for s in shipments}
            assert set(invoices) <= expected, f"{o.id}: an invoice without a shipment"
            for r in requests:
                if r.is_open:
                    for rl in r.lines:
                        left = o.line(rl.line_no).unshipped().get(r.site, 0)
                        assert rl.open == left, f"{r.id} line {rl.line_no}: {rl.open} != {left}"
            if finished:
                assert set(invoices) == expected, f"{o.id}: a shipment was not invoiced"
                assert not open_at, f"{o.id}: requests still open at {open_at}"
            issued = [i for i in invoices.values() if i.status is InvoiceStatus.ISSUED]
            assert len(issued) == len(invoices), f"{o.id}: an invoice on hold"
            if o.status in {OrderStatus.SHIPPED, OrderStatus.INVOICED}:
                all_billed = set(invoices) == expected
                assert (o.status is OrderStatus.INVOICED) == all_billed, (o.id, o.status)
            for s in shipments:
                assert len(uow.ledger.entries_for("shipment", f"{s.site}/{s.reference}")) == 1
            for i in issued:
                assert len(uow.ledger.entries_for("invoice", i.number or "")) == 1
    numbers = sorted(i.number or "" for i in invoiced)
    assert numbers == [f"INV-US01-{n:06d}" for n in range(1, len(numbers) + 1)], numbers
    held = held_per_site(placed, unshipped=True)
    for site, lvl in stock_levels(app).items():
        assert 0 <= lvl.allocated <= lvl.on_hand, lvl
        assert lvl.allocated == held[site], f"{site}: orders hold {held[site]}, stock {lvl}"
    books_in_order(app)
    return placed
