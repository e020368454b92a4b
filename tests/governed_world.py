"""A small distributor with the standard process published, on any database, through the bus:
one site, one standard-tier customer (credit limit 10,000 USD) with a US ship-to, one EAR99 item
listed at 10 USD."""

from __future__ import annotations

from decimal import Decimal

from ordoflow.application import commands as c
from ordoflow.bootstrap import App
from ordoflow.domain.masterdata import Customer, CustomerTier, Item, ShipTo, Site, StockLevel
from ordoflow.domain.values import (
    AccountNumber,
    ActorId,
    Channel,
    CountryCode,
    CurrencyCode,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)
from tests.builders import ref
from tests.fakes import FakeClock
from tests.governance_data import publish_standard_process

ADMIN, AGENT = ActorId("admin"), ActorId("cs.agent")
USD = CurrencyCode("USD")
SITE, ACCOUNT, SHIP_TO, SKU = (SiteCode("DC1"), AccountNumber("C-1"), ShipToCode("MAIN"),
                               Sku("BOLT-1"))  # fmt: skip


def set_up(app: App, clock: FakeClock, *, stock: int = 100) -> None:
    for record in (
        Site(SITE, "DC", CountryCode("US"), "America/Chicago"),
        Customer(ACCOUNT, "Buyer Inc.", "TAX-1", CustomerTier.STANDARD, USD, "NET30",
                 Decimal("10000")),
        ShipTo(ACCOUNT, SHIP_TO, "Dock", "1 Main St", "Dallas", "75001", CountryCode("US")),
        Item(SKU, "Bolt", "EA", "HW", Decimal("10"), USD, Decimal("6"), Decimal("1"), "EAR99"),
        StockLevel(SKU, SITE, stock),
    ):  # fmt: skip
        app.bus.handle(c.CreateRecord(actor=ADMIN, record=record))
    publish_standard_process(app.bus)
    clock.advance(minutes=1)


def place_order(app: App, quantity: int, price: Decimal | None = None) -> OrderId:
    return OrderId(str(app.bus.handle(c.PlaceOrder(
        actor=AGENT, account_number=ACCOUNT, ship_to=SHIP_TO, channel=Channel.EDI,
        customer_po=ref("PO"), requested_date=app.bus.clock.now().date(), site=SITE,
        lines=(c.OrderLineInput(line_no=1, sku=SKU, quantity=quantity, unit_price=price),),
    ))))  # fmt: skip


__all__ = ["ACCOUNT", "AGENT", "SHIP_TO", "SITE", "SKU", "place_order", "set_up"]
