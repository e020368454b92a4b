"""Exception cases: who may work them, who may resolve them, and what a resolution does.

Every handler here checks, in the application layer, that the acting user exists and is active,
covers the case's site, and holds the role the action needs; resolving also checks segregation
of duties against the order. A resolution moves the order in the same transaction: approving or
overriding lets the governed process go on after the held step, under the order's pins;
rejecting rejects the order and gives its stock back. Every change is audited (stream
`case:<id>`) and put in the outbox.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ordoflow.application import access, allocation, invoicing, pipeline, policies, returns
from ordoflow.application import commands as c
from ordoflow.application.explaining import explained_decision
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.domain.cases import Case, Resolution
from ordoflow.domain.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    FieldError,
    NotFound,
    ValidationFailed,
)
from ordoflow.domain.intake import check_reason
from ordoflow.domain.orders import Order
from ordoflow.domain.people import Delegation, Role, User, add_business_hours
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId


def _case(uow: UnitOfWork, case_id: str) -> Case:
    case = uow.cases.get(case_id)
    if case is None:
        raise NotFound(ErrorCode.UNKNOWN_CASE, f"no case {case_id!r}")
    if not case.is_live:
        raise Conflict(ErrorCode.CASE_CLOSED, f"case {case.id} is already {case.status.value}")
    return case


def _may(uow: UnitOfWork, user: User, case: Case, at: datetime, *, supervisor: bool) -> None:
    """The user covers the case's site and owns its role, in their own right or through a
    delegation in force (or, for work that is not a decision, administers Ordoflow)."""
    if not user.covers(case.site):
        raise DomainError(ErrorCode.OUTSIDE_SITE_SCOPE,
                          f"{user.id} does not act for site {case.site}")  # fmt: skip
    if user.has(case.owner_role) or (supervisor and user.has(Role.ADMINISTRATOR)):
        return
    lent = [d for d in uow.users.delegations_to(user.id) if d.role == case.owner_role]
    if any(d.active(at) for d in lent):
        return
    if any(d.valid_until <= at for d in lent):
        raise DomainError(ErrorCode.DELEGATION_EXPIRED,
                          f"{user.id}'s delegation of {case.owner_role} has ended")  # fmt: skip
    message = f"{user.id} lacks the role {case.owner_role} this case needs"
    raise DomainError(ErrorCode.NOT_AUTHORISED, message)


def _segregated(uow: UnitOfWork, user: User, case: Case, order: Order, at: datetime) -> None:
    """Never the order's author or last changer; never two roles that conflict (see
    `policies.roles_conflict`) on one order."""
    if user.id in (order.entered_by, order.changed_by):
        did = "entered" if user.id == order.entered_by else "last changed"
        raise DomainError(ErrorCode.SEGREGATION_OF_DUTIES,
                          f"{user.id} {did} order {order.id} and cannot decide its holds, "
                          "whatever their role")  # fmt: skip
    for other in uow.cases.for_order(order.id):
        if (
            other.resolved_by == user.id
            and other.id != case.id
            and policies.roles_conflict(uow, other.owner_role, case.owner_role, at)
        ):
            raise DomainError(
                ErrorCode.SEGREGATION_OF_DUTIES,
                f"{user.id} acted as {other.owner_role} on order {order.id} and cannot also act "
                f"as {case.owner_role}",
            )


def _within_authority(uow: UnitOfWork, case: Case, order: Order, at: datetime) -> None:
    """Approving or overriding lets the order go on: the case's role must have the authority
    for the order's total under the approval-authority table in force (none in force: none)."""
    total = order.total.amount
    allowed = policies.may_let_through(uow, case.owner_role, total, at)
    if not allowed:
        where = "no approval authority table is in force" if allowed is None else (
            f"{case.owner_role} may not let through an order of {total} {order.header.currency}"
        )  # fmt: skip
        raise DomainError(ErrorCode.ABOVE_APPROVAL_LIMIT, where)


def _audit(  # noqa: PLR0917 - one audit entry and what it records
    uow: UnitOfWork,
    case: Case,
    action: str,
    actor: ActorId,
    at: datetime,
    before: dict[str, Any],
    reason: str | None = None,
) -> None:
    uow.cases.touch(case)
    uow.audit.append(f"case:{case.id}", action, actor=actor, at=at, before=before,
                     after=case.snapshot(), reason_code=reason)  # fmt: skip


