"""Orders as channels send them: every field problem reported at once, with its code."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ordoflow.application.requests import (
    parse_actor,
    parse_order_json,
    parse_place_order,
    parse_receipt_lines,
    parse_shipped,
    parse_user,
)
from ordoflow.domain.errors import ErrorCode, ValidationFailed
from ordoflow.domain.receipts import ReceiptLine
from ordoflow.domain.values import ActorId, Channel, Sku


def body(**change: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "account_number": "C-1", "ship_to": "MAIN", "channel": "EDI", "customer_po": "PO 1/A",
        "requested_date": "2026-12-01", "site": "DAL1",
        "lines": [{"sku": "A-1", "quantity": "3", "unit_price": "12.50"},
                  {"line_no": 20, "sku": "B-2", "quantity": 1, "unit_of_measure": "CS"}],
    }  # fmt: skip
    return {**base, **change}


def problems(raw: dict[str, Any]) -> set[tuple[str, ErrorCode]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_place_order(raw, actor=ActorId("api"))
    return {(e.field, e.code) for e in caught.value.errors}


def test_a_good_body_becomes_a_typed_command_with_defaults_left_open() -> None:
    cmd = parse_place_order(body(), actor=ActorId("api"))
    assert cmd.channel is Channel.EDI
    assert cmd.requested_date == date(2026, 12, 1)
    assert cmd.currency is None
    assert cmd.actor == "api"
    first, second = cmd.lines
    assert (first.line_no, first.quantity, first.unit_price) == (1, 3, Decimal("12.50"))
    assert (second.line_no, second.unit_price, second.unit_of_measure) == (20, None, "CS")


def test_every_header_problem_is_reported_together() -> None:
    found = problems(body(account_number="", channel="fax", requested_date="12/01/2026",
                          currency="EURO"))  # fmt: skip
    assert found == {
        ("account_number", ErrorCode.REQUIRED_FIELD_MISSING),
        ("channel", ErrorCode.INVALID_CHOICE),
        ("requested_date", ErrorCode.INVALID_DATE),
        ("currency", ErrorCode.INVALID_CURRENCY),
    }


def test_line_problems_name_the_line() -> None:
    found = problems(body(lines=[{"sku": "A", "quantity": 0},
                                 {"sku": "B", "quantity": 2, "unit_price": "abc"}]))  # fmt: skip
    assert found == {("lines[1].quantity", ErrorCode.INVALID_QUANTITY),
                     ("lines[2].unit_price", ErrorCode.INVALID_PRICE)}  # fmt: skip


@pytest.mark.parametrize("lines", [None, [], "A-1", {"sku": "A"}])
def test_an_order_without_a_list_of_lines_is_empty(lines: object) -> None:
    assert ("lines", ErrorCode.EMPTY_ORDER) in problems(body(lines=lines))


def test_a_line_that_is_not_an_object_is_refused() -> None:
    assert ("lines[1]", ErrorCode.MALFORMED_REQUEST) in problems(body(lines=["A-1"]))


def test_shipped_quantities_parse_from_line_equals_quantity_pairs() -> None:
    assert parse_shipped(["1=4", "2=10"]) == {1: 4, 2: 10}
    with pytest.raises(ValidationFailed) as caught:
        parse_shipped(["1=four", "x=1"])
    assert {e.code for e in caught.value.errors} == {ErrorCode.INVALID_QUANTITY}


def test_every_problem_on_a_line_is_reported_under_its_line_number() -> None:
    found = problems(body(lines=[{"line_no": 10, "sku": "has space", "quantity": "-1",
                                  "unit_price": "1.23456"}]))  # fmt: skip
    assert found == {("lines[10].sku", ErrorCode.INVALID_CODE),
                     ("lines[10].quantity", ErrorCode.INVALID_QUANTITY),
                     ("lines[10].unit_price", ErrorCode.INVALID_PRICE)}  # fmt: skip


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"an order"', ""])
def test_a_document_that_is_not_a_json_object_is_a_malformed_request(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_order_json(text, actor=ActorId("api"))
    assert caught.value.code is ErrorCode.MALFORMED_REQUEST


@pytest.mark.parametrize("raw", ["", "two words", "a" * 65])
def test_an_actor_must_be_a_short_code(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        parse_actor(raw)
    assert parse_actor(" cs.maria ") == "cs.maria"


def test_a_line_given_twice_in_a_shipment_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_shipped(["1=2", "1=3"])
    assert caught.value.code is ErrorCode.DUPLICATE_LINE


def test_a_user_is_read_with_its_roles_and_sites_and_every_problem_reported_together() -> None:
    user = parse_user("credit.ana", " Ana Silva ", ["credit_analyst", "finance"], ["DAL1"])
    assert (user.id, user.name, sorted(user.roles), user.sites) == (
        "credit.ana", "Ana Silva", ["credit_analyst", "finance"], frozenset({"DAL1"}),
    )  # fmt: skip
    assert parse_user("fay", "Fay", ["finance"], []).sites is None  # every site
    with pytest.raises(ValidationFailed) as bad:
        parse_user("two words", "", ["wizard"], ["no site"])
    assert [(e.field, e.code) for e in bad.value.errors] == [
        ("actor", ErrorCode.INVALID_CODE), ("name", ErrorCode.REQUIRED_FIELD_MISSING),
        ("role", ErrorCode.INVALID_CHOICE), ("site", ErrorCode.INVALID_CODE),
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as nameless:
        parse_user("fay", " ", [], [])
    assert [(e.field, e.code) for e in nameless.value.errors] == [
        ("name", ErrorCode.REQUIRED_FIELD_MISSING), ("roles", ErrorCode.REQUIRED_FIELD_MISSING),
    ]  # fmt: skip


def test_receipt_lines_read_sku_and_signed_quantity_and_name_every_bad_pair() -> None:
    assert parse_receipt_lines(["A-1=4", "B-2=-3"]) == (ReceiptLine(Sku("A-1"), 4),
                                                      ReceiptLine(Sku("B-2"), -3))  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        parse_receipt_lines(["A-1=four", "not a sku=1", "C-3=1"])
    assert [e.field for e in caught.value.errors] == ["lines[1].quantity", "lines[2].sku"]
