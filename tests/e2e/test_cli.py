"""Journeys through the installed `ordoflow` command, each on SQLite and on PostgreSQL: the
schema, placing orders, looking at them, moving them through their lifecycle, refusals that exit
2 with their stable code, and the demo (imports and the audit have modules of their own). Each
command is run by the user of `tests.staff` whose work it is: an agent takes orders in, the
warehouse lead ships them, finance invoices and closes them, an auditor verifies the logs."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordoflow.application.queries import list_orders, show_order
from ordoflow.application.requests import parse_place_order
from ordoflow.bootstrap import App, bootstrap
from ordoflow.config import Settings
from ordoflow.domain.values import OrderId
from tests.databases import PostgresServer, SqliteTemplate
from tests.e2e.cli import Cli, first_administrator, ref, refused, table_rows
from tests.e2e.sample import ACME_TOTAL, acme_order, load_sample
from tests.fakes import FakeClock
from tests.staff import ADMIN, AGENT, AUDITOR, FINANCE, WAREHOUSE

ORDER_ID = re.compile(r"^SO-[0-9A-F]+$")


# -- the command and the schema -------------------------------------------------------------


def test_help_lists_the_db_import_orders_warehouse_audit_and_demo_commands(tmp_path: Path) -> None:
    result = Cli("sqlite:///unused.db", tmp_path).ok("--help")
    for command in ("db", "import", "orders", "warehouse", "audit", "demo"):
        assert re.search(rf"^\W*{command}\s", result.out, re.MULTILINE), command


def test_db_upgrade_is_idempotent_and_db_current_reports_the_latest_revision(cli: Cli) -> None:
    upgraded = cli.ok("db", "upgrade").out
    revision = re.search(r"database at revision (\S+)", upgraded)
    assert revision
    assert cli.ok("db", "current").out.strip() == f"current {revision[1]}, latest {revision[1]}"


def test_a_new_sqlite_file_is_refused_with_schema_out_of_date_until_it_is_upgraded(
    tmp_path: Path,
) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    assert "(run: ordoflow db upgrade)" in cli.ok("db", "current").out
    refused(cli("orders", "list", "--actor", ADMIN), "schema_out_of_date")
    cli.ok("db", "upgrade")
    assert "run: ordoflow db upgrade" not in cli.ok("db", "current").out
    admin = first_administrator(cli)
    assert table_rows(admin.ok("orders", "list").out) == []


# -- placing orders -------------------------------------------------------------------------


def place(cli: Cli, body: dict[str, Any], *options: str) -> str:
    order_id = cli.ok("orders", "place", cli.order_file(body), *options).out.strip()
    assert ORDER_ID.match(order_id), order_id
    return order_id


def orders_with_po(app: App, po: str) -> list[dict[str, Any]]:
    listed = list_orders(app.uow_factory, AGENT, limit=1000)
    return [o for o in listed if o["customer_po"] == po]


def test_placing_the_same_order_file_twice_prints_the_same_order_id(
    cli: Cli, sample_distributor: App
) -> None:
    agent, po = cli.as_user(AGENT), ref("PO")
    path = cli.order_file(acme_order(po))
    first = agent.ok("orders", "place", path).out.strip()
    assert agent.ok("orders", "place", path).out.strip() == first
    listed = agent.ok("orders", "list", "--json").json()
    assert [o["id"] for o in listed if o["customer_po"] == po] == [first]


def test_the_same_order_with_its_numbers_written_differently_is_the_same_order(
    cli: Cli, sample_distributor: App
) -> None:
    agent, po = cli.as_user(AGENT), ref("PO")
    line = {"sku": "PIPE-CU-15", "quantity": 3, "unit_price": 16.1}
    first = place(agent, acme_order(po, [line]))
    again = acme_order(po, [{"sku": "PIPE-CU-15", "quantity": "3", "unit_price": "16.10"}])
    assert place(agent, again) == first


def test_a_different_body_under_the_same_po_is_refused_with_duplicate_po_conflict(
    cli: Cli, sample_distributor: App
) -> None:
    agent, po = cli.as_user(AGENT), ref("PO")
    first = place(agent, acme_order(po))
    changed = acme_order(po, [{"sku": "PIPE-CU-15", "quantity": 13}])
    result = agent("orders", "place", cli.order_file(changed))
    refused(result, "duplicate_po_conflict")
    assert first in result.err
    assert [Decimal(o["total"]) for o in orders_with_po(sample_distributor, po)] == [
        Decimal(ACME_TOTAL)
    ]


def test_an_order_for_an_unknown_sku_is_refused_with_unknown_sku(
    cli: Cli, sample_distributor: App
) -> None:
    po, sku = ref("PO"), ref("NO-SUCH")
    body = acme_order(po, [{"sku": sku, "quantity": 1}])
    result = cli.as_user(AGENT)("orders", "place", cli.order_file(body))
    refused(result, "unknown_sku")
    assert sku in result.err
    assert orders_with_po(sample_distributor, po) == []


@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        ({"quantity": 0}, "invalid_quantity", "quantity"),
        ({"quantity": "2.5"}, "invalid_quantity", "quantity"),
        ({"quantity": 2, "unit_price": "cheap"}, "invalid_price", "unit_price"),
    ],
    ids=["zero quantity", "fractional quantity", "non-numeric price"],
)
def test_a_malformed_line_is_refused_with_its_stable_code_and_field(
    cli: Cli, sample_distributor: App, line: dict[str, Any], code: str, field: str
) -> None:
    body = acme_order(
        ref("PO"), [{"sku": "GLV-NIT-L", "quantity": 1}, {"sku": "PIPE-CU-15", **line}]
    )
    result = cli.as_user(AGENT)("orders", "place", cli.order_file(body))
    refused(result, code)
    assert re.search(rf"lines\[\d+\]\.{field}", result.err)


def test_every_bad_field_of_one_line_is_reported_at_once(
    sqlite_template: SqliteTemplate, tmp_path: Path
) -> None:
    # the file is refused as it is read, before anyone checks who sent it or what it names
    cli = Cli(sqlite_template.fresh(tmp_path), tmp_path, actor=AGENT)
    line = {"sku": "PIPE-CU-15", "quantity": 0, "unit_price": "cheap"}
    result = cli("orders", "place", cli.order_file(acme_order(ref("PO"), [line])))
    refused(result, "invalid_quantity")
    assert [row[:2] for row in table_rows(result.err)] == [
        ["lines[1].quantity", "invalid_quantity"],
        ["lines[1].unit_price", "invalid_price"],
    ]


def refused_field(cli: Cli, line: dict[str, Any]) -> str:
    result = cli("orders", "place", cli.order_file(acme_order(ref("PO"), [line])))
    assert result.code == 2, result.out
    found = re.search(r"(lines\[\d+\])\.\w+:", result.err)
    assert found, result.err
    return found[1]


def test_a_refusal_names_a_line_by_its_number_whichever_check_refuses_it(
    cli: Cli, sample_distributor: App
) -> None:
    agent = cli.as_user(AGENT)
    by_parser = refused_field(agent, {"sku": "PIPE-CU-15", "quantity": 0})
    by_order = refused_field(agent, {"sku": "PIPE-CU-15", "quantity": 1, "unit_of_measure": "BX"})
    assert by_parser == by_order == "lines[1]"


@pytest.mark.parametrize("text", ['{"account_number": ', "[1, 2]"], ids=["not JSON", "a list"])
def test_an_order_file_that_is_not_a_json_object_is_refused_with_malformed_request(
    sqlite_template: SqliteTemplate, tmp_path: Path, text: str
) -> None:
    cli = Cli(sqlite_template.fresh(tmp_path), tmp_path, actor=AGENT)  # refused as it is read
    result = cli("orders", "place", cli.file("order.json", text))
    refused(result, "malformed_request")
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("actor", "command"),
    [(ADMIN, ("import", "sites", "nope.csv")), (AGENT, ("orders", "place", "nope.json"))],
    ids=["import", "orders place"],
)
def test_a_file_that_does_not_exist_is_refused_with_file_unreadable(
    sqlite_template: SqliteTemplate, tmp_path: Path, actor: str, command: tuple[str, ...]
) -> None:
    result = Cli(sqlite_template.fresh(tmp_path), tmp_path, actor=actor)(*command)
    refused(result, "file_unreadable")
    assert command[-1] in result.err
    assert "Traceback" not in result.err


def test_an_actor_that_is_not_a_short_code_is_a_usage_error(tmp_path: Path) -> None:
    result = Cli("sqlite:///unused.db", tmp_path)("orders", "validate", "SO-1", "--actor", "a b")
    assert result.code == 2
    assert "[invalid_code]" in result.err


# -- looking at orders ----------------------------------------------------------------------


def place_in_process(app: App, po: str, lines: list[dict[str, Any]] | None = None) -> OrderId:
    body = acme_order(po, lines)
    return OrderId(app.bus.handle(parse_place_order(body, actor=AGENT)))


#: The sample has no variable frequency drive in stock at DAL1: such an order is backordered.
NO_STOCK_LINES = [{"sku": "MTR-VFD-7K", "quantity": 2}]


def test_orders_list_prints_a_table_and_json_newest_first(
    cli: Cli, sample_distributor: App, clock: FakeClock
) -> None:
    older = place_in_process(sample_distributor, ref("PO"))
    clock.advance(minutes=5)
    newer = place_in_process(sample_distributor, ref("PO"))
    agent = cli.as_user(AGENT)
    rows = table_rows(agent.ok("orders", "list").out)
    assert [(r[0], r[1], r[5], Decimal(r[6]), r[7]) for r in rows] == [
        (oid, "C-ACME", "released", Decimal(ACME_TOTAL), "USD") for oid in (newer, older)
    ]
    listed = agent.ok("orders", "list", "--json").json()
    assert [(o["id"], Decimal(o["total"])) for o in listed] == [
        (newer, Decimal(ACME_TOTAL)), (older, Decimal(ACME_TOTAL))
    ]  # fmt: skip


def shown_total(url: str, folder: Path) -> str:
    app = bootstrap(Settings(database_url=url))
    try:
        load_sample(app)
        order_id = place_in_process(app, ref("PO"))
    finally:
        app.close()
    shown = Cli(url, folder, actor=AGENT).ok("orders", "show", order_id, "--json")
    return str(shown.json()["total"])


@pytest.mark.postgres
def test_the_same_order_shows_the_same_total_on_sqlite_and_on_postgresql(
    sqlite_template: SqliteTemplate, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    postgres_server.clean()
    sqlite_url = sqlite_template.fresh(tmp_path)
    totals = {shown_total(url, tmp_path) for url in (sqlite_url, postgres_server.url)}
    assert totals == {ACME_TOTAL}


def test_orders_list_filters_by_status(cli: Cli, sample_distributor: App) -> None:
    released = place_in_process(sample_distributor, ref("PO"))
    backordered = place_in_process(sample_distributor, ref("PO"), NO_STOCK_LINES)
    for status, order_id in (("released", released), ("backordered", backordered)):
        listed = cli.as_user(AGENT).ok("orders", "list", "--status", status, "--json").json()
        assert [o["id"] for o in listed] == [order_id]


def test_orders_show_json_has_the_status_lines_totals_and_event_log(
    cli: Cli, sample_distributor: App
) -> None:
    order_id = place(cli, acme_order(ref("PO")), "--actor", AGENT)
    detail = cli.ok("orders", "show", order_id, "--json", "--actor", AGENT).json()
    header = (detail["id"], detail["status"], detail["entered_by"])
    assert header == (order_id, "released", AGENT)
    assert Decimal(detail["total"]) == Decimal(ACME_TOTAL)
    lines = [(ln["sku"], ln["status"], ln["allocated"], Decimal(ln["amount"]))
             for ln in detail["lines"]]  # fmt: skip
    assert lines == [("PIPE-CU-15", "released", 12, Decimal("193.2")),
                     ("VLV-BALL-22", "released", 4, Decimal(51))]  # fmt: skip
    events = [(e["seq"], e["activity"], e["line_no"], e["to"], e["actor"])
              for e in detail["events"]]  # fmt: skip
    assert events == [
        (1, "order received", None, "received", AGENT),
        (2, "order validate", None, "validated", "system"),
        (3, "line allocate", 1, "allocated", "system"),
        (4, "line allocate", 2, "allocated", "system"),
        (5, "order allocate", None, "allocated", "system"),
        (6, "order release", None, "released", "system"),
        (7, "line release", 1, "released", "system"),
        (8, "line release", 2, "released", "system"),
    ]


def test_orders_show_prints_the_header_lines_and_events(cli: Cli, sample_distributor: App) -> None:
    order_id = place_in_process(sample_distributor, ref("PO"))
    shown = cli.as_user(AGENT).ok("orders", "show", order_id).out
    assert shown.splitlines()[0].startswith(f"{order_id}  released  customer C-ACME")
    assert {"Lines", "Events"} <= {line.strip() for line in shown.splitlines()}


def test_showing_an_unknown_order_is_refused_with_unknown_order(cli: Cli, staffed: App) -> None:
    refused(cli.as_user(AGENT)("orders", "show", "SO-000000000000"), "unknown_order")


# -- the lifecycle --------------------------------------------------------------------------

#: What the standard process does to an order it can fill, and what people do after it (and
#: who: the warehouse lead ships, finance invoices and closes).
BY_THE_PROCESS = ("validate", "allocate", "release")
BY_HAND = (("ship", WAREHOUSE), ("invoice", FINANCE), ("close", FINANCE))
#: The sample order's site: the warehouse asked to ship it.
ACME_SITE = "DAL1"


def order_moves(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """(activity, actor) of every order-level entry of an order's log."""
    return [(e["activity"], e["actor"]) for e in detail["events"] if e["line_no"] is None]


