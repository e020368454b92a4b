"""The sample distributor, end to end on a fresh SQLite file, through the application layer:
master data import, orders on every channel, the lifecycle (with its refusals) and the audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from rich.markup import escape

from ordoflow.application import commands as c
from ordoflow.application.messagebus import MessageBus
from ordoflow.application.queries import list_orders, show_order, verify_audit
from ordoflow.application.records import SPECS
from ordoflow.bootstrap import bootstrap
from ordoflow.config import Settings
from ordoflow.domain.errors import DomainError
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)
from ordoflow.entrypoints.cli.common import out, table
from ordoflow.entrypoints.cli.orders import print_order

CS, WH, CREDIT = ActorId("cs.maria"), ActorId("wh.lead.tom"), ActorId("credit.ana")
TODAY = date(2026, 12, 1)


def _order(po: str, account: str, ship_to: str, channel: Channel, site: str,
           *lines: tuple[str, int], price: Decimal | None = None) -> c.PlaceOrder:  # fmt: skip
    return c.PlaceOrder(
        actor=CS, account_number=AccountNumber(account), ship_to=ShipToCode(ship_to),
        channel=channel, customer_po=po, requested_date=TODAY + timedelta(days=5),
        site=SiteCode(site),
        lines=tuple(
            c.OrderLineInput(line_no=n, sku=Sku(sku), quantity=qty, unit_price=price)
            for n, (sku, qty) in enumerate(lines, start=1)
        ),
    )  # fmt: skip


def _attempt(bus: MessageBus, what: str, command: c.Command) -> None:
    try:
        bus.handle(command)
        out.print(f"  {what}: [red]accepted (unexpected)[/]")
    except DomainError as exc:
        out.print(f"  {what}: refused [bold]\\[{exc.code}][/] {escape(exc.message)}")


def run_demo(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    app = bootstrap(Settings(database_url=f"sqlite:///{database}"))
    bus = app.bus
    out.rule("Ordoflow demo: the order spine")
    out.print(f"database: {database} (schema revision {app.upgrade_database()})")

    sample = resources.files("ordoflow") / "sample"
    rows = []
    for kind in SPECS:
        report = bus.handle(c.ImportRecords(
            kind=kind, text=(sample / f"{kind}.csv").read_text(encoding="utf-8"),
            source=f"{kind}.csv", actor=ActorId("admin.setup"),
        ))  # fmt: skip
        rows.append((kind, report.created, report.updated))
    out.print(table(("master data", "created", "updated"), rows, title="Sample distributor loaded"))

    o = {
        "acme": bus.handle(_order("PO-1001", "C-ACME", "MAIN", Channel.API, "DAL1",
                                  ("PIPE-CU-15", 120), ("VLV-BALL-22", 40), ("GLV-NIT-L", 10))),
        "bolt": bus.handle(_order("8842-A", "C-BOLT", "PLANT", Channel.EDI, "DAL1",
                                  ("DRL-CORD-18V", 20), ("FIT-ELB-15", 30))),
        "crnr": bus.handle(_order("WEB-55120", "C-CRNR", "MAIN", Channel.ECOMMERCE, "DAL1",
                                  ("MTR-VFD-7K", 1))),
        "delf": bus.handle(_order("DLF-2026-311", "C-DELF", "WERF", Channel.FIELD_SALES, "RTM1",
                                  ("MTR-VFD-7K", 2), ("CBL-CU-2.5", 10))),
        "acme2": bus.handle(_order("PO-1002", "C-ACME", "STORE-14", Channel.API, "ATL1",
                                   ("PIPE-CU-15", 50))),
        "east": bus.handle(_order("E-77", "C-EAST", "MAIN", Channel.ECOMMERCE, "DAL1",
                                  ("SOLV-PVC-1L", 24))),
    }  # fmt: skip
    out.print(f"placed {len(o)} orders on four channels")

    def move(*commands: c.Command) -> None:
        for command in commands:
            bus.handle(command)

    acme = OrderId(o["acme"])
    move(c.ValidateOrder(order_id=acme), c.AllocateOrder(order_id=acme),
         c.ReleaseOrder(order_id=acme, actor=WH),
         c.ConfirmShipment(order_id=acme, shipped={1: 120, 2: 40, 3: 10}, actor=WH),
         c.InvoiceOrder(order_id=acme), c.CloseOrder(order_id=acme))  # fmt: skip
    bolt = OrderId(o["bolt"])
    move(c.ValidateOrder(order_id=bolt), c.AllocateOrder(order_id=bolt),
         c.ReleaseOrder(order_id=bolt, actor=WH),
         c.ConfirmShipment(order_id=bolt, shipped={1: 12, 2: 30}, actor=WH))  # fmt: skip
    crnr = OrderId(o["crnr"])
    move(c.ValidateOrder(order_id=crnr), c.AllocateOrder(order_id=crnr))
    delf = OrderId(o["delf"])
    move(c.HoldOrder(order_id=delf, reason_code="credit_review", actor=CREDIT),
         c.ResumeOrder(order_id=delf, actor=CREDIT), c.ValidateOrder(order_id=delf),
         c.AllocateOrder(order_id=delf))  # fmt: skip
    acme2 = OrderId(o["acme2"])
    move(c.ValidateOrder(order_id=acme2), c.AllocateOrder(order_id=acme2),
         c.CancelOrder(order_id=acme2, reason_code="customer_request", actor=CS))  # fmt: skip
    move(c.RejectOrder(order_id=OrderId(o["east"]), reason_code="customer_blocked", actor=CREDIT))

    out.rule("Resubmissions and refusals")
    first = ("PIPE-CU-15", 120), ("VLV-BALL-22", 40), ("GLV-NIT-L", 10)
    again = bus.handle(_order("PO-1001", "C-ACME", "MAIN", Channel.API, "DAL1", *first))
    out.print(f"  same PO-1001 sent again: returns the existing order {again} (nothing created)")
    _attempt(
        bus,
        "PO-1001 again with another quantity",
        _order("PO-1001", "C-ACME", "MAIN", Channel.API, "DAL1", ("PIPE-CU-15", 999)),
    )
    _attempt(bus, "unknown SKU", _order("PO-1003", "C-ACME", "MAIN", Channel.API, "DAL1",
                                        ("NO-SUCH-SKU", 1)))  # fmt: skip
    _attempt(bus, "invoice a backordered order", c.InvoiceOrder(order_id=crnr))
    _attempt(
        bus,
        "cancel a partially shipped order",
        c.CancelOrder(order_id=bolt, reason_code="customer_request"),
    )

    out.rule("Orders")
    summary = list_orders(app.uow_factory)
    keys = ("id", "account_number", "customer_po", "channel", "site", "status", "total", "currency")
    out.print(table(keys, [[r[k] for k in keys] for r in reversed(summary)]))
    print_order(show_order(app.uow_factory, bolt))
    report = verify_audit(app.uow_factory)
    verdict = "intact" if report.ok else f"BROKEN: {report.breaks}"
    out.print(f"audit: {report.orders_checked} order logs and {report.streams_checked} audit "
              f"streams checked, hash chains {verdict}")  # fmt: skip
    out.print(f"explore it: ORDOFLOW_DATABASE_URL=sqlite:///{database} ordoflow orders list")
    app.close()


if __name__ == "__main__":
    run_demo(Path("ordoflow-demo.db"))
