"""Reports for people outside the process: the audit trail an auditor reads, and the status a
customer-service agent may tell a customer.

Both check the acting user in the application layer: the export is for administrators,
compliance, finance and executives; the customer status for customer service and sales
operations (and administrators), within their sites.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ordoflow.application import access
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.eventlog import canonical_json
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.people import Role
from ordoflow.domain.values import ActorId, OrderId

AGENTS = frozenset({Role.CUSTOMER_SERVICE, Role.SALES_OPERATIONS, Role.ADMINISTRATOR})

EXPORT_COLUMNS = (
    "log", "stream", "seq", "occurred_at", "actor", "action", "reason_code", "from_state",
    "to_state", "line_no", "quantity", "process", "before", "after", "hash",
)  # fmt: skip
#: A cell starting with one of these would be read as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell as text an auditor's spreadsheet shows as written: text that could be read as a
    formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def audit_export(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Every order log entry and audit entry with start <= time < end, in time order."""
    if end <= start:
        raise ValidationFailed([FieldError("to", ErrorCode.INVALID_DATE_RANGE,
                                           f"--to {end} is not after --from {start}")])  # fmt: skip
    with uow_factory() as uow:
        access.require(uow, actor, access.AUDITORS, "export the audit trail")
        rows: list[dict[str, Any]] = [
            {"log": "order", "stream": f"order:{e.order_id}", "seq": e.seq,
             "occurred_at": e.occurred_at, "actor": e.actor, "action": e.activity,
             "reason_code": e.reason_code, "from_state": e.from_state, "to_state": e.to_state,
             "line_no": e.line_no, "quantity": e.quantity, "process": e.process_version,
             "hash": e.hash}
            for e in uow.orders.log_between(start, end)
        ]  # fmt: skip
        rows += [
            {"log": "audit", "stream": a.stream, "seq": a.seq, "occurred_at": a.occurred_at,
             "actor": a.actor, "action": a.action, "reason_code": a.reason_code,
             "before": None if a.before is None else canonical_json(a.before),
             "after": None if a.after is None else canonical_json(a.after), "hash": a.hash}
            for a in uow.audit.between(start, end)
        ]  # fmt: skip
    rows.sort(key=lambda r: (r["occurred_at"], r["log"], r["stream"], r["seq"]))
    return rows


def audit_csv(rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        cells = {**row, "occurred_at": row["occurred_at"].isoformat()}
        writer.writerow([safe_cell(cells.get(column)) for column in EXPORT_COLUMNS])
    return out.getvalue()


_OS = OrderStatus
#: What a customer may be told, by order state: the stage and what comes next.
_STAGES: dict[OrderStatus, tuple[str, str]] = {
    _OS.RECEIVED: ("received", "we are checking the order"),
    _OS.VALIDATED: ("confirmed", "we are reserving the goods"),
    _OS.ALLOCATED: ("confirmed", "the goods are reserved and go to the warehouse next"),
    _OS.PARTIALLY_ALLOCATED: ("waiting for stock", "part of the goods is reserved; the rest "
                              "follows when stock arrives"),
    _OS.BACKORDERED: ("waiting for stock", "the goods are reserved as soon as stock arrives"),
    _OS.RELEASED: ("in the warehouse", "the goods are being picked and packed for shipment"),
    _OS.PARTIALLY_SHIPPED: ("partly shipped", "the rest ships as it is ready"),
    _OS.SHIPPED: ("shipped", "the invoice follows"),
    _OS.INVOICED: ("invoiced", "nothing more is needed from the customer but payment"),
    _OS.CLOSED: ("completed", "nothing"),
    _OS.REJECTED: ("not accepted", "the customer's contact will explain"),
    _OS.CANCELLED: ("cancelled", "nothing"),
    _OS.ON_HOLD: ("under review", "we will confirm the order once the review is done"),
}  # fmt: skip
#: Plain words for a hold, by the start of its reason code; never thresholds or rule names.
_HOLDS: tuple[tuple[str, str], ...] = (
    ("credit", "the order is with our credit team for review"),
    ("overdue", "the order is with our credit team for review"),
    ("cash_customer", "we are waiting for payment before we go on"),
    ("discount", "the prices on the order are being approved"),
    ("embargoed", "the order needs a trade compliance review"),
    ("controlled", "the order needs a trade compliance review"),
    ("export", "the order needs a trade compliance review"),
    ("denied", "the order needs a trade compliance review"),
    ("ship_to", "we need a complete delivery address"),
    ("customer", "we are reviewing the account details"),
    ("hazmat", "we are arranging a suitable carrier"),
    ("ship_complete", "we are checking that the order can ship complete"),
)


def customer_status(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, order_id: OrderId
) -> dict[str, Any]:
    """What an agent may tell the customer: stage, what happens next, and for a hold a plain
    reason (never thresholds, rules, queues or names)."""
    with uow_factory() as uow:
        order = access.order_for(uow, actor, order_id, AGENTS, "read the customer status")
        stage, next_step = _STAGES[order.status]
        reason = None
        if order.status is OrderStatus.ON_HOLD:
            code = order.hold_reason or ""
            reason = next((text for start, text in _HOLDS if code.startswith(start)),
                          "the order is being reviewed")  # fmt: skip
        return {"order_id": order.id, "customer_po": order.header.customer_po, "stage": stage,
                "next": next_step, "reason": reason}  # fmt: skip


__all__ = [
    "AGENTS",
    "EXPORT_COLUMNS",
    "audit_csv",
    "audit_export",
    "customer_status",
    "safe_cell",
]
