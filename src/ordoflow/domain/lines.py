"""Order lines: one item on an order, with what is allocated and shipped of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ordoflow.domain.lifecycle import LINE_LIFECYCLE, LineEvent, LineStatus
from ordoflow.domain.values import SiteCode, Sku


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
    #: Units allocated per warehouse (they add up to `allocated_qty`), and shipped from each.
    sources: dict[SiteCode, int] = field(default_factory=dict)
    shipped_from: dict[SiteCode, int] = field(default_factory=dict)

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def is_live(self) -> bool:
        return self.status not in LINE_LIFECYCLE.terminal

    def take(self, site: SiteCode, quantity: int) -> None:
        self.sources[site] = self.sources.get(site, 0) + quantity
        self.allocated_qty += quantity

    def unshipped(self) -> dict[SiteCode, int]:
        """Allocated units per warehouse that have not shipped."""
        left = {s: q - self.shipped_from.get(s, 0) for s, q in self.sources.items()}
        return {s: q for s, q in sorted(left.items()) if q > 0}

    def give_up(self, site: SiteCode) -> dict[SiteCode, int]:
        """Give up what `site` holds unshipped; returns it."""
        left = self.unshipped().get(site, 0)
        if not left:
            return {}
        self.sources[site] -= left
        self.allocated_qty -= left
        return {site: left}

    def free_unshipped(self) -> dict[SiteCode, int]:
        """Give up every allocated unit that has not shipped; returns them per warehouse."""
        freed = self.unshipped()
        self.sources = {s: q for s, q in self.shipped_from.items() if q > 0}
        self.allocated_qty = self.shipped_qty
        return freed


#: Units per item and warehouse (allocations given back, units shipped).
StockMoves = dict[tuple[Sku, SiteCode], int]


def add_moves(moves: StockMoves, sku: Sku, per_site: dict[SiteCode, int]) -> None:
    for site, q in per_site.items():
        moves[(sku, site)] = moves.get((sku, site), 0) + q


#: Line states whose value an order no longer asks for.
WITHDRAWN = frozenset({LineStatus.CANCELLED, LineStatus.REJECTED})


def allocation_event(covered: int, needed: int) -> LineEvent:
    if covered >= needed:
        return LineEvent.ALLOCATE
    return LineEvent.ALLOCATE_PARTIALLY if covered > 0 else LineEvent.BACKORDER


__all__ = ["WITHDRAWN", "OrderLine", "StockMoves", "add_moves", "allocation_event"]
