"""Who acts, through the `ordoflow` command, on both databases: every command that reads or
changes data names a user (`--actor`, or ORDOFLOW_ACTOR in the user's shell), never the system
Ordoflow's own workers act as, and that user needs a role for the work."""

from __future__ import annotations

from ordoflow.application.queries import show_order
from ordoflow.application.requests import parse_place_order
from ordoflow.bootstrap import App
from ordoflow.domain.values import OrderId
from tests.e2e.cli import Cli, ref, refused
from tests.e2e.sample import acme_order
from tests.staff import AGENT, WAREHOUSE

SHIP_ALL = ("--reference", "SHP-1", "--line", "1=12", "--line", "2=4")


def test_a_command_needs_a_named_user_other_than_the_system_holding_a_role_for_the_work(
    cli: Cli, sample_distributor: App
) -> None:
    placed = sample_distributor.bus.handle(parse_place_order(acme_order(ref("PO")), actor=AGENT))
    order_id = OrderId(placed)
    before = show_order(sample_distributor.uow_factory, AGENT, order_id)
    assert before["status"] == "released"
    request_id = f"{order_id}-{before['site']}"
    assert [r["id"] for r in before["requests"]] == [request_id]
    ship = ("warehouse", "ship", request_id, *SHIP_ALL)

    # nobody named: neither --actor nor ORDOFLOW_ACTOR
    nobody = cli(*ship)
    assert nobody.code != 0
    assert "--actor" in nobody.err
    # the system's own name is not a user's
    refused(cli(*ship, "--actor", "system"), "not_authorised")
    # an agent takes orders in but does not ship them
    agent = cli.as_user(AGENT)(*ship)
    refused(agent, "not_authorised")
    assert AGENT in agent.err
    assert show_order(sample_distributor.uow_factory, AGENT, order_id) == before

    # the warehouse lead does
    cli.as_user(WAREHOUSE).ok(*ship)
    shipped = show_order(sample_distributor.uow_factory, AGENT, order_id)
    assert (shipped["status"], shipped["events"][-1]["actor"]) == ("shipped", WAREHOUSE)
    assert [(s["reference"], s["request_id"]) for s in shipped["shipments"]] == [
        ("SHP-1", request_id)
    ]  # fmt: skip
