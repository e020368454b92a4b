"""Why an order is where it is: its stored decisions read against the table versions it was
pinned to (see `ordoflow.governance.explain`)."""

from __future__ import annotations

from collections.abc import Callable

from ordoflow.application import access
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.values import ActorId, OrderId
from ordoflow.governance.explain import Explanation, explain, render
from ordoflow.governance.tables import DecisionTable
from ordoflow.governance.versions import ArtifactKind


def explain_order(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, order_id: OrderId
) -> Explanation:
    """Any user covering the order's site may ask why it is where it is."""
    with uow_factory() as uow:
        order = access.order_for(uow, actor, order_id)
        tables: dict[tuple[str, str], DecisionTable | None] = {}

        def table(name: str, version: str) -> DecisionTable | None:
            if (name, version) not in tables:
                found = uow.versions.get(ArtifactKind.TABLE, name, int(version.lstrip("v") or 0))
                tables[(name, version)] = DecisionTable.from_json(found.content) if found else None
            return tables[(name, version)]

        return explain(
            order_id=order.id, status=order.status.value, hold_reason=order.hold_reason,
            process=order.process, pins=order.pins, entered_by=order.entered_by,
            decisions=uow.orders.decisions(order.id), table=table,
        )  # fmt: skip


def explanation_text(explanation: Explanation) -> str:
    return render(explanation)


__all__ = ["Explanation", "explain_order", "explanation_text"]
