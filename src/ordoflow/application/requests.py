"""Turning an order as a channel sends it (JSON-like mappings of text and numbers) into a
`PlaceOrder` command, refusing malformed values with the same codes on every channel."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ordoflow.application.commands import EditOrder, OrderLineInput, PlaceOrder
from ordoflow.domain import values as v
from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.people import Role, User
from ordoflow.domain.receipts import ReceiptLine
from ordoflow.domain.returns import Disposition, ReturnRequestLine
from ordoflow.domain.values import (
    SYSTEM_ACTOR,
    AccountNumber,
    ActorId,
    Channel,
    FieldProblem,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _line(position: int, raw: Mapping[str, Any], errors: list[FieldError]) -> OrderLineInput | None:
    """One line; problems are named `lines[N].field` with N the line number (or, where that is
    itself unreadable, the line's position counted from 1), as the order itself names them."""
    found: list[FieldError] = []

    def field(name: str, parse: Callable[[str, str | None], Any], optional: bool = False) -> Any:
        value = raw.get(name)
        if optional and (value is None or value == ""):
            return None
        try:
            return parse(f"lines[{number}].{name}", _text(value))
        except FieldProblem as problem:
            found.append(problem.error)
            return None

    number: object = position + 1
    line_no = field("line_no", v.parse_quantity) if "line_no" in raw else position + 1
    number = line_no or position + 1
    line = OrderLineInput(
        line_no=line_no or 0,
        sku=Sku(field("sku", v.parse_code) or ""),
        quantity=field("quantity", v.parse_quantity) or 0,
        unit_price=field("unit_price", _price, optional=True),
        unit_of_measure=field("unit_of_measure", v.parse_code, optional=True),
    )
    errors.extend(found)
    return None if found else line


def _price(name: str, raw: str | None) -> Any:
    return v.parse_amount(name, raw, ErrorCode.INVALID_PRICE)


def parse_actor(raw: str | None) -> ActorId:
    """Who acts, as recorded in every log entry: a user's short code (never `system`, the name
    Ordoflow's own workers act under)."""
    try:
        found = ActorId(v.parse_code("actor", raw))
    except FieldProblem as problem:
        raise ValidationFailed([problem.error]) from None
    if found == SYSTEM_ACTOR:
        message = f"{found!r} is reserved for Ordoflow's own workers"
        raise ValidationFailed([FieldError("actor", ErrorCode.NOT_AUTHORISED, message)])
    return found


def parse_order_json(text: str, *, actor: ActorId) -> PlaceOrder:
    """An order as a JSON document; anything but a JSON object is a malformed request."""
    return parse_place_order(_json_object(text, "an order"), actor=actor)


def _json_object(text: str, what: str) -> Mapping[str, Any]:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _malformed(f"not JSON: {exc}") from None
    if not isinstance(body, Mapping):
        raise _malformed(f"{what} is a JSON object, not {type(body).__name__}")
    return body


def _malformed(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("body", ErrorCode.MALFORMED_REQUEST, message)])


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
    lines = _lines(body.get("lines"), errors)
    if errors:
        raise ValidationFailed(errors)
    return PlaceOrder(actor=actor, currency=currency, lines=lines, **header)


def _lines(raw_lines: Any, errors: list[FieldError]) -> tuple[OrderLineInput, ...]:
    if not isinstance(raw_lines, Sequence) or isinstance(raw_lines, str) or not raw_lines:
        errors.append(
            FieldError("lines", ErrorCode.EMPTY_ORDER, "an order needs at least one line")
        )
        raw_lines = []
    lines = []
    for i, raw in enumerate(raw_lines):
        if isinstance(raw, Mapping):
            lines.append(_line(i, raw, errors))
        else:
            errors.append(FieldError(f"lines[{i + 1}]", ErrorCode.MALFORMED_REQUEST,
                                     "a line is an object with sku and quantity"))  # fmt: skip
    return tuple(ln for ln in lines if ln is not None)


def parse_edit_json(text: str, *, order_id: OrderId, actor: ActorId) -> EditOrder:
    """An edit as a JSON object with any of `lines` (the order's new lines), `ship_to` and
    `account_number`; anything else is a malformed request."""
    body = _json_object(text, "an edit")
    unknown = sorted(set(body) - {"lines", "ship_to", "account_number"})
    if unknown or not body:
        raise _malformed("an edit gives lines, ship_to or account_number"
                         + (f", not {', '.join(unknown)}" if unknown else ""))  # fmt: skip
    errors: list[FieldError] = []
    lines = _lines(body["lines"], errors) if "lines" in body else None
    codes: dict[str, str | None] = {}
    for name in ("ship_to", "account_number"):
        try:
            codes[name] = v.parse_code(name, _text(body[name])) if name in body else None
        except FieldProblem as problem:
            errors.append(problem.error)
    if errors:
        raise ValidationFailed(errors)
    ship_to, account = codes["ship_to"], codes["account_number"]
    return EditOrder(
        order_id=order_id, actor=actor, lines=lines,
        ship_to=ShipToCode(ship_to) if ship_to else None,
        account_number=AccountNumber(account) if account else None,
    )  # fmt: skip


