"""`ordoflow audit verify`, as a compliance auditor runs it, on SQLite and PostgreSQL: clean on
an intact database, and naming the order and the entry when someone with database access alters,
deletes or reorders a log row."""

from __future__ import annotations

import pytest

from ordoflow.application.records import SPECS
from ordoflow.application.requests import parse_place_order
from ordoflow.bootstrap import App
from ordoflow.domain.values import OrderId
from tests.e2e.cli import Cli, ref, table_rows, tamper
from tests.e2e.sample import acme_order, sample_rows
from tests.governance_data import TABLE_NAMES
from tests.staff import AGENT, AUDITOR, STAFF

ALTER = ("UPDATE order_events SET actor = 'someone.else' WHERE order_id = :order_id AND seq = 2",)
DELETE = ("DELETE FROM order_events WHERE order_id = :order_id AND seq = 2",)
SWAP = tuple(
    f"UPDATE order_events SET seq = {new} WHERE order_id = :order_id AND seq = {old}"
    for old, new in ((2, 1000), (3, 2), (1000, 3))
)


def order_with_history(app: App) -> OrderId:
    """An order the standard process released, with eight log entries: received, validated,
    two lines and the order allocated, the order and two lines released."""
    placed = app.bus.handle(parse_place_order(acme_order(ref("PO")), actor=AGENT))
    order_id = OrderId(placed)
    with app.uow_factory() as uow:
        assert len(uow.orders.log(order_id)) == 8
    return order_id


def test_audit_verify_passes_on_an_intact_database(cli: Cli, sample_distributor: App) -> None:
    order_with_history(sample_distributor)
    order_with_history(sample_distributor)
    records = sum(sample_rows(kind) for kind in SPECS)
    artifacts = len(TABLE_NAMES) + 1  # the standard process: its tables and its template
    users = len(STAFF)
    result = cli.ok("audit", "verify", "--actor", AUDITOR)
    assert result.out.startswith(
        f"audit ok: 2 order logs and {records + artifacts + users} audit streams verified"
    )


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (ALTER, "contents altered after it was written"),
        (DELETE, "entry 2 missing or out of order"),
        (SWAP, "does not link to the previous entry"),
    ],
    ids=["altered row", "deleted row", "swapped rows"],
)
def test_audit_verify_exits_1_naming_the_tampered_order_and_entry(
    cli: Cli, sample_distributor: App, db_url: str, statements: tuple[str, ...], problem: str
) -> None:
    untouched = order_with_history(sample_distributor)
    tampered = order_with_history(sample_distributor)
    tamper(db_url, *statements, order_id=tampered)
    result = cli("audit", "verify", "--actor", AUDITOR)
    assert result.code == 1, result.out + result.err
    assert "1 broken chain(s)" in result.err
    assert table_rows(result.err) == [[f"order {tampered}", "2", problem]]
    assert untouched not in result.err
