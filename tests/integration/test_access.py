"""Access refusals on SQLite and PostgreSQL, each with a precise code and nothing changed in the
database: acting without the role, on an order of another site, as nobody, as the system actor,
resuming a hold the process put on while its case is open. And the order list of a user limited
to one site shows that site's orders only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from ordoflow.adapters.persistence.tables import metadata
from ordoflow.application import commands as c
from ordoflow.application.queries import list_orders, show_order, verify_audit
from ordoflow.bootstrap import App
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import Site, StockLevel
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId, Channel, CountryCode, OrderId, SiteCode
from tests.builders import ref
from tests.fakes import FakeClock
from tests.governed_world import ACCOUNT, ADMIN, AGENT, SHIP_TO, SITE, SKU, place_order, set_up
from tests.staff import AUDITOR, FINANCE, WAREHOUSE

OTHER = SiteCode("RTM1")
ROTTERDAM = ActorId("agent.rtm")  # customer service, for OTHER only


@dataclass(frozen=True)
class Orders:
    released: OrderId  # at SITE, released by the process
    held: OrderId  # at SITE, on credit hold by the process with a live case
    elsewhere: OrderId  # at OTHER, placed by ROTTERDAM


@pytest.fixture
def orders(app: App, clock: FakeClock) -> Orders:
    set_up(app, clock, stock=5000)
    app.bus.handle(c.SaveUser(user=User(ROTTERDAM, "Agent R", frozenset({Role.CUSTOMER_SERVICE}),
                                        frozenset({OTHER})), actor=ADMIN))  # fmt: skip
    for record in (Site(OTHER, "Rotterdam DC", CountryCode("NL"), "Europe/Amsterdam"),
                   StockLevel(SKU, OTHER, 100)):  # fmt: skip
        app.bus.handle(c.CreateRecord(actor=ADMIN, record=record))
    released = place_order(app, 1)
    elsewhere = OrderId(str(app.bus.handle(c.PlaceOrder(
        actor=ROTTERDAM, account_number=ACCOUNT, ship_to=SHIP_TO, channel=Channel.EDI,
        customer_po=ref("PO"), requested_date=clock.now().date(), site=OTHER,
        lines=(c.OrderLineInput(line_no=1, sku=SKU, quantity=1),),
    ))))  # fmt: skip
    held = place_order(app, 1050)  # 10,500 against a credit limit of 10,000
    return Orders(released, held, elsewhere)


def database(app: App) -> dict[str, object]:
    """What a refusal must leave alone: row counts of every table, each order's status, row
    version and log length, the live cases, the stock at the site, and every audit chain head."""
    with app.engine.connect() as conn:
        rows = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}  # fmt: skip
    with app.uow_factory() as uow:
        found = uow.orders.latest(limit=1000)
        return {
            "rows": rows,
            "orders": {o.id: (o.status, o.version, len(uow.orders.log(o.id))) for o in found},
            "cases": [(k.id, k.status, k.version) for k in uow.cases.live()],
            "stock": uow.records.get(StockLevel, (SKU, SITE)),
            "audit heads": {stream: head for stream, head, _ in uow.audit.chains()},
        }


def refused(app: App, command: c.Command) -> ErrorCode:
    before = database(app)
    with pytest.raises(DomainError) as caught:
        app.bus.handle(command)
    after = database(app)
    assert {k: v for k, v in after.items() if before[k] != v} == {}, "a refusal writes nothing"
    assert verify_audit(app.uow_factory, AUDITOR).ok
    return caught.value.code


def _place(actor: ActorId) -> Callable[[Orders], c.Command]:
    return lambda o: c.PlaceOrder(
        actor=actor, account_number=ACCOUNT, ship_to=SHIP_TO, channel=Channel.EDI,
        customer_po=ref("PO"), requested_date=date(2026, 12, 1), site=SITE,
        lines=(c.OrderLineInput(line_no=1, sku=SKU, quantity=1),))  # fmt: skip


def _cancel(actor: ActorId) -> Callable[[Orders], c.Command]:
    return lambda o: c.CancelOrder(order_id=o.released, reason_code="customer_request",
                                   actor=actor)  # fmt: skip


REFUSALS: list[tuple[str, Callable[[Orders], c.Command], ErrorCode]] = [
    ("placing without an order taker's role", _place(FINANCE), ErrorCode.NOT_AUTHORISED),
    ("cancelling without the role", _cancel(WAREHOUSE), ErrorCode.NOT_AUTHORISED),
    ("cancelling an order of another site", _cancel(ROTTERDAM), ErrorCode.OUTSIDE_SITE_SCOPE),
    ("placing for another site", _place(ROTTERDAM), ErrorCode.OUTSIDE_SITE_SCOPE),
    ("cancelling as nobody", _cancel(ActorId("ghost")), ErrorCode.UNKNOWN_USER),
    ("placing as the system", _place(SYSTEM_ACTOR), ErrorCode.NOT_AUTHORISED),
    ("cancelling as the system", _cancel(SYSTEM_ACTOR), ErrorCode.NOT_AUTHORISED),
    ("escalating due cases without the role",
     lambda o: c.EscalateDueCases(actor=AGENT), ErrorCode.NOT_AUTHORISED),
    ("resuming a process hold with its case open",
     lambda o: c.ResumeOrder(order_id=o.held, actor=AGENT), ErrorCode.CASE_OPEN),
]  # fmt: skip


@pytest.mark.parametrize(("name", "command", "code"), REFUSALS, ids=[n for n, _, _ in REFUSALS])
def test_a_command_the_user_may_not_give_is_refused_and_changes_nothing(
    app: App, orders: Orders, name: str, command: Callable[[Orders], c.Command], code: ErrorCode
) -> None:
    assert refused(app, command(orders)) is code, name


def test_the_same_cancellation_by_an_agent_of_the_site_goes_through(
    app: App, orders: Orders
) -> None:
    app.bus.handle(_cancel(AGENT)(orders))
    with app.uow_factory() as uow:
        order = uow.orders.get(orders.released)
    assert order is not None
    assert order.status is OrderStatus.CANCELLED


def test_the_order_list_of_a_user_limited_to_one_site_shows_only_that_sites_orders(
    app: App, orders: Orders
) -> None:
    def listed(actor: ActorId) -> set[str]:
        return {o["id"] for o in list_orders(app.uow_factory, actor)}

    assert listed(ROTTERDAM) == {orders.elsewhere}
    assert listed(AGENT) == {orders.released, orders.held, orders.elsewhere}
    with pytest.raises(DomainError) as caught:
        show_order(app.uow_factory, ROTTERDAM, orders.released)
    assert caught.value.code is ErrorCode.OUTSIDE_SITE_SCOPE
