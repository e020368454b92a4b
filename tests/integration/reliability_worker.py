"""The child processes of test_reliability: each bootstraps its own App on the database it is
given and speaks to it through the bus, as a separate server process would.

Each is a fresh interpreter, forked by a fork server that has imported this module and nothing
else (or spawned: see START_METHOD in test_reliability), so nothing of pytest's state is there:
everything they need comes in as (picklable) arguments, and what they did goes back on a queue.
Time is the test's fake time moving with the wall clock (`ShiftedClock`), so every process, and
the test after them, agree on it and it never runs backwards.
"""

from __future__ import annotations

import random
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.fulfilment import ShipmentReport
from ordoflow.application.warehouse_work import simulate_warehouse
from ordoflow.bootstrap import App, bootstrap
from ordoflow.config import Settings
from ordoflow.domain.errors import DomainError
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.values import AccountNumber, Channel, ShipToCode, SiteCode, Sku
from tests.staff import AGENT, WAREHOUSE


@dataclass(frozen=True)
class ShiftedClock:
    """`start` at the wall-clock moment `base` (seconds since the epoch), moving from there
    with the wall clock."""

    start: datetime
    base: float

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.time() - self.base)


@dataclass(frozen=True)
class Customer:
    """Whom the orders are for and where they are placed."""

    account: AccountNumber
    ship_to: ShipToCode
    site: SiteCode
    sku: Sku
    #: Where the item is received (by `churn`).
    warehouses: tuple[SiteCode, ...] = ()


@dataclass
class Outcome:
    """What one process did: the orders it placed, the refusals it met (by code), and anything
    else that went wrong (which the tests treat as a defect)."""

    worker: int
    placed: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    handled: int = 0


def _app(url: str, clock: ShiftedClock) -> App:
    return bootstrap(Settings(database_url=url), clock=clock)


def _place(app: App, who: Customer, po: str, quantity: int) -> str:
    # The PO is made unique per process and attempt: random references can collide among
    # thousands of orders, and a resubmitted PO is (rightly) answered with the earlier order.
    return str(app.bus.handle(c.PlaceOrder(
        actor=AGENT, account_number=who.account, ship_to=who.ship_to, channel=Channel.API,
        customer_po=po, requested_date=app.bus.clock.now().date(), site=who.site,
        lines=(c.OrderLineInput(line_no=1, sku=who.sku, quantity=quantity),),
    )))  # fmt: skip


def _attempt(outcome: Outcome, work: Callable[[], Any]) -> Any:
    try:
        return work()
    except DomainError as exc:
        outcome.refused[str(exc.code)] += 1
    except Exception:  # reported to the test, which fails on it
        outcome.failures.append(traceback.format_exc(limit=8))
    return None


def _run(worker: int, results: Any, body: Callable[[Outcome], None]) -> None:
    outcome = Outcome(worker)
    try:
        body(outcome)
    except BaseException:  # whatever happened goes back to the test
        outcome.failures.append(traceback.format_exc())
    results.put(outcome)


def place_orders(  # noqa: PLR0917 - everything a spawned process is told
    url: str,
    clock: ShiftedClock,
    who: Customer,
    worker: int,
    seconds: float,
    start: Any,
    results: Any,
) -> None:
    """Place one-line orders of 1 to 5 units for `seconds`, from when every process is ready."""

    def body(outcome: Outcome) -> None:
        app = _app(url, clock)
        try:
            rng = random.Random(worker)
            start.wait(timeout=120)
            until, n = time.monotonic() + seconds, 0
            while time.monotonic() < until:
                n += 1
                work = partial(_place, app, who, f"C{worker}-{n}", rng.randint(1, 5))
                placed = _attempt(outcome, work)
                if placed is not None:
                    outcome.placed.append(placed)
        finally:
            app.close()

    _run(worker, results, body)


def confirm_and_dispatch(  # noqa: PLR0917 - everything a spawned process is told
    url: str,
    clock: ShiftedClock,
    command: c.ConfirmShipment,
    worker: int,
    dispatchers: int,
    start: Any,
    results: Any,
) -> None:
    """Send one shipment confirmation at the same moment as the other processes; then, once
    every process has sent it, the first `dispatchers` run the dispatcher together until it
    finds nothing to do."""

    def body(outcome: Outcome) -> None:
        app = _app(url, clock)
        try:
            start.wait(timeout=120)
            report = _attempt(outcome, lambda: app.bus.handle(command))
            if isinstance(report, ShipmentReport):
                outcome.results.append("repeated" if report.repeated else "taken")
            start.wait(timeout=120)
            while worker < dispatchers:
                ticked = dispatch_once(app.bus.uow_factory, clock)
                outcome.handled += ticked.handled
                outcome.failures += [f"{name} {event}: {error}"
                                     for name, event, error in ticked.failed]  # fmt: skip
                if not ticked.handled:
                    break
        finally:
            app.close()

    _run(worker, results, body)


def _cycle(
    app: App, who: Customer, rng: random.Random, name: str, largest: int, *, ship: bool = True
) -> None:
    """One round of a warehouse-and-billing day: an order, now and then a receipt at one of
    the warehouses (about as many units as the orders ask), the open requests shipped and
    delivered, a dispatcher tick (invoices, backorders filled by the receipts)."""
    _place(app, who, f"PO-{name}", rng.randint(1, largest))
    if rng.random() < 0.5:  # every other round on average
        app.bus.handle(c.ReceiveStock(
            site=rng.choice(who.warehouses), kind=ReceiptKind.PURCHASE_RECEIPT,
            reference=f"RCV-{name}", lines=(ReceiptLine(who.sku, rng.randint(1, largest)),),
            actor=WAREHOUSE,
        ))  # fmt: skip
    if ship:
        simulate_warehouse(app.bus.handle, app.uow_factory, WAREHOUSE)
    dispatch_once(app.bus.uow_factory, app.bus.clock)


def churn(  # noqa: PLR0917 - everything a spawned process is told
    url: str,
    clock: ShiftedClock,
    who: Customer,
    run: int,
    largest: int,
    ready: Any,
    go: Any,
) -> None:
    """Rounds of `_cycle` until killed. One round runs before `ready` is set (the first round
    of a process also reads and compiles what later ones find cached), the rest from `go`: so
    the next process starts up while this one works, and the kill lands in steady work.

    That first round ships nothing: the simulator plays the one WMS, which works a request at a
    time, and two of them picking the same request are (rightly) refused. Placing, receiving
    and dispatching are meant to run in several processes at once, and here they do. Nothing is
    caught: a refusal or an error ends the process, which the test notices."""
    app = _app(url, clock)
    rng = random.Random(run)
    _cycle(app, who, rng, f"K{run}-0", largest, ship=False)
    ready.set()
    go.wait()
    n = 0
    while True:
        n += 1
        _cycle(app, who, rng, f"K{run}-{n}", largest)


__all__ = [
    "Customer",
    "Outcome",
    "ShiftedClock",
    "churn",
    "confirm_and_dispatch",
    "place_orders",
]