def test_an_order_goes_from_placed_to_closed_through_the_command_line(
    cli: Cli, sample_distributor: App
) -> None:
    agent, warehouse = cli.as_user(AGENT), cli.as_user(WAREHOUSE)
    order_id = place(agent, acme_order(ref("PO")))
    released = agent.ok("orders", "show", order_id, "--json").json()
    request_id = f"{order_id}-{ACME_SITE}"
    assert released["status"] == "released"
    assert [(r["id"], r["site"], r["status"]) for r in released["requests"]] == [
        (request_id, ACME_SITE, "released")
    ]  # fmt: skip

    def waiting() -> list[list[str]]:
        listed = warehouse.ok("warehouse", "requests", "--site", ACME_SITE).out
        return [row[:3] for row in table_rows(listed) if row[0] == request_id]

    assert waiting() == [[request_id, ACME_SITE, "released"]]
    # the warehouse lead works the request: pick, pack, ship under the warehouse's reference
    assert warehouse.ok("warehouse", "pick", request_id).out.strip() == f"{request_id}: picked"
    assert warehouse.ok("warehouse", "pack", request_id).out.strip() == f"{request_id}: packed"
    ship = ("warehouse", "ship", request_id, "--reference", "SHP-1", "--line", "1=12",
            "--line", "2=4", "--tracking", "TRK-1")  # fmt: skip
    assert (
        warehouse.ok(*ship).out.strip() == "SHP-1: shipped; invoicing follows (ordoflow worker run)"
    )
    assert warehouse.ok(*ship).out.strip() == "SHP-1: already confirmed, nothing changed"
    assert waiting() == []
    for step, who in BY_HAND[1:]:
        done = cli.as_user(who).ok("orders", step, order_id).out.strip()
        assert done == f"{order_id}: done"
    detail = agent.ok("orders", "show", order_id, "--json").json()
    assert detail["status"] == "closed"
    assert [(r["id"], r["status"]) for r in detail["requests"]] == [(request_id, "shipped")]
    assert [(s["reference"], s["request_id"], s["lines"], s["tracking"])
            for s in detail["shipments"]] == [
        ("SHP-1", request_id, {"1": 12, "2": 4}, "TRK-1")
    ]  # fmt: skip
    lines = [(ln["status"], ln["shipped"]) for ln in detail["lines"]]
    assert lines == [("closed", 12), ("closed", 4)]
    events = detail["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert order_moves(detail) == [
        ("order received", AGENT), *((f"order {step}", "system") for step in BY_THE_PROCESS),
        *((f"order {step}", who) for step, who in BY_HAND),
    ]  # fmt: skip
    assert "audit ok" in cli.as_user(AUDITOR).ok("audit", "verify").out


