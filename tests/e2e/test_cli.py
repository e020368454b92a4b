"""Journeys through the installed `ordoflow` command, each on SQLite and on PostgreSQL: the
schema, placing orders, looking at them, moving them through their lifecycle, refusals that exit
2 with their stable code, and the demo (imports and the audit have modules of their own)."""

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
from ordoflow.domain.values import ActorId, OrderId
from tests.databases import PostgresServer, SqliteTemplate
from tests.e2e.cli import Cli, ref, refused, table_rows
from tests.e2e.sample import ACME_TOTAL, acme_order, load_sample
from tests.fakes import FakeClock

ORDER_ID = re.compile(r"^SO-[0-9A-F]+$")


# -- the command and the schema -------------------------------------------------------------


def test_help_lists_the_db_import_orders_audit_and_demo_commands(tmp_path: Path) -> None:
    result = Cli("sqlite:///unused.db", tmp_path).ok("--help")
    for command in ("db", "import", "orders", "audit", "demo"):
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
    refused(cli("orders", "list"), "schema_out_of_date")
    cli.ok("db", "upgrade")
    assert "run: ordoflow db upgrade" not in cli.ok("db", "current").out
    assert table_rows(cli.ok("orders", "list").out) == []


# -- placing orders -------------------------------------------------------------------------


def place(cli: Cli, body: dict[str, Any], *options: str) -> str:
    order_id = cli.ok("orders", "place", cli.order_file(body), *options).out.strip()
    assert ORDER_ID.match(order_id), order_id
    return order_id


def orders_with_po(app: App, po: str) -> list[dict[str, Any]]:
    return [o for o in list_orders(app.uow_factory, limit=1000) if o["customer_po"] == po]


def test_placing_the_same_order_file_twice_prints_the_same_order_id(
    cli: Cli, sample_distributor: App
) -> None:
    po = ref("PO")
    path = cli.order_file(acme_order(po))
    first = cli.ok("orders", "place", path).out.strip()
    assert cli.ok("orders", "place", path).out.strip() == first
    listed = cli.ok("orders", "list", "--json").json()
    assert [o["id"] for o in listed if o["customer_po"] == po] == [first]


def test_the_same_order_with_its_numbers_written_differently_is_the_same_order(
    cli: Cli, sample_distributor: App
) -> None:
    po = ref("PO")
    first = place(cli, acme_order(po, [{"sku": "PIPE-CU-15", "quantity": 3, "unit_price": 16.1}]))
    again = acme_order(po, [{"sku": "PIPE-CU-15", "quantity": "3", "unit_price": "16.10"}])
    assert place(cli, again) == first


def test_a_different_body_under_the_same_po_is_refused_with_duplicate_po_conflict(
    cli: Cli, sample_distributor: App
) -> None:
    po = ref("PO")
    first = place(cli, acme_order(po))
    changed = acme_order(po, [{"sku": "PIPE-CU-15", "quantity": 13}])
    result = cli("orders", "place", cli.order_file(changed))
    refused(result, "duplicate_po_conflict")
    assert first in result.err
    assert [Decimal(o["total"]) for o in orders_with_po(sample_distributor, po)] == [
        Decimal(ACME_TOTAL)
    ]


def test_an_order_for_an_unknown_sku_is_refused_with_unknown_sku(
    cli: Cli, sample_distributor: App
) -> None:
    po, sku = ref("PO"), ref("NO-SUCH")
    result = cli("orders", "place", cli.order_file(acme_order(po, [{"sku": sku, "quantity": 1}])))
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
    result = cli("orders", "place", cli.order_file(body))
    refused(result, code)
    assert re.search(rf"lines\[\d+\]\.{field}", result.err)


def test_every_bad_field_of_one_line_is_reported_at_once(
    sqlite_template: SqliteTemplate, tmp_path: Path
) -> None:
    cli = Cli(sqlite_template.fresh(tmp_path), tmp_path)
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
    by_parser = refused_field(cli, {"sku": "PIPE-CU-15", "quantity": 0})
    by_order = refused_field(cli, {"sku": "PIPE-CU-15", "quantity": 1, "unit_of_measure": "BX"})
    assert by_parser == by_order == "lines[1]"


