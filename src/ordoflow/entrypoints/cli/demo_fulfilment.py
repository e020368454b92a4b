"""The demo's second half: where orders are sourced, the warehouses at work (played by the
built-in simulator through the same commands a WMS sends), invoices from the worker, a return
scrapped and credited, and the trial balance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.explaining import explain_order
from ordoflow.application.finance_queries import invoices, trial_balance
from ordoflow.application.queries import show_order
from ordoflow.application.warehouse_work import simulate_warehouse
from ordoflow.bootstrap import App
from ordoflow.domain.returns import Disposition, ReturnRequestLine
from ordoflow.domain.values import ActorId, OrderId, SiteCode
from ordoflow.entrypoints.cli.common import out, table

ADMIN, FINANCE, WMS = ActorId("admin"), ActorId("fin.fay"), ActorId("wms.bridge")
CS, WH = ActorId("cs.maria"), ActorId("wh.lead.tom")


class MovableClock(Protocol):
    def now(self) -> Any: ...
    def now_is(self, moment: Any) -> None: ...


def sourcing(app: App, order_id: OrderId) -> None:
    """Where the split order's lines take their stock, and the allocation decision's why."""
    out.rule("Sourcing: one order, two warehouses")
    shown = show_order(app.uow_factory, ADMIN, order_id)
    steps = {s.step: s for s in explain_order(app.uow_factory, ADMIN, order_id).steps}
    plan = steps["source"].answer or {}
    out.print(f"{shown['customer_po']} ({shown['account_number']}, ship-to in Atlanta): "
              f"{shown['status']}; the sourcing policy answered {steps['source'].reason}: "
              f"warehouses {plan.get('warehouses')}, up to {plan.get('max splits')} split(s); no "
              "warehouse has all 50 gloves, so the order splits")  # fmt: skip
    rows = [[ln["line_no"], ln["sku"], ln["quantity"],
             ", ".join(f"{site} {units}" for site, units in sorted(ln["sources"].items()))]
            for ln in shown["lines"]]  # fmt: skip
    out.print(table(("line", "sku", "quantity", "taken at"), rows))
    out.print("warehouse requests: " + ", ".join(
        f"{r['id']} ({r['site']}, {r['status']})" for r in shown["requests"]))  # fmt: skip


def _return(app: App, clock: MovableClock, acme: OrderId) -> None:
    """Two cases of gloves arrived crushed: returned, scrapped, credited."""
    rma = app.bus.handle(c.RequestReturn(
        order_id=acme, lines=(ReturnRequestLine(3, 2, "damaged_in_transit"),),
        note="two cases crushed on arrival, photos sent", actor=CS,
    ))  # fmt: skip
    clock.now_is(clock.now() + timedelta(days=2))
    app.bus.handle(c.ReceiveReturn(return_id=rma, site=SiteCode("DAL1"), received={3: 2},
                                   actor=WH))  # fmt: skip
    clock.now_is(clock.now() + timedelta(hours=3))
    memos = app.bus.handle(c.DisposeReturn(return_id=rma, dispositions={3: Disposition.SCRAP},
                                           actor=WH))  # fmt: skip
    out.print(f"C-ACME returns 2 cases of gloves crushed in transit: {CS} requests {rma} "
              f"(within the return policy: authorized), {WH} receives them at DAL1 two days "
              f"later and scraps them; credit memo {', '.join(memos)} follows")  # fmt: skip


def warehouses_and_books(app: App, clock: MovableClock, acme: OrderId) -> None:
    """The warehouses ship, the worker invoices and posts, finance credits a damaged case."""
    out.rule("Warehouses, invoices and the ledger")
    clock.now_is(clock.now() + timedelta(hours=4))
    shipped = simulate_warehouse(app.bus.handle, app.uow_factory, WMS)
    out.print(f"the warehouse simulator (playing the WMS as {WMS}) picks, packs, ships and "
              f"delivers {len(shipped)} open request(s); the worker then invoices each "
              "shipment:")  # fmt: skip
    report = dispatch_once(app.bus.uow_factory, clock)
    out.print(f"  worker: {report.handled} event step(s) handled, {len(report.failed)} failed")
    found = invoices(app.uow_factory, FINANCE)
    keys = ("number", "status", "order_id", "shipment", "currency", "net", "tax", "freight",
            "gross", "due_at")  # fmt: skip
    out.print(table(keys, [[i[k] for k in keys] for i in reversed(found)], title="Invoices"))
    _return(app, clock, acme)
    app.bus.handle(c.CloseOrder(order_id=acme, actor=FINANCE))
    out.print(f"PO-1001 is {show_order(app.uow_factory, FINANCE, acme)['status']}")
    tb = trial_balance(app.uow_factory, FINANCE)
    columns = ("account", "name", "currency", "debit", "credit", "balance")
    out.print(table(columns, [[r[k] for k in columns] for r in tb["rows"]],
                    title="Trial balance"))  # fmt: skip
    totals = "; ".join(f"{cur} debits {t['debit']} = credits {t['credit']}"
                       for cur, t in tb["totals"].items())  # fmt: skip
    out.print(f"{totals}: {'in balance' if tb['in_balance'] else 'OUT OF BALANCE'}")


__all__ = ["sourcing", "warehouses_and_books"]
