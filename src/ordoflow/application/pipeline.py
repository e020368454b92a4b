"""The order pipeline: runs an order's governed process step by step, inside the unit of work
that placed or resumed the order.

A new order is pinned to the process in force for its site and channel when it arrives (the
template version, its variants and every table version); a resumed order goes on under its pins,
so a version published meanwhile applies to new orders only. Each step evaluates its table on
the order's facts and leaves a decision record; a step that passes then does its action (take
stock, release); a step that holds, rejects or blocks puts the order on hold, routed to the
queue, role and deadline the template names; a release policy that answers `backorder` leaves
the order waiting for stock. When no process is in force, or a step cannot be evaluated, the
order is held for the process owner: an order is never lost and never runs ungoverned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordoflow.application import actions, fulfilment
from ordoflow.application.case_opening import open_case
from ordoflow.application.fact_data import order_data
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.application.resolving import (
    STANDARD_TEMPLATE,
    Runnable,
    carrier_of,
    compiled,
    pinned_for,
    process_for,
)
from ordoflow.domain.cases import Case, case_priority, new_case_id
from ordoflow.domain.decisions import STOPPING, DecisionRecord, Outcome, Route
from ordoflow.domain.errors import DomainError
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.orders import Order
from ordoflow.domain.people import add_business_hours
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId, FieldProblem, parse_code
from ordoflow.governance.facts import (
    FACT_SOURCES,
    OrderData,
    fill_rate,
    order_facts,
)
from ordoflow.governance.running import StepResult, contexts, decide, reads
from ordoflow.governance.template import HoldRoute, Step

NO_PROCESS = "no_process_in_force"
DECISION_FAILED = "decision_failed"
#: Holds that are the process's own trouble go to its owner.
PROCESS_ROUTE = HoldRoute(queue="process_exceptions", owner_role="process_owner", sla_hours=24)
#: A hold whose step names no route for its outcome goes to customer service.
UNROUTED = HoldRoute(queue="order_exceptions", owner_role="customer_service", sla_hours=24)
#: The step name of decisions about the process itself rather than one of its steps.
PROCESS_STEP = "process"


def start(
    order: Order,
    uow: UnitOfWork,
    clock: Clock,
    data: Callable[[], OrderData],
    runnable: Runnable | DomainError,
) -> None:
    """Run a new (or never pinned) order from the first step, or hold it for the process
    owner when no process could be resolved."""
    at = clock.now()
    if isinstance(runnable, DomainError):
        _process_trouble(order, uow, at, data(), NO_PROCESS, str(runnable))
        return
    order.pin(runnable.process.pins, runnable.process.label)
    _run(order, uow, at, runnable, first=0, data=data())


def resume(order: Order, uow: UnitOfWork, clock: Clock, actor: ActorId) -> None:
    """Go on with an order whose hold a person has lifted: after the step that held it (the
    hold is accepted, and recorded so), at the step it waits at (a backorder), or from the
    start when it never had a process."""
    at = clock.now()
    if order.pins is None:
        try:
            runnable = process_for(uow, order.header.site, order.header.channel.value, at)
        except DomainError as exc:
            start(order, uow, clock, lambda: order_data(uow, order), exc)
            return
        start(order, uow, clock, lambda: order_data(uow, order), runnable)
        return
    if order.process_step is None:
        return
    runnable = pinned_for(uow, order.pins)
    position = runnable.index(order.process_step)
    last = uow.orders.decisions(order.id)[-1]
    if last.stops:
        step = runnable.steps[position]
        accepted = _record(order, step, runnable, Outcome.ACCEPTED, reason=last.reason, at=at,
                           actor=actor)  # fmt: skip
        order.decide(accepted, stopped=False)
        position += 1
    _run(order, uow, at, runnable, first=position, data=order_data(uow, order))


def rerun(
    order: Order,
    uow: UnitOfWork,
    clock: Clock,
    parts: frozenset[str],
    data: Callable[[], OrderData],
) -> None:
    """Run a changed order again under its pins from the first step the change affects (see
    `affected`), or from the step it was stopped at or its allocation step when earlier: a
    changed order takes its stock again. Steps before keep their decisions; an order that
    never had a process starts it."""
    if order.pins is None:
        try:
            found: Runnable | DomainError = process_for(
                uow, order.header.site, order.header.channel.value, clock.now()
            )
        except DomainError as exc:
            found = exc
        start(order, uow, clock, data, found)
        return
    runnable = pinned_for(uow, order.pins)
    first = affected(runnable, parts)
    if order.process_step is not None:
        first = min(first, runnable.index(order.process_step))
    first = min([first, *(n for n, s in enumerate(runnable.steps)
                          if s.action in ("source", "allocate"))])  # fmt: skip
    order.process_step = None
    _run(order, uow, clock.now(), runnable, first=first, data=data())


def after_allocation(order: Order, uow: UnitOfWork, at: datetime) -> None:
    """Run the steps after the allocation step again, under the order's pins: an order that
    waited for stock has just taken more."""
    runnable = pinned_for(uow, order.pins or {})
    first = next(n for n, s in enumerate(runnable.steps) if s.action == "allocate") + 1
    order.process_step = None
    _run(order, uow, at, runnable, first=first, data=order_data(uow, order))


def affected(runnable: Runnable, parts: frozenset[str]) -> int:
    """The position of the first step whose table reads a fact derived from `parts` (the
    number of steps when none does)."""
    for n, step in enumerate(runnable.steps):
        names = reads(runnable.compiled[step.table].table)
        if any(FACT_SOURCES.get(name, frozenset()) & parts for name in names):
            return n
    return len(runnable.steps)


def _run(
    order: Order,
    uow: UnitOfWork,
    at: datetime,
    runnable: Runnable,
    *,
    first: int,
    data: OrderData,
) -> None:
    facts = order_facts(order, data, at.date())
    if any(s.action == "allocate" for s in runnable.steps[:first]):
        facts = facts.with_order(**{"fill rate": fill_rate(order)})
    for step in runnable.steps[first:]:
        compiled = runnable.compiled[step.table]
        try:
            result = decide(step, compiled, contexts(step, compiled.table, facts))
        except DomainError as exc:
            _process_trouble(order, uow, at, data, DECISION_FAILED, str(exc), step)
            return
        if result.outcome in STOPPING:
            _hold(order, uow, step, runnable, result, at, data)
            return
        stopped = result.outcome is Outcome.BACKORDER
        effect = None if stopped else _act(order, uow, step, result, at)
        record = _record(order, step, runnable, result.outcome, reason=result.reason, at=at,
                         actor=SYSTEM_ACTOR, result=result, effect=effect)  # fmt: skip
        order.decide(record, stopped=stopped)
        if stopped:
            return
        if step.action == "allocate":
            facts = facts.with_order(**{"fill rate": fill_rate(order)})
    if order.status is OrderStatus.RECEIVED:
        order.validate(actor=SYSTEM_ACTOR, at=at)


def _act(
    order: Order, uow: UnitOfWork, step: Step, result: StepResult, at: datetime
) -> dict[str, Any] | None:
    """The step's action once it passed; what it did goes into its decision."""
    if step.action == "source":
        order.sourcing = actions.sourcing_plan(step, result.value, result.reason,
                                               order.header.site)  # fmt: skip
        return {"plan": order.sourcing.as_json()}
    if step.action == "allocate":
        if isinstance(result.value, int | Decimal):
            order.priority = int(result.value)
        return actions.allocate(order, uow, at)
    if step.action == "release":
        fulfilment.release(order, uow, at, SYSTEM_ACTOR, carrier_of(uow, order))
    return None


