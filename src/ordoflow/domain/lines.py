"""Order lines: one item on an order, with what is allocated and shipped of it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ordoflow.domain.lifecycle import LINE_LIFECYCLE, LineEvent, LineStatus
from ordoflow.domain.values import Sku


@dataclass(slots=True)
class OrderLine:
    line_no: int
    sku: Sku
    quantity: int
    unit_price: Decimal
    unit_of_measure: str
    status: LineStatus = LineStatus.OPEN
    allocated_qty: int = 0
    shipped_qty: int = 0

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def is_live(self) -> bool:
        return self.status not in LINE_LIFECYCLE.terminal


#: Line states whose value an order no longer asks for.
WITHDRAWN = frozenset({LineStatus.CANCELLED, LineStatus.REJECTED})


def allocation_event(covered: int, needed: int) -> LineEvent:
    if covered >= needed:
        return LineEvent.ALLOCATE
    return LineEvent.ALLOCATE_PARTIALLY if covered > 0 else LineEvent.BACKORDER


__all__ = ["WITHDRAWN", "OrderLine", "allocation_event"]
