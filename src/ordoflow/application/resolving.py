"""The process an order runs, ready to run: resolved for a new order of a site and channel,
or rebuilt from an order's pins; its steps in running order and its tables compiled once.
Resolved processes are kept in the unit of work's memo while no version or activation changes
(and, for a new order, while the time stays within the same effective dates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ordoflow.application.ports import UnitOfWork
from ordoflow.application.process import (
    EffectiveProcess,
    NoProcess,
    effective_process,
    pinned_process,
)
from ordoflow.domain.orders import Order
from ordoflow.governance.tables import CompiledTable, DecisionTable, compile_table
from ordoflow.governance.template import Step, order_steps

#: The template every order runs; sites and channels vary it through approved variants.
STANDARD_TEMPLATE = "order_to_cash"


@dataclass(frozen=True)
class Runnable:
    """An effective process ready to run: its steps in running order and compiled tables."""

    process: EffectiveProcess
    steps: tuple[Step, ...]
    compiled: dict[str, CompiledTable]

    def index(self, step_id: str) -> int:
        return next(n for n, s in enumerate(self.steps) if s.id == step_id)


_COMPILED: dict[str, CompiledTable] = {}
_COMPILED_LIMIT = 1024


def compiled(table: DecisionTable) -> CompiledTable:
    """Compiled once per table content (content-addressed, so shared by every database)."""
    key = table.content_hash
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        found = _COMPILED[key] = compile_table(table)
    return found


def _runnable(process: EffectiveProcess) -> Runnable:
    steps = tuple(order_steps(process.template))
    return Runnable(process, steps, {s.table: compiled(process.tables[s.table]) for s in steps})


def process_for(uow: UnitOfWork, site: str, channel: str, at: datetime) -> Runnable:
    """The process a new order of this site and channel runs at `at`. Resolved once and kept
    while no version or activation changes and `at` stays within the same effective dates."""
    key = ("effective", STANDARD_TEMPLATE, site, channel)
    revision = uow.versions.revision()
    kept = uow.memo.get(key)
    if kept is not None:
        kept_revision, (start, end), found = kept
        if (
            kept_revision == revision
            and (start is None or start <= at)
            and (end is None or at < end)
        ):
            if isinstance(found, NoProcess):
                raise found
            return found  # type: ignore[no-any-return]
    try:
        process = effective_process(uow, STANDARD_TEMPLATE, site, channel, at)
    except NoProcess as exc:
        uow.memo[key] = (revision, exc.window, exc)
        raise
    runnable = _runnable(process)
    uow.memo[key] = (revision, process.window, runnable)
    return runnable


def pinned_for(uow: UnitOfWork, pins: Mapping[str, str]) -> Runnable:
    """The process an order is pinned to (published versions never change, so kept)."""
    key = ("pinned", tuple(sorted(pins.items())))
    kept = uow.memo.get(key)
    if kept is None:
        kept = uow.memo[key] = _runnable(pinned_process(uow, STANDARD_TEMPLATE, dict(pins)))
    return kept


#: The parameter that names the carrier a warehouse ships an order with.
CARRIER = "carrier"


def carrier_of(uow: UnitOfWork, order: Order) -> str:
    """The carrier the order's process names (its shipping step's `carrier`), else none."""
    if order.pins is None:
        return ""
    steps = pinned_for(uow, order.pins).steps
    return str(next((s.parameters[CARRIER] for s in steps if CARRIER in s.parameters), ""))


__all__ = [
    "CARRIER",
    "STANDARD_TEMPLATE",
    "Runnable",
    "carrier_of",
    "compiled",
    "pinned_for",
    "process_for",
]
