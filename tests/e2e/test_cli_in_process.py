"""The `ordoflow` command run inside the test process, on both databases. The other journeys
run it as a separate process, as a user does; these run the same commands in-process so that
the command-line code is measured too, and check exit codes and what is printed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from ordoflow.bootstrap import App
from ordoflow.domain.fulfilment_events import ShipmentConfirmed, WarehouseRequestMoved
from ordoflow.entrypoints.cli.app import app as ordoflow
from tests.fakes import FakeClock
from tests.governed_world import ACCOUNT, SITE, SKU, place_order, set_up
from tests.staff import ADMIN, AGENT, AUDITOR, FINANCE, OWNER, WAREHOUSE

runner = CliRunner()


def invoke(database_url: str, actor: str | None, *args: object) -> Result:
    env = {"ORDOFLOW_DATABASE_URL": database_url, "COLUMNS": "200"}
    if actor is not None:
        env["ORDOFLOW_ACTOR"] = actor
    return runner.invoke(ordoflow, [str(a) for a in args], env=env)


def ok(database_url: str, actor: str | None, *args: object) -> str:
    result = invoke(database_url, actor, *args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def test_the_demo_runs_in_process(tmp_path: Path) -> None:
    shown = runner.invoke(ordoflow, ["demo", "--database", str(tmp_path / "demo.db")])
    assert shown.exit_code == 0, shown.output
    assert "hash chains intact" in shown.output


def test_a_day_of_work_through_the_command_line(
    app: App, clock: FakeClock, db_url: str, tmp_path: Path
) -> None:
    set_up(app, clock, stock=10)
    waiting = place_order(app, 20)  # 10 of 20 in stock: waits at release
    held = place_order(app, 1050)  # over the credit limit: a case for credit
    assert held in ok(db_url, AGENT, "orders", "list")
    assert '"status": "partially_allocated"' in ok(db_url, AGENT, "orders", "show", waiting,
                                                   "--json")  # fmt: skip
    assert "credit_limit_exceeded" in ok(db_url, AGENT, "orders", "explain", held)
    assert "next:" in ok(db_url, AGENT, "orders", "status", waiting)
    cases = ok(db_url, ADMIN, "cases", "list", "--json")
    case_id = cases.split('"id": "', 1)[1].split('"', 1)[0]
    assert "Decision" in ok(db_url, ADMIN, "cases", "show", case_id)
    assert "published" in ok(db_url, OWNER, "governance", "list", "table", "credit")
    assert "order_to_cash" in ok(db_url, OWNER, "governance", "effective", "--site", SITE,
                                 "--channel", "edi")  # fmt: skip
    assert "no difference" in ok(db_url, OWNER, "governance", "diff", "table", "credit", "1",
                                 "1")  # fmt: skip
    assert "credit v1" in ok(db_url, OWNER, "governance", "what-if", "table", "credit", "1",
                             "--last", "5")  # fmt: skip
    ok(db_url, OWNER, "governance", "activations", "order_to_cash")
    assert ADMIN in ok(db_url, ADMIN, "users", "list")
    change = tmp_path / "change.json"
    change.write_text(f'{{"lines": [{{"line_no": 1, "sku": "{SKU}", "quantity": 5}}]}}')
    assert "changed, now" in ok(db_url, AGENT, "orders", "edit", held, change)
    received = ok(db_url, WAREHOUSE, "stock", "receive", "--site", SITE, "--reference", "PO-IN-1",
                  "--line", f"{SKU}=20")  # fmt: skip
    assert "filled by the worker" in received
    assert "handled 1 event(s)" in ok(db_url, None, "worker", "run", "--once")
    assert "escalated" in ok(db_url, None, "worker", "timers", "--once")
    assert "audit ok" in ok(db_url, AUDITOR, "audit", "verify")
    exported = ok(db_url, AUDITOR, "audit", "export", "--from", "2020-01-01T00:00:00Z",
                  "--to", "2100-01-01T00:00:00Z")  # fmt: skip
    assert exported.startswith("log,stream,seq")
    refused = invoke(db_url, AGENT, "orders", "release", waiting)
    assert refused.exit_code == 2
    assert "not_authorised" in refused.output


def test_a_shipment_its_invoice_a_return_and_the_books_through_the_command_line(
    app: App, clock: FakeClock, db_url: str
) -> None:
    set_up(app, clock, stock=10)
    shipped = place_order(app, 4)
    request = f"{shipped}-{SITE}"
    assert request in ok(db_url, WAREHOUSE, "warehouse", "requests", "--site", SITE)
    assert "picked" in ok(db_url, WAREHOUSE, "warehouse", "pick", request)
    assert "packed" in ok(db_url, WAREHOUSE, "warehouse", "pack", request)
    ship = ("warehouse", "ship", request, "--reference", "SHP-1", "--line", "1=4",
            "--tracking", "PRO-9")  # fmt: skip
    assert "invoicing follows" in ok(db_url, WAREHOUSE, *ship)
    assert "already confirmed" in ok(db_url, WAREHOUSE, *ship)
    assert "delivered" in ok(db_url, WAREHOUSE, "warehouse", "deliver", "--site", SITE,
                             "--reference", "SHP-1", "--received-by", "dock")  # fmt: skip
    ok(db_url, ADMIN, "worker", "run", "--once")
    assert "INV-US01-000001" in ok(db_url, FINANCE, "finance", "invoices", "--order", shipped)
    assert "owes 127.90" in ok(db_url, FINANCE, "finance", "owed", ACCOUNT)  # 40 + 2.90 + 85
    asked = ok(db_url, AGENT, "returns", "request", shipped, "--line", "1=1:damaged_in_transit")
    rma = asked.split(":", 1)[0].strip()
    assert "authorized" in asked
    assert "received" in ok(db_url, WAREHOUSE, "returns", "receive", rma, "--site", SITE,
                            "--line", "1=1")  # fmt: skip
    assert "CRN-US01-000001" in ok(db_url, WAREHOUSE, "returns", "dispose", rma,
                                   "--line", "1=restock")  # fmt: skip
    refused = invoke(db_url, WAREHOUSE, "returns", "dispose", rma, "--line", "1=melt")
    assert refused.exit_code != 0
    assert "invalid_choice" in refused.output
    assert "CRN-US01-000002" in ok(db_url, FINANCE, "finance", "credit", "INV-US01-000001",
                                   "--reason", "goodwill", "--line", "1=1")  # fmt: skip
    books = ok(db_url, FINANCE, "finance", "trial-balance")
    assert "in balance" in books
    assert "OUT OF BALANCE" not in books


def test_the_simulator_can_confirm_the_shipments_alone(
    app: App, clock: FakeClock, db_url: str
) -> None:
    set_up(app, clock, stock=10)
    order_id = place_order(app, 4)
    shown = ok(db_url, WAREHOUSE, "warehouse", "simulate", "--ship-only")
    assert f"SIM-{order_id}-{SITE}-0" in shown
    with app.uow_factory() as uow:
        (shipment,) = uow.warehouse.shipments_for(order_id)
        sent = {e.type for e in uow.outbox.pending(limit=1000)}
    assert shipment.delivered_at is None, "no proof of delivery"
    assert WarehouseRequestMoved.type not in sent, "no picking or packing reported"
    assert ShipmentConfirmed.type in sent
    ok(db_url, ADMIN, "worker", "run", "--once")
    assert "INV-US01-000001" in ok(db_url, FINANCE, "finance", "invoices", "--order", order_id)