def _route(
    step: Step | None, outcome: Outcome, role: str | None, at: datetime, data: OrderData
) -> tuple[Route, HoldRoute]:
    """Where a stop goes, with its deadline counted in the site's business hours."""
    if step is None:
        route = PROCESS_ROUTE
    else:
        route = step.routes.get(outcome.value) or step.routes.get("hold") or UNROUTED
    due = add_business_hours(at, route.sla_hours, data.time_zone)
    return Route(route.queue, role or route.owner_role, due), route


def _reason(reason: str | None, step: Step, outcome: Outcome) -> str:
    """A table's reason when it is a code, else one made from the step and outcome."""
    if reason:
        try:
            return parse_code("reason_code", reason)
        except FieldProblem:
            pass
    return f"{step.id}_{outcome.value}"


def _hold(  # noqa: PLR0917 - one stop, everything it records
    order: Order,
    uow: UnitOfWork,
    step: Step,
    runnable: Runnable,
    result: StepResult,
    at: datetime,
    data: OrderData,
) -> None:
    reason = _reason(result.reason, step, result.outcome)
    route, defined = _route(step, result.outcome, result.approver_role, at, data)
    record = _record(order, step, runnable, result.outcome, reason=reason, at=at,
                     actor=SYSTEM_ACTOR, result=result, route=route)  # fmt: skip
    _stop(order, uow, record, defined, data=data, at=at)


