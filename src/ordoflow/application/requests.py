"""Turning an order as a channel sends it (JSON-like mappings of text and numbers) into a
`PlaceOrder` command, refusing malformed values with the same codes on every channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ordoflow.application.commands import OrderLineInput, PlaceOrder
from ordoflow.domain import values as v
from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    FieldProblem,
    ShipToCode,
    SiteCode,
    Sku,
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _line(index: int, raw: Mapping[str, Any], errors: list[FieldError]) -> OrderLineInput | None:
    where = f"lines[{index}]"
    try:
        line_no = v.parse_quantity(f"{where}.line_no", _text(raw.get("line_no", index + 1)))
        sku = Sku(v.parse_code(f"{where}.sku", _text(raw.get("sku"))))
        quantity = v.parse_quantity(f"{where}.quantity", _text(raw.get("quantity")))
        price = raw.get("unit_price")
        unit_price = (
            None
            if price is None or price == ""
            else v.parse_amount(f"{where}.unit_price", _text(price), ErrorCode.INVALID_PRICE)
        )
        uom = raw.get("unit_of_measure")
        unit_of_measure = v.parse_code(f"{where}.unit_of_measure", _text(uom)) if uom else None
    except FieldProblem as problem:
        errors.append(problem.error)
        return None
    return OrderLineInput(
        line_no=line_no, sku=sku, quantity=quantity, unit_price=unit_price,
        unit_of_measure=unit_of_measure,
    )  # fmt: skip


def parse_place_order(body: Mapping[str, Any], *, actor: ActorId) -> PlaceOrder:
    """Every field problem is collected, so the sender sees all of them at once."""
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    parsers: dict[str, Callable[[str, str | None], Any]] = {
        "account_number": lambda n, r: AccountNumber(v.parse_code(n, r)),
        "ship_to": lambda n, r: ShipToCode(v.parse_code(n, r)),
        "channel": lambda n, r: v.parse_choice(n, r, Channel),
        "customer_po": v.text_upto(100),
        "requested_date": v.parse_date,
        "site": lambda n, r: SiteCode(v.parse_code(n, r)),
    }
    for name, parse in parsers.items():
        try:
            header[name] = parse(name, _text(body.get(name)))
        except FieldProblem as problem:
            errors.append(problem.error)
    currency = None
    if body.get("currency"):
        try:
            currency = v.parse_currency("currency", _text(body["currency"]))
        except FieldProblem as problem:
            errors.append(problem.error)
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, Sequence) or isinstance(raw_lines, str) or not raw_lines:
        errors.append(
            FieldError("lines", ErrorCode.EMPTY_ORDER, "an order needs at least one line")
        )
        raw_lines = []
    lines = [_line(i, raw, errors) if isinstance(raw, Mapping) else None
             for i, raw in enumerate(raw_lines)]  # fmt: skip
    if errors or any(ln is None for ln in lines):
        raise ValidationFailed(errors or [FieldError("lines", ErrorCode.REQUIRED_FIELD_MISSING,
                                                     "each line must be an object")])  # fmt: skip
    return PlaceOrder(
        actor=actor, currency=currency, lines=tuple(ln for ln in lines if ln is not None), **header
    )


def parse_shipped(pairs: Sequence[str]) -> dict[int, int]:
    """`LINE=QTY` pairs (as typed on a command line) into units shipped per line."""
    shipped: dict[int, int] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        line, _, qty = pair.partition("=")
        try:
            shipped[v.parse_quantity("line", line)] = v.parse_quantity(f"lines[{line}]", qty)
        except FieldProblem as problem:
            errors.append(problem.error)
    if errors:
        raise ValidationFailed(errors)
    return shipped


__all__ = ["parse_place_order", "parse_shipped"]
