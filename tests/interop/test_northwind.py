"""Northwind Traders (Microsoft's sample distributor, MIT; see SOURCES.md beside the CSVs) run
through Ordoflow on SQLite and PostgreSQL: its customers and products become import files, and
every one of its 830 orders is placed through the bus with the prices of its order details.

Northwind records no cost or weight for a product, so those import as zero; every customer gets
the same tier, terms and credit limit; the order totals ignore Northwind's Discount column
because Ordoflow has no line discounts yet (an order's total is the sum of price x quantity).
The standard process is published first, so each order runs it and ends wherever its rules
and the stock take it (released, waiting for stock, or held for a person).
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordoflow.application.commands import ImportRecords, SaveUser
from ordoflow.application.queries import list_orders, verify_audit
from ordoflow.application.records import ImportReport
from ordoflow.application.requests import parse_place_order
from ordoflow.bootstrap import App
from ordoflow.domain.decisions import DecisionRecord, Outcome
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId, OrderId, SiteCode
from tests.governance_data import ensure_standard_process
from tests.staff import ADMIN, AUDITOR, ensure_staff

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]


def northwind_folder() -> Path:
    """ORDOFLOW_SHARED_DATA names the shared data folder (or Northwind's own folder); by default
    it is ../shared/data beside the repository."""
    base = Path(os.environ.get("ORDOFLOW_SHARED_DATA") or ROOT.parent / "shared" / "data")
    return base if (base / "orders.csv").exists() else base / "northwind"


DATA = northwind_folder()
if not (DATA / "orders.csv").exists():
    pytest.skip(
        f"the Northwind sample is not at {DATA}; set ORDOFLOW_SHARED_DATA to the shared data "
        "folder to run the Northwind interop tests",
        allow_module_level=True,
    )

SITE = "NW-SEA"
#: Northwind's EDI account: an integration user acting for its one site, which sends the master
#: data and the orders. An administrator sets up the site itself.
ACTOR = ActorId("northwind.edi")
ORDER_COUNT = 830
#: ISO 3166 alpha-2 for the country names Northwind's customers use.
COUNTRIES = {
    "Argentina": "AR", "Austria": "AT", "Belgium": "BE", "Brazil": "BR", "Canada": "CA",
    "Denmark": "DK", "Finland": "FI", "France": "FR", "Germany": "DE", "Ireland": "IE",
    "Italy": "IT", "Mexico": "MX", "Norway": "NO", "Poland": "PL", "Portugal": "PT",
    "Spain": "ES", "Sweden": "SE", "Switzerland": "CH", "UK": "GB", "USA": "US",
    "Venezuela": "VE",
}  # fmt: skip


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def sku(product_id: str) -> str:
    return f"NW-{product_id}"


def import_files() -> dict[str, str]:
    """Ordoflow import CSVs by kind, in the order they must be imported."""
    customers, products = read("customers.csv"), read("products.csv")
    return {
        "sites": to_csv([{"code": SITE, "name": "Northwind Traders Seattle", "country": "US",
                          "time_zone": "America/Los_Angeles"}]),
        "customers": to_csv([
            {"account_number": c["CustomerID"], "legal_name": c["CompanyName"],
             "tax_id": f"NW-TAX-{c['CustomerID']}", "tier": "standard", "currency": "USD",
             "payment_terms": "NET30", "credit_limit": "50000.00"}
            for c in customers
        ]),
        "ship-tos": to_csv([
            {"account_number": c["CustomerID"], "code": "MAIN", "name": c["CompanyName"],
             "address_line": c["Address"], "city": c["City"], "postal_code": c["PostalCode"],
             "country": COUNTRIES[c["Country"]]}
            for c in customers
        ]),
        "items": to_csv([
            {"sku": sku(p["ProductID"]), "description": p["ProductName"],
             "unit_of_measure": "EA", "product_class": f"CATEGORY-{p['CategoryID']}",
             "list_price": p["UnitPrice"], "currency": "USD", "standard_cost": "0",
             "weight_kg": "0", "export_classification": "EAR99", "hazmat": "false"}
            for p in products
        ]),
        "stock": to_csv([
            {"sku": sku(p["ProductID"]), "site": SITE, "on_hand": p["UnitsInStock"]}
            for p in products
        ]),
    }  # fmt: skip


@dataclass(frozen=True)
class Book:
    """Northwind's orders as Ordoflow request bodies, with the total each should come to."""

    bodies: list[dict[str, Any]]
    totals: dict[str, Decimal]


def order_book() -> Book:
    details: dict[str, list[dict[str, str]]] = defaultdict(list)
    for d in read("order_details.csv"):
        details[d["OrderID"]].append(d)
    bodies, totals = [], {}
    for o in read("orders.csv"):
        po, lines = f"NW-{o['OrderID']}", details[o["OrderID"]]
        bodies.append({
            "account_number": o["CustomerID"], "ship_to": "MAIN", "channel": "edi",
            "customer_po": po, "requested_date": o["RequiredDate"], "site": SITE,
            "lines": [{"line_no": n, "sku": sku(d["ProductID"]), "quantity": d["Quantity"],
                       "unit_price": d["UnitPrice"]} for n, d in enumerate(lines, start=1)],
        })  # fmt: skip
        totals[po] = sum((Decimal(d["UnitPrice"]) * int(d["Quantity"]) for d in lines), Decimal(0))
    return Book(bodies, totals)


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return import_files()


@pytest.fixture(scope="module")
def book() -> Book:
    return order_book()


@pytest.fixture(autouse=True)
def staffed(app: App) -> None:
    """The cast, and Northwind's EDI account."""
    ensure_staff(app.bus)
    account = User(ACTOR, "Northwind EDI", frozenset({Role.INTEGRATION}),
                   frozenset({SiteCode(SITE)}))  # fmt: skip
    app.bus.handle(SaveUser(user=account, actor=ADMIN))


def load(app: App, files: dict[str, str]) -> dict[str, ImportReport]:
    return {
        kind: app.bus.handle(ImportRecords(kind=kind, text=text, source=f"{kind}.csv",
                                           actor=ADMIN if kind == "sites" else ACTOR))
        for kind, text in files.items()
    }  # fmt: skip


def place_all(app: App, book: Book) -> dict[str, str]:
    """Order id by PO for every order of the book."""
    return {
        body["customer_po"]: app.bus.handle(parse_place_order(body, actor=ACTOR))
        for body in book.bodies
    }


def log_entries(app: App) -> int:
    with app.uow_factory() as uow:
        return sum(len(entries) for _, _, entries in uow.orders.chains())


@dataclass(frozen=True)
class Trace:
    """Where an order ended and what the process decided on the way."""

    status: OrderStatus
    hold_reason: str | None
    process: str | None
    pinned: bool
    decisions: list[DecisionRecord]


def traces(app: App, ids: dict[str, str]) -> dict[str, Trace]:
    with app.uow_factory() as uow:
        found = {po: (uow.orders.get(OrderId(oid)), uow.orders.decisions(OrderId(oid)))
                 for po, oid in ids.items()}  # fmt: skip
    return {po: Trace(o.status, o.hold_reason, o.process, o.pins is not None, d)
            for po, (o, d) in found.items() if o is not None}  # fmt: skip


def ends_where_its_decisions_left_it(t: Trace) -> bool:
    """Held by the step that stopped it, waiting at release, or released by the process."""
    last = t.decisions[-1]
    if t.status is OrderStatus.ON_HOLD:
        return last.stops and last.reason == t.hold_reason
    waiting = t.status in {OrderStatus.BACKORDERED, OrderStatus.PARTIALLY_ALLOCATED}
    expected = Outcome.BACKORDER if waiting else Outcome.PASS
    released_or_waiting = waiting or t.status is OrderStatus.RELEASED
    return released_or_waiting and (last.step, last.outcome) == ("release", expected)


def test_northwind_customers_and_products_import_as_master_data(
    app: App, files: dict[str, str]
) -> None:
    created = {kind: report.created for kind, report in load(app, files).items()}
    assert created == {"sites": 1, "customers": 91, "ship-tos": 91, "items": 77, "stock": 77}


def test_every_northwind_order_is_placed_once_with_its_total_and_an_intact_log(
    app: App, files: dict[str, str], book: Book
) -> None:
    load(app, files)
    ensure_standard_process(app.bus)
    ids = place_all(app, book)
    assert len(book.bodies) == len(ids) == len(set(ids.values())) == ORDER_COUNT
    listed = list_orders(app.uow_factory, ACTOR, limit=ORDER_COUNT + 1)
    assert {o["customer_po"]: o["id"] for o in listed} == ids
    assert {o["customer_po"]: Decimal(o["total"]) for o in listed} == book.totals
    entries, decisions = log_entries(app), decision_count(traces(app, ids))
    assert place_all(app, book) == ids
    assert (log_entries(app), decision_count(traces(app, ids))) == (entries, decisions), (
        "placing again must add no order, no log entry and no decision"
    )
    report = verify_audit(app.uow_factory, AUDITOR)
    assert (report.ok, report.orders_checked) == (True, ORDER_COUNT), report.breaks


def decision_count(found: dict[str, Trace]) -> int:
    return sum(len(t.decisions) for t in found.values())


def test_every_northwind_order_is_pinned_and_ends_where_its_decisions_left_it(
    app: App, files: dict[str, str], book: Book
) -> None:
    load(app, files)
    ensure_standard_process(app.bus)
    found = traces(app, place_all(app, book))
    assert len(found) == ORDER_COUNT
    assert all(t.pinned for t in found.values())
    assert {t.process for t in found.values()} == {"order_to_cash v1"}
    assert [po for po, t in found.items() if not ends_where_its_decisions_left_it(t)] == []
    # real order books end in more than one place: some released, some waiting, some held
    ends = {t.status for t in found.values()}
    assert {OrderStatus.RELEASED, OrderStatus.BACKORDERED, OrderStatus.ON_HOLD} <= ends
