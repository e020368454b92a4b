"""What a passing step does besides deciding: a `source` step keeps the warehouses its table
chose, an `allocate` step takes stock there, a `release` step hands the order to the warehouses.
Each returns what it did, which the step's decision keeps (`DecisionRecord.effect`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ordoflow.application import allocation
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.orders import Order
from ordoflow.domain.sourcing import SourcingPlan
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId, SiteCode
from ordoflow.governance.template import Step

#: The sourcing table's outputs, and the source step's parameters.
WAREHOUSES, MAX_SPLITS = "warehouses", "max splits"
FALLBACK_ORDER, MAXIMUM_SPLITS = "fallback order", "maximum splits"


def _sites(text: Any) -> list[SiteCode]:
    return [SiteCode(s) for s in re.split(r"[\s,]+", str(text or "").strip()) if s]


def sourcing_plan(step: Step, answer: Any, reason: str | None, home: SiteCode) -> SourcingPlan:
    """The plan from the sourcing table's answer: its `warehouses` (most preferred first),
    then the order's own site (the one customer service chose); when the table names none,
    the order's own site, then the step's `fallback order`. Its `max splits`, else the step's
    `maximum splits`, else 0."""
    found = answer if isinstance(answer, Mapping) else {}
    named = _sites(found.get(WAREHOUSES))
    fallback = [] if named else _sites(step.parameters.get(FALLBACK_ORDER))
    sites = [*named, home, *fallback]
    splits = found.get(MAX_SPLITS)
    if splits is None:
        splits = step.parameters.get(MAXIMUM_SPLITS, 0)
    return SourcingPlan(tuple(dict.fromkeys(sites)), max(0, int(splits)),
                        reason or "sourcing_policy")  # fmt: skip


def allocate(
    order: Order, uow: UnitOfWork, at: datetime, actor: ActorId = SYSTEM_ACTOR
) -> dict[str, Any]:
    """Take what the order still needs under its sourcing plan; returns what was taken where,
    and why."""
    if order.status is OrderStatus.RECEIVED:
        order.validate(actor=actor, at=at)
    chosen = allocation.take_stock(uow, order)
    order.allocate(chosen.take, actor=actor, at=at)
    plan = allocation.plan_of(order)
    return {
        "plan": plan.as_json(), "reason": chosen.reason,
        "taken": {str(line): dict(sorted(per_site.items()))
                  for line, per_site in sorted(chosen.take.items())},
    }  # fmt: skip


__all__ = ["allocate", "sourcing_plan"]
