"""FEEL values and operators: exact decimal numbers, null that spreads, three-valued logic, and
comparisons that give null across types. Used by the compiled cells of `ordoflow.governance.feel`.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

FEEL_NUMBERS = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


def feel_value(value: Any) -> Any:
    """A Python value as FEEL sees it: every number an exact decimal."""
    kind = value.__class__
    if kind is Decimal or kind is str:  # most inputs: answer before the checks below
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def plain_value(value: Any) -> Any:
    """A FEEL value as plain JSON types: whole numbers as integers, others as floats (for
    display), dates in ISO form, contexts and lists item by item."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    return value


def comparable(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return isinstance(a, Decimal) and isinstance(b, Decimal)
    return type(a) is type(b)


def feel_equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return a is None and b is None
    return a == b if comparable(a, b) else None


ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def order(op: str, a: Any, b: Any) -> bool | None:
    if not comparable(a, b) or isinstance(a, bool):
        return None
    return ORDERINGS[op](a, b)


def arithmetic(op: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if not (isinstance(a, Decimal) and isinstance(b, Decimal)):
            return None
        try:
            return op(a, b)
        except (decimal.DivisionByZero, decimal.InvalidOperation, ZeroDivisionError):
            return None

    return apply


def power(a: Decimal, b: Decimal) -> Decimal:
    return FEEL_NUMBERS.power(a, b)


ADD_NUMBERS = arithmetic(FEEL_NUMBERS.add)


def ADD(a: Any, b: Any) -> Any:  # noqa: N802 - one of the operator table's names
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    return ADD_NUMBERS(a, b)


SUBTRACT = arithmetic(FEEL_NUMBERS.subtract)
MULTIPLY = arithmetic(FEEL_NUMBERS.multiply)
DIVIDE = arithmetic(FEEL_NUMBERS.divide)
EXPONENT = arithmetic(power)


def feel_date(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


FUNCTIONS: dict[str, Callable[..., Any]] = {"date": feel_date}


def all_true(values: list[Any]) -> bool | None:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def any_true(values: list[Any]) -> bool | None:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


__all__ = [
    "ADD",
    "DIVIDE",
    "EXPONENT",
    "FEEL_NUMBERS",
    "FUNCTIONS",
    "MULTIPLY",
    "ORDERINGS",
    "SUBTRACT",
    "all_true",
    "any_true",
    "feel_date",
    "feel_equal",
    "feel_value",
    "order",
    "plain_value",
]
