"""Sourcing: which warehouses fill an order's lines, and how much each.

The governed process answers with a plan (`SourcingPlan`): the warehouses that may ship the
order in order of preference, and how many splits (warehouses beyond the first) the order may
ship from. `choose_sources` turns the plan and what is available into quantities per line and
warehouse:

1. one warehouse that can fill every line: the first such in order of preference (a warehouse
   the order already takes stock from comes first), so the order ships in one piece;
2. otherwise warehouses are added one at a time, each time the one that fills the most of what
   is still missing (the preferred one on a tie), up to the split limit; what none of them can
   fill is backordered.

Pure: `available` is what the stock read said; taking the units is the caller's, by guarded
updates that may still find fewer (see `application.allocation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordoflow.domain.values import SiteCode, Sku

#: Why the chosen warehouses were chosen (the reason the allocation decision stores).
FIRST_CHOICE = "first_choice"
SINGLE_SITE = "single_site"
SPLIT = "split"
SHORT = "short"
NOTHING_AVAILABLE = "nothing_available"


@dataclass(frozen=True, slots=True)
class SourcingPlan:
    """The warehouses an order may ship from, most preferred first, and how many more than
    one it may ship from; `reason` says why (the sourcing table's reason)."""

    sites: tuple[SiteCode, ...]
    max_splits: int
    reason: str

    def __post_init__(self) -> None:
        if not self.sites:
            raise ValueError("a sourcing plan names at least one warehouse")
        if self.max_splits < 0:
            raise ValueError(f"max splits cannot be negative, got {self.max_splits}")

    @classmethod
    def home(cls, site: SiteCode) -> SourcingPlan:
        """The plan of an order that never ran a sourcing step: its own site only."""
        return cls((site,), 0, "home_site")

    def as_json(self) -> dict[str, Any]:
        return {"sites": list(self.sites), "max_splits": self.max_splits, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourcingPlan:
        return cls(tuple(SiteCode(s) for s in data["sites"]), int(data["max_splits"]),
                   str(data["reason"]))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Need:
    """What a line still needs, and the warehouses it already takes stock from."""

    line_no: int
    sku: Sku
    quantity: int
    sources: Mapping[SiteCode, int]


@dataclass(frozen=True, slots=True)
class Sourcing:
    """Units per line and warehouse, and why."""

    take: dict[int, dict[SiteCode, int]]
    reason: str

    def units(self) -> int:
        return sum(q for per_site in self.take.values() for q in per_site.values())


def choose_sources(
    needs: Sequence[Need],
    plan: SourcingPlan,
    available: Mapping[tuple[Sku, SiteCode], int],
) -> Sourcing:
    """The units each line takes at each warehouse (see the module's docstring)."""
    wanted = [n for n in needs if n.quantity > 0]
    used = list(dict.fromkeys(s for n in needs for s, q in n.sources.items() if q > 0))
    candidates = [*used, *(s for s in plan.sites if s not in used)]
    if not wanted:
        return Sourcing({}, FIRST_CHOICE)
    for site in candidates:
        if site not in used and len(used) > plan.max_splits:
            continue
        if _covers(wanted, site, available):
            take = {n.line_no: {site: n.quantity} for n in wanted}
            first = site == candidates[0]
            return Sourcing(take, FIRST_CHOICE if first else SINGLE_SITE)
    return _greedy(wanted, candidates, used, plan.max_splits + 1, available)


def _covers(
    wanted: Sequence[Need], site: SiteCode, available: Mapping[tuple[Sku, SiteCode], int]
) -> bool:
    per_sku: dict[Sku, int] = {}
    for n in wanted:
        per_sku[n.sku] = per_sku.get(n.sku, 0) + n.quantity
    return all(available.get((sku, site), 0) >= q for sku, q in per_sku.items())


def _greedy(
    wanted: Sequence[Need],
    candidates: Sequence[SiteCode],
    used: Sequence[SiteCode],
    max_sites: int,
    available: Mapping[tuple[Sku, SiteCode], int],
) -> Sourcing:
    left = {n.line_no: n.quantity for n in wanted}
    stock = dict(available)
    take: dict[int, dict[SiteCode, int]] = {}
    chosen: list[SiteCode] = []

    def fill(site: SiteCode, commit: bool) -> int:
        got, spare = 0, dict(stock)
        for n in wanted:
            q = min(left[n.line_no], spare.get((n.sku, site), 0))
            if q <= 0:
                continue
            got += q
            spare[(n.sku, site)] -= q
            if commit:
                left[n.line_no] -= q
                take.setdefault(n.line_no, {})[site] = q
        if commit:
            stock.update(spare)
        return got

    for site in used:  # warehouses the order already ships from cost no split
        if fill(site, commit=True):
            chosen.append(site)
    while sum(left.values()) > 0 and len({*used, *chosen}) < max_sites:
        rest = [s for s in candidates if s not in chosen and s not in used]
        best = max(rest, key=lambda s: fill(s, commit=False), default=None)
        if best is None or fill(best, commit=False) == 0:
            break
        fill(best, commit=True)
        chosen.append(best)
    if not take:
        return Sourcing({}, NOTHING_AVAILABLE)
    if sum(left.values()) > 0:
        return Sourcing(take, SHORT)
    return Sourcing(take, SPLIT)


__all__ = [
    "FIRST_CHOICE",
    "NOTHING_AVAILABLE",
    "SHORT",
    "SINGLE_SITE",
    "SPLIT",
    "Need",
    "Sourcing",
    "SourcingPlan",
    "choose_sources",
]
