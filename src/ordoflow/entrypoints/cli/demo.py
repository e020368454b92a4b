"""The sample distributor, end to end on a fresh SQLite file, through the application layer:
master data import, the governed process published with maker-checker, orders on every channel
run through it (released, waiting for stock, held by a rule), an explanation of a hold, its case
escalated when its deadline passes and approved by someone allowed to, a what-if of a stricter
draft, the lifecycle with its refusals, and the audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from rich.markup import escape

from ordoflow.application import commands as c
from ordoflow.application.cases import case_queue, show_case
from ordoflow.application.commands import ArtifactKind
from ordoflow.application.dispatch import dispatch_once
from ordoflow.application.explaining import explain_order, explanation_text
from ordoflow.application.messagebus import MessageBus
from ordoflow.application.queries import list_orders, show_order, verify_audit
from ordoflow.application.records import SPECS
from ordoflow.application.requests import parse_user
from ordoflow.application.whatif import what_if, what_if_text
from ordoflow.bootstrap import App, bootstrap
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
from ordoflow.domain.warehouse import WarehouseRequestId
from ordoflow.entrypoints.cli.common import out, table
from ordoflow.entrypoints.cli.demo_fulfilment import sourcing, warehouses_and_books
from ordoflow.entrypoints.cli.orders import print_order

CS, WH, CREDIT = ActorId("cs.maria"), ActorId("wh.lead.tom"), ActorId("credit.ana")
FINANCE, ADMIN, SUPERVISOR = ActorId("fin.fay"), ActorId("admin"), ActorId("sup.sara")
OWNER, BOARD, OPS = ActorId("process.owner.li"), ActorId("board.sam"), ActorId("ops.omar")
WMS = ActorId("wms.bridge")
TABLES = ("customer_validation.dmn", "pricing_approval.dmn", "credit.dmn",
          "export_compliance.dmn", "allocation_priority.dmn", "shipping_constraints.dmn",
          "release_policy.dmn", "order_review.dmn", "sourcing_policy.dmn", "approval_authority.dmn",
          "segregation_of_duties.dmn", "override_reasons.dmn", "invoice_charges.dmn",
          "return_policy.dmn")  # fmt: skip
TODAY = date(2026, 12, 1)


def _order(po: str, account: str, ship_to: str, channel: Channel, site: str,
           *lines: tuple[str, int], price: Decimal | None = None,
           actor: ActorId = CS) -> c.PlaceOrder:  # fmt: skip
    return c.PlaceOrder(
        actor=actor, account_number=AccountNumber(account), ship_to=ShipToCode(ship_to),
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


def _resource(folder: str, name: str) -> str:
    return (resources.files("ordoflow.governance") / folder / name).read_text(encoding="utf-8")


def _publish_standard_process(bus: MessageBus) -> None:
    """The process owner drafts and submits every table, the template and two variants; a
    board member approves each (the author never may)."""
    texts = [(ArtifactKind.TABLE, f.removesuffix(".dmn"), _resource("rulesets", f))
             for f in TABLES]  # fmt: skip
    texts.append((ArtifactKind.TEMPLATE, "order_to_cash",
                  _resource("templates", "order_to_cash.yaml")))  # fmt: skip
    texts += [(ArtifactKind.VARIANT, name, _resource("templates", file))
              for name, file in (("rotterdam", "rotterdam.variant.yaml"),
                                 ("edi_fast_credit", "edi.variant.yaml"))]  # fmt: skip
    for kind, name, text in texts:
        number = int(bus.handle(c.DraftVersion(kind=kind, name=name, text=text, actor=OWNER)))
        bus.handle(c.SubmitVersion(kind=kind, name=name, number=number, actor=OWNER))
        bus.handle(c.ApproveVersion(kind=kind, name=name, number=number, actor=BOARD))
    out.print(f"{OWNER} drafted {len(texts)} versions (the 9 tables of the steps, the 3 tables "
              "read when a case is decided, the tax and freight table, the return policy, the "
              f"template, a site and a channel variant); {BOARD} approved them")  # fmt: skip


class DemoClock:
    """The demo's time: now, until the demo moves it to show a deadline passing."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def now_is(self, moment: datetime) -> None:
        self.current = max(self.current, moment)


