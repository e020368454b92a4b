"""Why an order is where it is: its stored decisions read against the table versions it was
pinned to (see `ordoflow.governance.explain`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordoflow.application import access
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.values import ActorId, OrderId
from ordoflow.governance.explain import (
    Explanation,
    TableLookup,
    explain,
    explain_step,
    render,
    step_json,
)
from ordoflow.governance.tables import DecisionTable
from ordoflow.governance.versions import ArtifactKind


def explain_order(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, order_id: OrderId
) -> Explanation:
    """Any user covering the order's site may ask why it is where it is."""
    with uow_factory() as uow:
        order = access.order_for(uow, actor, order_id)
        table = table_lookup(uow)
        return explain(
            order_id=order.id, status=order.status.value, hold_reason=order.hold_reason,
            process=order.process, pins=order.pins, entered_by=order.entered_by,
            decisions=uow.orders.decisions(order.id), table=table,
        )  # fmt: skip


def table_lookup(uow: UnitOfWork) -> TableLookup:
    """The pinned versions of tables by name and version label, each read once."""
    tables: dict[tuple[str, str], DecisionTable | None] = {}

    def table(name: str, version: str) -> DecisionTable | None:
        if (name, version) not in tables:
            found = uow.versions.get(ArtifactKind.TABLE, name, int(version.lstrip("v") or 0))
            tables[(name, version)] = DecisionTable.from_json(found.content) if found else None
        return tables[(name, version)]

    return table


def explained_decision(uow: UnitOfWork, order_id: OrderId, seq: int) -> dict[str, Any] | None:
    """One stored decision of an order, explained against its pinned table."""
    record = next((d for d in uow.orders.decisions(order_id) if d.seq == seq), None)
    if record is None:
        return None
    return step_json(explain_step(record, table_lookup(uow)(record.table, record.table_version)))


def explanation_text(explanation: Explanation) -> str:
    return render(explanation)


__all__ = [
    "Explanation",
    "explain_order",
    "explained_decision",
    "explanation_text",
    "table_lookup",
]
