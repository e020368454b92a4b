"""`ordoflow returns`: return authorizations, from request to credit."""

from __future__ import annotations

import typer

from ordoflow.application import commands as c
from ordoflow.application.requests import parse_dispositions, parse_return_lines, parse_shipped
from ordoflow.application.returns import show_return
from ordoflow.domain.returns import ReturnId
from ordoflow.domain.values import OrderId, SiteCode
from ordoflow.entrypoints.cli.common import ActorOption, actor, app_session, out

returns_app = typer.Typer(help="Returns: request, receive, dispose and credit.",
                          no_args_is_help=True)  # fmt: skip


@returns_app.command()
def request(
    order_id: str,
    line: list[str] = typer.Option(..., help="LINE=QTY:REASON, repeatable."),
    note: str = typer.Option("", help="What the customer says."),
    actor_name: str = ActorOption,
) -> None:
    """Ask to take shipped units back; the return policy decides."""
    with app_session() as app:
        rma = app.bus.handle(c.RequestReturn(order_id=OrderId(order_id),
                                             lines=parse_return_lines(line), note=note,
                                             actor=actor(actor_name)))  # fmt: skip
        shown = show_return(app.uow_factory, actor(actor_name), rma)
    reason = f" ({shown['reason_code']})" if shown["reason_code"] else ""
    out.print(f"{rma}: {shown['status']}{reason}")


@returns_app.command()
def receive(
    return_id: str,
    site: str = typer.Option(..., help="The receiving site."),
    line: list[str] = typer.Option(..., help="LINE=QTY received, repeatable."),
    actor_name: str = ActorOption,
) -> None:
    """Returned units arrived."""
    with app_session() as app:
        app.bus.handle(c.ReceiveReturn(return_id=ReturnId(return_id), site=SiteCode(site),
                                       received=parse_shipped(line),
                                       actor=actor(actor_name)))  # fmt: skip
    out.print(f"{return_id}: received")


@returns_app.command()
def dispose(
    return_id: str,
    line: list[str] = typer.Option(..., help="LINE=restock|scrap|return_to_vendor."),
    actor_name: str = ActorOption,
) -> None:
    """Decide what becomes of each received line; the credit memo follows."""
    with app_session() as app:
        dispositions = parse_dispositions(line)
        memos = app.bus.handle(c.DisposeReturn(return_id=ReturnId(return_id),
                                               dispositions=dispositions,
                                               actor=actor(actor_name)))  # fmt: skip
    out.print(f"{return_id}: credited by {', '.join(memos) or 'nothing'}")


__all__ = ["returns_app"]
