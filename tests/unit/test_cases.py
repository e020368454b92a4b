"""Exception cases on the fakes: a hold opens a case in its route's queue; people with the right
role and site resolve it, never the person who entered the order; deadlines pass up the
escalation path as the clock moves; every refusal changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.cases import case_queue, show_case
from ordoflow.domain.cases import Case, CaseStatus, Resolution
from ordoflow.domain.decisions import Outcome
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Customer, CustomerStatus, CustomerTier, ShipTo
from ordoflow.domain.people import Role, User, add_business_hours
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    CountryCode,
    CurrencyCode,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)
from ordoflow.governance.versions import ArtifactKind
from tests.fakes import fake_bus
from tests.governed_world import ADMIN, AGENT, Shop, shop
from tests.staff import BOARD

ANA, FIN, EXE, MIX = (ActorId("credit.ana"), ActorId("finance.fay"), ActorId("exec.eve"),
                      ActorId("ops.max"))  # fmt: skip


def staffed(**options: object) -> Shop:
    world = shop(stock=5000, **options)  # type: ignore[arg-type]
    people = [
        User(ADMIN, "Admin", frozenset({Role.ADMINISTRATOR})),
        User(AGENT, "Agent", frozenset({Role.CUSTOMER_SERVICE, Role.CREDIT_ANALYST,
                                        Role.ADMINISTRATOR})),
        User(ANA, "Ana", frozenset({Role.CREDIT_ANALYST})),
        User(FIN, "Fay", frozenset({Role.FINANCE})),
        User(EXE, "Eve", frozenset({Role.EXECUTIVE})),
        User(MIX, "Max", frozenset({Role.SALES_OPERATIONS, Role.CREDIT_ANALYST})),
    ]  # fmt: skip
    for user in people:
        world.handle(c.SaveUser(user=user, actor=ADMIN))
    return world


def case_of(world: Shop, order_id: OrderId) -> Case:
    (case,) = [k for k in world.store.cases.values() if k.order_id == order_id and k.is_live]
    return case


def refused(world: Shop, command: c.Command) -> ErrorCode:
    cases_before, orders_before = dict(world.store.cases), dict(world.store.orders)
    audit_before = sum(len(e) for e in world.store.audit.values())
    with pytest.raises(DomainError) as caught:
        world.handle(command)
    assert world.store.cases == cases_before, "a refusal changes no case"
    assert world.store.orders == orders_before, "a refusal changes no order"
    assert sum(len(e) for e in world.store.audit.values()) == audit_before
    return caught.value.code


def test_a_credit_hold_opens_a_case_in_its_queue_with_role_priority_deadline_and_trail() -> None:
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    assert (case.queue, case.owner_role, case.reason_code) == ("credit_review", "credit_analyst",
                                                               "credit_limit_exceeded")  # fmt: skip
    assert (case.priority, case.status, case.step) == (3, CaseStatus.OPEN, "credit")
    assert case.due_at == datetime(2026, 11, 2, 18, 0, tzinfo=UTC)  # 4 business hours, Chicago
    assert case.escalation == ("finance", "executive")
    assert [e.data["action"] for e, _ in world.store.outbox
            if e.type == "ordoflow.case.changed"] == ["open"]  # fmt: skip
    assert [e.action for e in world.store.audit[f"case:{case.id}"]] == ["opened"]


def test_a_case_shows_the_decision_that_opened_it_explained_against_its_table() -> None:
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    shown = show_case(world.bus.uow_factory, ANA, case.id, world.clock.now())  # type: ignore[attr-defined]
    decision = shown["decision"]
    assert (decision["seq"], decision["step"], decision["table"]) == (case.decision_seq, "credit",
                                                                      "credit")  # fmt: skip
    assert (decision["outcome"], decision["reason"]) == ("hold", "credit_limit_exceeded")
    inputs = {i["input"]: (i["value"], i["test"]) for i in decision["inputs"]}
    assert inputs["Exposure ratio"] == ("1.05", "> 1")
    assert decision["annotation"] == "credit_limit_exceeded"


def test_approval_by_a_credit_analyst_lets_the_process_go_on_under_the_pins() -> None:
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    world.handle(c.AssignCase(case_id=case.id, assignee=ANA, actor=ADMIN))
    assert world.store.cases[case.id].status is CaseStatus.ASSIGNED
    world.handle(c.ApproveCase(case_id=case.id, actor=ANA, comment="known customer"))
    done = world.store.cases[case.id]
    assert (done.status, done.resolution) == (CaseStatus.RESOLVED, Resolution.APPROVED)
    assert done.resolved_by == ANA
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
    accepted = world.store.decisions[order_id][3]
    assert (accepted.step, accepted.outcome, accepted.actor) == ("credit", Outcome.ACCEPTED, ANA)
    trail = [e.action for e in world.store.audit[f"case:{case.id}"]]
    assert trail == ["opened", "assigned", "approved"]


def test_the_person_who_entered_the_order_may_never_decide_its_hold_whatever_their_roles() -> None:
    world = staffed()
    case = case_of(world, world.order(1050))
    assert refused(world, c.ApproveCase(case_id=case.id, actor=AGENT)) is (
        ErrorCode.SEGREGATION_OF_DUTIES
    )
    assert refused(world, c.OverrideCase(case_id=case.id, actor=AGENT,
                                         reason_code="payment_received", comment="paid")) is (
        ErrorCode.SEGREGATION_OF_DUTIES
    )  # fmt: skip


def test_one_person_may_not_clear_both_the_price_and_the_credit_of_one_order() -> None:
    world = staffed()
    order_id = world.order(1300, price=Decimal("8"))  # 20% off: a price hold, then 1.04 credit
    price_case = case_of(world, order_id)
    assert price_case.owner_role == "sales_operations"
    world.handle(c.ApproveCase(case_id=price_case.id, actor=MIX))
    credit_case = case_of(world, order_id)
    assert credit_case.owner_role == "credit_analyst"
    assert refused(world, c.ApproveCase(case_id=credit_case.id, actor=MIX)) is (
        ErrorCode.SEGREGATION_OF_DUTIES
    )
    world.handle(c.ApproveCase(case_id=credit_case.id, actor=ANA))
    assert world.store.orders[order_id].status is OrderStatus.RELEASED


def test_acting_without_the_role_outside_the_site_or_as_nobody_is_refused() -> None:
    world = staffed()
    case = case_of(world, world.order(1050))
    assert refused(world, c.ApproveCase(case_id=case.id, actor=FIN)) is ErrorCode.NOT_AUTHORISED
    assert refused(world, c.ApproveCase(case_id=case.id, actor=ActorId("nobody"))) is (
        ErrorCode.UNKNOWN_USER
    )
    rotterdam = User(ActorId("ana.rtm"), "Ana R", frozenset({Role.CREDIT_ANALYST}),
                     frozenset({SiteCode("RTM1")}))  # fmt: skip
    world.handle(c.SaveUser(user=rotterdam, actor=ADMIN))
    assert refused(world, c.ApproveCase(case_id=case.id, actor=ActorId("ana.rtm"))) is (
        ErrorCode.OUTSIDE_SITE_SCOPE
    )
    assert refused(world, c.AssignCase(case_id=case.id, assignee=FIN, actor=ADMIN)) is (
        ErrorCode.NOT_AUTHORISED
    )


def test_an_override_needs_a_controlled_reason_and_a_comment_and_then_lets_the_order_go_on() -> (
    None
):
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    assert refused(world, c.OverrideCase(case_id=case.id, actor=ANA, reason_code="because",
                                         comment="x")) is ErrorCode.UNKNOWN_REASON_CODE  # fmt: skip
    assert refused(world, c.OverrideCase(case_id=case.id, actor=ANA,
                                         reason_code="payment_received", comment=" ")) is (
        ErrorCode.REQUIRED_FIELD_MISSING
    )  # fmt: skip
    world.handle(c.OverrideCase(case_id=case.id, actor=ANA, reason_code="payment_received",
                                comment="wire of 2026-11-01 covers it"))  # fmt: skip
    done = world.store.cases[case.id]
    assert (done.resolution, done.resolution_reason) == (Resolution.OVERRIDDEN,
                                                         "payment_received")  # fmt: skip
    assert world.store.orders[order_id].status is OrderStatus.RELEASED


def test_rejecting_the_case_rejects_the_order_and_a_closed_case_is_not_resolved_again() -> None:
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    world.handle(c.RejectCase(case_id=case.id, actor=ANA, reason_code="credit_refused"))
    assert world.store.orders[order_id].status is OrderStatus.REJECTED
    assert world.store.cases[case.id].resolution is Resolution.REJECTED
    assert refused(world, c.ApproveCase(case_id=case.id, actor=ANA)) is ErrorCode.CASE_CLOSED
    assert refused(world, c.ApproveCase(case_id="CASE-NOPE", actor=ANA)) is ErrorCode.UNKNOWN_CASE


def test_a_case_past_its_deadline_escalates_up_its_path_as_the_clock_moves() -> None:
    world = staffed()
    case = case_of(world, world.order(1050))
    assert world.handle(c.EscalateDueCases()) == 0
    world.clock.current = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)  # the deadline
    assert world.handle(c.EscalateDueCases()) == 1
    first = world.store.cases[case.id]
    assert (first.status, first.owner_role, first.escalation_level) == (CaseStatus.ESCALATED,
                                                                        "finance", 1)  # fmt: skip
    assert first.due_at == add_business_hours(world.clock.now(), 4, "America/Chicago")
    assert refused(world, c.ApproveCase(case_id=case.id, actor=ANA)) is ErrorCode.NOT_AUTHORISED
    for role in ("executive", "executive"):
        world.clock.current = world.store.cases[case.id].due_at
        world.handle(c.EscalateDueCases())
        assert world.store.cases[case.id].owner_role == role
    assert world.store.cases[case.id].escalation_level == 3
    world.handle(c.ApproveCase(case_id=case.id, actor=EXE))
    assert [e.action for e in world.store.audit[f"case:{case.id}"]] == [
        "opened", "escalated", "escalated", "escalated", "approved",
    ]  # fmt: skip


def test_cancelling_an_order_cancels_its_open_case() -> None:
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    world.handle(c.CancelOrder(order_id=order_id, actor=AGENT, reason_code="customer_request"))
    assert world.store.cases[case.id].status is CaseStatus.CANCELLED


def test_only_an_administrator_manages_users_and_the_first_user_must_be_one() -> None:
    bus, store, clock = fake_bus()  # no users yet: not even the cast of tests.staff
    world = Shop(bus, store, clock, SiteCode("S"), AccountNumber("C"), ShipToCode("MAIN"),
                 Sku("SKU"))  # fmt: skip
    nobody = User(ActorId("x"), "X", frozenset({Role.FINANCE}))
    assert refused(world, c.SaveUser(user=nobody, actor=ADMIN)) is ErrorCode.NOT_AUTHORISED
    world.handle(c.SaveUser(user=User(ADMIN, "Admin", frozenset({Role.ADMINISTRATOR})),
                            actor=ADMIN))  # fmt: skip
    world.handle(c.SaveUser(user=nobody, actor=ADMIN))
    assert refused(world, c.SaveUser(user=nobody, actor=ActorId("x"))) is ErrorCode.NOT_AUTHORISED
    assert [e.action for e in world.store.audit["user:x"]] == ["created"]


def test_business_hours_skip_nights_and_weekends_in_the_site_time_zone() -> None:
    friday_4pm_chicago = datetime(2026, 11, 6, 22, 0, tzinfo=UTC)
    assert add_business_hours(friday_4pm_chicago, 4, "America/Chicago") == datetime(
        2026,
        11,
        9,
        17,
        0,
        tzinfo=UTC,  # Monday 11:00 in Chicago
    )
    saturday = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)
    assert add_business_hours(saturday, 9, "Europe/Amsterdam") == datetime(
        2026,
        11,
        9,
        16,
        0,
        tzinfo=UTC,  # all of Monday, 08:00-17:00 in Amsterdam
    )


def test_the_queue_shows_what_a_user_may_see_by_priority_then_age_with_aging_buckets() -> None:
    world = staffed()
    first = case_of(world, world.order(1050))
    world.clock.advance(hours=5)
    world.add(Customer(AccountNumber("C-BLK"), "Blocked Ltd", "TAX-9", CustomerTier.STANDARD,
                       CurrencyCode("USD"), "NET30", Decimal("10000"),
                       CustomerStatus.BLOCKED))  # fmt: skip
    world.add(ShipTo(AccountNumber("C-BLK"), ShipToCode("MAIN"), "Dock", "2 Main St", "Dallas",
                     "75001", CountryCode("US")))  # fmt: skip
    second = case_of(world, world.order(1, account=AccountNumber("C-BLK")))
    assert (second.queue, second.priority) == ("customer_master", 1)
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    everything = case_queue(factory, ADMIN, world.clock.now())
    assert [k["id"] for k in everything["cases"]] == [second.id, first.id]
    assert everything["aging"] == {
        "customer_master": {"<4h": 1, "4-24h": 0, "1-3d": 0, ">3d": 0},
        "credit_review": {"<4h": 0, "4-24h": 1, "1-3d": 0, ">3d": 0},
    }
    assert [k["id"] for k in case_queue(factory, ANA, world.clock.now())["cases"]] == [first.id]
    assert case_queue(factory, ANA, world.clock.now(), "customer_master")["cases"] == []
    with pytest.raises(DomainError) as hidden:
        show_case(factory, ANA, second.id, world.clock.now())
    assert hidden.value.code is ErrorCode.UNKNOWN_CASE
    shown = show_case(factory, ANA, first.id, world.clock.now())
    assert (shown["overdue"], [t["action"] for t in shown["trail"]]) == (False, ["opened"])
    assert show_case(factory, ANA, first.id, first.due_at)["overdue"] is True


def test_approval_is_limited_by_role_and_amount_under_the_table_in_force() -> None:
    world = staffed()
    order_id = world.order(3000)  # 30,000: above a credit analyst's 25,000
    case = case_of(world, order_id)
    assert refused(world, c.ApproveCase(case_id=case.id, actor=ANA)) is (
        ErrorCode.ABOVE_APPROVAL_LIMIT
    )
    assert refused(world, c.OverrideCase(case_id=case.id, actor=ANA, reason_code="contract_terms",
                                         comment="frame contract")) is (
        ErrorCode.ABOVE_APPROVAL_LIMIT
    )  # fmt: skip
    world.handle(c.RejectCase(case_id=case.id, actor=ANA, reason_code="credit_refused"))
    assert world.store.orders[order_id].status is OrderStatus.REJECTED


def test_with_no_approval_authority_in_force_nobody_lets_a_hold_through() -> None:
    world = staffed()
    case = case_of(world, world.order(1050))
    world.handle(c.RetireVersion(kind=ArtifactKind.TABLE, name="approval_authority", number=1,
                                 actor=BOARD))  # fmt: skip
    assert refused(world, c.ApproveCase(case_id=case.id, actor=ANA)) is (
        ErrorCode.ABOVE_APPROVAL_LIMIT
    )


def test_a_delegated_role_works_the_case_until_the_delegation_ends() -> None:
    world = staffed()
    order_id = world.order(1050)
    case = case_of(world, order_id)
    until = world.clock.now() + timedelta(hours=2)
    assert refused(world, c.DelegateAuthority(delegate=FIN, role="executive", until=until,
                                              actor=ANA)) is ErrorCode.NOT_AUTHORISED  # fmt: skip
    assert refused(world, c.DelegateAuthority(delegate=FIN, role="credit_analyst",
                                              until=world.clock.now(), actor=ANA)) is (
        ErrorCode.INVALID_DATE_RANGE
    )  # fmt: skip
    world.handle(c.DelegateAuthority(delegate=FIN, role="credit_analyst", until=until, actor=ANA))
    assert [e.action for e in world.store.audit[f"user:{ANA}"]] == ["created", "delegated"]
    world.clock.advance(hours=2)
    assert refused(world, c.ApproveCase(case_id=case.id, actor=FIN)) is (
        ErrorCode.DELEGATION_EXPIRED
    )
    again = world.clock.now() + timedelta(hours=1)
    world.handle(c.DelegateAuthority(delegate=FIN, role="credit_analyst", until=again, actor=ANA))
    world.handle(c.ApproveCase(case_id=case.id, actor=FIN))
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