def test_a_backordered_order_is_held_resumed_allocated_and_released_through_the_command_line(
    cli: Cli, sample_distributor: App
) -> None:
    agent, warehouse = cli.as_user(AGENT), cli.as_user(WAREHOUSE)
    order_id = place(agent, acme_order(ref("PO"), NO_STOCK_LINES))

    def show() -> dict[str, Any]:
        detail: dict[str, Any] = agent.ok("orders", "show", order_id, "--json").json()
        return detail

    assert show()["status"] == "backordered"
    agent.ok("orders", "hold", order_id, "--reason", "customer_call")
    assert (show()["status"], show()["hold_reason"]) == ("on_hold", "customer_call")
    agent.ok("orders", "resume", order_id)
    assert (show()["status"], show()["hold_reason"]) == ("backordered", None)
    warehouse.ok("import", "stock", cli.file("stock.csv", "sku,site,on_hand\nMTR-VFD-7K,DAL1,5\n"))
    for step in ("allocate", "release"):
        assert warehouse.ok("orders", step, order_id).out.strip() == f"{order_id}: done"
    detail = show()
    assert detail["status"] == "released"
    assert [(ln["status"], ln["allocated"]) for ln in detail["lines"]] == [("released", 2)]
    assert order_moves(detail) == [
        ("order received", AGENT), ("order validate", "system"), ("order backorder", "system"),
        ("order hold", AGENT), ("order resume", AGENT), ("order allocate", WAREHOUSE),
        ("order release", WAREHOUSE),
    ]  # fmt: skip


