"""`ordoflow stock receive`, as a warehouse lead uses it, on both databases: a receipt fills
the order waiting for it; the same receipt again changes nothing; a bad line is refused."""

from __future__ import annotations

from ordoflow.bootstrap import App
from tests.e2e.cli import Cli, refused
from tests.fakes import FakeClock
from tests.governed_world import SITE, SKU, place_order, set_up
from tests.staff import AGENT, WAREHOUSE


def test_a_receipt_fills_the_waiting_order_once(cli: Cli, app: App, clock: FakeClock) -> None:
    set_up(app, clock, stock=0)
    order_id = place_order(app, 10)
    lead = cli.as_user(WAREHOUSE)
    receive = ("stock", "receive", "--site", SITE, "--reference", "PO-77", "--line", f"{SKU}=10")
    assert "filled by the worker" in lead.ok(*receive).out
    assert "already received, nothing changed" in lead.ok(*receive).out
    assert lead.ok("orders", "show", order_id, "--json").json()["status"] == "backordered"
    assert cli.ok("worker", "run", "--once").out.strip() == "handled 1 event(s)"
    assert cli.ok("worker", "run", "--once").out.strip() == "handled 0 event(s)"
    shown = lead.ok("orders", "show", order_id, "--json").json()
    assert (shown["status"], shown["lines"][0]["allocated"]) == ("released", 10)
    refused(lead("stock", "receive", "--site", SITE, "--reference", "PO-78", "--line", "no sku!=3"),
            "invalid_code")  # fmt: skip
    refused(cli.as_user(AGENT)("stock", "receive", "--site", SITE, "--reference", "PO-79",
                               "--line", f"{SKU}=1"), "not_authorised")  # fmt: skip
