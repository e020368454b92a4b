"""Case refusals on SQLite and PostgreSQL, each with a precise code and nothing changed:
approving one's own order, acting outside one's site scope, without the role, on a closed case,
with an unknown override reason, as nobody. And the path that works, with its audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from ordoflow.application import commands as c
from ordoflow.application.cases import case_queue
from ordoflow.application.queries import verify_audit
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId, OrderId, SiteCode
from tests.fakes import FakeClock
from tests.governed_world import ADMIN, AGENT, place_order, set_up
from tests.integration.test_bad_input import row_counts
from tests.staff import AUDITOR

ANA, FAY = ActorId("credit.ana"), ActorId("finance.fay")


def staffed(app: App, clock: FakeClock) -> tuple[OrderId, str]:
    set_up(app, clock, stock=5000)
    for user in (
        User(ADMIN, "Admin", frozenset({Role.ADMINISTRATOR})),
        User(AGENT, "Agent", frozenset({Role.CUSTOMER_SERVICE, Role.CREDIT_ANALYST})),
        User(ANA, "Ana", frozenset({Role.CREDIT_ANALYST})),
        User(FAY, "Fay", frozenset({Role.FINANCE})),
        User(ActorId("ana.rtm"), "Ana R", frozenset({Role.CREDIT_ANALYST}),
             frozenset({SiteCode("RTM1")})),
    ):  # fmt: skip
        app.bus.handle(c.SaveUser(user=user, actor=ADMIN))
    order_id = place_order(app, 1050)
    (case,) = case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
    return order_id, str(case["id"])


def refused(app: App, command: c.Command) -> ErrorCode:
    before = row_counts(app)
    with app.uow_factory() as uow:
        cases_before = [(k.id, k.status, k.version) for k in uow.cases.live()]
    with pytest.raises(DomainError) as caught:
        app.bus.handle(command)
    assert row_counts(app) == before, "a refusal writes nothing"
    with app.uow_factory() as uow:
        assert [(k.id, k.status, k.version) for k in uow.cases.live()] == cases_before
    return caught.value.code


CASES: list[tuple[str, Callable[[str], c.Command], ErrorCode]] = [
    ("own order", lambda k: c.ApproveCase(case_id=k, actor=AGENT),
     ErrorCode.SEGREGATION_OF_DUTIES),
    ("outside scope", lambda k: c.ApproveCase(case_id=k, actor=ActorId("ana.rtm")),
     ErrorCode.OUTSIDE_SITE_SCOPE),
    ("without the role", lambda k: c.ApproveCase(case_id=k, actor=FAY), ErrorCode.NOT_AUTHORISED),
    ("unknown reason", lambda k: c.OverrideCase(case_id=k, actor=ANA, reason_code="because",
                                                comment="x"), ErrorCode.UNKNOWN_REASON_CODE),
    ("nobody", lambda k: c.ApproveCase(case_id=k, actor=ActorId("ghost")), ErrorCode.UNKNOWN_USER),
    ("unknown case", lambda k: c.ApproveCase(case_id="CASE-NOPE", actor=ANA),
     ErrorCode.UNKNOWN_CASE),
]  # fmt: skip


@pytest.mark.parametrize(("name", "command", "code"), CASES, ids=[n for n, _, _ in CASES])
def test_a_case_action_that_may_not_happen_is_refused_and_changes_nothing(
    app: App, clock: FakeClock, name: str, command: Callable[[str], c.Command], code: ErrorCode
) -> None:
    _, case_id = staffed(app, clock)
    assert refused(app, command(case_id)) is code, name


def test_an_approved_case_releases_the_order_is_audited_and_is_not_resolved_twice(
    app: App, clock: FakeClock
) -> None:
    order_id, case_id = staffed(app, clock)
    app.bus.handle(c.AssignCase(case_id=case_id, assignee=ANA, actor=ADMIN))
    app.bus.handle(c.ApproveCase(case_id=case_id, actor=ANA, comment="long-standing customer"))
    with app.uow_factory() as uow:
        order = uow.orders.get(order_id)
        (case,) = uow.cases.for_order(order_id)
        trail = [(e.action, e.actor) for e in uow.audit.entries(f"case:{case_id}")]
    assert order is not None
    assert order.status is OrderStatus.RELEASED
    assert (case.resolution, case.resolved_by, case.comment) == (
        "approved", ANA, "long-standing customer",
    )  # fmt: skip
    assert trail == [("opened", "system"), ("assigned", ADMIN), ("approved", ANA)]
    assert verify_audit(app.uow_factory, AUDITOR).ok
    assert refused(app, c.ApproveCase(case_id=case_id, actor=ANA)) is ErrorCode.CASE_CLOSED


def test_escalation_moves_a_late_case_to_the_next_role(app: App, clock: FakeClock) -> None:
    _, case_id = staffed(app, clock)
    with app.uow_factory() as uow:
        case = uow.cases.get(case_id)
    assert case is not None
    clock.current = case.due_at
    assert app.bus.handle(c.EscalateDueCases()) == 1
    with app.uow_factory() as uow:
        escalated = uow.cases.get(case_id)
    assert escalated is not None
    assert (escalated.status, escalated.owner_role) == ("escalated", "finance")
    app.bus.handle(c.ApproveCase(case_id=case_id, actor=FAY))


def test_an_approval_above_the_role_limit_is_refused_and_changes_nothing(
    app: App, clock: FakeClock
) -> None:
    staffed(app, clock)
    place_order(app, 3000)  # 30,000, beyond a credit analyst's limit
    big = next(k for k in case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
               if k["reason_code"] == "credit_limit_far_exceeded")  # fmt: skip
    assert refused(app, c.ApproveCase(case_id=str(big["id"]), actor=ANA)) is (
        ErrorCode.ABOVE_APPROVAL_LIMIT
    )


def test_acting_on_an_ended_delegation_is_refused_and_changes_nothing(
    app: App, clock: FakeClock
) -> None:
    _, case_id = staffed(app, clock)
    until = clock.now() + timedelta(hours=1)
    app.bus.handle(c.DelegateAuthority(delegate=FAY, role="credit_analyst", until=until, actor=ANA))
    clock.advance(hours=1)
    assert refused(app, c.ApproveCase(case_id=case_id, actor=FAY)) is ErrorCode.DELEGATION_EXPIRED