def test_invoicing_before_shipment_is_an_illegal_transition_and_leaves_the_order_unchanged(
    cli: Cli, sample_distributor: App
) -> None:
    order_id = place_in_process(sample_distributor, ref("PO"))
    before = show_order(sample_distributor.uow_factory, AGENT, order_id)
    assert before["status"] == "released"
    result = cli.as_user(FINANCE)("orders", "invoice", order_id)
    refused(result, "illegal_transition")
    assert "'invoice'" in result.err
    assert order_id in result.err
    assert show_order(sample_distributor.uow_factory, AGENT, order_id) == before


# -- the demo -------------------------------------------------------------------------------


def test_the_demo_builds_a_fresh_sqlite_file_and_prints_the_orders_table(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    shown = Cli("sqlite:///unused.db", tmp_path).ok("demo", "--database", database).out
    assert database.exists()
    placed = {cell for row in table_rows(shown) for cell in row}
    assert {"PO-1001", "8842-A", "WEB-55120", "DLF-2026-311", "PO-1002", "E-77"} <= placed
    assert "hash chains intact" in shown
    assert "hold at step credit (credit v1): credit_limit_exceeded" in shown
    assert "Who may release it: role credit_analyst through queue credit_review" in shown
    assert "escalates 1 case(s); the credit case now belongs to finance" in shown
    assert "refused [segregation_of_duties] sup.sara entered order" in shown
    assert "fin.fay (finance) approves: the process goes on under the same pins -> order" in shown
    assert "hold credit_limit_exceeded -> reject credit_limit_far_exceeded" in shown
    assert "PO-1011 on_hold split_order_suspected: each under the 25,000" in shown
    assert "the earlier approval does not carry over" in shown
    assert "the worker handles 1 event(s), filling the orders that waited:" in shown
    assert "PO-1010 (C-ACME): released" in shown
    assert "refused [not_authorised] cs.maria may not release order" in shown
    assert "refused [outside_site_scope] wh.lead.tom does not act for site RTM1" in shown
