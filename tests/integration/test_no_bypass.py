"""Approvals cannot be carried over or dodged, on SQLite and PostgreSQL: a duplicated or
recreated order runs the whole process again and is held again; orders split into smaller ones
add up against the credit limit; a closed or cancelled order cannot be reopened."""

from __future__ import annotations

import pytest

from ordoflow.application import commands as c
from ordoflow.application.cases import case_queue
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId, OrderId
from ordoflow.domain.warehouse import RequestStatus, WarehouseRequest
from tests.fakes import FakeClock
from tests.governed_world import ADMIN, AGENT, SITE, place_order, set_up
from tests.staff import FINANCE, WAREHOUSE

ANA = ActorId("credit.ana")


def staffed(app: App, clock: FakeClock) -> None:
    set_up(app, clock, stock=5000)
    for user in (User(ADMIN, "Admin", frozenset({Role.ADMINISTRATOR})),
                 User(AGENT, "Agent", frozenset({Role.CUSTOMER_SERVICE})),
                 User(ANA, "Ana", frozenset({Role.CREDIT_ANALYST}))):  # fmt: skip
        app.bus.handle(c.SaveUser(user=user, actor=ADMIN))


def status(app: App, order_id: OrderId) -> tuple[OrderStatus, str | None]:
    with app.uow_factory() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        return order.status, order.hold_reason


def approve_the_case_of(app: App, clock: FakeClock, order_id: OrderId) -> None:
    (case,) = [k for k in case_queue(app.uow_factory, ADMIN, clock.now())["cases"]
               if k["order_id"] == order_id]  # fmt: skip
    app.bus.handle(c.ApproveCase(case_id=str(case["id"]), actor=ANA))


def test_a_duplicate_of_an_approved_order_is_held_again(app: App, clock: FakeClock) -> None:
    staffed(app, clock)
    first = place_order(app, 1050)
    approve_the_case_of(app, clock, first)
    assert status(app, first)[0] is OrderStatus.RELEASED
    duplicate = place_order(app, 1050)  # the same lines under a new PO
    assert status(app, duplicate) == (OrderStatus.ON_HOLD, "credit_limit_far_exceeded")


def test_cancelling_and_recreating_a_held_order_runs_the_whole_process_again(
    app: App, clock: FakeClock
) -> None:
    staffed(app, clock)
    held = place_order(app, 1050)
    app.bus.handle(c.CancelOrder(order_id=held, actor=AGENT, reason_code="customer_request"))
    again = place_order(app, 1050)
    assert status(app, again) == (OrderStatus.ON_HOLD, "credit_limit_exceeded")
    with app.uow_factory() as uow:
        steps = [d.step for d in uow.orders.decisions(again)]
    assert steps == ["validate_customer", "price", "credit"]


def test_splitting_an_order_into_smaller_ones_adds_up_against_the_credit_limit(
    app: App, clock: FakeClock
) -> None:
    staffed(app, clock)
    whole = 1050  # 10,500 against a limit of 10,000 would be held
    halves = [place_order(app, whole // 2) for _ in range(2)]
    assert status(app, halves[0])[0] is OrderStatus.RELEASED  # 5,250
    assert status(app, halves[1]) == (OrderStatus.ON_HOLD, "credit_limit_exceeded")


@pytest.mark.parametrize("end", ["close", "cancel"])
def test_an_ended_order_cannot_be_reopened_by_any_move(
    app: App, clock: FakeClock, end: str
) -> None:
    staffed(app, clock)
    order_id = place_order(app, 1)
    request_id = WarehouseRequest.id_for(order_id, SITE)
    if end == "close":
        app.bus.handle(c.ConfirmShipment(request_id=request_id, reference="SHP-1",
                                         shipped={1: 1}, actor=WAREHOUSE))  # fmt: skip
        app.bus.handle(c.InvoiceOrder(order_id=order_id, actor=FINANCE))
        app.bus.handle(c.CloseOrder(order_id=order_id, actor=FINANCE))
    else:
        app.bus.handle(c.CancelOrder(order_id=order_id, actor=AGENT, reason_code="mistake"))
    for move in (c.ResumeOrder(order_id=order_id, actor=AGENT),
                 c.ValidateOrder(order_id=order_id, actor=AGENT),
                 c.ReleaseOrder(order_id=order_id, actor=WAREHOUSE),
                 c.HoldOrder(order_id=order_id, reason_code="reopen", actor=AGENT),
                 c.ConfirmPicking(request_id=request_id, actor=WAREHOUSE)):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            app.bus.handle(move)
        assert refused.value.code is ErrorCode.ILLEGAL_TRANSITION
    with app.uow_factory() as uow:
        (request,) = uow.warehouse.requests_for(order_id)
    ended = RequestStatus.SHIPPED if end == "close" else RequestStatus.CANCELLED
    assert (request.id, request.status) == (request_id, ended)