def _staff(bus: MessageBus) -> None:
    people = [
        ("admin", "Ada Admin", ["administrator"], []),
        (CS, "Maria Lopez", ["customer_service"], []),
        (SUPERVISOR, "Sara Kim", ["customer_service", "finance"], []),
        (CREDIT, "Ana Silva", ["credit_analyst"], ["DAL1", "ATL1"]),
        (FINANCE, "Fay Brooks", ["finance"], []),
        (WH, "Tom Reed", ["warehouse_lead"], ["DAL1"]),
        (OWNER, "Li Wen", ["process_owner"], []),
        (BOARD, "Sam Okafor", ["governance_board"], []),
        (OPS, "Omar Haddad", ["sales_operations"], []),
        (WMS, "Warehouse system", ["integration"], []),
    ]  # fmt: skip
    for user_id, name, roles, sites in people:
        bus.handle(c.SaveUser(user=parse_user(user_id, name, roles, sites), actor=ADMIN))
    out.print(f"{len(people)} users with their roles and sites")


def _work_the_case(app: App, clock: DemoClock, held: OrderId) -> None:
    """The credit case of `held`: queued, escalated when its deadline passes, refused to the
    supervisor who took the order, approved by finance."""
    out.rule("Exception queues")
    _queue(app, clock)
    (case,) = [k for k in case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
               if k["order_id"] == held]  # fmt: skip
    clock.now_is(datetime.fromisoformat(case["due_at"]))
    escalated = app.bus.handle(c.EscalateDueCases())
    out.print(f"the clock reaches the credit case's deadline ({case['due_at']}): the timer "
              f"worker escalates {escalated} case(s); the credit case now belongs to "
              "finance")  # fmt: skip
    who = f"{SUPERVISOR} (customer service and finance), who took the order, approves"
    _attempt(app.bus, who, c.ApproveCase(case_id=case["id"], actor=SUPERVISOR))
    app.bus.handle(c.ApproveCase(case_id=case["id"], actor=FINANCE,
                                 comment="payment plan agreed with the customer"))  # fmt: skip
    out.print(f"{FINANCE} (finance) approves: the process goes on under the same pins -> "
              f"order {show_order(app.uow_factory, FINANCE, held)['status']}")  # fmt: skip
    trail = show_case(app.uow_factory, ADMIN, case["id"], clock.now())["trail"]
    keys = ("seq", "action", "at", "actor")
    out.print(table(keys, [[t[k] for k in keys] for t in trail],
                    title=f"Audit trail of {case['id']}"))  # fmt: skip


def _no_bypass(app: App, clock: DemoClock) -> None:
    """An order split to stay under the review threshold is held for review, and an order
    changed after its approval runs the changed steps again: the approval does not carry."""
    out.rule("No bypass: a split order, and a change after approval")
    bus = app.bus
    first = OrderId(bus.handle(_order("PO-1010", "C-ACME", "MAIN", Channel.API, "DAL1",
                                      ("MTR-VFD-7K", 10))))  # fmt: skip
    second = OrderId(bus.handle(_order("PO-1011", "C-ACME", "MAIN", Channel.API, "DAL1",
                                       ("MTR-VFD-7K", 11))))  # fmt: skip

    def status(order_id: OrderId) -> str:
        shown = show_order(app.uow_factory, ADMIN, order_id)
        return f"{shown['customer_po']} {shown['status']} {shown['hold_reason'] or ''}".rstrip()

    out.print(f"C-ACME orders 10 drives (12,400), then 11 more (13,640) within the hour: "
              f"{status(first)}; {status(second)}: each under the 25,000 review threshold, "
              "together above it")  # fmt: skip
    (case,) = [k for k in case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
               if k["order_id"] == second]  # fmt: skip
    out.print(f"case {case['id']} in queue {case['queue']} for {case['owner_role']}")
    bus.handle(c.ApproveCase(case_id=case["id"], actor=OPS, comment="two projects, confirmed"))
    out.print(f"{OPS} (sales operations) approves it: {status(second)} (waits for stock)")
    bus.handle(c.EditOrder(order_id=second, actor=CS,
                           lines=(c.OrderLineInput(line_no=1, sku=Sku("MTR-VFD-7K"),
                                                   quantity=12),)))  # fmt: skip
    (again,) = [k for k in case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
                if k["order_id"] == second]  # fmt: skip
    out.print(f"{CS} then raises PO-1011 to 12 drives: the process runs again from the first "
              f"step reading the lines -> {status(second)}, new case {again['id']}; the earlier "
              "approval does not carry over")  # fmt: skip


