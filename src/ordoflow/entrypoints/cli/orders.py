"""`ordoflow orders ...`: place, list, show and move orders through their lifecycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ordoflow.application import commands as c
from ordoflow.application.explaining import explain_order, explanation_text
from ordoflow.application.queries import list_orders, show_order
from ordoflow.application.reporting import customer_status
from ordoflow.application.requests import parse_edit_json, parse_order_json
from ordoflow.domain.values import OrderId
from ordoflow.entrypoints.cli.common import (
    ActorOption,
    JsonOption,
    actor,
    app_session,
    out,
    print_json,
    read_file,
    run,
    table,
)

orders_app = typer.Typer(help="Place, inspect and move orders.", no_args_is_help=True)


@orders_app.command("list")
def list_(
    status: str = typer.Option(None, help="Only orders in this status."),
    limit: int = typer.Option(50, help="How many, newest first."),
    as_json: bool = JsonOption,
    actor_name: str = ActorOption,
) -> None:
    """Orders of your sites, newest first."""
    rows = run(lambda app: list_orders(app.uow_factory, actor(actor_name), limit=limit,
                                       status=status))  # fmt: skip
    if as_json:
        print_json(rows)
        return
    keys = ("id", "account_number", "customer_po", "channel", "site", "status", "total", "currency")
    out.print(table(keys, [[r[k] for k in keys] for r in rows], title="Orders"))


@orders_app.command()
def status(order_id: str, actor_name: str = ActorOption, as_json: bool = JsonOption) -> None:
    """What customer service may tell the customer: stage, what happens next, and for a hold a
    plain reason."""
    shown = run(lambda app: customer_status(app.uow_factory, actor(actor_name),
                                            OrderId(order_id)))  # fmt: skip
    if as_json:
        print_json(shown)
        return
    out.print(f"{shown['order_id']} (PO {shown['customer_po']}): {shown['stage']}")
    if shown["reason"]:
        out.print(f"  {shown['reason']}")
    out.print(f"  next: {shown['next']}")


@orders_app.command()
def explain(order_id: str, actor_name: str = ActorOption, as_json: bool = JsonOption) -> None:
    """Why an order is held, waiting or through: the step, the table row and version, each
    input beside the test it met, and who may release it."""
    explanation = run(lambda app: explain_order(app.uow_factory, actor(actor_name),
                                                OrderId(order_id)))  # fmt: skip
    if as_json:
        print_json(explanation.to_json())
        return
    out.print(explanation_text(explanation), end="", markup=False, highlight=False)


@orders_app.command()
def show(order_id: str, actor_name: str = ActorOption, as_json: bool = JsonOption) -> None:
    """One order: header, lines with their states, totals and its event log."""
    detail = run(lambda app: show_order(app.uow_factory, actor(actor_name), OrderId(order_id)))
    if as_json:
        print_json(detail)
        return
    print_order(detail)


def print_order(d: dict[str, Any]) -> None:
    out.print(
        f"[bold]{d['id']}[/]  {d['status']}  customer {d['account_number']}  PO {d['customer_po']}"
        f"  {d['channel']}  site {d['site']}  total {d['total']} {d['currency']}"
    )
    line_keys = ("line_no", "sku", "quantity", "unit_of_measure", "unit_price", "amount", "status",
                 "allocated", "shipped")  # fmt: skip
    out.print(table(line_keys, [[ln[k] for k in line_keys] for ln in d["lines"]], title="Lines"))
    event_keys = ("seq", "at", "activity", "line_no", "quantity", "from", "to", "actor",
                  "reason_code")  # fmt: skip
    out.print(table(event_keys, [[e[k] for k in event_keys] for e in d["events"]], title="Events"))


@orders_app.command()
def place(file: Path, actor_name: str = ActorOption) -> None:
    """Place an order from a JSON file (header fields and a `lines` list)."""
    with app_session() as app:
        command = parse_order_json(read_file(file), actor=actor(actor_name))
        order_id = app.bus.handle(command)
    out.print(order_id)


def _move(command: c.OrderCommand) -> None:
    run(lambda app: app.bus.handle(command))
    out.print(f"{command.order_id}: done")


@orders_app.command()
def edit(order_id: str, file: Path, actor_name: str = ActorOption) -> None:
    """Change an order before release from a JSON file with any of `lines` (the new set of
    lines), `ship_to` and `account_number`; the process runs again from the first step the
    change affects, and earlier approvals lapse."""
    with app_session() as app:
        command = parse_edit_json(read_file(file), order_id=OrderId(order_id),
                                  actor=actor(actor_name))  # fmt: skip
        app.bus.handle(command)
        status = show_order(app.uow_factory, command.actor, command.order_id)["status"]
    out.print(f"{order_id}: changed, now {status}")


@orders_app.command()
def validate(order_id: str, actor_name: str = ActorOption) -> None:
    """Mark a received order as validated."""
    _move(c.ValidateOrder(order_id=OrderId(order_id), actor=actor(actor_name)))


@orders_app.command()
def hold(order_id: str, reason: str = typer.Option(..., help="Hold reason code."),
         actor_name: str = ActorOption) -> None:  # fmt: skip
    """Put an order on hold."""
    _move(c.HoldOrder(order_id=OrderId(order_id), reason_code=reason, actor=actor(actor_name)))


@orders_app.command()
def resume(order_id: str, actor_name: str = ActorOption) -> None:
    """Take an order off hold, back to where it was held."""
    _move(c.ResumeOrder(order_id=OrderId(order_id), actor=actor(actor_name)))


@orders_app.command()
def reject(order_id: str, reason: str = typer.Option(..., help="Reason code."),
           actor_name: str = ActorOption) -> None:  # fmt: skip
    """Reject an order (before release)."""
    _move(c.RejectOrder(order_id=OrderId(order_id), reason_code=reason, actor=actor(actor_name)))


@orders_app.command()
def cancel(order_id: str, reason: str = typer.Option(..., help="Reason code."),
           actor_name: str = ActorOption) -> None:  # fmt: skip
    """Cancel an order that has not shipped; its allocations are given back."""
    _move(c.CancelOrder(order_id=OrderId(order_id), reason_code=reason, actor=actor(actor_name)))


@orders_app.command()
def allocate(order_id: str, actor_name: str = ActorOption) -> None:
    """Allocate available stock at the order's site."""
    _move(c.AllocateOrder(order_id=OrderId(order_id), actor=actor(actor_name)))


@orders_app.command()
def release(order_id: str, actor_name: str = ActorOption) -> None:
    """Release an allocated order to the warehouse."""
    _move(c.ReleaseOrder(order_id=OrderId(order_id), actor=actor(actor_name)))


@orders_app.command()
def invoice(order_id: str, actor_name: str = ActorOption) -> None:
    """Invoice a shipped order."""
    _move(c.InvoiceOrder(order_id=OrderId(order_id), actor=actor(actor_name)))


@orders_app.command()
def close(order_id: str, actor_name: str = ActorOption) -> None:
    """Close an invoiced order."""
    _move(c.CloseOrder(order_id=OrderId(order_id), actor=actor(actor_name)))


__all__ = ["orders_app", "print_order"]
