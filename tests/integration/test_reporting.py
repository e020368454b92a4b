"""The auditor's export and the customer status on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from ordoflow.application import commands as c
from ordoflow.application.reporting import audit_csv, audit_export, customer_status
from ordoflow.bootstrap import App
from ordoflow.domain.people import Role, User
from tests.fakes import FakeClock
from tests.governed_world import ADMIN, AGENT, place_order, set_up
from tests.staff import AUDITOR


def test_the_export_reads_both_logs_of_a_period_back_exactly(app: App, clock: FakeClock) -> None:
    set_up(app, clock, stock=2000)
    for user in (User(ADMIN, "Admin", frozenset({Role.ADMINISTRATOR})),
                 User(AGENT, "Agent", frozenset({Role.CUSTOMER_SERVICE})),
                 User(AUDITOR, "Amy", frozenset({Role.COMPLIANCE}))):  # fmt: skip
        app.bus.handle(c.SaveUser(user=user, actor=ADMIN))
    clock.advance(minutes=1)
    start = clock.now()
    held = place_order(app, 1050)
    clock.advance(days=1)
    released = place_order(app, 1)
    rows = audit_export(app.uow_factory, AUDITOR, start, start + timedelta(hours=1))
    assert {r["stream"] for r in rows if r["log"] == "order"} == {f"order:{held}"}
    assert {r["action"] for r in rows if r["log"] == "audit"} == {"opened"}
    assert all(start <= r["occurred_at"] < start + timedelta(hours=1) for r in rows)
    everything = audit_export(app.uow_factory, AUDITOR, start, clock.now() + timedelta(seconds=1))
    assert f"order:{released}" in {r["stream"] for r in everything}
    parsed = list(csv.DictReader(io.StringIO(audit_csv(everything))))
    assert [p["hash"] for p in parsed] == [r["hash"] for r in everything]
    assert customer_status(app.uow_factory, AGENT, held)["stage"] == "under review"
