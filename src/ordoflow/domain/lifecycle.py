"""The standard order and line lifecycles, each declared once as a typed transition table.

Every state change of an order or a line goes through `TransitionTable.target`, so a guard lives in
exactly one place and an illegal move always raises `IllegalTransition` naming event and state.
The Mermaid diagrams in docs/ are generated from these tables (`render_mermaid`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from ordoflow.domain.errors import IllegalTransition

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class OrderStatus(StrEnum):
    RECEIVED = "received"
    VALIDATED = "validated"
    ON_HOLD = "on_hold"
    PARTIALLY_ALLOCATED = "partially_allocated"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    RELEASED = "released"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class OrderEvent(StrEnum):
    VALIDATE = "validate"
    HOLD = "hold"
    RESUME = "resume"
    ALLOCATE = "allocate"
    ALLOCATE_PARTIALLY = "allocate_partially"
    BACKORDER = "backorder"
    RELEASE = "release"
    SHIP_PARTIALLY = "ship_partially"
    SHIP = "ship"
    INVOICE = "invoice"
    CLOSE = "close"
    REJECT = "reject"
    CANCEL = "cancel"
    CHANGE = "change"


class LineStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_ALLOCATED = "partially_allocated"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    RELEASED = "released"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class LineEvent(StrEnum):
    ALLOCATE = "allocate"
    ALLOCATE_PARTIALLY = "allocate_partially"
    BACKORDER = "backorder"
    RELEASE = "release"
    SHIP_PARTIALLY = "ship_partially"
    SHIP = "ship"
    INVOICE = "invoice"
    CLOSE = "close"
    REJECT = "reject"
    CANCEL = "cancel"
    CHANGE = "change"


@dataclass(frozen=True, slots=True)
class Transition(Generic[S, E]):
    """`target` None means "back to the state the subject was held from" (resume after a hold)."""

    source: S
    event: E
    target: S | None


class TransitionTable(Generic[S, E]):
    """A finite lifecycle: the only place that knows which event may move which state where."""

    def __init__(
        self, name: str, initial: S, transitions: Iterable[Transition[S, E]], terminal: Iterable[S]
    ) -> None:
        self.name = name
        self.initial = initial
        self.transitions = tuple(transitions)
        self.terminal = frozenset(terminal)
        self._moves: dict[tuple[S, E], S | None] = {}
        for t in self.transitions:
            if (t.source, t.event) in self._moves:
                raise ValueError(f"{name}: duplicate transition {t.source} --{t.event}-->")
            if t.source in self.terminal:
                raise ValueError(f"{name}: terminal state {t.source} has an outgoing transition")
            self._moves[(t.source, t.event)] = t.target

    def target(self, state: S, event: E, *, held_from: S | None = None, subject: str = "") -> S:
        """The state `event` moves `state` to, or `IllegalTransition`."""
        if (state, event) not in self._moves:
            raise IllegalTransition(self.name, event.value, state.value, subject)
        target = self._moves[(state, event)]
        if target is None:
            if held_from is None:
                raise IllegalTransition(self.name, event.value, state.value, subject)
            return held_from
        return target

    def allows(self, state: S, event: E) -> bool:
        return (state, event) in self._moves

    def events_from(self, state: S) -> list[E]:
        return [t.event for t in self.transitions if t.source == state]

    def states(self) -> list[S]:
        seen: dict[S, None] = {self.initial: None}
        for t in self.transitions:
            seen.setdefault(t.source, None)
            if t.target is not None:
                seen.setdefault(t.target, None)
        return list(seen)


def _fan(sources: Iterable[S], event: E, target: S | None) -> list[Transition[S, E]]:
    return [Transition(s, event, target) for s in sources]


_OS, _OE = OrderStatus, OrderEvent
#: Where an order may be stopped by a hold: before it is released to the warehouse.
HOLDABLE = (_OS.RECEIVED, _OS.VALIDATED, _OS.PARTIALLY_ALLOCATED, _OS.ALLOCATED, _OS.BACKORDERED)
#: Cancel is allowed until the warehouse has shipped anything.
CANCELLABLE = (*HOLDABLE, _OS.ON_HOLD, _OS.RELEASED)
#: An order may be changed (lines, prices, ship-to, customer) until it is released; a change
#: sends it back to received, and the process runs again from the first step it affects.
CHANGEABLE = (*HOLDABLE, _OS.ON_HOLD)

ORDER_LIFECYCLE: TransitionTable[OrderStatus, OrderEvent] = TransitionTable(
    "order",
    _OS.RECEIVED,
    [
        Transition(_OS.RECEIVED, _OE.VALIDATE, _OS.VALIDATED),
        Transition(_OS.RECEIVED, _OE.REJECT, _OS.REJECTED),
        Transition(_OS.VALIDATED, _OE.REJECT, _OS.REJECTED),
        Transition(_OS.ON_HOLD, _OE.REJECT, _OS.REJECTED),
        *_fan(HOLDABLE, _OE.HOLD, _OS.ON_HOLD),
        Transition(_OS.ON_HOLD, _OE.RESUME, None),
        *_fan(
            (_OS.VALIDATED, _OS.BACKORDERED, _OS.PARTIALLY_ALLOCATED), _OE.ALLOCATE, _OS.ALLOCATED
        ),
        *_fan((_OS.VALIDATED, _OS.BACKORDERED), _OE.ALLOCATE_PARTIALLY, _OS.PARTIALLY_ALLOCATED),
        Transition(_OS.VALIDATED, _OE.BACKORDER, _OS.BACKORDERED),
        *_fan((_OS.ALLOCATED, _OS.PARTIALLY_ALLOCATED), _OE.RELEASE, _OS.RELEASED),
        *_fan((_OS.RELEASED, _OS.PARTIALLY_SHIPPED), _OE.SHIP_PARTIALLY, _OS.PARTIALLY_SHIPPED),
        *_fan((_OS.RELEASED, _OS.PARTIALLY_SHIPPED), _OE.SHIP, _OS.SHIPPED),
        Transition(_OS.SHIPPED, _OE.INVOICE, _OS.INVOICED),
        Transition(_OS.INVOICED, _OE.CLOSE, _OS.CLOSED),
        *_fan(CANCELLABLE, _OE.CANCEL, _OS.CANCELLED),
        *_fan(CHANGEABLE, _OE.CHANGE, _OS.RECEIVED),
    ],
    terminal=(_OS.CLOSED, _OS.REJECTED, _OS.CANCELLED),
)

_LS, _LE = LineStatus, LineEvent
_LINE_UNRELEASED = (_LS.OPEN, _LS.BACKORDERED, _LS.PARTIALLY_ALLOCATED, _LS.ALLOCATED)
LINE_LIFECYCLE: TransitionTable[LineStatus, LineEvent] = TransitionTable(
    "order line",
    _LS.OPEN,
    [
        *_fan((_LS.OPEN, _LS.BACKORDERED, _LS.PARTIALLY_ALLOCATED), _LE.ALLOCATE, _LS.ALLOCATED),
        *_fan((_LS.OPEN, _LS.BACKORDERED), _LE.ALLOCATE_PARTIALLY, _LS.PARTIALLY_ALLOCATED),
        Transition(_LS.OPEN, _LE.BACKORDER, _LS.BACKORDERED),
        *_fan((_LS.ALLOCATED, _LS.PARTIALLY_ALLOCATED), _LE.RELEASE, _LS.RELEASED),
        *_fan((_LS.RELEASED, _LS.PARTIALLY_SHIPPED), _LE.SHIP_PARTIALLY, _LS.PARTIALLY_SHIPPED),
        *_fan((_LS.RELEASED, _LS.PARTIALLY_SHIPPED), _LE.SHIP, _LS.SHIPPED),
        Transition(_LS.SHIPPED, _LE.INVOICE, _LS.INVOICED),
        Transition(_LS.INVOICED, _LE.CLOSE, _LS.CLOSED),
        *_fan(_LINE_UNRELEASED, _LE.REJECT, _LS.REJECTED),
        *_fan((*_LINE_UNRELEASED, _LS.RELEASED), _LE.CANCEL, _LS.CANCELLED),
        *_fan(_LINE_UNRELEASED, _LE.CHANGE, _LS.OPEN),
    ],
    terminal=(_LS.CLOSED, _LS.REJECTED, _LS.CANCELLED),
)


def render_mermaid(table: TransitionTable[S, E]) -> str:
    """A Mermaid state diagram of `table`; a resume edge is drawn back to every holdable state."""
    lines = ["stateDiagram-v2", f"    [*] --> {table.initial.value}"]
    hold_sources = {
        t.source for t in table.transitions if t.target is not None and _leads_to_resume(table, t)
    }
    for t in table.transitions:
        if t.target is None:
            for back in sorted(hold_sources, key=table.states().index):
                lines.append(f"    {t.source.value} --> {back.value}: {t.event.value}")
        else:
            lines.append(f"    {t.source.value} --> {t.target.value}: {t.event.value}")
    lines.extend(f"    {s.value} --> [*]" for s in table.states() if s in table.terminal)
    return "\n".join(lines) + "\n"


def lifecycle_markdown() -> str:
    """The text of docs/lifecycle.md: both diagrams and the table of moves, from the tables."""
    parts = [
        "# Order and line lifecycles",
        "",
        "Generated from `ordoflow.domain.lifecycle` by `make docs`; a test fails when this file",
        "is stale. Every state change of an order or a line goes through these tables; any other",
        "move is refused with `illegal_transition`, naming the event and the state.",
        "",
    ]
    parts += _table_section(ORDER_LIFECYCLE) + _table_section(LINE_LIFECYCLE)
    parts += [
        "`resume` returns an order to the state it was held from. Cancel is allowed until",
        "anything has shipped; reject and cancel give back every allocated unit. `change`",
        "(lines, prices, ship-to or customer edited before release) gives back every",
        "allocated unit and sends the order and its lines back to the start.",
        "",
    ]
    return "\n".join(parts)


def _table_section(table: TransitionTable[S, E]) -> list[str]:
    parts = [f"## The {table.name}", "", "```mermaid", render_mermaid(table).rstrip(), "```", ""]
    parts += ["| state | allowed events |", "|---|---|"]
    for state in table.states():
        events = ", ".join(f"`{e.value}`" for e in table.events_from(state)) or "(final)"
        parts.append(f"| `{state.value}` | {events} |")
    return [*parts, ""]


def _leads_to_resume(table: TransitionTable[S, E], t: Transition[S, E]) -> bool:
    return any(r.target is None and r.source == t.target for r in table.transitions)


__all__ = [
    "CANCELLABLE",
    "CHANGEABLE",
    "HOLDABLE",
    "LINE_LIFECYCLE",
    "ORDER_LIFECYCLE",
    "LineEvent",
    "LineStatus",
    "OrderEvent",
    "OrderStatus",
    "Transition",
    "TransitionTable",
    "lifecycle_markdown",
    "render_mermaid",
]
