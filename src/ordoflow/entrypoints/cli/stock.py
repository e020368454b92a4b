"""`ordoflow stock receive`: units arriving at a site, which fill the orders waiting for them."""

from __future__ import annotations

import typer

from ordoflow.application import commands as c
from ordoflow.application.receiving import ReceiptReport
from ordoflow.application.requests import parse_receipt_lines
from ordoflow.domain.values import SiteCode
from ordoflow.entrypoints.cli.common import ActorOption, actor, app_session, out

stock_app = typer.Typer(help="Stock arriving at sites.", no_args_is_help=True)


@stock_app.command()
def receive(
    site: str = typer.Option(..., help="The site receiving."),
    reference: str = typer.Option(..., help="Purchase order, transfer or count reference."),
    line: list[str] = typer.Option(..., help="SKU=QTY, repeatable (negative: counted out)."),
    kind: c.ReceiptKind = typer.Option(c.ReceiptKind.PURCHASE_RECEIPT, help="What arrived."),
    actor_name: str = ActorOption,
) -> None:
    """Receive stock; the worker then fills the site's orders waiting for it, by priority."""
    with app_session() as app:
        report: ReceiptReport = app.bus.handle(c.ReceiveStock(
            site=SiteCode(site), kind=kind, reference=reference, lines=parse_receipt_lines(line),
            actor=actor(actor_name),
        ))  # fmt: skip
    if report.repeated:
        out.print(f"{report.reference}: already received, nothing changed")
        return
    out.print(f"{report.reference}: received; orders waiting for it are filled by the worker "
              "(ordoflow worker run)")  # fmt: skip


__all__ = ["stock_app"]