def _process_trouble(  # noqa: PLR0917 - one stop, everything it records
    order: Order,
    uow: UnitOfWork,
    at: datetime,
    data: OrderData,
    reason: str,
    message: str,
    step: Step | None = None,
) -> None:
    """Hold the order for the process owner: no process in force, or a step that failed."""
    route, defined = _route(None, Outcome.HOLD, None, at, data)
    record = DecisionRecord(
        order_id=order.id, seq=order.next_decision_seq(),
        step=step.id if step else PROCESS_STEP, table=step.table if step else "",
        table_version=order.pins.get(f"table:{step.table}", "") if step and order.pins else "",
        outcome=Outcome.HOLD, reason=reason, decided_at=at, actor=SYSTEM_ACTOR,
        evaluations=({"error": message},), route=route, process=order.process,
    )  # fmt: skip
    _stop(order, uow, record, defined, data=data, at=at)


def _stop(
    order: Order,
    uow: UnitOfWork,
    record: DecisionRecord,
    defined: HoldRoute,
    *,
    data: OrderData,
    at: datetime,
) -> None:
    """Keep the decision, hold the order, and open its case in the route's queue."""
    order.decide(record, stopped=True)
    order.hold(record.reason or record.outcome.value, actor=SYSTEM_ACTOR, at=at)
    route = record.route
    assert route is not None, "a stop is routed"
    case = Case(
        id=new_case_id(), order_id=order.id, site=order.header.site, step=record.step,
        decision_seq=record.seq, outcome=record.outcome.value,
        reason_code=record.reason or record.outcome.value, queue=route.queue,
        owner_role=route.owner_role,
        priority=case_priority(record.outcome.value, data.customer.tier.value),
        opened_at=at, due_at=route.due_at, sla_hours=defined.sla_hours,
        time_zone=data.time_zone, escalation=defined.escalation,
    )  # fmt: skip
    open_case(uow, case, at)


def _record(
    order: Order,
    step: Step,
    runnable: Runnable,
    outcome: Outcome,
    *,
    reason: str | None,
    at: datetime,
    actor: ActorId,
    result: StepResult | None = None,
    route: Route | None = None,
    effect: dict[str, Any] | None = None,
) -> DecisionRecord:
    evaluations: tuple[dict[str, Any], ...] = result.evaluations if result else ()
    return DecisionRecord(
        order_id=order.id, seq=order.next_decision_seq(), step=step.id, table=step.table,
        table_version=runnable.process.pins[f"table:{step.table}"], outcome=outcome,
        reason=reason, decided_at=at, actor=actor, evaluations=evaluations, route=route,
        process=order.process, effect=effect,
    )  # fmt: skip


__all__ = [
    "DECISION_FAILED",
    "NO_PROCESS",
    "PROCESS_ROUTE",
    "STANDARD_TEMPLATE",
    "UNROUTED",
    "OrderData",
    "Runnable",
    "affected",
    "after_allocation",
    "carrier_of",
    "compiled",
    "pinned_for",
    "process_for",
    "rerun",
    "resume",
    "start",
]
