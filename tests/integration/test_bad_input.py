"""Each kind of bad input, on SQLite and on PostgreSQL: a precise code, nothing written, and a
database that is still consistent afterwards."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordoflow.adapters.persistence.tables import metadata
from ordoflow.application import commands as c
from ordoflow.application.queries import show_order, verify_audit
from ordoflow.application.records import ImportRejected
from ordoflow.application.requests import parse_place_order
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.values import AccountNumber, Sku
from ordoflow.domain.warehouse import RequestStatus, WarehouseRequest
from tests.builders import World, place, seed
from tests.staff import ADMIN, AGENT, AUDITOR, FINANCE, INTEGRATION, WAREHOUSE, ensure_staff


def row_counts(app: App) -> dict[str, int]:
    with app.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


@pytest.fixture
def world(app: App) -> World:
    return seed(app.bus, stock=10)


def refused(app: App, command: c.Command) -> DomainError:
    before = row_counts(app)
    with pytest.raises(DomainError) as caught:
        app.bus.handle(command)
    assert row_counts(app) == before, "a refused command must write nothing"
    assert verify_audit(app.uow_factory, AUDITOR).ok
    return caught.value


def test_a_malformed_csv_is_refused_as_malformed(app: App) -> None:
    ensure_staff(app.bus)
    exc = refused(app, c.ImportRecords(actor=ADMIN, kind="items", text="sku;description\nA;B\n"))
    assert exc.code is ErrorCode.CSV_MALFORMED


def test_a_csv_with_one_bad_row_writes_none_of_the_good_ones(app: App) -> None:
    ensure_staff(app.bus)
    text = ("code,name,country,time_zone\nOK1,Fine,US,UTC\nOK2,Fine,US,UTC\n"
            "BAD,Wrong,US,Nowhere/Land\n")  # fmt: skip
    exc = refused(app, c.ImportRecords(actor=ADMIN, kind="sites", text=text))
    assert isinstance(exc, ImportRejected)
    assert exc.code is ErrorCode.CSV_ROWS_INVALID
    assert [(e.row, e.field, e.code) for e in exc.errors] == [
        (4, "time_zone", ErrorCode.INVALID_TIME_ZONE)
    ]


def test_a_stock_file_setting_on_hand_below_allocated_writes_none_of_its_rows(
    app: App, world: World
) -> None:
    order_id = app.bus.handle(place(world, 8))  # the process allocates all 8
    assert show_order(app.uow_factory, AGENT, order_id)["lines"][0]["allocated"] == 8
    text = (f"sku,site,on_hand\n{world.skus[1]},{world.site},99\n"
            f"{world.skus[0]},{world.site},1\n")  # fmt: skip
    exc = refused(app, c.ImportRecords(actor=ADMIN, kind="stock", text=text))
    assert isinstance(exc, ImportRejected)
    assert exc.code is ErrorCode.CSV_ROWS_INVALID
    assert [(e.row, e.field, e.code) for e in exc.errors] == [
        (3, "on_hand", ErrorCode.INVALID_STOCK)
    ]


def test_an_unknown_sku_is_refused(app: App, world: World) -> None:
    line = c.OrderLineInput(line_no=1, sku=Sku("NO-SUCH"), quantity=1)
    exc = refused(app, replace(place(world, 1), lines=(line,)))
    assert exc.code is ErrorCode.UNKNOWN_SKU
    assert "NO-SUCH" in exc.message


def test_an_unknown_customer_is_refused(app: App, world: World) -> None:
    exc = refused(app, replace(place(world, 1), account_number=AccountNumber("NOBODY")))
    assert exc.code is ErrorCode.UNKNOWN_CUSTOMER


@pytest.mark.parametrize("quantity", ["0", "-2", 0, -1, "1.5"])
def test_a_zero_negative_or_fractional_quantity_is_refused(
    app: App, world: World, quantity: object
) -> None:
    body = {"account_number": world.account, "ship_to": world.ship_to, "channel": "api",
            "customer_po": "PO-Q", "requested_date": "2026-12-01", "site": world.site,
            "lines": [{"sku": world.skus[0], "quantity": quantity}]}  # fmt: skip
    before = row_counts(app)
    with pytest.raises(DomainError) as caught:
        app.bus.handle(parse_place_order(body, actor=INTEGRATION))
    assert caught.value.code is ErrorCode.INVALID_QUANTITY
    assert row_counts(app) == before


def test_a_non_numeric_price_is_refused(app: App, world: World) -> None:
    body = {"account_number": world.account, "ship_to": world.ship_to, "channel": "edi",
            "customer_po": "PO-P", "requested_date": "2026-12-01", "site": world.site,
            "lines": [{"sku": world.skus[0], "quantity": 1, "unit_price": "12,50"}]}  # fmt: skip
    before = row_counts(app)
    with pytest.raises(DomainError) as caught:
        app.bus.handle(parse_place_order(body, actor=INTEGRATION))
    assert caught.value.code is ErrorCode.INVALID_PRICE
    assert row_counts(app) == before


def test_a_duplicate_po_with_a_different_body_is_refused(app: App, world: World) -> None:
    first = app.bus.handle(place(world, 2, po="PO-DUP", price=Decimal("5")))
    exc = refused(app, place(world, 3, po="PO-DUP", price=Decimal("5")))
    assert exc.code is ErrorCode.DUPLICATE_PO_CONFLICT
    assert first in exc.message


def test_a_duplicate_po_with_the_same_body_returns_the_order_and_writes_nothing(
    app: App, world: World
) -> None:
    command = place(world, 2, po="PO-SAME")
    first = app.bus.handle(command)
    before = row_counts(app)
    assert app.bus.handle(command) == first
    assert row_counts(app) == before


def test_an_illegal_lifecycle_move_is_refused(app: App, world: World) -> None:
    order_id = app.bus.handle(place(world, 2))  # released by the process, not yet shipped
    assert show_order(app.uow_factory, AGENT, order_id)["status"] == "released"
    exc = refused(app, c.InvoiceOrder(actor=FINANCE, order_id=order_id))
    assert exc.code is ErrorCode.ILLEGAL_TRANSITION
    assert "'invoice'" in exc.message
    assert "'released'" in exc.message


def test_cancel_after_shipment_is_refused(app: App, world: World) -> None:
    order_id = app.bus.handle(place(world, 2))  # released by the process
    request_id = WarehouseRequest.id_for(order_id, world.site)
    app.bus.handle(c.ConfirmShipment(actor=WAREHOUSE, request_id=request_id, reference="SHP-1",
                                     shipped={1: 2}))  # fmt: skip
    assert show_order(app.uow_factory, AGENT, order_id)["status"] == "shipped"
    exc = refused(app, c.CancelOrder(actor=AGENT, order_id=order_id, reason_code="too_late"))
    assert exc.code is ErrorCode.ILLEGAL_TRANSITION
    with app.uow_factory() as uow:
        (request,) = uow.warehouse.requests_for(order_id)
    assert (request.id, request.status) == (request_id, RequestStatus.SHIPPED)