def _receipt(app: App, clock: DemoClock) -> None:
    """Drives arrive at Dallas: the orders waiting for them are filled by priority."""
    out.rule("A receipt fills the orders waiting for stock")
    clock.now_is(clock.now() + timedelta(hours=6))
    waiting = [o["id"] for o in list_orders(app.uow_factory, WH, status="backordered")]
    app.bus.handle(c.ReceiveStock(
        site=SiteCode("DAL1"), kind=c.ReceiptKind.PURCHASE_RECEIPT, reference="SUP-88-0412",
        lines=(c.ReceiptLine(Sku("MTR-VFD-7K"), 11),), actor=WH,
    ))  # fmt: skip
    report = dispatch_once(app.bus.uow_factory, clock)
    out.print(f"{WH} receives 11 drives at DAL1 (purchase receipt SUP-88-0412); the worker "
              f"handles {report.handled} event(s), filling the orders that waited:")  # fmt: skip
    for order_id in waiting:
        shown = show_order(app.uow_factory, WH, order_id)
        out.print(f"  {shown['customer_po']} ({shown['account_number']}): {shown['status']}")


def _queue(app: App, clock: DemoClock) -> None:
    view = case_queue(app.uow_factory, ADMIN, clock.now())
    keys = ("queue", "priority", "owner_role", "reason_code", "status", "due_at")
    out.print(table(keys, [[k[key] for key in keys] for k in view["cases"]],
                    title="Cases, by priority then age"))  # fmt: skip


def _orders_table(app: App) -> None:
    summary = list_orders(app.uow_factory, ADMIN)
    keys = ("customer_po", "account_number", "channel", "site", "status", "hold_reason", "total",
            "currency")  # fmt: skip
    out.print(table(keys, [[r[k] or "" for k in keys] for r in reversed(summary)]))


def _refusals(bus: MessageBus, o: dict[str, OrderId]) -> None:
    """Resubmissions, and moves refused by the lifecycle, by role and by site scope."""
    bolt, crnr, delf = OrderId(o["bolt"]), OrderId(o["crnr"]), OrderId(o["delf"])
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
    _attempt(bus, "invoice an order not shipped yet", c.InvoiceOrder(order_id=crnr, actor=FINANCE))
    _attempt(
        bus,
        "cancel an order that has shipped",
        c.CancelOrder(order_id=bolt, reason_code="customer_request", actor=CS),
    )
    _attempt(bus, f"{CS} (customer service) releases an order to the warehouse",
             c.ReleaseOrder(order_id=crnr, actor=CS))  # fmt: skip
    again = bus.handle(c.ConfirmShipment(
        request_id=WarehouseRequestId(f"{bolt}-DAL1"), reference="DAL-SHP-2",
        shipped={1: 12, 2: 30}, carrier="LTL", tracking="PRO-4471", actor=WH,
    ))  # fmt: skip
    out.print(f"  shipment DAL-SHP-2 confirmed again by the WMS: repeated={again.repeated}, "
              "nothing changes")  # fmt: skip
    _attempt(bus, "the warehouse confirms 5 drives on a request for 1",
             c.ConfirmShipment(request_id=WarehouseRequestId(f"{crnr}-DAL1"),
                               reference="DAL-SHP-9", shipped={1: 5}, actor=WH))  # fmt: skip
    _attempt(bus, f"{WH} (warehouse lead at DAL1) confirms a Rotterdam shipment",
             c.ConfirmPicking(request_id=WarehouseRequestId(f"{delf}-RTM1"),
                              actor=WH))  # fmt: skip


