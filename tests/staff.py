"""The people tests act as: one user per kind of work, saved through the bus like any user.

`ensure_staff` is idempotent: the administrator saves itself first (allowed as the very first
user, and as an administrator afterwards), then everyone else."""

from __future__ import annotations

from typing import Any

from ordoflow.application import commands as c
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId

ADMIN = ActorId("admin")
AGENT = ActorId("cs.agent")
WAREHOUSE = ActorId("wh.lead")
FINANCE = ActorId("fin.clerk")
INTEGRATION = ActorId("edi")
OWNER = ActorId("process.owner")
BOARD = ActorId("board.member")
AUDITOR = ActorId("audit.amy")

#: Each user with their roles; every one covers every site.
STAFF: dict[ActorId, frozenset[Role]] = {
    ADMIN: frozenset({Role.ADMINISTRATOR}),
    AGENT: frozenset({Role.CUSTOMER_SERVICE}),
    WAREHOUSE: frozenset({Role.WAREHOUSE_LEAD}),
    FINANCE: frozenset({Role.FINANCE}),
    INTEGRATION: frozenset({Role.INTEGRATION}),
    OWNER: frozenset({Role.PROCESS_OWNER}),
    BOARD: frozenset({Role.GOVERNANCE_BOARD}),
    AUDITOR: frozenset({Role.COMPLIANCE}),
}

#: The cast member who runs each kind of command in tests that do not say who acts.
ACTS_FOR: dict[str, ActorId] = {
    "PlaceOrder": AGENT, "ValidateOrder": AGENT, "HoldOrder": AGENT, "ResumeOrder": AGENT,
    "RejectOrder": AGENT, "CancelOrder": AGENT, "EditOrder": AGENT,
    "AllocateOrder": WAREHOUSE, "ReleaseOrder": WAREHOUSE, "ConfirmPicking": WAREHOUSE,
    "ConfirmPacking": WAREHOUSE, "ConfirmShipment": WAREHOUSE, "ConfirmDelivery": WAREHOUSE,
    "InvoiceOrder": FINANCE, "CloseOrder": FINANCE,
    "CreateRecord": ADMIN, "UpdateRecord": ADMIN, "ImportRecords": ADMIN,
    "DraftVersion": OWNER, "SubmitVersion": OWNER, "RequestActivation": OWNER,
    "ApproveVersion": BOARD, "SendBackVersion": BOARD, "RetireVersion": BOARD,
    "DecideActivation": BOARD,
}  # fmt: skip


def ensure_staff(bus: Any) -> None:
    """Save every cast member (their roles reset to the cast's)."""
    for user_id, roles in STAFF.items():
        bus.handle(c.SaveUser(user=User(user_id, user_id, roles), actor=ADMIN))


__all__ = [
    "ACTS_FOR",
    "ADMIN",
    "AGENT",
    "AUDITOR",
    "BOARD",
    "FINANCE",
    "INTEGRATION",
    "OWNER",
    "STAFF",
    "WAREHOUSE",
    "ensure_staff",
]