@pytest.mark.parametrize("text", ['{"account_number": ', "[1, 2]"], ids=["not JSON", "a list"])
def test_an_order_file_that_is_not_a_json_object_is_refused_with_malformed_request(
    sqlite_template: SqliteTemplate, tmp_path: Path, text: str
) -> None:
    cli = Cli(sqlite_template.fresh(tmp_path), tmp_path)
    result = cli("orders", "place", cli.file("order.json", text))
    refused(result, "malformed_request")
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "command", [("import", "sites", "nope.csv"), ("orders", "place", "nope.json")]
)
def test_a_file_that_does_not_exist_is_refused_with_file_unreadable(
    sqlite_template: SqliteTemplate, tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = Cli(sqlite_template.fresh(tmp_path), tmp_path)(*command)
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
    return OrderId(app.bus.handle(parse_place_order(body, actor=ActorId("cs.maria"))))


#: The sample has no variable frequency drive in stock at DAL1: such an order is backordered.
NO_STOCK_LINES = [{"sku": "MTR-VFD-7K", "quantity": 2}]


def test_orders_list_prints_a_table_and_json_newest_first(
    cli: Cli, sample_distributor: App, clock: FakeClock
) -> None:
    older = place_in_process(sample_distributor, ref("PO"))
    clock.advance(minutes=5)
    newer = place_in_process(sample_distributor, ref("PO"))
    rows = table_rows(cli.ok("orders", "list").out)
    assert [(r[0], r[1], r[5], Decimal(r[6]), r[7]) for r in rows] == [
        (oid, "C-ACME", "released", Decimal(ACME_TOTAL), "USD") for oid in (newer, older)
    ]
    listed = cli.ok("orders", "list", "--json").json()
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
    return str(Cli(url, folder).ok("orders", "show", order_id, "--json").json()["total"])


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
        listed = cli.ok("orders", "list", "--status", status, "--json").json()
        assert [o["id"] for o in listed] == [order_id]


def test_orders_show_json_has_the_status_lines_totals_and_event_log(
    cli: Cli, sample_distributor: App
) -> None:
    order_id = place(cli, acme_order(ref("PO")), "--actor", "cs.maria")
    detail = cli.ok("orders", "show", order_id, "--json").json()
    header = (detail["id"], detail["status"], detail["entered_by"])
    assert header == (order_id, "released", "cs.maria")
    assert Decimal(detail["total"]) == Decimal(ACME_TOTAL)
    lines = [(ln["sku"], ln["status"], ln["allocated"], Decimal(ln["amount"]))
             for ln in detail["lines"]]  # fmt: skip
    assert lines == [("PIPE-CU-15", "released", 12, Decimal("193.2")),
                     ("VLV-BALL-22", "released", 4, Decimal(51))]  # fmt: skip
    events = [(e["seq"], e["activity"], e["line_no"], e["to"], e["actor"])
              for e in detail["events"]]  # fmt: skip
    assert events == [
        (1, "order received", None, "received", "cs.maria"),
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
    shown = cli.ok("orders", "show", order_id).out
    assert shown.splitlines()[0].startswith(f"{order_id}  released  customer C-ACME")
    assert {"Lines", "Events"} <= {line.strip() for line in shown.splitlines()}


def test_showing_an_unknown_order_is_refused_with_unknown_order(cli: Cli) -> None:
    refused(cli("orders", "show", "SO-000000000000"), "unknown_order")


# -- the lifecycle --------------------------------------------------------------------------

#: What the standard process does to an order it can fill, and what people do after it.
BY_THE_PROCESS = ("validate", "allocate", "release")
BY_HAND = ("ship", "invoice", "close")


def order_moves(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """(activity, actor) of every order-level entry of an order's log."""
    return [(e["activity"], e["actor"]) for e in detail["events"] if e["line_no"] is None]


def test_an_order_goes_from_placed_to_closed_through_the_command_line(
    cli: Cli, sample_distributor: App
) -> None:
    order_id = place(cli, acme_order(ref("PO")), "--actor", "cs.maria")
    assert cli.ok("orders", "show", order_id, "--json").json()["status"] == "released"
    for step in BY_HAND:
        shipped = ("--line", "1=12", "--line", "2=4") if step == "ship" else ()
        assert cli.ok("orders", step, order_id, *shipped).out.strip() == f"{order_id}: done"
    detail = cli.ok("orders", "show", order_id, "--json").json()
    assert detail["status"] == "closed"
    lines = [(ln["status"], ln["shipped"]) for ln in detail["lines"]]
    assert lines == [("closed", 12), ("closed", 4)]
    events = detail["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert order_moves(detail) == [
        ("order received", "cs.maria"), *((f"order {step}", "system") for step in BY_THE_PROCESS),
        *((f"order {step}", "cli") for step in BY_HAND),
    ]  # fmt: skip
    assert "audit ok" in cli.ok("audit", "verify").out


def test_a_backordered_order_is_held_resumed_allocated_and_released_through_the_command_line(
    cli: Cli, sample_distributor: App
) -> None:
    order_id = place(cli, acme_order(ref("PO"), NO_STOCK_LINES))

    def show() -> dict[str, Any]:
        detail: dict[str, Any] = cli.ok("orders", "show", order_id, "--json").json()
        return detail

    assert show()["status"] == "backordered"
    cli.ok("orders", "hold", order_id, "--reason", "customer_call")
    assert (show()["status"], show()["hold_reason"]) == ("on_hold", "customer_call")
    cli.ok("orders", "resume", order_id)
    assert (show()["status"], show()["hold_reason"]) == ("backordered", None)
    cli.ok("import", "stock", cli.file("stock.csv", "sku,site,on_hand\nMTR-VFD-7K,DAL1,5\n"))
    for step in ("allocate", "release"):
        assert cli.ok("orders", step, order_id).out.strip() == f"{order_id}: done"
    detail = show()
    assert detail["status"] == "released"
    assert [(ln["status"], ln["allocated"]) for ln in detail["lines"]] == [("released", 2)]
    assert order_moves(detail) == [
        ("order received", "cli"), ("order validate", "system"), ("order backorder", "system"),
        ("order hold", "cli"), ("order resume", "cli"), ("order allocate", "cli"),
        ("order release", "cli"),
    ]  # fmt: skip


def test_invoicing_before_shipment_is_an_illegal_transition_and_leaves_the_order_unchanged(
    cli: Cli, sample_distributor: App
) -> None:
    order_id = place_in_process(sample_distributor, ref("PO"))
    before = show_order(sample_distributor.uow_factory, order_id)
    assert before["status"] == "released"
    result = cli("orders", "invoice", order_id)
    refused(result, "illegal_transition")
    assert "'invoice'" in result.err
    assert order_id in result.err
    assert show_order(sample_distributor.uow_factory, order_id) == before


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
