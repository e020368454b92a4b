"""What arrives when an order is placed: the header and lines as requested, their fingerprint,
the shape rules every order obeys, and new order ids."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.eventlog import canonical_json
from ordoflow.domain.values import (
    AccountNumber,
    Channel,
    CurrencyCode,
    FieldProblem,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
    parse_code,
)


@dataclass(frozen=True, slots=True)
class OrderHeader:
    """What the customer asked for, apart from the lines; with the lines it is the order body
    that makes a resubmission under the same PO a duplicate or a conflict."""

    account_number: AccountNumber
    ship_to: ShipToCode
    channel: Channel
    customer_po: str
    requested_date: date
    site: SiteCode
    currency: CurrencyCode


@dataclass(frozen=True, slots=True)
class LineRequest:
    line_no: int
    sku: Sku
    quantity: int
    unit_price: Decimal
    unit_of_measure: str


def body_hash(header: OrderHeader, lines: Sequence[Sequence[object]]) -> str:
    """Fingerprint of an order body as submitted (lines as tuples of their requested fields);
    equal bodies give equal hashes whatever the number format."""
    body = {
        "header": [
            header.account_number, header.ship_to, header.channel.value, header.customer_po,
            header.requested_date.isoformat(), header.site, header.currency,
        ],
        "lines": sorted((list(ln) for ln in lines), key=canonical_json),
    }  # fmt: skip
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def new_order_id() -> OrderId:
    """64 random bits: the chance of any clash among ten million orders is about one in
    370,000, and the primary key refuses a clash rather than overwriting."""
    return OrderId(f"SO-{secrets.token_hex(8).upper()}")


def check_reason(reason_code: str) -> str:
    """Reason codes are short codes (letters, digits, ._/-), never free text."""
    try:
        return parse_code("reason_code", reason_code)
    except FieldProblem as exc:
        raise ValidationFailed([exc.error]) from None


def check_lines(lines: Sequence[LineRequest]) -> None:
    """Shape rules every order obeys whatever the channel: at least one line, unique line numbers,
    whole positive quantities, non-negative prices."""
    errors: list[FieldError] = []
    if not lines:
        errors.append(
            FieldError("lines", ErrorCode.EMPTY_ORDER, "an order needs at least one line")
        )
    seen: set[int] = set()
    for ln in lines:
        where = f"lines[{ln.line_no}]"
        if ln.line_no in seen:
            errors.append(FieldError(where, ErrorCode.DUPLICATE_LINE, "line number used twice"))
        seen.add(ln.line_no)
        if ln.quantity <= 0:
            errors.append(
                FieldError(f"{where}.quantity", ErrorCode.INVALID_QUANTITY, "must be > 0")
            )
        if ln.unit_price < 0:
            errors.append(
                FieldError(f"{where}.unit_price", ErrorCode.INVALID_PRICE, "must not be negative")
            )
    if errors:
        raise ValidationFailed(errors)


__all__ = [
    "LineRequest",
    "OrderHeader",
    "body_hash",
    "check_lines",
    "check_reason",
    "new_order_id",
]
