"""Master data and orders for tests, through the bus, with random references so runs never
collide."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ordoflow.application import commands as c
from ordoflow.application.messagebus import MessageBus
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
from tests.governance_data import ensure_standard_process
from tests.staff import ensure_staff


def ref(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3).upper()}"


@dataclass(frozen=True)
class World:
    """A site, a customer with one ship-to, and items with stock at the site."""

    site: SiteCode
    account: AccountNumber
    ship_to: ShipToCode
    skus: tuple[Sku, ...]


def seed(
    bus: MessageBus,
    *,
    stock: int = 100,
    items: int = 3,
    currency: str = "USD",
    governed: bool = True,
) -> World:
    """Master data for one customer at one site. `governed` (the default) publishes the
    standard process first unless the database has it, so orders placed run it."""
    ensure_staff(bus)
    if governed:
        ensure_standard_process(bus)
    site, account = SiteCode(ref("S")), AccountNumber(ref("C"))
    ship_to = ShipToCode("MAIN")
    admin = ActorId("admin")
    bus.handle(
        c.CreateRecord(
            actor=admin, record=Site(site, "Test DC", CountryCode("US"), "America/Chicago")
        )
    )
    bus.handle(
        c.CreateRecord(
            actor=admin,
            record=Customer(
                account,
                "Test Customer Inc.",
                "TAX-1",
                CustomerTier.STANDARD,
                CurrencyCode(currency),
                "NET30",
                Decimal("10000"),
            ),
        )
    )
    bus.handle(
        c.CreateRecord(
            actor=admin,
            record=ShipTo(
                account, ship_to, "Dock 1", "1 Main St", "Dallas", "75001", CountryCode("US")
            ),
        )
    )
    skus = []
    for n in range(items):
        sku = Sku(ref("SKU"))
        bus.handle(
            c.CreateRecord(
                actor=admin,
                record=Item(
                    sku,
                    f"Item {n}",
                    "EA",
                    "HW",
                    Decimal("10.50") + n,
                    CurrencyCode(currency),
                    Decimal("6"),
                    Decimal("1.2"),
                    "EAR99",
                ),
            )
        )
        bus.handle(c.CreateRecord(actor=admin, record=StockLevel(sku, site, stock)))
        skus.append(sku)
    return World(site, account, ship_to, tuple(skus))  # fmt: skip


def place(
    world: World,
    *quantities: int,
    po: str | None = None,
    channel: Channel = Channel.API,
    price: Decimal | None = None,
) -> c.PlaceOrder:
    """A PlaceOrder for `world`: one line per quantity, on the world's SKUs in turn."""
    return c.PlaceOrder(
        actor=ActorId("cs.agent"),
        account_number=world.account,
        ship_to=world.ship_to,
        channel=channel,
        customer_po=po or ref("PO"),
        requested_date=date(2026, 12, 1),
        site=world.site,
        lines=tuple(
            c.OrderLineInput(line_no=n + 1, sku=world.skus[n % len(world.skus)], quantity=q,
                             unit_price=price)
            for n, q in enumerate(quantities or (5,))
        ),
    )  # fmt: skip


def order_id(value: object) -> OrderId:
    assert isinstance(value, str)
    return OrderId(value)
