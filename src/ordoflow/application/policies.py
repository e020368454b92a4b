"""The governed tables read when a person decides a case rather than when an order runs a
step: who may let how much through (`approval_authority`), which roles one person may not
both act in on one order (`segregation_of_duties`), and the reason codes an override may give
(`override_reasons`). Each is published like any table, through maker-checker; the version in
force at the moment of the decision answers. With no segregation or override table in force
the built-in defaults below apply; with no approval authority in force nobody may approve.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ordoflow.application import pipeline
from ordoflow.application.ports import UnitOfWork
from ordoflow.application.process import table_in_force
from ordoflow.domain.cases import OVERRIDE_REASONS
from ordoflow.domain.people import Role

APPROVAL_AUTHORITY = "approval_authority"
SEGREGATION_OF_DUTIES = "segregation_of_duties"
OVERRIDE_REASON_TABLE = "override_reasons"
#: The tables read when a case is decided, not by any step.
CASE_TABLES = (APPROVAL_AUTHORITY, SEGREGATION_OF_DUTIES, OVERRIDE_REASON_TABLE)

#: Roles one person may not both act in on the same order when no segregation table is in
#: force: who negotiated the price does not also clear the credit, who took the order does
#: not also clear credit or compliance.
CONFLICTING_ROLES: frozenset[frozenset[str]] = frozenset({
    frozenset({Role.SALES_OPERATIONS.value, Role.CREDIT_ANALYST.value}),
    frozenset({Role.CUSTOMER_SERVICE.value, Role.CREDIT_ANALYST.value}),
    frozenset({Role.CUSTOMER_SERVICE.value, Role.COMPLIANCE.value}),
})  # fmt: skip


def _answer(uow: UnitOfWork, name: str, at: datetime, context: dict[str, Any]) -> Any:
    """The answer of the table `name` in force at `at`, or `_NONE` when none is."""
    table = table_in_force(uow, name, at)
    if table is None:
        return _NONE
    return pipeline.compiled(table).evaluate(context).result


_NONE = object()


def may_let_through(uow: UnitOfWork, role: str, total: Decimal, at: datetime) -> bool | None:
    """Whether `role` may let an order of `total` through; None when no table is in force."""
    answer = _answer(uow, APPROVAL_AUTHORITY, at, {"approver role": role, "order total": total})
    if answer is _NONE:
        return None
    return isinstance(answer, dict) and answer.get("allowed") is True


def roles_conflict(uow: UnitOfWork, role: str, other: str, at: datetime) -> bool:
    """Whether one person may not act both as `role` and as `other` on one order."""
    if role == other:
        return False
    answers = [_answer(uow, SEGREGATION_OF_DUTIES, at, {"role": a, "other role": b})
               for a, b in ((role, other), (other, role))]  # fmt: skip
    if answers[0] is _NONE:
        return frozenset({role, other}) in CONFLICTING_ROLES
    return any(isinstance(a, dict) and a.get("conflict") is True for a in answers)


def override_reason_allowed(uow: UnitOfWork, reason: str, owner_role: str, at: datetime) -> bool:
    """Whether an override of a case owned by `owner_role` may give `reason`."""
    answer = _answer(uow, OVERRIDE_REASON_TABLE, at,
                     {"reason code": reason, "owner role": owner_role})  # fmt: skip
    if answer is _NONE:
        return reason in OVERRIDE_REASONS
    return isinstance(answer, dict) and answer.get("allowed") is True


__all__ = [
    "APPROVAL_AUTHORITY",
    "CASE_TABLES",
    "CONFLICTING_ROLES",
    "OVERRIDE_REASON_TABLE",
    "SEGREGATION_OF_DUTIES",
    "may_let_through",
    "override_reason_allowed",
    "roles_conflict",
]
