from datetime import date
from decimal import Decimal

import pytest

from ordoflow.domain import values as v
from ordoflow.domain.errors import ErrorCode


def code_of(fn: object, *args: object) -> ErrorCode:
    with pytest.raises(v.FieldProblem) as caught:
        fn(*args)  # type: ignore[operator]
    return caught.value.error.code


@pytest.mark.parametrize("raw", ["0", "-3", "1.5", "abc", "", None, "NaN", "Infinity", "1e30"])
def test_a_quantity_must_be_a_whole_positive_number(raw: str | None) -> None:
    expected = ErrorCode.REQUIRED_FIELD_MISSING if not raw else ErrorCode.INVALID_QUANTITY
    assert code_of(v.parse_quantity, "quantity", raw) is expected


def test_quantities_accept_whole_numbers_written_as_decimals() -> None:
    assert v.parse_quantity("quantity", "12.000") == 12


@pytest.mark.parametrize("raw", ["ten", "1,5", "-0.01", "1.00001", "1e400000", "100000000000000"])
def test_a_price_must_be_a_non_negative_amount_with_four_places_at_most(raw: str) -> None:
    assert code_of(v.parse_amount, "unit_price", raw, ErrorCode.INVALID_PRICE) is (
        ErrorCode.INVALID_PRICE
    )


def test_money_keeps_every_cent_exact() -> None:
    assert v.parse_amount("p", "0.1") + v.parse_amount("p", "0.2") == Decimal("0.3")


def test_codes_refuse_spaces_and_empty_values() -> None:
    assert code_of(v.parse_code, "sku", "A B") is ErrorCode.INVALID_CODE
    assert code_of(v.parse_code, "sku", "  ") is ErrorCode.REQUIRED_FIELD_MISSING


def test_countries_currencies_and_time_zones_are_checked_against_their_standards() -> None:
    assert v.parse_country("country", "de") == "DE"
    assert code_of(v.parse_country, "country", "XX") is ErrorCode.INVALID_COUNTRY
    assert v.parse_currency("currency", "eur") == "EUR"
    assert code_of(v.parse_currency, "currency", "EURO") is ErrorCode.INVALID_CURRENCY
    assert v.parse_time_zone("tz", "Europe/Amsterdam") == "Europe/Amsterdam"
    assert code_of(v.parse_time_zone, "tz", "Mars/Olympus") is ErrorCode.INVALID_TIME_ZONE


def test_dates_booleans_and_choices() -> None:
    assert v.parse_date("d", "2026-02-28") == date(2026, 2, 28)
    assert code_of(v.parse_date, "d", "2026-02-30") is ErrorCode.INVALID_DATE
    assert v.parse_bool("hazmat", "Yes") is True
    assert code_of(v.parse_bool, "hazmat", "maybe") is ErrorCode.INVALID_BOOLEAN
    assert v.parse_choice("channel", "EDI", v.Channel) is v.Channel.EDI
    assert code_of(v.parse_choice, "channel", "fax", v.Channel) is ErrorCode.INVALID_CHOICE


def test_money_refuses_to_add_across_currencies() -> None:
    usd = v.Money(Decimal("1"), v.CurrencyCode("USD"))
    with pytest.raises(ValueError, match="cannot add"):
        usd + v.Money(Decimal("1"), v.CurrencyCode("EUR"))
