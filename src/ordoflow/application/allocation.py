"""Taking stock for an order across warehouses, and giving it back.

The order's sourcing plan and one read of the stock levels choose the units per line and
warehouse (`domain.sourcing.choose_sources`); the units are then taken by guarded updates in a
deterministic lock order, item then warehouse, never by writing what a read said. A guarded
take that finds fewer units than the read (another order got there first) takes what is there;
what is still missing is sought at the plan's other warehouses that come later in the lock
order, within the split limit, and otherwise stays backordered.
"""

from __future__ import annotations

from collections.abc import Iterable

from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.lines import StockMoves
from ordoflow.domain.orders import Order
from ordoflow.domain.sourcing import (
    FIRST_CHOICE,
    NOTHING_AVAILABLE,
    SHORT,
    Need,
    Sourcing,
    SourcingPlan,
    choose_sources,
)
from ordoflow.domain.values import SiteCode, Sku


def plan_of(order: Order) -> SourcingPlan:
    return order.sourcing or SourcingPlan.home(order.header.site)


def take_stock(uow: UnitOfWork, order: Order) -> Sourcing:
    """Choose and take what the order's live lines still need; returns the units taken per
    line and warehouse, and why those warehouses."""
    plan = plan_of(order)
    needs = [Need(ln.line_no, ln.sku, ln.quantity - ln.allocated_qty, dict(ln.sources))
             for ln in sorted(order.lines, key=lambda ln: (ln.sku, ln.line_no))
             if ln.is_live and ln.quantity > ln.allocated_qty]  # fmt: skip
    if not needs:
        return Sourcing({}, plan.reason)
    sites = sorted({*plan.sites, *(s for n in needs for s in n.sources)})
    if len(sites) == 1:  # one warehouse: no read, the guarded takes say what is there
        chosen = Sourcing({n.line_no: {sites[0]: n.quantity} for n in needs}, FIRST_CHOICE)
    else:
        chosen = choose_sources(needs, plan, uow.stock.levels({n.sku for n in needs}, sites))
    taken: dict[int, dict[SiteCode, int]] = {}
    used = {s for n in needs for s in n.sources} | {s for t in chosen.take.values() for s in t}
    for sku in sorted({n.sku for n in needs}):
        lines = [n for n in needs if n.sku == sku]
        locked = _take_planned(uow, sku, lines, chosen, taken)
        short = {n.line_no: n.quantity - sum(taken.get(n.line_no, {}).values()) for n in lines}
        if any(short.values()):
            later = [s for s in plan.sites if not locked or s in locked or s > max(locked)]
            _take_short(uow, sku, lines, short, sorted(later), used, plan, taken)
    got = sum(q for t in taken.values() for q in t.values())
    if got == 0:
        return Sourcing({}, NOTHING_AVAILABLE)
    return Sourcing(taken, chosen.reason if got == chosen.units() else SHORT)


def _take_planned(
    uow: UnitOfWork,
    sku: Sku,
    lines: Iterable[Need],
    chosen: Sourcing,
    taken: dict[int, dict[SiteCode, int]],
) -> set[SiteCode]:
    """Take the plan's units of one item, warehouse by warehouse in lock order; returns the
    warehouses where units were taken."""
    locked: set[SiteCode] = set()
    planned = sorted({s for n in lines for s in chosen.take.get(n.line_no, {})})
    for site in planned:
        for n in lines:
            want = chosen.take.get(n.line_no, {}).get(site, 0)
            if want and (got := _take(uow, sku, site, want)):
                taken.setdefault(n.line_no, {})[site] = got
                locked.add(site)
    return locked


def _take_short(  # noqa: PLR0917 - one pass over the shortfall of one item
    uow: UnitOfWork,
    sku: Sku,
    lines: Iterable[Need],
    short: dict[int, int],
    sites: Iterable[SiteCode],
    used: set[SiteCode],
    plan: SourcingPlan,
    taken: dict[int, dict[SiteCode, int]],
) -> None:
    for site in sites:
        if site not in used and len(used) > plan.max_splits:
            continue
        for n in lines:
            if short[n.line_no] and (got := _take(uow, sku, site, short[n.line_no])):
                per_site = taken.setdefault(n.line_no, {})
                per_site[site] = per_site.get(site, 0) + got
                short[n.line_no] -= got
                used.add(site)


def _take(uow: UnitOfWork, sku: Sku, site: SiteCode, want: int) -> int:
    """Take up to `want` units: all of them in one guarded statement (the common case), else
    what is available, retried while another order takes the same units first."""
    if uow.stock.reserve(sku, site, want):
        return want
    while (take := min(want, uow.stock.available(sku, site))) > 0:
        if uow.stock.reserve(sku, site, take):
            return take
    return 0


def give_back(uow: UnitOfWork, freed: StockMoves) -> None:
    """Return units an order no longer holds, in lock order."""
    for sku, site in sorted(freed):
        uow.stock.unreserve(sku, site, freed[(sku, site)])


def issue(uow: UnitOfWork, shipped: StockMoves) -> None:
    """Take shipped units out of on hand, in lock order."""
    for sku, site in sorted(shipped):
        uow.stock.issue(sku, site, shipped[(sku, site)])


__all__ = ["give_back", "issue", "plan_of", "take_stock"]