def save_user(cmd: c.SaveUser, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        if uow.users.all():
            admin = access.user(uow, cmd.actor)
            if not admin.has(Role.ADMINISTRATOR):
                raise DomainError(ErrorCode.NOT_AUTHORISED,
                                  f"{cmd.actor} is not an administrator")  # fmt: skip
        elif Role.ADMINISTRATOR not in cmd.user.roles:
            raise DomainError(ErrorCode.NOT_AUTHORISED,
                              "the first user must be an administrator")  # fmt: skip
        existing = uow.users.get(cmd.user.id)
        if existing is None:
            uow.users.add(cmd.user)
        else:
            uow.users.save(cmd.user)
        uow.audit.append(f"user:{cmd.user.id}", "saved" if existing else "created",
                         actor=cmd.actor, at=clock.now(),
                         before=existing.to_json() if existing else None,
                         after=cmd.user.to_json())  # fmt: skip
        uow.commit()


def delegate_authority(cmd: c.DelegateAuthority, uow: UnitOfWork, clock: Clock) -> str:
    """Lend one of the acting user's roles to another active user until a moment; recorded in
    the delegator's audit stream, and ending by itself."""
    with uow:
        delegator = access.user(uow, cmd.actor)
        try:
            role = Role(cmd.role)
        except ValueError:
            problem = FieldError("role", ErrorCode.INVALID_CHOICE, f"{cmd.role!r} is not a role")
            raise ValidationFailed([problem]) from None
        if not delegator.has(role):
            message = f"{delegator.id} cannot lend {role.value}, a role they lack"
            raise DomainError(ErrorCode.NOT_AUTHORISED, message)
        delegate = uow.users.get(cmd.delegate)
        if delegate is None or not delegate.active or delegate.id == delegator.id:
            raise DomainError(ErrorCode.UNKNOWN_USER,
                              f"{cmd.delegate!r} is not another active user")  # fmt: skip
        now = clock.now()
        if cmd.until <= now:
            problem = FieldError("until", ErrorCode.INVALID_DATE_RANGE,
                                 f"{cmd.until} is not after now ({now})")  # fmt: skip
            raise ValidationFailed([problem])
        delegation = Delegation(f"DLG-{secrets.token_hex(6).upper()}", delegator.id,
                                delegate.id, role, now, cmd.until)  # fmt: skip
        uow.users.add_delegation(delegation)
        uow.audit.append(f"user:{delegator.id}", "delegated", actor=cmd.actor, at=now,
                         before=None, after=delegation.to_json())  # fmt: skip
        uow.commit()
        return delegation.id


def assign_case(cmd: c.AssignCase, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        case = _case(uow, cmd.case_id)
        _may(uow, access.user(uow, cmd.actor), case, clock.now(), supervisor=True)
        assignee = uow.users.get(cmd.assignee)
        if assignee is None or not assignee.active:
            raise DomainError(ErrorCode.UNKNOWN_USER, f"{cmd.assignee!r} is not an active user")
        _may(uow, assignee, case, clock.now(), supervisor=False)
        before = case.snapshot()
        case.assign(assignee.id, actor=cmd.actor, at=clock.now())
        _audit(uow, case, "assigned", cmd.actor, clock.now(), before)
        uow.commit()


def wait_on_customer(cmd: c.WaitOnCustomer, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        case = _case(uow, cmd.case_id)
        _may(uow, access.user(uow, cmd.actor), case, clock.now(), supervisor=True)
        before = case.snapshot()
        case.wait_on_customer(actor=cmd.actor, at=clock.now(), comment=cmd.comment)
        _audit(uow, case, "waiting_on_customer", cmd.actor, clock.now(), before)
        uow.commit()


def _resolve(
    cmd: c.CaseCommand,
    uow: UnitOfWork,
    clock: Clock,
    resolution: Resolution,
    *,
    reason: str | None,
    comment: str | None,
    then: Callable[[Case, Order], None],
) -> None:
    with uow:
        case = _case(uow, cmd.case_id)
        user = access.user(uow, cmd.actor)
        _may(uow, user, case, clock.now(), supervisor=False)
        order = uow.orders.get(case.order_id)
        if order is None:  # pragma: no cover - a case belongs to an order
            raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {case.order_id!r}")
        before, at = case.snapshot(), clock.now()
        _segregated(uow, user, case, order, at)
        if resolution is Resolution.OVERRIDDEN and not policies.override_reason_allowed(
            uow, reason or "", case.owner_role, at
        ):
            message = f"{reason!r} is not a reason an override of a {case.owner_role} case gives"
            raise ValidationFailed([FieldError("reason_code", ErrorCode.UNKNOWN_REASON_CODE,
                                               message)])  # fmt: skip
        if resolution is not Resolution.REJECTED:
            _within_authority(uow, case, order, at)
        case.resolve(resolution, actor=cmd.actor, at=at, reason=reason, comment=comment)
        _audit(uow, case, resolution.value, cmd.actor, at, before, reason)
        then(case, order)
        uow.commit()


def approve_case(cmd: c.ApproveCase, uow: UnitOfWork, clock: Clock) -> None:
    """The rule's outcome is accepted as allowed: the process goes on after the held step (a
    billing case: its invoice goes out, see `invoicing.release_hold`)."""
    _resolve(cmd, uow, clock, Resolution.APPROVED, reason=None, comment=cmd.comment,
             then=lambda case, order: _go_on(case, order, uow, clock, cmd.actor))  # fmt: skip


def override_case(cmd: c.OverrideCase, uow: UnitOfWork, clock: Clock) -> None:
    """A person decides against the rule, with a controlled reason and a comment."""
    check_reason(cmd.reason_code)
    if not cmd.comment.strip():
        raise ValidationFailed(
            [FieldError("comment", ErrorCode.REQUIRED_FIELD_MISSING, "an override needs a comment")]
        )
    _resolve(cmd, uow, clock, Resolution.OVERRIDDEN, reason=cmd.reason_code,
             comment=cmd.comment,
             then=lambda case, order: _go_on(case, order, uow, clock, cmd.actor,
                                             override=True))  # fmt: skip


def reject_case(cmd: c.RejectCase, uow: UnitOfWork, clock: Clock) -> None:
    """The order is rejected; what it held in stock goes back (a return case: the return is
    rejected; a billing case cannot be rejected, its goods have shipped)."""
    reason = check_reason(cmd.reason_code)

    def reject(case: Case, order: Order) -> None:
        if case.step == returns.RETURN_STEP:
            returns.decide_case(uow, order, approve=False, actor=cmd.actor, at=clock.now())
            return
        allocation.give_back(uow, order.reject(reason, actor=cmd.actor, at=clock.now()))

    _resolve(cmd, uow, clock, Resolution.REJECTED, reason=reason, comment=cmd.comment,
             then=reject)  # fmt: skip


def _go_on(case: Case, order: Order, uow: UnitOfWork, clock: Clock, actor: ActorId, *,
           override: bool = False) -> None:  # fmt: skip
    """Past the hold: the order's process goes on; a billing case's invoice goes out; a
    return case's return is authorized."""
    if case.step == invoicing.BILLING_STEP:
        invoicing.release_hold(uow, order, clock.now(), actor, override=override)
        return
    if case.step == returns.RETURN_STEP:
        returns.decide_case(uow, order, approve=True, actor=actor, at=clock.now())
        return
    order.resume(actor=actor, at=clock.now())
    pipeline.resume(order, uow, clock, actor)


def escalate_due_cases(cmd: c.EscalateDueCases, uow: UnitOfWork, clock: Clock) -> int:
    """Every live case past its deadline passes to the next role of its escalation path (or
    stays with its role when the path is spent) with a fresh deadline; returns how many."""
    with uow:
        access.permit(uow, cmd)
        now = clock.now()
        due = uow.cases.due(now)
        for case in due:
            before = case.snapshot()
            path = case.escalation
            role = (
                path[case.escalation_level]
                if case.escalation_level < len(path)
                else (case.owner_role)
            )
            case.escalate(owner_role=role,
                          due_at=add_business_hours(now, case.sla_hours, case.time_zone),
                          actor=cmd.actor or SYSTEM_ACTOR, at=now)  # fmt: skip
            _audit(uow, case, "escalated", cmd.actor, now, before)
        uow.commit()
        return len(due)


def cancel_cases_of(uow: UnitOfWork, order: Order, actor: ActorId, at: datetime) -> None:
    """An order that ends ends its live cases."""
    for case in uow.cases.for_order(order.id):
        if case.is_live:
            before = case.snapshot()
            case.cancel(actor=actor, at=at)
            _audit(uow, case, "cancelled", actor, at, before)


#: Roles that see every queue (within their sites); everyone else sees the queues they own.
OVERSEERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.PROCESS_OWNER})
#: Age buckets of the queue view: up to 4 hours, a day, three days, and older.
AGE_BUCKETS: tuple[tuple[str, float], ...] = (("<4h", 4), ("4-24h", 24), ("1-3d", 72),
                                              (">3d", float("inf")))  # fmt: skip


def case_view(case: Case, at: datetime) -> dict[str, Any]:
    age = (at - case.opened_at).total_seconds() / 3600
    return {
        "id": case.id, "order_id": case.order_id, "site": case.site, "queue": case.queue,
        "step": case.step, "outcome": case.outcome, "reason_code": case.reason_code,
        "owner_role": case.owner_role, "priority": case.priority, "status": case.status.value,
        "assignee": case.assignee, "opened_at": case.opened_at.isoformat(),
        "due_at": case.due_at.isoformat(), "age_hours": round(age, 1),
        "overdue": case.is_live and case.due_at <= at,
        "escalation_level": case.escalation_level,
        "resolution": case.resolution.value if case.resolution else None,
        "resolved_by": case.resolved_by, "resolution_reason": case.resolution_reason,
        "comment": case.comment,
    }  # fmt: skip


def _bucket(case: Case, at: datetime) -> str:
    age = (at - case.opened_at).total_seconds() / 3600
    return next(name for name, limit in AGE_BUCKETS if age <= limit)


def _visible(user: User) -> Callable[[Case], bool]:
    overseer = any(user.has(role) for role in OVERSEERS)
    return lambda case: user.covers(case.site) and (overseer or user.has(case.owner_role))


def case_queue(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, at: datetime, queue: str | None = None
) -> dict[str, Any]:
    """The live cases the user may see, first by priority then oldest first, and the count in
    each age bucket per queue."""
    with uow_factory() as uow:
        visible = _visible(access.user(uow, actor))
        found = sorted((k for k in uow.cases.live(queue) if visible(k)),
                       key=lambda k: (k.priority, k.opened_at, k.id))  # fmt: skip
        aging: dict[str, dict[str, int]] = {}
        for case in found:
            buckets = aging.setdefault(case.queue, {name: 0 for name, _ in AGE_BUCKETS})
            buckets[_bucket(case, at)] += 1
        return {"cases": [case_view(k, at) for k in found], "aging": aging}


def list_users(uow_factory: Callable[[], UnitOfWork], actor: ActorId) -> list[dict[str, object]]:
    """Every user with roles, sites and state, for those who look after people's access."""
    with uow_factory() as uow:
        access.require(uow, actor, access.USER_READERS, "list users")
        return [u.to_json() for u in uow.users.all()]


def show_case(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, case_id: str, at: datetime
) -> dict[str, Any]:
    with uow_factory() as uow:
        user = access.user(uow, actor)
        case = uow.cases.get(case_id)
        if case is None or not _visible(user)(case):
            raise NotFound(ErrorCode.UNKNOWN_CASE, f"no case {case_id!r} for {actor}")
        trail = [{"seq": e.seq, "action": e.action, "at": e.occurred_at.isoformat(),
                  "actor": e.actor, "reason_code": e.reason_code}
                 for e in uow.audit.entries(f"case:{case.id}")]  # fmt: skip
        decision = explained_decision(uow, case.order_id, case.decision_seq)
        return {**case_view(case, at), "decision": decision, "trail": trail}


__all__ = [
    "AGE_BUCKETS",
    "OVERSEERS",
    "approve_case",
    "assign_case",
    "cancel_cases_of",
    "case_queue",
    "case_view",
    "delegate_authority",
    "escalate_due_cases",
    "list_users",
    "override_case",
    "reject_case",
    "save_user",
    "show_case",
    "wait_on_customer",
]
