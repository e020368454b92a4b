"""Users and exception cases in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ordoflow.adapters.persistence.prepared import PreparedStatement
from ordoflow.adapters.persistence.tables import cases, delegations, users
from ordoflow.application.ports import CaseRepository
from ordoflow.domain.cases import Case, CaseStatus, Resolution
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.people import Delegation, Role, User
from ordoflow.domain.values import ActorId, OrderId, SiteCode

_LIVE = [s.value for s in (CaseStatus.OPEN, CaseStatus.ASSIGNED, CaseStatus.WAITING_ON_CUSTOMER,
                           CaseStatus.ESCALATED)]  # fmt: skip


def _user_row(u: User) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "roles": sorted(u.roles),
            "sites": None if u.sites is None else sorted(u.sites), "active": u.active}  # fmt: skip


def _user(r: Any) -> User:
    user_id, name, roles, sites, active = r
    return User(ActorId(user_id), name, frozenset(Role(x) for x in roles),
                None if sites is None else frozenset(SiteCode(x) for x in sites),
                bool(active))  # fmt: skip


#: Every command reads its acting user, so on the driver cursor (see `PreparedStatement`).
_USER = PreparedStatement(
    sa.select(users.c.id, users.c.name, users.c.roles, users.c.sites, users.c.active)
    .where(users.c.id == sa.bindparam("b_id"))
)  # fmt: skip


class SqlUserRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, user_id: str) -> User | None:
        found = _USER.rows(self.conn, {"b_id": user_id})
        return _user(found[0]) if found else None

    def add(self, user: User) -> None:
        try:
            with self.conn.begin_nested():
                self.conn.execute(users.insert(), _user_row(user))
        except IntegrityError:
            raise Conflict(ErrorCode.DUPLICATE_RECORD, f"user {user.id} already exists") from None

    def save(self, user: User) -> None:
        self.conn.execute(users.update().where(users.c.id == user.id).values(_user_row(user)))

    def all(self) -> list[User]:
        query = sa.select(users.c.id, users.c.name, users.c.roles, users.c.sites, users.c.active)
        return [_user(r) for r in self.conn.execute(query.order_by(users.c.id))]

    def add_delegation(self, delegation: Delegation) -> None:
        d = delegation
        self.conn.execute(delegations.insert(), {
            "id": d.id, "delegator": d.delegator, "delegate": d.delegate, "role": d.role.value,
            "valid_from": d.valid_from, "valid_until": d.valid_until,
        })  # fmt: skip

    def delegations_to(self, user_id: str) -> list[Delegation]:
        d = delegations
        query = d.select().where(d.c.delegate == user_id).order_by(d.c.valid_from, d.c.id)
        return [
            Delegation(r.id, ActorId(r.delegator), ActorId(r.delegate), Role(r.role),
                       r.valid_from, r.valid_until)
            for r in self.conn.execute(query)
        ]  # fmt: skip


def _case_row(c: Case) -> dict[str, Any]:
    return {
        "id": c.id, "order_id": c.order_id, "site": c.site, "step": c.step,
        "decision_seq": c.decision_seq, "outcome": c.outcome, "reason_code": c.reason_code,
        "queue": c.queue, "owner_role": c.owner_role, "priority": c.priority,
        "opened_at": c.opened_at, "due_at": c.due_at, "sla_hours": c.sla_hours,
        "time_zone": c.time_zone, "escalation": list(c.escalation), "status": c.status.value,
        "assignee": c.assignee, "escalation_level": c.escalation_level,
        "resolution": c.resolution.value if c.resolution else None,
        "resolved_by": c.resolved_by, "resolved_at": c.resolved_at,
        "resolution_reason": c.resolution_reason, "comment": c.comment,
        "version": c.version + 1,
    }  # fmt: skip


def _case(r: Any) -> Case:
    return Case(
        id=r.id, order_id=OrderId(r.order_id), site=r.site, step=r.step,
        decision_seq=r.decision_seq, outcome=r.outcome, reason_code=r.reason_code,
        queue=r.queue, owner_role=r.owner_role, priority=r.priority, opened_at=r.opened_at,
        due_at=r.due_at, sla_hours=r.sla_hours, time_zone=r.time_zone,
        escalation=tuple(r.escalation), status=CaseStatus(r.status),
        assignee=ActorId(r.assignee) if r.assignee else None,
        escalation_level=r.escalation_level,
        resolution=Resolution(r.resolution) if r.resolution else None,
        resolved_by=ActorId(r.resolved_by) if r.resolved_by else None,
        resolved_at=r.resolved_at, resolution_reason=r.resolution_reason, comment=r.comment,
        version=r.version,
    )  # fmt: skip


class SqlCaseRepository(CaseRepository):
    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def _get(self, case_id: str) -> Case | None:
        row = self.conn.execute(cases.select().where(cases.c.id == case_id)).first()
        return None if row is None else _case(row)

    def _insert(self, case: Case) -> None:
        self.conn.execute(cases.insert(), _case_row(case))

    def _update(self, case: Case) -> bool:
        statement = (
            cases.update()
            .where(cases.c.id == case.id, cases.c.version == case.version)
            .values(_case_row(case))
        )
        return self.conn.execute(statement).rowcount == 1

    def _many(self, where: sa.ColumnElement[bool]) -> list[Case]:
        query = cases.select().where(where).order_by(cases.c.opened_at, cases.c.id)
        found = [_case(r) for r in self.conn.execute(query)]
        return [self.seen.setdefault(c.id, c) for c in found]

    def for_order(self, order_id: OrderId) -> list[Case]:
        return self._many(cases.c.order_id == order_id)

    def live(self, queue: str | None = None) -> list[Case]:
        where = cases.c.status.in_(_LIVE)
        return self._many(where if queue is None else sa.and_(where, cases.c.queue == queue))

    def due(self, at: datetime) -> list[Case]:
        return self._many(sa.and_(cases.c.status.in_(_LIVE), cases.c.due_at <= at))


__all__ = ["SqlCaseRepository", "SqlUserRepository"]
