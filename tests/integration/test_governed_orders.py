"""The governed pipeline on SQLite and PostgreSQL: pins, decisions and holds are stored with the
order in one transaction, read back exactly, explained and replayed; decisions are append-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ordoflow.application import commands as c
from ordoflow.application.explaining import explain_order
from ordoflow.application.whatif import what_if
from ordoflow.bootstrap import App
from ordoflow.domain.decisions import Outcome
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId
from ordoflow.governance.versions import ArtifactKind
from tests.fakes import FakeClock
from tests.governance_data import publish, ruleset_text
from tests.governed_world import ACCOUNT, ADMIN, AGENT, SITE
from tests.governed_world import place_order as _order
from tests.governed_world import set_up as _setup
from tests.staff import OWNER


def test_an_order_is_stored_with_its_pins_process_label_and_every_decision(
    app: App, clock: FakeClock
) -> None:
    _setup(app, clock)
    order_id = _order(app, 10)
    with app.uow_factory() as uow:
        order = uow.orders.get(order_id)
        stored = uow.orders.decisions(order_id)
        log = uow.orders.log(order_id)
    assert order is not None
    assert order.status is OrderStatus.RELEASED
    assert order.pins is not None
    assert order.pins["table:credit"] == "v1"
    assert (order.process, order.decision_count, order.process_step) == ("order_to_cash v1", 9,
                                                                         None)  # fmt: skip
    assert [d.seq for d in stored] == list(range(1, 10))
    sourcing, allocating = (next(d for d in stored if d.step == step)
                            for step in ("source", "allocate"))  # fmt: skip
    # a Dallas ship-to wanted today: the central warehouse first, then the order's own site;
    # one split more than the template's one, to ship on time
    plan = {"sites": ["DAL1", "ATL1", SITE], "max_splits": 2, "reason": "due_within_a_day"}
    assert sourcing.effect == {"plan": plan}
    assert allocating.effect == {"plan": plan, "reason": "single_site", "taken": {"1": {SITE: 10}}}
    assert stored[2].evaluations[0]["inputs"] == {
        "customer tier": "standard", "days past due": 0, "exposure ratio": "0.01",
    }  # fmt: skip
    assert stored[2].decided_at == clock.now()
    assert {e.process_version for e in log} == {"order_to_cash v1"}


def test_a_held_order_keeps_its_route_is_explained_and_goes_on_when_resumed(
    app: App, clock: FakeClock
) -> None:
    _setup(app, clock, stock=2000)
    order_id = _order(app, 1050)
    explanation = explain_order(app.uow_factory, AGENT, order_id)
    assert explanation.stopped_at is not None
    assert (explanation.stopped_at.queue, explanation.stopped_at.owner_role) == (
        "credit_review", "credit_analyst",
    )  # fmt: skip
    assert [(x.input, x.value, x.test) for x in explanation.stopped_at.comparisons][2] == (
        "Exposure ratio", "1.05", "> 1",
    )  # fmt: skip
    analyst = ActorId("credit.analyst")
    app.bus.handle(c.SaveUser(user=User(analyst, "Analyst", frozenset({Role.CREDIT_ANALYST})),
                              actor=ADMIN))  # fmt: skip
    # a hold the process raised is lifted by resolving its case, not by resuming the order
    with pytest.raises(DomainError) as caught:
        app.bus.handle(c.ResumeOrder(order_id=order_id, actor=analyst))
    assert caught.value.code is ErrorCode.CASE_OPEN
    with app.uow_factory() as uow:
        (case,) = uow.cases.for_order(order_id)
    app.bus.handle(c.ApproveCase(case_id=case.id, actor=analyst))
    with app.uow_factory() as uow:
        order = uow.orders.get(order_id)
        outcomes = [d.outcome for d in uow.orders.decisions(order_id)]
    assert order is not None
    assert order.status is OrderStatus.RELEASED
    assert outcomes[2:4] == [Outcome.HOLD, Outcome.ACCEPTED]


def test_what_if_replays_a_draft_on_the_stored_inputs(app: App, clock: FakeClock) -> None:
    _setup(app, clock)
    for quantity in (10, 300, 400):
        _order(app, quantity)
    stricter = ruleset_text("credit").replace("&gt; 1.2", "&gt; 0.5")
    number = int(app.bus.handle(c.DraftVersion(kind=ArtifactKind.TABLE, name="credit",
                                               text=stricter, actor=OWNER)))  # fmt: skip
    report = what_if(app.uow_factory, OWNER, ArtifactKind.TABLE, "credit", number, 10)
    assert (report.replayed, report.changed) == (3, 1)
    assert report.examples[0].inputs["exposure ratio"] == "0.71"


def test_exposure_counts_other_open_orders_exactly(app: App, clock: FakeClock) -> None:
    _setup(app, clock)
    first = _order(app, 3, price=Decimal("9.9999"))
    second = _order(app, 1)
    with app.uow_factory() as uow:
        assert uow.orders.open_value(ACCOUNT, excluding=second) == Decimal("29.9997")
        assert uow.orders.open_value(ACCOUNT, excluding=first) == Decimal("10.0000")
    app.bus.handle(c.CancelOrder(order_id=first, actor=AGENT, reason_code="customer_request"))
    with app.uow_factory() as uow:
        assert uow.orders.open_value(ACCOUNT, excluding=second) == Decimal(0)


@pytest.mark.parametrize("statement", ["UPDATE order_decisions SET outcome = 'pass'",
                                       "DELETE FROM order_decisions"])  # fmt: skip
def test_stored_decisions_refuse_updates_and_deletes(
    app: App, clock: FakeClock, statement: str
) -> None:
    _setup(app, clock)
    _order(app, 1)
    with pytest.raises(DBAPIError), app.engine.begin() as conn:
        conn.execute(sa.text(statement))


def test_a_new_table_version_applies_to_orders_placed_after_it_is_in_force(
    app: App, clock: FakeClock
) -> None:
    _setup(app, clock)
    before = _order(app, 1)
    publish(app.bus, ArtifactKind.TABLE, "credit", ruleset_text("credit"))
    clock.advance(seconds=1)
    after = _order(app, 1)
    with app.uow_factory() as uow:
        pins = [uow.orders.get(o).pins for o in (before, after)]  # type: ignore[union-attr]
    assert [p["table:credit"] for p in pins] == ["v1", "v2"]  # type: ignore[index]