def run_demo(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    clock = DemoClock(datetime.now(UTC))
    app = bootstrap(Settings(database_url=f"sqlite:///{database}"), clock=clock)
    bus = app.bus
    out.rule("Ordoflow demo: one governed order-to-cash process")
    out.print(f"database: {database} (schema revision {app.upgrade_database()})")

    sample = resources.files("ordoflow") / "sample"
    _staff(bus)
    rows = []
    for kind in SPECS:
        report = bus.handle(c.ImportRecords(
            kind=kind, text=(sample / f"{kind}.csv").read_text(encoding="utf-8"),
            source=f"{kind}.csv", actor=ADMIN,
        ))  # fmt: skip
        rows.append((kind, report.created, report.updated))
    out.print(table(("master data", "created", "updated"), rows, title="Sample distributor loaded"))

    out.rule("The governed process")
    _publish_standard_process(bus)

    o: dict[str, OrderId] = {
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
        "crnr2": bus.handle(_order("WEB-55188", "C-CRNR", "MAIN", Channel.ECOMMERCE, "DAL1",
                                   ("PIPE-CU-15", 280), ("VLV-BALL-22", 200),
                                   ("CBL-CU-2.5", 70), actor=SUPERVISOR)),
        "split": bus.handle(_order("PO-1020", "C-ACME", "STORE-14", Channel.API, "ATL1",
                                   ("GLV-NIT-L", 50), ("PIPE-CU-15", 20))),
    }  # fmt: skip
    out.print(f"placed {len(o)} orders on four channels; each ran the process of its site and "
              "channel and is pinned to the versions it ran under")  # fmt: skip
    _orders_table(app)

    held = OrderId(o["crnr2"])
    out.rule("Why is WEB-55188 on hold?")
    out.print(explanation_text(explain_order(app.uow_factory, CS, held)), end="",
              markup=False, highlight=False)  # fmt: skip

    sourcing(app, OrderId(o["split"]))
    _work_the_case(app, clock, held)
    _no_bypass(app, clock)
    _receipt(app, clock)

    out.rule("What if the credit table rejected everything above the limit?")
    stricter = _resource("rulesets", "credit.dmn").replace("&gt; 1.2", "&gt; 1")
    draft = int(bus.handle(c.DraftVersion(kind=ArtifactKind.TABLE, name="credit", text=stricter,
                                          actor=OWNER)))  # fmt: skip
    report = what_if(app.uow_factory, OWNER, ArtifactKind.TABLE, "credit", draft, 50)
    out.print(what_if_text(report), end="", markup=False, highlight=False)

    def move(*commands: c.Command) -> None:
        for command in commands:
            bus.handle(command)

    bolt = OrderId(o["bolt"])
    move(c.ConfirmShipment(request_id=WarehouseRequestId(f"{bolt}-DAL1"), reference="DAL-SHP-2",
                           shipped={1: 12, 2: 30}, carrier="LTL", tracking="PRO-4471",
                           actor=WH))  # fmt: skip
    move(c.CancelOrder(order_id=OrderId(o["acme2"]), reason_code="customer_request", actor=CS))
    _refusals(bus, o)
    warehouses_and_books(app, clock, OrderId(o["acme"]))

    out.rule("Orders")
    _orders_table(app)
    print_order(show_order(app.uow_factory, ADMIN, bolt))
    report = verify_audit(app.uow_factory, ADMIN)
    verdict = "intact" if report.ok else f"BROKEN: {report.breaks}"
    out.print(f"audit: {report.orders_checked} order logs and {report.streams_checked} audit "
              f"streams checked, hash chains {verdict}")  # fmt: skip
    out.print(f"explore it: ORDOFLOW_DATABASE_URL=sqlite:///{database} ORDOFLOW_ACTOR={ADMIN} "
              "ordoflow orders list")  # fmt: skip
    app.close()


if __name__ == "__main__":
    run_demo(Path("ordoflow-demo.db"))
