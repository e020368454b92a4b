"""Master data of a wholesale distributor: sites, customers, ship-to addresses, items, stock
levels and prices.

Each record validates itself on construction from already-typed values; parsing text into those
values lives in `ordoflow.domain.values`, so a CSV row and an API request fail alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.values import (
    AccountNumber,
    CountryCode,
    CurrencyCode,
    PriceListCode,
    ShipToCode,
    SiteCode,
    Sku,
)


class CustomerTier(StrEnum):
    STRATEGIC = "strategic"
    PREFERRED = "preferred"
    STANDARD = "standard"
    CASH = "cash"


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    INACTIVE = "inactive"


def _check(errors: list[FieldError], ok: bool, name: str, code: ErrorCode, message: str) -> None:
    if not ok:
        errors.append(FieldError(name, code, message))


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _non_negative(errors: list[FieldError], value: Decimal, name: str) -> None:
    if value < 0:
        errors.append(_negative(name))


def _negative(name: str) -> FieldError:
    return FieldError(name, ErrorCode.INVALID_AMOUNT, f"{name} must not be negative")


@dataclass(frozen=True, slots=True)
class Site:
    """A warehouse or business unit that holds stock and ships orders."""

    KIND: ClassVar[str] = "site"
    code: SiteCode
    name: str
    country: CountryCode
    time_zone: str

    @property
    def key(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True, slots=True)
class Customer:
    """A trading account with its commercial terms."""

    KIND: ClassVar[str] = "customer"
    account_number: AccountNumber
    legal_name: str
    tax_id: str
    tier: CustomerTier
    currency: CurrencyCode
    payment_terms: str
    credit_limit: Decimal
    status: CustomerStatus = CustomerStatus.ACTIVE

    def __post_init__(self) -> None:
        if self.credit_limit < 0:
            raise ValidationFailed([_negative("credit_limit")])

    @property
    def key(self) -> tuple[str, ...]:
        return (self.account_number,)


@dataclass(frozen=True, slots=True)
class ShipTo:
    """A delivery address of a customer; the country drives export and shipping rules."""

    KIND: ClassVar[str] = "ship_to"
    account_number: AccountNumber
    code: ShipToCode
    name: str
    address_line: str
    city: str
    postal_code: str
    country: CountryCode

    @property
    def key(self) -> tuple[str, ...]:
        return (self.account_number, self.code)


@dataclass(frozen=True, slots=True)
class Item:
    """A stocked product with its commercial, physical and compliance attributes."""

    KIND: ClassVar[str] = "item"
    sku: Sku
    description: str
    unit_of_measure: str
    product_class: str
    list_price: Decimal
    currency: CurrencyCode
    standard_cost: Decimal
    weight_kg: Decimal
    export_classification: str
    hazmat: bool = False

    def __post_init__(self) -> None:
        if self.list_price < 0 or self.standard_cost < 0 or self.weight_kg < 0:
            names = ("list_price", "standard_cost", "weight_kg")
            raise ValidationFailed([_negative(n) for n in names if getattr(self, n) < 0])

    @property
    def key(self) -> tuple[str, ...]:
        return (self.sku,)


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units of one item at one site: on hand, allocated to orders, and what remains available."""

    KIND: ClassVar[str] = "stock"
    sku: Sku
    site: SiteCode
    on_hand: int
    allocated: int = 0

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        _check(errors, self.on_hand >= 0, "on_hand", ErrorCode.INVALID_STOCK, "must be >= 0")
        _check(errors, self.allocated >= 0, "allocated", ErrorCode.INVALID_STOCK, "must be >= 0")
        _check(
            errors,
            self.allocated <= self.on_hand,
            "on_hand",
            ErrorCode.INVALID_STOCK,
            f"on hand {self.on_hand} is below the {self.allocated} units already allocated",
        )
        _raise_if(errors)

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated

    @property
    def key(self) -> tuple[str, ...]:
        return (self.sku, self.site)


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """A price of an item on a price list, for all customers or one, valid over a date range."""

    KIND: ClassVar[str] = "price"
    price_list: PriceListCode
    sku: Sku
    customer: AccountNumber | None
    currency: CurrencyCode
    unit_price: Decimal
    valid_from: date
    valid_to: date | None = None

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        _non_negative(errors, self.unit_price, "unit_price")
        if self.valid_to is not None:
            _check(
                errors,
                self.valid_to >= self.valid_from,
                "valid_to",
                ErrorCode.INVALID_DATE_RANGE,
                f"valid_to {self.valid_to} is before valid_from {self.valid_from}",
            )
        _raise_if(errors)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.price_list, self.sku, self.customer or "", self.valid_from.isoformat())

    def applies(self, customer: AccountNumber, on: date) -> bool:
        if self.customer is not None and self.customer != customer:
            return False
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """The price that applies and where it came from, so a pricing decision can explain itself."""

    unit_price: Decimal
    currency: CurrencyCode
    source: str


def quote_price(
    item: Item,
    entries: list[PriceEntry],
    customer: AccountNumber,
    on: date,
    currency: CurrencyCode,
) -> PriceQuote | None:
    """The price in `currency` on date `on`: a customer-specific entry beats a list-wide one,
    which beats the item's list price. Among entries of the same kind the one that started
    latest wins, then the lower price, so the choice never depends on storage order. None when
    nothing is priced in `currency`."""
    applicable = [
        e
        for e in entries
        if e.sku == item.sku and e.currency == currency and e.applies(customer, on)
    ]
    if applicable:
        best = min(applicable, key=lambda e: (e.customer is None, -e.valid_from.toordinal(),
                                                e.unit_price, e.price_list))  # fmt: skip
        scope = f"customer {best.customer}" if best.customer else "list"
        return PriceQuote(best.unit_price, best.currency, f"{best.price_list} ({scope})")
    if item.currency == currency:
        return PriceQuote(item.list_price, item.currency, "item list price")
    return None


@dataclass(frozen=True, slots=True)
class OrderReferences:
    """What an order header and its lines point at, read in one go when an order is placed."""

    customer: Customer | None
    ship_to: ShipTo | None
    site_known: bool
    items: dict[Sku, Item]
    site_time_zone: str = "UTC"

    @property
    def ship_to_known(self) -> bool:
        return self.ship_to is not None


MasterRecord = Site | Customer | ShipTo | Item | StockLevel | PriceEntry
RECORD_TYPES: tuple[type[MasterRecord], ...] = (
    Site,
    Customer,
    ShipTo,
    Item,
    StockLevel,
    PriceEntry,
)
RECORD_TYPE_BY_KIND: dict[str, type[MasterRecord]] = {t.KIND: t for t in RECORD_TYPES}

__all__ = [
    "RECORD_TYPES",
    "RECORD_TYPE_BY_KIND",
    "Customer",
    "CustomerStatus",
    "CustomerTier",
    "Item",
    "MasterRecord",
    "OrderReferences",
    "PriceEntry",
    "PriceQuote",
    "ShipTo",
    "Site",
    "StockLevel",
    "quote_price",
]
