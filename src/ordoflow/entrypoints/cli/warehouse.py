"""`ordoflow warehouse`: the warehouses' work lists and their reports (pick, pack, ship,
deliver), typed by a warehouse lead, sent by a WMS through the same commands, or played by the
built-in simulator."""

from __future__ import annotations

import typer

from ordoflow.application import commands as c
from ordoflow.application.fulfilment import ShipmentReport
from ordoflow.application.requests import parse_shipped
from ordoflow.application.warehouse_work import open_requests, simulate_warehouse
from ordoflow.domain.values import SiteCode
from ordoflow.domain.warehouse import WarehouseRequestId
from ordoflow.entrypoints.cli.common import ActorOption, actor, app_session, out, table

warehouse_app = typer.Typer(help="Warehouse requests and shipments.", no_args_is_help=True)


@warehouse_app.command("requests")
def requests_(
    site: str | None = typer.Option(None, help="One site only."),
    actor_name: str = ActorOption,
) -> None:
    """Open warehouse requests, oldest release first."""
    with app_session() as app:
        found = open_requests(app.uow_factory, actor(actor_name),
                              SiteCode(site) if site else None)  # fmt: skip
    rows = [[r["id"], r["site"], r["status"], r["carrier"], r["released_at"],
             ", ".join(f"{ln['line_no']}:{ln['sku']}x{ln['quantity'] - ln['shipped']}"
                       for ln in r["lines"])] for r in found]  # fmt: skip
    out.print(table(("request", "site", "status", "carrier", "released", "open lines"), rows))


def _report(command: c.Command, done: str) -> None:
    with app_session() as app:
        app.bus.handle(command)
    out.print(done)


@warehouse_app.command()
def pick(request_id: str, actor_name: str = ActorOption) -> None:
    """The request is picked."""
    rid = WarehouseRequestId(request_id)
    _report(c.ConfirmPicking(request_id=rid, actor=actor(actor_name)), f"{rid}: picked")


@warehouse_app.command()
def pack(request_id: str, actor_name: str = ActorOption) -> None:
    """The request is packed."""
    rid = WarehouseRequestId(request_id)
    _report(c.ConfirmPacking(request_id=rid, actor=actor(actor_name)), f"{rid}: packed")


@warehouse_app.command()
def ship(  # noqa: PLR0917 - Typer passes each argument and option by position
    request_id: str,
    reference: str = typer.Option(..., help="The warehouse's shipment reference."),
    line: list[str] = typer.Option([], help="LINE=QTY shipped, repeatable."),
    carrier: str = typer.Option("", help="Carrier (default: the one released)."),
    tracking: str = typer.Option("", help="Tracking number."),
    final: bool = typer.Option(False, "--final", help="Nothing more ships from this request."),
    actor_name: str = ActorOption,
) -> None:
    """Confirm a shipment; the same reference again changes nothing."""
    with app_session() as app:
        report: ShipmentReport = app.bus.handle(c.ConfirmShipment(
            request_id=WarehouseRequestId(request_id), reference=reference,
            shipped=parse_shipped(line), carrier=carrier, tracking=tracking, final=final,
            actor=actor(actor_name),
        ))  # fmt: skip
    if report.repeated:
        out.print(f"{report.reference}: already confirmed, nothing changed")
        return
    out.print(f"{report.reference}: shipped; invoicing follows (ordoflow worker run)")


@warehouse_app.command()
def deliver(
    site: str = typer.Option(..., help="The shipping site."),
    reference: str = typer.Option(..., help="The shipment reference."),
    received_by: str = typer.Option(..., help="Who signed for it."),
    actor_name: str = ActorOption,
) -> None:
    """Record proof of delivery."""
    with app_session() as app:
        new = app.bus.handle(c.ConfirmDelivery(site=SiteCode(site), reference=reference,
                                               received_by=received_by,
                                               actor=actor(actor_name)))  # fmt: skip
    out.print(f"{reference}: " + ("delivered" if new else "delivery already recorded"))


@warehouse_app.command()
def simulate(
    site: list[str] = typer.Option([], help="Sites to play (default: all)."),
    ship_only: bool = typer.Option(
        False, "--ship-only", help="Confirm the shipments only (no picking, packing or delivery)."
    ),
    actor_name: str = ActorOption,
) -> None:
    """Play the warehouse: pick, pack, ship in full and deliver every open request."""
    with app_session() as app:
        sites = frozenset(SiteCode(s) for s in site) or None
        done = simulate_warehouse(
            app.bus.handle, app.uow_factory, actor(actor_name), sites, ship_only=ship_only
        )
    out.print(table(("request", "shipment", "units"),
                    [[s.request_id, s.reference, s.units] for s in done]))  # fmt: skip


__all__ = ["warehouse_app"]