def parse_shipped(pairs: Sequence[str]) -> dict[int, int]:
    """`LINE=QTY` pairs (as typed on a command line) into units shipped per line."""
    shipped: dict[int, int] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        line, _, qty = pair.partition("=")
        try:
            line_no = v.parse_quantity("line", line)
            if line_no in shipped:
                raise v.problem(f"lines[{line_no}]", ErrorCode.DUPLICATE_LINE, "given twice")
            shipped[line_no] = v.parse_quantity(f"lines[{line}]", qty)
        except FieldProblem as problem:
            errors.append(problem.error)
    if errors:
        raise ValidationFailed(errors)
    return shipped


def parse_return_lines(pairs: Sequence[str]) -> tuple[ReturnRequestLine, ...]:
    """`LINE=QTY:REASON` triples (as typed on a command line) into return request lines."""
    units = parse_shipped([pair.partition(":")[0] for pair in pairs])
    reasons = {pair.partition("=")[0].strip(): pair.partition(":")[2] for pair in pairs}
    return tuple(ReturnRequestLine(n, q, reasons.get(str(n), "")) for n, q in units.items())


def parse_dispositions(pairs: Sequence[str]) -> dict[int, Disposition]:
    """`LINE=DISPOSITION` pairs (restock, scrap, return_to_vendor)."""
    found: dict[int, Disposition] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        line, _, raw = pair.partition("=")
        try:
            found[v.parse_quantity("line", line)] = v.parse_choice(f"lines[{line}]", raw,
                                                                   Disposition)  # fmt: skip
        except FieldProblem as problem:
            errors.append(problem.error)
    if errors:
        raise ValidationFailed(errors)
    return found


def parse_receipt_lines(pairs: Sequence[str]) -> tuple[ReceiptLine, ...]:
    """`SKU=QTY` pairs (as typed on a command line); a negative quantity counts units out (an
    adjustment)."""
    lines: list[ReceiptLine] = []
    errors: list[FieldError] = []
    for n, pair in enumerate(pairs, start=1):
        sku, _, qty = pair.partition("=")
        try:
            negative = qty.strip().startswith("-")
            units = v.parse_quantity(f"lines[{n}].quantity", qty.strip().lstrip("-"))
            lines.append(ReceiptLine(Sku(v.parse_code(f"lines[{n}].sku", sku)),
                                     -units if negative else units))  # fmt: skip
        except FieldProblem as problem:
            errors.append(problem.error)
    if errors:
        raise ValidationFailed(errors)
    return tuple(lines)


def parse_moment(field: str, raw: str) -> datetime:
    """An ISO 8601 moment with its time zone (`2026-12-01T06:00:00+01:00`); without one it is
    ambiguous across sites, so it is refused."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed([FieldError(
            field, ErrorCode.INVALID_DATE, f"{raw!r} is not an ISO 8601 time with a time zone",
        )])  # fmt: skip
    return moment


def parse_user(
    user_id: str, name: str, roles: Sequence[str], sites: Sequence[str], *, active: bool = True
) -> User:
    """A user from text: roles by name (at least one), sites as codes (none: every site)."""
    errors: list[FieldError] = []
    parsed_roles: set[Role] = set()
    parsed_sites: set[SiteCode] = set()
    identity, shown = None, ""
    try:
        identity = parse_actor(user_id)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    try:
        shown = v.require_text("name", name, 200)
    except FieldProblem as problem:
        errors.append(problem.error)
    if not roles:
        errors.append(FieldError("roles", ErrorCode.REQUIRED_FIELD_MISSING, "give a role"))
    for raw in roles:
        try:
            parsed_roles.add(v.parse_choice("role", raw, Role))
        except FieldProblem as problem:
            errors.append(problem.error)
    for raw in sites:
        try:
            parsed_sites.add(SiteCode(v.parse_code("site", raw)))
        except FieldProblem as problem:
            errors.append(problem.error)
    if errors or identity is None:
        raise ValidationFailed(errors)
    return User(identity, shown, frozenset(parsed_roles),
                frozenset(parsed_sites) if sites else None, active)  # fmt: skip


__all__ = [
    "parse_actor",
    "parse_dispositions",
    "parse_moment",
    "parse_order_json",
    "parse_place_order",
    "parse_return_lines",
    "parse_shipped",
    "parse_user",
]
