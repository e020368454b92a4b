"""Returns: a customer sends shipped goods back under a return authorization (RMA).

A request names order lines, units and a reason code per line, and a free-text note. Units are
never more than the line shipped less what earlier returns already took back (an invariant,
refused `over_return`); whether the request is within the return window and whether it needs
an approval are rules (the `return_policy` table). An authorized return is received at a site,
each line gets a disposition (restock, scrap, return to vendor) with its stock and ledger
effect, and a credit memo reverses the returned units on the order's invoices.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.lifecycle import Transition, TransitionTable
from ordoflow.domain.values import AccountNumber, ActorId, OrderId, SiteCode, Sku

ReturnId = NewType("ReturnId", str)


def new_return_id() -> ReturnId:
    return ReturnId(f"RMA-{secrets.token_hex(5).upper()}")


class ReturnStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    AUTHORIZED = "authorized"
    RECEIVED = "received"
    CREDITED = "credited"
    REJECTED = "rejected"


class ReturnEvent(StrEnum):
    AUTHORIZE = "authorize"
    HOLD = "hold"
    REJECT = "reject"
    RECEIVE = "receive"
    CREDIT = "credit"


class Disposition(StrEnum):
    RESTOCK = "restock"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"


_S, _E = ReturnStatus, ReturnEvent
RETURN_LIFECYCLE: TransitionTable[ReturnStatus, ReturnEvent] = TransitionTable(
    "return",
    _S.PENDING_APPROVAL,
    [
        Transition(_S.PENDING_APPROVAL, _E.AUTHORIZE, _S.AUTHORIZED),
        Transition(_S.PENDING_APPROVAL, _E.REJECT, _S.REJECTED),
        Transition(_S.AUTHORIZED, _E.RECEIVE, _S.RECEIVED),
        Transition(_S.RECEIVED, _E.CREDIT, _S.CREDITED),
    ],
    terminal=(_S.CREDITED, _S.REJECTED),
)


@dataclass(slots=True)
class ReturnLine:
    line_no: int
    sku: Sku
    quantity: int
    reason_code: str
    unit_price: Decimal
    received: int = 0
    disposition: Disposition | None = None

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class ReturnAuthorization:
    id: ReturnId
    order_id: OrderId
    account_number: AccountNumber
    lines: list[ReturnLine]
    note: str
    requested_by: ActorId
    requested_at: datetime
    status: ReturnStatus = ReturnStatus.PENDING_APPROVAL
    decision_reason: str | None = None
    site: SiteCode | None = None
    received_at: datetime | None = None
    disposed_at: datetime | None = None
    credit_memos: list[str] = field(default_factory=list)
    version: int = 0

    @property
    def value(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))

    def move(self, event: ReturnEvent, reason: str | None = None) -> None:
        self.status = RETURN_LIFECYCLE.target(self.status, event, subject=f"return {self.id}")
        if reason is not None:
            self.decision_reason = reason

    def receive(self, site: SiteCode, units: Mapping[int, int], at: datetime) -> None:
        """Units arrived at `site`: never more than authorized per line."""
        by_line = {ln.line_no: ln for ln in self.lines}
        errors = [FieldError(f"lines[{n}].quantity", ErrorCode.OVER_RETURN,
                             f"receives {q}, but {by_line[n].quantity if n in by_line else 0} "
                             "are authorized")
                  for n, q in sorted(units.items())
                  if n not in by_line or q < 0 or q > by_line[n].quantity]  # fmt: skip
        if errors:
            raise ValidationFailed(errors)
        self.move(ReturnEvent.RECEIVE)
        for n, q in units.items():
            by_line[n].received = q
        self.site, self.received_at = site, at

    def dispose(self, dispositions: Mapping[int, Disposition], at: datetime) -> None:
        """Every received line gets its disposition, all at once (then the return is credited:
        refused unless received)."""
        RETURN_LIFECYCLE.target(self.status, ReturnEvent.CREDIT, subject=f"return {self.id}")
        wanted = {ln.line_no for ln in self.lines if ln.received}
        if set(dispositions) != wanted:
            raise ValidationFailed([FieldError(
                "dispositions", ErrorCode.REQUIRED_FIELD_MISSING,
                f"every received line needs a disposition: lines {sorted(wanted)}",
            )])  # fmt: skip
        for ln in self.lines:
            ln.disposition = dispositions.get(ln.line_no)
        self.disposed_at = at


@dataclass(frozen=True, slots=True)
class ReturnRequestLine:
    line_no: int
    quantity: int
    reason_code: str


def check_returnable(
    lines: Sequence[ReturnRequestLine],
    shipped: Mapping[int, int],
    returned: Mapping[int, int],
) -> None:
    """At least one line, each once, each for units the line shipped and did not yet return."""
    errors: list[FieldError] = []
    if not lines:
        errors.append(FieldError("lines", ErrorCode.EMPTY_ORDER, "a return needs a line"))
    seen: set[int] = set()
    for ln in lines:
        where = f"lines[{ln.line_no}].quantity"
        if ln.line_no in seen:
            errors.append(FieldError(where, ErrorCode.DUPLICATE_LINE, "given twice"))
        seen.add(ln.line_no)
        left = shipped.get(ln.line_no, 0) - returned.get(ln.line_no, 0)
        if ln.quantity <= 0:
            errors.append(FieldError(where, ErrorCode.INVALID_QUANTITY, "must be > 0"))
        elif ln.quantity > left:
            errors.append(FieldError(where, ErrorCode.OVER_RETURN,
                                     f"returns {ln.quantity}, but {left} shipped and are not "
                                     "returned yet"))  # fmt: skip
    if errors:
        raise ValidationFailed(errors)


__all__ = [
    "RETURN_LIFECYCLE",
    "Disposition",
    "ReturnAuthorization",
    "ReturnEvent",
    "ReturnId",
    "ReturnLine",
    "ReturnRequestLine",
    "ReturnStatus",
    "check_returnable",
    "new_return_id",
]
