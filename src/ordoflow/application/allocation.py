"""Taking stock for an order and giving it back: guarded updates in a deterministic lock order
(SKU, then line), never a read followed by a write."""

from __future__ import annotations

from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.orders import Order
from ordoflow.domain.values import Sku


def take_stock(uow: UnitOfWork, order: Order) -> dict[int, int]:
    """Take what is available at the order's site, line by line in SKU order (a deterministic
    lock order). Each take is a guarded update: the whole remainder first, which is the common
    case and one statement; otherwise what is available, retried if another order got there
    first."""
    taken: dict[int, int] = {}
    site = order.header.site
    for ln in sorted(order.lines, key=lambda ln: (ln.sku, ln.line_no)):
        want = ln.quantity - ln.allocated_qty
        if not ln.is_live or want <= 0:
            continue
        if uow.stock.reserve(ln.sku, site, want):
            taken[ln.line_no] = want
            continue
        while (take := min(want, uow.stock.available(ln.sku, site))) > 0:
            if uow.stock.reserve(ln.sku, site, take):
                taken[ln.line_no] = take
                break
    return taken


def give_back(uow: UnitOfWork, order: Order, freed: dict[Sku, int]) -> None:
    """Return units an ended order held, in SKU order (the same lock order as taking)."""
    for sku in sorted(freed):
        uow.stock.unreserve(sku, order.header.site, freed[sku])


__all__ = ["give_back", "take_stock"]
