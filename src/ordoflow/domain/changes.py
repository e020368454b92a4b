"""What an edit of an order changes: its customer, its ship-to, its lines (an edit changes
nothing else)."""

from __future__ import annotations

from collections.abc import Sequence

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.intake import LineRequest, OrderHeader
from ordoflow.domain.lines import OrderLine


def changed_parts(
    before: OrderHeader,
    lines_before: Sequence[OrderLine],
    header: OrderHeader,
    lines: Sequence[LineRequest],
) -> frozenset[str]:
    """The parts (`customer`, `ship_to`, `lines`) the edit to `header` and `lines` changes;
    empty when none. Refuses another channel, PO, date, site or currency, and the number of a
    line that has ended."""
    kept = (before.channel, before.customer_po, before.requested_date, before.site,
            before.currency)  # fmt: skip
    if kept != (header.channel, header.customer_po, header.requested_date, header.site,
                header.currency):  # fmt: skip
        raise ValidationFailed([FieldError(
            "header", ErrorCode.MALFORMED_REQUEST,
            "an edit changes lines, prices, ship-to or customer only",
        )])  # fmt: skip
    ended = {ln.line_no for ln in lines_before if not ln.is_live}
    reused = sorted(ended & {ln.line_no for ln in lines})
    if reused:
        raise ValidationFailed([FieldError(
            f"lines[{reused[0]}]", ErrorCode.DUPLICATE_LINE,
            f"line {reused[0]} has ended; a new line needs a new number",
        )])  # fmt: skip
    parts = set()
    if header.account_number != before.account_number:
        parts.add("customer")
    if header.ship_to != before.ship_to:
        parts.add("ship_to")
    now = {(ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.unit_of_measure)
           for ln in lines_before if ln.is_live}  # fmt: skip
    asked = {(ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.unit_of_measure)
             for ln in lines}  # fmt: skip
    if now != asked:
        parts.add("lines")
    return frozenset(parts)


__all__ = ["changed_parts"]
