"""A small distributor with the standard process published, on any database, through the bus:
one site, one standard-tier customer (credit limit 10,000 USD) with a US ship-to, one EAR99 item
listed at 10 USD."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ordoflow.application import commands as c
from ordoflow.bootstrap import App
from ordoflow.domain.masterdata import Customer, CustomerTier, Item, ShipTo, Site, StockLevel
from ordoflow.domain.values import (
    AccountNumber,
    Channel,
    CountryCode,
    CurrencyCode,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)
from tests.builders import ref
from tests.fakes import FakeClock, Store, fake_bus
from tests.governance_data import publish_standard_process
from tests.staff import ADMIN, AGENT, ensure_staff

USD = CurrencyCode("USD")
SITE, ACCOUNT, SHIP_TO, SKU = (SiteCode("DC1"), AccountNumber("C-1"), ShipToCode("MAIN"),
                               Sku("BOLT-1"))  # fmt: skip


def set_up(app: App, clock: FakeClock, *, stock: int = 100) -> None:
    ensure_staff(app.bus)
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


# -- the same on the fakes, for unit tests of the core ----------------------------------------


@dataclass
class Shop:
    bus: object
    store: Store
    clock: FakeClock
    site: SiteCode
    account: AccountNumber
    ship_to: ShipToCode
    sku: Sku

    def handle(self, command: c.Command) -> object:
        return self.bus.handle(command)  # type: ignore[attr-defined]

    def order(self, quantity: int, *, price: Decimal | None = None, sku: Sku | None = None,
              channel: Channel = Channel.API, account: AccountNumber | None = None,
              ship_to: ShipToCode | None = None) -> OrderId:  # fmt: skip
        return OrderId(str(self.handle(c.PlaceOrder(
            actor=AGENT, account_number=account or self.account,
            ship_to=ship_to or self.ship_to, channel=channel, customer_po=ref("PO"),
            requested_date=self.clock.now().date(), site=self.site,
            lines=(c.OrderLineInput(line_no=1, sku=sku or self.sku, quantity=quantity,
                                    unit_price=price),),
        ))))  # fmt: skip

    def add(self, record: object) -> None:
        self.handle(c.CreateRecord(actor=ADMIN, record=record))  # type: ignore[arg-type]

    def update(self, record: object) -> None:
        self.handle(c.UpdateRecord(actor=ADMIN, record=record))  # type: ignore[arg-type]


def shop(*, governed: bool = True, stock: int = 100, site: str | None = None) -> Shop:
    bus, store, clock = fake_bus()
    site_code, account = SiteCode(site or ref("S")), AccountNumber(ref("C"))
    world = Shop(bus, store, clock, site_code, account, ShipToCode("MAIN"), Sku(ref("SKU")))
    ensure_staff(bus)
    world.add(Site(site_code, "DC", CountryCode("US"), "America/Chicago"))
    world.add(Customer(account, "Buyer Inc.", "TAX-1", CustomerTier.STANDARD, USD, "NET30",
                       Decimal("10000")))  # fmt: skip
    world.add(ShipTo(account, world.ship_to, "Dock", "1 Main St", "Dallas", "75001",
                     CountryCode("US")))  # fmt: skip
    world.add(Item(world.sku, "Bolt", "EA", "HW", Decimal("10"), USD, Decimal("6"),
                   Decimal("1"), "EAR99"))  # fmt: skip
    world.add(StockLevel(world.sku, site_code, stock))
    if governed:
        publish_standard_process(bus)
    clock.advance(minutes=1)
    return world


__all__ = [
    "ACCOUNT",
    "ADMIN",
    "AGENT",
    "SHIP_TO",
    "SITE",
    "SKU",
    "Shop",
    "place_order",
    "set_up",
    "shop",
]
