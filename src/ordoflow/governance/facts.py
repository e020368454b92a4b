"""What the governed process knows about an order: named facts its decision tables read.

A table input names a fact (`customer tier`, `exposure ratio`, `discount percent`) or a
parameter of the step (`minimum fill rate`). Order facts hold once per order; line facts hold
per line, and a table that reads any of them is evaluated once per live line. Every fact is
derived here from the order and its master data, so a fact means the same in production, in an
explanation and in a what-if replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ordoflow.domain.masterdata import Customer, Item, PriceQuote, ShipTo
from ordoflow.domain.orders import Order
from ordoflow.domain.values import Sku

ORDER_FACTS: dict[str, str] = {
    "customer status": "the customer's status: active, inactive or blocked",
    "customer tier": "the customer's tier: strategic, preferred, standard or cash",
    "tax id given": "whether the customer's tax id is filled in",
    "ship to complete": "whether the ship-to has name, street, city, postal code and country",
    "channel": "where the order came from: api, edi, ecommerce or field_sales",
    "site": "the site that ships the order",
    "destination country": "the ship-to's country (ISO 3166 alpha-2)",
    "destination region": "US-EAST, US-CENTRAL or US-WEST for a US ship-to (by the first "
    "digit of its ZIP code: 0-3, 4-7, 8-9), EU for a European Union country, else the country",
    "order total": "the value of the order's live lines, in the order's currency",
    "credit limit": "the customer's credit limit, in its currency",
    "open exposure": "what the customer owes and will owe: the unshipped value of its other "
    "open orders, and its issued invoices less credit memos",
    "exposure ratio": "(open exposure + order total) / credit limit, to four places; 999 when "
    "the limit is 0 and anything is owed",
    "days past due": "days the customer's oldest unpaid invoice is past its due date (issued "
    "invoices count as unpaid: payments are not recorded yet)",
    "days late": "days between the requested date and today, 0 when not yet due",
    "days until requested": "days from today to the requested date (negative when late)",
    "denied party": "whether the customer is on a denied-party list (false until such a list "
    "is kept)",
    "hazmat": "whether any live line is a hazardous material",
    "fill rate": "allocated units / ordered units over live lines, to four places; known "
    "after the allocation step",
    "orders in last 24 hours": "the customer's orders placed in the 24 hours up to this one "
    "and not rejected or cancelled, this one included",
    "value in last 24 hours": "the value of those orders' live lines, this order's total included",
}
LINE_FACTS: dict[str, str] = {
    "line number": "the line's number",
    "sku": "the item",
    "product class": "the item's product class",
    "export classification": "the item's export classification (EAR99 when not controlled)",
    "line hazmat": "whether the item is a hazardous material",
    "quantity": "units ordered",
    "unit price": "the price on the order",
    "reference price": "the customer's contract price, else the list price, on the requested date",
    "discount percent": "(reference price - unit price) / reference price x 100, to two places",
    "line amount": "quantity x unit price",
}
#: The parts of an order each fact is derived from: editing a part (`customer`, `ship_to`,
#: `lines`) changes the facts derived from it, and the steps whose tables read them run again.
#: Facts not listed (channel, site, days late) no edit can change.
FACT_SOURCES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("customer status", "customer tier", "tax id given", "credit limit",
                     "open exposure", "days past due", "denied party"),
                    frozenset({"customer"})),
    **dict.fromkeys(("ship to complete", "destination country", "destination region"),
                    frozenset({"ship_to"})),
    **dict.fromkeys(("order total", "hazmat", "fill rate"), frozenset({"lines"})),
    "exposure ratio": frozenset({"customer", "lines"}),
    "orders in last 24 hours": frozenset({"customer"}),
    "value in last 24 hours": frozenset({"customer", "lines"}),
    **dict.fromkeys(LINE_FACTS, frozenset({"lines"})),
    "reference price": frozenset({"customer", "lines"}),
    "discount percent": frozenset({"customer", "lines"}),
}  # fmt: skip
#: The exposure ratio when a customer with no credit limit owes anything: above every limit.
NO_LIMIT_RATIO = Decimal(999)


@dataclass(frozen=True, slots=True)
class OrderData:
    """The master data an order's facts are derived from: its customer and ship-to, its
    items, the reference price of each line (by line number) and the value of the customer's
    other open orders."""

    customer: Customer
    ship_to: ShipTo
    items: Mapping[Sku, Item]
    quotes: Mapping[int, PriceQuote | None]
    open_exposure: Decimal
    time_zone: str = "UTC"  # the site's, for deadlines in its business hours
    #: The customer's other orders of the last 24 hours: how many, and their value.
    recent_orders: int = 0
    recent_value: Decimal = Decimal(0)
    #: Days the customer's oldest unpaid invoice is past its due date.
    days_past_due: int = 0


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order: dict[str, Any]
    lines: dict[int, dict[str, Any]] = field(default_factory=dict)

    def with_order(self, **changes: Any) -> OrderFacts:
        return OrderFacts({**self.order, **changes}, self.lines)


def _places(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places))


def exposure_ratio(exposure: Decimal, limit: Decimal) -> Decimal:
    if limit == 0:
        return Decimal(0) if exposure == 0 else NO_LIMIT_RATIO
    return _places(exposure / limit, "0.0001")


def discount_percent(reference: Decimal, price: Decimal) -> Decimal:
    if reference == 0:
        return Decimal(0)
    return _places((reference - price) / reference * 100, "0.01")


def fill_rate(order: Order) -> Decimal:
    live = [ln for ln in order.lines if ln.is_live]
    wanted = sum(ln.quantity for ln in live)
    if wanted == 0:
        return Decimal(0)
    return _places(Decimal(sum(ln.allocated_qty for ln in live)) / wanted, "0.0001")


#: European Union members (ISO 3166 alpha-2), one region for sourcing.
EU_COUNTRIES = frozenset((
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
))  # fmt: skip
_US_REGIONS = {**dict.fromkeys("0123", "US-EAST"), **dict.fromkeys("4567", "US-CENTRAL"),
               **dict.fromkeys("89", "US-WEST")}  # fmt: skip


def destination_region(ship_to: ShipTo) -> str:
    if ship_to.country == "US":
        return _US_REGIONS.get(ship_to.postal_code.strip()[:1], "US")
    return "EU" if ship_to.country in EU_COUNTRIES else ship_to.country


def _ship_to_complete(ship_to: ShipTo) -> bool:
    parts = (ship_to.name, ship_to.address_line, ship_to.city, ship_to.postal_code,
             ship_to.country)  # fmt: skip
    return all(part.strip() for part in parts)


def order_facts(order: Order, data: OrderData, today: date) -> OrderFacts:
    """The facts of `order` as it stands."""
    customer, ship_to, items, quotes = data.customer, data.ship_to, data.items, data.quotes
    open_exposure = data.open_exposure
    live = [ln for ln in order.lines if ln.is_live]
    total = sum((ln.amount for ln in live), Decimal(0))
    lines: dict[int, dict[str, Any]] = {}
    for ln in live:
        item, quote = items[ln.sku], quotes.get(ln.line_no)
        reference = quote.unit_price if quote is not None else ln.unit_price
        lines[ln.line_no] = {
            "line number": ln.line_no, "sku": ln.sku, "product class": item.product_class,
            "export classification": item.export_classification, "line hazmat": item.hazmat,
            "quantity": ln.quantity, "unit price": ln.unit_price, "reference price": reference,
            "discount percent": discount_percent(reference, ln.unit_price),
            "line amount": ln.amount,
        }  # fmt: skip
    facts = {
        "customer status": customer.status.value, "customer tier": customer.tier.value,
        "tax id given": bool(customer.tax_id.strip()),
        "ship to complete": _ship_to_complete(ship_to),
        "channel": order.header.channel.value, "site": order.header.site,
        "destination country": ship_to.country,
        "destination region": destination_region(ship_to), "order total": total,
        "credit limit": customer.credit_limit, "open exposure": open_exposure,
        "exposure ratio": exposure_ratio(open_exposure + total, customer.credit_limit),
        "days past due": data.days_past_due,
        "days late": max(0, (today - order.header.requested_date).days),
        "days until requested": (order.header.requested_date - today).days,
        "denied party": False,
        "hazmat": any(items[ln.sku].hazmat for ln in live),
        "fill rate": None,
        "orders in last 24 hours": data.recent_orders + 1,
        "value in last 24 hours": data.recent_value + total,
    }  # fmt: skip
    return OrderFacts(facts, lines)


__all__ = [
    "FACT_SOURCES",
    "LINE_FACTS",
    "NO_LIMIT_RATIO",
    "ORDER_FACTS",
    "OrderData",
    "OrderFacts",
    "destination_region",
    "discount_percent",
    "exposure_ratio",
    "fill_rate",
    "order_facts",
]
