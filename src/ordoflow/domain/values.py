"""Value types: typed identifiers, money, quantities, channels and the parsing of raw values.

Parsers turn text from files and requests into typed values or a `FieldError` with a stable code,
so every entrypoint refuses the same input the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NewType, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ordoflow.domain.errors import ErrorCode, FieldError

AccountNumber = NewType("AccountNumber", str)
ShipToCode = NewType("ShipToCode", str)
Sku = NewType("Sku", str)
SiteCode = NewType("SiteCode", str)
OrderId = NewType("OrderId", str)
EventId = NewType("EventId", str)
ActorId = NewType("ActorId", str)
PriceListCode = NewType("PriceListCode", str)
CurrencyCode = NewType("CurrencyCode", str)
CountryCode = NewType("CountryCode", str)

SYSTEM_ACTOR = ActorId("system")
E = TypeVar("E", bound=StrEnum)

# ISO 4217 active alphabetic codes.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()  # noqa: SIM905 - a code list reads best as text
)

# ISO 3166-1 alpha-2 officially assigned codes.
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()  # noqa: SIM905 - a code list reads best as text
)

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
MONEY_PLACES = Decimal("0.0001")
#: Quantities are stored as 64-bit integers; no order line comes near this.
QUANTITY_LIMIT = Decimal(10) ** 12
#: Amounts are stored as NUMERIC(18, 4): fourteen digits before the point.
MONEY_LIMIT = Decimal(10) ** 14


class Channel(StrEnum):
    """Where an order came from."""

    API = "api"
    EDI = "edi"
    ECOMMERCE = "ecommerce"
    FIELD_SALES = "field_sales"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency; arithmetic across currencies is refused."""

    amount: Decimal
    currency: CurrencyCode

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    @classmethod
    def zero(cls, currency: CurrencyCode) -> Money:
        return cls(Decimal("0"), currency)

    def __str__(self) -> str:
        return f"{money_text(self.amount)} {self.currency}"


def money_text(amount: Decimal) -> str:
    """An amount as people read it: at least two decimals, more only where they carry value
    (16.10, 2206.00, 0.1001), the same whichever database it came from."""
    normal = amount.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normal = normal.quantize(Decimal("0.01"))
    return format(normal, "f")


