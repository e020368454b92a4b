"""`ordoflow users`, `ordoflow cases` and `ordoflow worker timers`, as an administrator, a credit
analyst and a finance manager use them, on both databases."""

from __future__ import annotations

from ordoflow.bootstrap import App
from tests.e2e.cli import Cli, refused, table_rows
from tests.fakes import FakeClock
from tests.governed_world import place_order, set_up


def staff(cli: Cli) -> None:
    cli.ok("users", "save", "admin", "--name", "Ada Admin", "--role", "administrator",
           "--actor", "admin")  # fmt: skip
    cli.ok("users", "save", "credit.ana", "--name", "Ana Silva", "--role", "credit_analyst",
           "--site", "DC1", "--actor", "admin")  # fmt: skip
    cli.ok("users", "save", "fin.fay", "--name", "Fay Brooks", "--role", "finance",
           "--actor", "admin")  # fmt: skip
    cli.ok("users", "save", "cs.agent", "--name", "Cas Agent", "--role", "customer_service",
           "--role", "credit_analyst", "--actor", "admin")  # fmt: skip


def test_a_credit_hold_is_worked_from_the_queue_to_its_approval(
    cli: Cli, app: App, clock: FakeClock
) -> None:
    set_up(app, clock, stock=2000)
    staff(cli)
    order_id = place_order(app, 1050)
    listed = cli.ok("cases", "list", "--actor", "credit.ana", "--json").json()
    (case,) = listed["cases"]
    assert (case["order_id"], case["queue"], case["owner_role"]) == (order_id, "credit_review",
                                                                     "credit_analyst")  # fmt: skip
    assert case["overdue"] is True  # opened on the test clock, weeks before today
    assert sum(listed["aging"]["credit_review"].values()) == 1
    shown = cli.ok("cases", "list", "--actor", "credit.ana").out
    assert next(r[0] for r in table_rows(shown)) == case["id"]
    detail = cli.ok("cases", "show", case["id"], "--actor", "credit.ana").out
    assert "credit v1, row 6 -> hold credit_limit_exceeded" in detail
    assert ["Exposure ratio", "1.05", "> 1"] in table_rows(detail)
    refused(cli("cases", "approve", case["id"], "--actor", "cs.agent"), "segregation_of_duties")
    refused(cli("cases", "approve", case["id"], "--actor", "fin.fay"), "not_authorised")
    refused(cli("cases", "override", case["id"], "--reason", "because", "--comment", "x",
                "--actor", "credit.ana"), "unknown_reason_code")  # fmt: skip
    assert "assigned to credit.ana" in cli.ok("cases", "assign", case["id"], "--to", "credit.ana",
                                              "--actor", "admin").out  # fmt: skip
    cli.ok("cases", "approve", case["id"], "--comment", "known customer", "--actor", "credit.ana")
    shown = cli.ok("orders", "show", order_id, "--actor", "credit.ana", "--json").json()
    assert shown["status"] == "released"
    trail = cli.ok("cases", "show", case["id"], "--actor", "credit.ana", "--json").json()["trail"]
    assert [(t["action"], t["actor"]) for t in trail] == [
        ("opened", "system"), ("assigned", "admin"), ("approved", "credit.ana"),
    ]  # fmt: skip
    refused(cli("cases", "approve", case["id"], "--actor", "credit.ana"), "case_closed")
    assert cli.ok("audit", "verify", "--actor", "audit.amy").out.startswith("audit ok")


def test_the_timer_worker_escalates_a_late_case_to_finance(
    cli: Cli, app: App, clock: FakeClock
) -> None:
    set_up(app, clock, stock=2000)
    staff(cli)
    place_order(app, 1050)
    assert "escalated 1 case(s)" in cli.ok("worker", "timers", "--once").out
    (case,) = cli.ok("cases", "list", "--actor", "fin.fay", "--json").json()["cases"]
    assert (case["status"], case["owner_role"]) == ("escalated", "finance")
    assert case["escalation_level"] == 1
    assert cli.ok("cases", "list", "--actor", "credit.ana", "--json").json()["cases"] == []
    refused(cli("cases", "wait", case["id"], "--comment", "asked", "--actor", "fin.fay"),
            "illegal_transition")  # an escalated case is taken first  # fmt: skip
    cli.ok("cases", "assign", case["id"], "--to", "fin.fay", "--actor", "fin.fay")
    cli.ok("cases", "wait", case["id"], "--comment", "asked for remittance", "--actor", "fin.fay")
    cli.ok("cases", "reject", case["id"], "--reason", "credit_refused", "--actor", "fin.fay")
    shown = cli.ok("orders", "show", case["order_id"], "--actor", "fin.fay", "--json").json()
    assert shown["status"] == "rejected"


def test_users_are_managed_by_administrators_and_bad_roles_are_refused(cli: Cli) -> None:
    cli.ok("db", "upgrade")
    refused(cli("users", "save", "fay", "--name", "Fay", "--role", "finance", "--actor", "fay"),
            "not_authorised")  # the first user must be an administrator  # fmt: skip
    staff(cli)
    users = cli.ok("users", "list", "--actor", "admin", "--json").json()
    assert {u["id"]: u["sites"] for u in users}["credit.ana"] == ["DC1"]
    assert "every site" in cli.ok("users", "list", "--actor", "admin").out
    refused(cli("users", "list", "--actor", "credit.ana"), "not_authorised")
    refused(cli("users", "save", "bob", "--name", "Bob", "--role", "wizard", "--actor", "admin"),
            "invalid_choice")  # fmt: skip
    refused(cli("users", "save", "bob", "--name", "Bob", "--role", "finance", "--actor",
                "credit.ana"), "not_authorised")  # fmt: skip
    refused(cli("cases", "list", "--actor", "ghost"), "unknown_user")
    lent = cli.ok("users", "delegate", "--to", "fin.fay", "--role", "credit_analyst", "--until",
                  "2099-01-01T00:00:00+00:00", "--actor", "credit.ana").out  # fmt: skip
    assert "credit_analyst lent to fin.fay" in lent
    lend_executive = ("users", "delegate", "--to", "fin.fay", "--role", "executive", "--until",
                      "2099-01-01T00:00:00+00:00", "--actor", "credit.ana")  # fmt: skip
    refused(cli(*lend_executive), "not_authorised")


def test_an_auditor_exports_the_trail_and_an_agent_tells_the_customer_the_status(
    cli: Cli, app: App, clock: FakeClock
) -> None:
    set_up(app, clock, stock=2000)
    staff(cli)
    cli.ok("users", "save", "audit.amy", "--name", "Amy", "--role", "compliance",
           "--actor", "admin")  # fmt: skip
    order_id = place_order(app, 1050)
    status = cli.ok("orders", "status", order_id, "--actor", "cs.agent").out
    assert "under review" in status
    assert "credit team" in status
    assert "limit" not in status
    target = cli.folder / "audit.csv"
    period = ("--from", "2026-11-01T00:00:00+00:00", "--to", "2026-12-01T00:00:00+00:00")
    written = cli.ok("audit", "export", *period, "--out", target, "--actor", "audit.amy").out
    assert "entries written" in written
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("log,stream,seq,occurred_at,actor,action")
    assert any(",order received," in line for line in lines)
    refused(cli("audit", "export", *period, "--actor", "cs.agent"), "not_authorised")
