"""`ordoflow finance`: invoices, credit memos, what customers owe and the trial balance."""

from __future__ import annotations

import typer

from ordoflow.application import commands as c
from ordoflow.application.finance_queries import customer_balance, invoices, trial_balance
from ordoflow.application.requests import parse_shipped
from ordoflow.domain.values import AccountNumber, OrderId
from ordoflow.entrypoints.cli.common import ActorOption, actor, app_session, out, table

finance_app = typer.Typer(help="Invoices, credit memos and the ledger.", no_args_is_help=True)


@finance_app.command("trial-balance")
def trial_balance_(actor_name: str = ActorOption) -> None:
    """Debits and credits per account; they must balance."""
    with app_session() as app:
        tb = trial_balance(app.uow_factory, actor(actor_name))
    keys = ("account", "name", "currency", "debit", "credit", "balance")
    out.print(table(keys, [[r[k] for k in keys] for r in tb["rows"]], title="Trial balance"))
    for currency, t in tb["totals"].items():
        out.print(f"{currency}: debits {t['debit']}  credits {t['credit']}")
    out.print("in balance" if tb["in_balance"] else "[bold red]OUT OF BALANCE[/]")


@finance_app.command("invoices")
def invoices_(
    order: str | None = typer.Option(None, help="One order's invoices."),
    actor_name: str = ActorOption,
) -> None:
    """Invoices, newest first (or one order's)."""
    with app_session() as app:
        found = invoices(app.uow_factory, actor(actor_name), OrderId(order) if order else None)
    keys = ("number", "status", "hold_reason", "order_id", "shipment", "currency", "net", "tax",
            "freight", "gross", "due_at")  # fmt: skip
    out.print(table(keys, [[i[k] for k in keys] for i in found], title="Invoices"))


@finance_app.command()
def credit(
    invoice: str,
    reason: str = typer.Option(..., help="Reason code (e.g. damaged_in_transit)."),
    line: list[str] = typer.Option([], help="LINE=QTY to credit, repeatable; none: all."),
    actor_name: str = ActorOption,
) -> None:
    """Credit all or part of an invoice."""
    with app_session() as app:
        number = app.bus.handle(c.IssueCreditMemo(
            invoice=invoice, reason_code=reason, lines=parse_shipped(line) if line else None,
            actor=actor(actor_name),
        ))  # fmt: skip
    out.print(f"{number}: issued against {invoice}")


@finance_app.command()
def owed(account: str, actor_name: str = ActorOption) -> None:
    """What a customer owes on invoices, and since when."""
    with app_session() as app:
        found = customer_balance(app.uow_factory, actor(actor_name), AccountNumber(account))
    out.print(f"{account}: owes {found['open_amount']}, oldest due {found['oldest_due']}")


__all__ = ["finance_app"]
