"""Finding rows of a UNIQUE table that can match the same input, before the table is published.

Each input cell is read into the set of values it matches: everything (`-`), listed values,
ranges (comparisons and intervals), or everything but listed values. Two rows overlap when, on
every input, their sets share a value. A cell this analysis cannot read exactly (one that
compares with another input, say) proves nothing, so such a pair is left to the check made at
evaluation, which refuses the table the first time both rows match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lark import Token

from ordoflow.governance.feel import compile_tree, parse_cell_tree


@dataclass(frozen=True, slots=True)
class ValueRange:
    low: Any = None  # None: unbounded
    low_in: bool = True
    high: Any = None
    high_in: bool = True

    def holds(self, value: Any) -> bool:
        try:
            above = self.low is None or (value >= self.low if self.low_in else value > self.low)
            below = self.high is None or (value <= self.high if self.high_in else value < self.high)
        except TypeError:
            return False
        return bool(above and below)

    def meets(self, other: ValueRange) -> bool:
        try:
            return _before(self.low, self.low_in, other.high, other.high_in) and _before(
                other.low, other.low_in, self.high, self.high_in
            )
        except TypeError:  # bounds of different types never meet
            return False


def _before(low: Any, low_in: bool, high: Any, high_in: bool) -> bool:
    if low is None or high is None:
        return True
    return bool(low < high or (low == high and low_in and high_in))


@dataclass(frozen=True, slots=True)
class CellSet:
    """What a cell matches: everything, values, ranges, or everything but `excluded`.
    `exact` is False where the analysis could not read the cell."""

    everything: bool = False
    values: frozenset[Any] = frozenset()
    ranges: tuple[ValueRange, ...] = ()
    excluded: frozenset[Any] | None = None
    exact: bool = True


_UNKNOWN = CellSet(exact=False)


def _value(tree: Any) -> CellSet:
    """An expression as a cell: the one value it folds to, or unknown."""
    if isinstance(tree, Token):
        return _UNKNOWN
    expr = compile_tree(tree)
    if not hasattr(expr, "constant"):
        return _UNKNOWN
    return CellSet(values=frozenset([expr.constant]))


def _single(cell: CellSet) -> Any:
    if cell.exact and len(cell.values) == 1 and not cell.ranges and cell.excluded is None:
        return next(iter(cell.values))
    return _NONE


_NONE = object()
_INTERVALS = {"interval_cc": (True, True), "interval_co": (True, False),
              "interval_oc": (False, True), "interval_oo": (False, False)}  # fmt: skip


def _tests(tree: Any) -> CellSet:  # noqa: PLR0911 - one return per kind of test
    kind = tree.data
    if kind == "any_value":
        return CellSet(everything=True)
    if kind in ("unary_tests", "positive_tests"):
        return _union([_tests(child) for child in tree.children])
    if kind == "negated":
        return _excluding(_tests(tree.children[0]))
    if kind == "compare_input":
        op, bound = tree.children
        value = _single(_value(bound))
        if value is _NONE:
            return _UNKNOWN
        if str(op) in ("<", "<="):
            return CellSet(ranges=(ValueRange(high=value, high_in=str(op) == "<="),))
        return CellSet(ranges=(ValueRange(low=value, low_in=str(op) == ">="),))
    if kind in _INTERVALS:
        low, high = (_single(_value(child)) for child in tree.children)
        if low is _NONE or high is _NONE:
            return _UNKNOWN
        low_in, high_in = _INTERVALS[kind]
        return CellSet(ranges=(ValueRange(low, low_in, high, high_in),))
    if kind == "equals":
        child = _unwrapped(tree.children[0])
        if getattr(child, "data", None) == "not_":  # `not(x)` read as an expression: a negation
            return _excluding(_value(child.children[0]))
        return _value(child)
    return _UNKNOWN


def _unwrapped(tree: Any) -> Any:
    """The expression under `or`/`and` nodes of one operand (the grammar keeps them)."""
    while getattr(tree, "data", None) in ("or_all", "and_all") and len(tree.children) == 1:
        tree = tree.children[0]
    return tree


def _excluding(inner: CellSet) -> CellSet:
    if inner.exact and not (inner.ranges or inner.everything) and inner.excluded is None:
        return CellSet(excluded=inner.values)
    return _UNKNOWN


def _union(cells: list[CellSet]) -> CellSet:
    if len(cells) == 1:
        return cells[0]
    if any(c.everything for c in cells):
        return CellSet(everything=True)
    if not all(c.exact and c.excluded is None for c in cells):
        return _UNKNOWN
    values = frozenset().union(*(c.values for c in cells))
    return CellSet(values=values, ranges=tuple(r for c in cells for r in c.ranges))


def read_cell(cell: str) -> CellSet:
    tree = parse_cell_tree(cell)  # a cell that does not parse is reported by compile_table
    return _UNKNOWN if tree is None else _tests(tree)


def _share(a: CellSet, b: CellSet) -> bool | None:
    """True if some value matches both, False if none can, None if not provable."""
    if not (a.exact and b.exact):
        return None
    if a.everything or b.everything:
        return True
    if a.excluded is not None or b.excluded is not None:
        return _share_excluded(a, b)
    if a.values & b.values:
        return True
    if any(r.holds(v) for r in a.ranges for v in b.values) or any(
        r.holds(v) for r in b.ranges for v in a.values
    ):
        return True
    return any(x.meets(y) for x in a.ranges for y in b.ranges)


def _share_excluded(a: CellSet, b: CellSet) -> bool | None:
    if a.excluded is not None and b.excluded is not None:
        return True
    negative, other = (a, b) if a.excluded is not None else (b, a)
    assert negative.excluded is not None
    if other.ranges:
        return True  # a range holds values beyond any finite list
    return bool(other.values - negative.excluded)


def overlapping_rules(rows: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Pairs of row numbers (1-based) whose input cells provably match a common input."""
    cells = [[read_cell(cell) for cell in row] for row in rows]
    pairs = []
    for i in range(len(cells)):
        for j in range(i + 1, len(cells)):
            if all(_share(a, b) is True for a, b in zip(cells[i], cells[j], strict=True)):
                pairs.append((i + 1, j + 1))
    return pairs


__all__ = ["CellSet", "ValueRange", "overlapping_rules", "read_cell"]
