"""A decision table's rows as one generated Python function.

Cells that `read_cell` reads exactly (everything, listed values, ranges, everything but listed
values) become inline comparisons; any other cell calls its compiled FEEL closure. The generated
source holds only positional names (`v0`, `K3`, `T5`): every constant and closure is passed in,
never written into the text, so nothing from a table is ever executed as code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ordoflow.governance.feel import Test
from ordoflow.governance.overlap import CellSet, ValueRange, read_cell

Matcher = Callable[..., Any]


class _Source:
    def __init__(self) -> None:
        self.constants: list[Any] = []
        self.tests: list[Test] = []

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"K{len(self.constants) - 1}"

    def test(self, test: Test) -> str:
        self.tests.append(test)
        return f"T{len(self.tests) - 1}"


def _kind(values: Sequence[Any]) -> str | None:
    """The one Python class of `values` the generated check may insist on, if they share one."""
    classes = {type(v) for v in values}
    if classes == {Decimal}:
        return "D"
    if classes == {str}:
        return "str"
    if classes == {date}:
        return "date"
    return None


def _range(var: str, r: ValueRange, src: _Source) -> str | None:
    kind = _kind([b for b in (r.low, r.high) if b is not None])
    if kind is None or kind == "str":
        return None
    parts = [f"{var}.__class__ is {kind}"]
    if r.low is not None:
        parts.append(f"{var} {'>=' if r.low_in else '>'} {src.constant(r.low)}")
    if r.high is not None:
        parts.append(f"{var} {'<=' if r.high_in else '<'} {src.constant(r.high)}")
    return " and ".join(parts)


def _condition(var: str, cell: CellSet, src: _Source) -> str | None:  # noqa: PLR0911
    """An inline Python condition for `cell`, None where it must call the closure."""
    if not cell.exact:
        return None
    if cell.everything:
        return "True"
    if cell.excluded is not None:
        kind = _kind(list(cell.excluded))
        if kind is None:
            return None
        # `null = x` is false, so `not(x)` matches null; a value of another type matches nothing
        excluded = src.constant(cell.excluded)
        return f"({var} is None or ({var}.__class__ is {kind} and {var} not in {excluded}))"
    options: list[str] = []
    if cell.values:
        if any(isinstance(v, bool) for v in cell.values) or None in cell.values:
            if len(cell.values) != 1:
                return None
            options.append(f"{var} is {src.constant(next(iter(cell.values)))}")  # no coercion
        else:
            kind = _kind(list(cell.values))
            if kind is None:
                return None
            options.append(f"({var}.__class__ is {kind} and {var} in {src.constant(cell.values)})")
    for r in cell.ranges:
        text = _range(var, r, src)
        if text is None:
            return None
        options.append(f"({text})")
    return "(" + " or ".join(options) + ")" if options else "False"


def generate(
    cells: Sequence[Sequence[str]], tests: Sequence[Sequence[Test]], *, first: bool
) -> Matcher:
    """`matcher(v0, v1, ..., ctx)`: the index of the first matching row (or -1) when `first`,
    else the list of indexes of every matching row."""
    src = _Source()
    width = len(tests[0]) if tests else 0
    params = ", ".join([*(f"v{i}" for i in range(width)), "ctx"])
    lines = [f"def matcher({params}):"]
    if not first:
        lines.append("    found = []")
    for n, (row_cells, row_tests) in enumerate(zip(cells, tests, strict=True)):
        conditions = []
        for i, (text, test) in enumerate(zip(row_cells, row_tests, strict=True)):
            inline = _condition(f"v{i}", read_cell(text), src)
            if inline is None:
                inline = f"{src.test(test)}(v{i}, ctx) is True"
            if inline != "True":
                conditions.append(inline)
        condition = " and ".join(conditions) or "True"
        action = f"return {n}" if first else f"found.append({n})"
        lines.append(f"    if {condition}:\n        {action}")
    lines.append("    return -1" if first else "    return found")
    namespace: dict[str, Any] = {"D": Decimal, "date": date}
    namespace.update({f"K{i}": value for i, value in enumerate(src.constants)})
    namespace.update({f"T{i}": test for i, test in enumerate(src.tests)})
    exec(compile("\n".join(lines), "<decision table>", "exec"), namespace)  # noqa: S102 - see above
    matcher: Matcher = namespace["matcher"]
    return matcher


__all__ = ["Matcher", "generate"]
