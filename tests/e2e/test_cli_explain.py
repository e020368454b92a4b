"""`ordoflow orders explain` and `ordoflow governance what-if`, as a process owner and a credit
analyst use them, on both databases."""

from __future__ import annotations

from ordoflow.application import commands as c
from ordoflow.bootstrap import App
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId
from tests.e2e.cli import Cli, refused
from tests.fakes import FakeClock
from tests.governance_data import ruleset_text
from tests.governed_world import place_order, set_up
from tests.staff import ADMIN, OWNER

ANALYST = ActorId("credit.ana")


def test_explain_prints_the_step_row_inputs_and_who_may_release_a_held_order(
    cli: Cli, app: App, clock: FakeClock
) -> None:
    set_up(app, clock, stock=2000)
    ana = User(ANALYST, "Ana Silva", frozenset({Role.CREDIT_ANALYST}))
    app.bus.handle(c.SaveUser(user=ana, actor=ADMIN))
    analyst = cli.as_user(ANALYST)
    released = place_order(app, 1)
    held = place_order(app, 1050)  # 10,500 + 10 open against a limit of 10,000
    text = analyst.ok("orders", "explain", held).out
    assert "hold at step credit (credit v1): credit_limit_exceeded" in text
    assert "row 6 matched (credit_limit_exceeded)" in text
    assert "Exposure ratio" in text
    assert "1.051  met  > 1" in text
    assert "role credit_analyst through queue credit_review" in text
    shown = analyst.ok("orders", "explain", held, "--json").json()
    assert shown["stopped_at"]["inputs"][2] == {"input": "Exposure ratio", "value": "1.051",
                                                "test": "> 1"}  # fmt: skip
    assert shown["pins"]["table:credit"] == "v1"
    assert "not held: passed 9 decision(s)" in analyst.ok("orders", "explain", released).out
    refused(analyst("orders", "explain", "SO-NOPE"), "unknown_order")


def test_what_if_replays_a_drafted_table_before_anyone_publishes_it(
    cli: Cli, app: App, clock: FakeClock
) -> None:
    set_up(app, clock)
    for quantity in (10, 300, 400):
        place_order(app, quantity)
    stricter = cli.file("credit.dmn", ruleset_text("credit").replace("&gt; 1.2", "&gt; 0.5"))
    assert "v2: draft" in cli.ok("governance", "draft", "table", "credit", stricter,
                                 "--actor", "process.owner").out  # fmt: skip
    owner = cli.as_user(OWNER)
    text = owner.ok("governance", "what-if", "table", "credit", "2", "--last", "10").out
    assert "3 recorded decision(s) replayed, 1 would change" in text
    assert "pass -> reject credit_limit_far_exceeded" in text
    report = owner.ok("governance", "what-if", "table", "credit", "2", "--json").json()
    assert report["moves"] == {"pass -> reject credit_limit_far_exceeded": 1}
    assert "draft" in owner.ok("governance", "list", "table", "credit").out
    refused(owner("governance", "what-if", "table", "credit", "7"), "unknown_version")
