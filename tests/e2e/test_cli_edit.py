"""`ordoflow orders edit`, as a customer-service agent uses it, on both databases: the change is
made and the process runs again; a bad change file is refused and changes nothing."""

from __future__ import annotations

from ordoflow.bootstrap import App
from tests.e2e.cli import Cli, refused
from tests.fakes import FakeClock
from tests.governed_world import SKU, place_order, set_up
from tests.staff import AGENT, WAREHOUSE


def test_an_agent_changes_a_waiting_order_and_it_runs_again(
    cli: Cli, app: App, clock: FakeClock
) -> None:
    set_up(app, clock, stock=10)
    order_id = place_order(app, 20)  # 10 of 20 in stock: waits at release
    agent = cli.as_user(AGENT)
    change = cli.file("change.json", f'{{"lines": [{{"line_no": 1, "sku": "{SKU}", '
                                     '"quantity": 9}]}')  # fmt: skip
    assert agent.ok("orders", "edit", order_id, change).out.strip() == (
        f"{order_id}: changed, now released"
    )
    shown = agent.ok("orders", "show", order_id, "--json").json()
    assert [(ln["quantity"], ln["allocated"]) for ln in shown["lines"]] == [(9, 9)]
    assert "order change" in [e["activity"] for e in shown["events"]]
    refused(agent("orders", "edit", order_id, change), "illegal_transition")  # now released


def test_a_bad_change_is_refused_and_changes_nothing(cli: Cli, app: App, clock: FakeClock) -> None:
    set_up(app, clock, stock=10)
    order_id = place_order(app, 20)
    agent = cli.as_user(AGENT)
    before = agent.ok("orders", "show", order_id, "--json").json()
    refused(agent("orders", "edit", order_id, cli.file("a.json", "[1, 2]")), "malformed_request")
    refused(agent("orders", "edit", order_id, cli.file("b.json", '{"colour": "red"}')),
            "malformed_request")  # fmt: skip
    refused(agent("orders", "edit", order_id, cli.file("c.json", '{"ship_to": "NOWHERE"}')),
            "unknown_ship_to")  # fmt: skip
    refused(cli.as_user(WAREHOUSE)("orders", "edit", order_id,
                                   cli.file("d.json", '{"ship_to": "MAIN"}')),
            "not_authorised")  # fmt: skip
    assert agent.ok("orders", "show", order_id, "--json").json() == before
