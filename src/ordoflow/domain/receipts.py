"""Stock receipts: units arriving at a site (a purchase receipt, a transfer in) or counted in or
out (an adjustment), each under a reference unique per site, so a receipt sent twice is taken
once."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.eventlog import canonical_json
from ordoflow.domain.values import ActorId, SiteCode, Sku


class ReceiptKind(StrEnum):
    PURCHASE_RECEIPT = "purchase_receipt"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """Units of one item; an adjustment may count units out (a negative quantity)."""

    sku: Sku
    quantity: int


@dataclass(frozen=True, slots=True)
class Receipt:
    site: SiteCode
    reference: str
    kind: ReceiptKind
    lines: tuple[ReceiptLine, ...]
    received_at: datetime
    actor: ActorId

    @property
    def fingerprint(self) -> str:
        """What was received, whoever sent it and when: equal for a receipt sent again."""
        body = [self.site, self.reference, self.kind.value,
                sorted([ln.sku, ln.quantity] for ln in self.lines)]  # fmt: skip
        return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def check_receipt_lines(kind: ReceiptKind, lines: Sequence[ReceiptLine]) -> None:
    """At least one line, each item once, whole quantities: positive for a receipt or a
    transfer in, not zero for an adjustment."""
    errors: list[FieldError] = []
    if not lines:
        errors.append(FieldError("lines", ErrorCode.EMPTY_ORDER, "a receipt needs a line"))
    seen: set[str] = set()
    for n, ln in enumerate(lines, start=1):
        if ln.sku in seen:
            errors.append(FieldError(f"lines[{n}].sku", ErrorCode.DUPLICATE_LINE,
                                     f"{ln.sku} is on the receipt twice"))  # fmt: skip
        seen.add(ln.sku)
        wrong = ln.quantity == 0 or (kind is not ReceiptKind.ADJUSTMENT and ln.quantity < 0)
        if wrong:
            errors.append(FieldError(
                f"lines[{n}].quantity", ErrorCode.INVALID_QUANTITY,
                "must not be 0" if kind is ReceiptKind.ADJUSTMENT else "must be > 0",
            ))  # fmt: skip
    if errors:
        raise ValidationFailed(errors)


__all__ = ["Receipt", "ReceiptKind", "ReceiptLine", "check_receipt_lines"]
