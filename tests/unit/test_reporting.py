"""The auditor's export and the customer-facing status, on the fakes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from ordoflow.application import commands as c
from ordoflow.application.reporting import (
    EXPORT_COLUMNS,
    audit_csv,
    audit_export,
    customer_status,
    safe_cell,
)
from ordoflow.domain.errors import DomainError, ErrorCode, ValidationFailed
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId, OrderId, SiteCode
from tests.governed_world import ADMIN, AGENT, Shop, shop

AUDITOR, ANA = ActorId("audit.amy"), ActorId("credit.ana")


def staffed() -> Shop:
    world = shop(stock=5000)
    for user in (
        User(ADMIN, "Admin", frozenset({Role.ADMINISTRATOR})),
        User(AGENT, "Agent", frozenset({Role.CUSTOMER_SERVICE})),
        User(AUDITOR, "Amy", frozenset({Role.COMPLIANCE})),
        User(ANA, "Ana", frozenset({Role.CREDIT_ANALYST})),
        User(ActorId("cs.rtm"), "Rita", frozenset({Role.CUSTOMER_SERVICE}),
             frozenset({SiteCode("RTM1")})),
    ):  # fmt: skip
        world.handle(c.SaveUser(user=user, actor=ADMIN))
    return world


def test_the_export_holds_order_and_audit_entries_of_the_period_in_time_order() -> None:
    world = staffed()
    start = world.clock.now()
    held = world.order(1050)
    world.clock.advance(hours=1)
    case_id = next(iter(world.store.cases))
    world.handle(c.RejectCase(case_id=case_id, actor=ANA, reason_code="credit_refused"))
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    rows = audit_export(factory, AUDITOR, start, world.clock.now() + timedelta(seconds=1))
    assert [r["occurred_at"] for r in rows] == sorted(r["occurred_at"] for r in rows)
    actions = [(r["log"], r["action"]) for r in rows]
    assert ("order", "order received") in actions
    assert ("audit", "opened") in actions
    assert ("order", "order reject") in actions
    assert ("audit", "rejected") in actions
    assert {r["stream"] for r in rows if r["log"] == "order"} == {f"order:{held}"}
    early = audit_export(factory, AUDITOR, start, start + timedelta(minutes=30))
    assert ("audit", "rejected") not in [(r["log"], r["action"]) for r in early]
    table = list(csv.reader(io.StringIO(audit_csv(rows))))
    assert tuple(table[0]) == EXPORT_COLUMNS
    assert len(table) == len(rows) + 1


def test_cells_a_spreadsheet_would_read_as_formulas_are_escaped() -> None:
    assert [safe_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "plain", None, 5)] == [
        "'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "plain", "", "5",
    ]  # fmt: skip


def test_only_auditors_export_and_the_period_must_run_forwards() -> None:
    world = staffed()
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    now = world.clock.now()
    with pytest.raises(DomainError) as refused:
        audit_export(factory, AGENT, now, now + timedelta(days=1))
    assert refused.value.code is ErrorCode.NOT_AUTHORISED
    with pytest.raises(ValidationFailed) as backwards:
        audit_export(factory, AUDITOR, now, now)
    assert backwards.value.code is ErrorCode.INVALID_DATE_RANGE


def test_the_customer_status_says_the_stage_and_a_plain_reason_without_thresholds() -> None:
    world = staffed()
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    held = customer_status(factory, AGENT, world.order(1050))
    assert held["stage"] == "under review"
    assert held["reason"] == "the order is with our credit team for review"
    assert "limit" not in str(held)
    assert "credit_review" not in str(held)


def test_the_customer_status_is_for_agents_of_the_order_site() -> None:
    world = staffed()
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    order_id = world.order(1)
    assert customer_status(factory, AGENT, order_id)["stage"] == "in the warehouse"
    for who, code in ((ANA, ErrorCode.NOT_AUTHORISED),
                      (ActorId("cs.rtm"), ErrorCode.OUTSIDE_SITE_SCOPE),
                      (ActorId("ghost"), ErrorCode.UNKNOWN_USER)):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            customer_status(factory, who, order_id)
        assert refused.value.code is code
    with pytest.raises(DomainError) as unknown:
        customer_status(factory, AGENT, OrderId("SO-NOPE"))
    assert unknown.value.code is ErrorCode.UNKNOWN_ORDER
