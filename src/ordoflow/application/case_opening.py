"""Opening an exception case, the same for a rule hold of the governed process, an invoice on
hold and a return waiting for approval: the case is opened by the system, stored, and its
opening audited in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.cases import Case, case_priority, new_case_id
from ordoflow.domain.masterdata import Customer
from ordoflow.domain.orders import Order
from ordoflow.domain.people import add_business_hours
from ordoflow.domain.values import SYSTEM_ACTOR


def open_case(uow: UnitOfWork, case: Case, at: datetime, **noted: Any) -> None:
    """Open and store `case`; `noted` goes into its audit entry beside the case."""
    case.opened(SYSTEM_ACTOR)
    uow.cases.add(case)
    uow.audit.append(f"case:{case.id}", "opened", actor=SYSTEM_ACTOR, at=at, before=None,
                     after={**case.snapshot(), **noted})  # fmt: skip


def open_hold_case(
    uow: UnitOfWork,
    order: Order,
    *,
    step: str,
    reason_code: str,
    queue: str,
    owner_role: str,
    sla_hours: int,
    time_zone: str,
    escalation: tuple[str, ...],
    at: datetime,
    **noted: Any,
) -> None:
    """A hold outside the process's own steps (billing, returns): a case on the order in
    `queue`, due `sla_hours` business hours from `at`, first for strategic and preferred
    customers."""
    customer = uow.records.get(Customer, (order.header.account_number,))
    case = Case(
        id=new_case_id(), order_id=order.id, site=order.header.site, step=step,
        decision_seq=0, outcome="hold", reason_code=reason_code, queue=queue,
        owner_role=owner_role,
        priority=case_priority("hold", customer.tier.value if customer else ""), opened_at=at,
        due_at=add_business_hours(at, sla_hours, time_zone), sla_hours=sla_hours,
        time_zone=time_zone, escalation=escalation,
    )  # fmt: skip
    open_case(uow, case, at, **noted)


__all__ = ["open_case", "open_hold_case"]