class FieldProblem(Exception):
    """Raised by a parser; carries the `FieldError` to report."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(error.message)
        self.error = error


def problem(field: str, code: ErrorCode, message: str) -> FieldProblem:
    return FieldProblem(FieldError(field, code, message))


def require_text(field: str, raw: str | None, max_length: int = 200) -> str:
    value = (raw or "").strip()
    if not value:
        raise problem(field, ErrorCode.REQUIRED_FIELD_MISSING, f"{field} is required")
    if len(value) > max_length:
        raise problem(
            field,
            ErrorCode.TEXT_TOO_LONG,
            f"{field} has {len(value)} characters, at most {max_length}",
        )
    return value


def text_upto(max_length: int) -> Callable[[str, str | None], str]:
    """A required free-text field of at most `max_length` characters (its column's width)."""

    def parse_text(field: str, raw: str | None) -> str:
        return require_text(field, raw, max_length)

    return parse_text


def parse_code(field: str, raw: str | None) -> str:
    value = require_text(field, raw, 64)
    if not _CODE.match(value):
        raise problem(
            field, ErrorCode.INVALID_CODE, f"{field} {value!r} must be 1-64 letters, digits or ._/-"
        )
    return value


def parse_decimal(field: str, raw: str | Decimal | int | None, code: ErrorCode) -> Decimal:
    if isinstance(raw, bool):
        raise problem(field, code, f"{field} must be a number, not true/false")
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    else:
        text = require_text(field, raw)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise problem(field, code, f"{field} {text!r} is not a number") from None
    if not value.is_finite():
        raise problem(field, code, f"{field} must be a finite number")
    return value


def parse_amount(
    field: str, raw: str | Decimal | int | None, code: ErrorCode = ErrorCode.INVALID_AMOUNT
) -> Decimal:
    """A non-negative money amount with at most four decimal places."""
    value = parse_decimal(field, raw, code)
    if value < 0:
        raise problem(field, code, f"{field} must not be negative, got {value}")
    if value >= MONEY_LIMIT:
        raise problem(field, code, f"{field} must be below {MONEY_LIMIT:,}")
    if value != value.quantize(MONEY_PLACES):
        raise problem(field, code, f"{field} has more than four decimal places")
    return value


def parse_quantity(field: str, raw: str | Decimal | int | None, *, positive: bool = True) -> int:
    """A whole count in the line's unit of measure (zero allowed only where `positive` is off)."""
    value = parse_decimal(field, raw, ErrorCode.INVALID_QUANTITY)
    if value != value.to_integral_value():
        raise problem(
            field, ErrorCode.INVALID_QUANTITY, f"{field} must be a whole number, got {value}"
        )
    if abs(value) >= QUANTITY_LIMIT:
        raise problem(field, ErrorCode.INVALID_QUANTITY, f"{field} must be below {QUANTITY_LIMIT}")
    if value < 0 or (positive and value == 0):
        bound = "greater than zero" if positive else "zero or more"
        raise problem(field, ErrorCode.INVALID_QUANTITY, f"{field} must be {bound}, got {value}")
    return int(value)


def parse_date(field: str, raw: str | date | None) -> date:
    if isinstance(raw, date):
        return raw
    text = require_text(field, raw)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise problem(
            field, ErrorCode.INVALID_DATE, f"{field} {text!r} is not YYYY-MM-DD"
        ) from None


def parse_optional_date(field: str, raw: str | date | None) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_date(field, raw)


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def parse_bool(field: str, raw: str | bool | None) -> bool:
    if isinstance(raw, bool):
        return raw
    text = require_text(field, raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise problem(field, ErrorCode.INVALID_BOOLEAN, f"{field} {text!r} is not true or false")


def parse_choice(field: str, raw: str | None, choices: type[E]) -> E:
    text = require_text(field, raw).lower()
    try:
        return choices(text)
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise problem(
            field, ErrorCode.INVALID_CHOICE, f"{field} {text!r} is not one of: {allowed}"
        ) from None


def parse_currency(field: str, raw: str | None) -> CurrencyCode:
    text = require_text(field, raw).upper()
    if text not in CURRENCIES:
        raise problem(field, ErrorCode.INVALID_CURRENCY, f"{text!r} is not an ISO 4217 currency")
    return CurrencyCode(text)


def parse_country(field: str, raw: str | None) -> CountryCode:
    text = require_text(field, raw).upper()
    if text not in COUNTRIES:
        raise problem(field, ErrorCode.INVALID_COUNTRY, f"{text!r} is not an ISO 3166 country")
    return CountryCode(text)


def parse_time_zone(field: str, raw: str | None) -> str:
    text = require_text(field, raw)
    if text not in _time_zones():
        raise problem(field, ErrorCode.INVALID_TIME_ZONE, f"{text!r} is not an IANA time zone")
    try:
        ZoneInfo(text)
    except ZoneInfoNotFoundError:  # pragma: no cover - listed but not loadable
        raise problem(field, ErrorCode.INVALID_TIME_ZONE, f"{text!r} cannot be loaded") from None
    return text


_ZONES: frozenset[str] = frozenset()


def _time_zones() -> frozenset[str]:
    global _ZONES  # noqa: PLW0603 - computed once, on first use rather than at import
    if not _ZONES:
        _ZONES = frozenset(available_timezones())
    return _ZONES


__all__ = [
    "COUNTRIES",
    "CURRENCIES",
    "SYSTEM_ACTOR",
    "AccountNumber",
    "ActorId",
    "Channel",
    "CountryCode",
    "CurrencyCode",
    "EventId",
    "FieldProblem",
    "Money",
    "OrderId",
    "PriceListCode",
    "ShipToCode",
    "SiteCode",
    "Sku",
    "money_text",
    "parse_amount",
    "parse_bool",
    "parse_choice",
    "parse_code",
    "parse_country",
    "parse_currency",
    "parse_date",
    "parse_decimal",
    "parse_optional_date",
    "parse_quantity",
    "parse_time_zone",
    "problem",
    "require_text",
    "text_upto",
]
