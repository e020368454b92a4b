"""`ordoflow`: the command line. Each command parses, builds a command or query, calls the
application and prints; refusals exit 2 with their stable code."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ordoflow.application import commands as c
from ordoflow.application.queries import verify_audit
from ordoflow.application.records import SPECS, ImportReport
from ordoflow.application.reporting import audit_csv, audit_export
from ordoflow.application.requests import parse_moment
from ordoflow.entrypoints.cli.cases import cases_app, users_app, worker_app
from ordoflow.entrypoints.cli.common import (
    ActorOption,
    actor,
    app_session,
    err,
    out,
    read_file,
    run,
    table,
)
from ordoflow.entrypoints.cli.demo import run_demo
from ordoflow.entrypoints.cli.finance import finance_app
from ordoflow.entrypoints.cli.governance import governance_app
from ordoflow.entrypoints.cli.orders import orders_app
from ordoflow.entrypoints.cli.returns import returns_app
from ordoflow.entrypoints.cli.rules import rules_app
from ordoflow.entrypoints.cli.stock import stock_app
from ordoflow.entrypoints.cli.warehouse import warehouse_app

app = typer.Typer(
    name="ordoflow",
    help="Ordoflow: one governed order-to-cash process for every site and channel.\n\n"
    "The database is ORDOFLOW_DATABASE_URL (default: sqlite:///ordoflow.db in this folder).",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
import_app = typer.Typer(help="Import master data from CSV; a file with a bad row writes nothing.",
                         no_args_is_help=True)  # fmt: skip
audit_app = typer.Typer(help="The hash-chained order event log and audit log.",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(orders_app, name="orders")
app.add_typer(audit_app, name="audit")
app.add_typer(rules_app, name="rules")
app.add_typer(governance_app, name="governance")
app.add_typer(cases_app, name="cases")
app.add_typer(users_app, name="users")
app.add_typer(worker_app, name="worker")
app.add_typer(stock_app, name="stock")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(finance_app, name="finance")
app.add_typer(returns_app, name="returns")


@db_app.command()
def upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    revision = run(lambda a: a.upgrade_database(), check_schema=False)
    out.print(f"database at revision {revision}")


@db_app.command()
def current() -> None:
    """Show the schema revision and whether it is the latest."""
    now, head = run(lambda a: a.database_revision(), check_schema=False)
    out.print(
        f"current {now}, latest {head}" + ("" if now == head else "  (run: ordoflow db upgrade)")
    )


def _importer(kind: str) -> None:
    def import_kind(file: Path, actor_name: str = ActorOption) -> None:
        with app_session() as app:
            text = read_file(file)
            cmd = c.ImportRecords(kind=kind, text=text, source=file.name, actor=actor(actor_name))
            report: ImportReport = app.bus.handle(cmd)
        out.print(
            f"{file.name}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )

    columns = ", ".join(name for name, _ in SPECS[kind].columns)
    import_kind.__doc__ = f"Import {kind} (columns: {columns})."
    import_app.command(kind)(import_kind)


for _kind in SPECS:
    _importer(_kind)


@audit_app.command()
def export(
    start: str = typer.Option(..., "--from", help="From this moment (ISO 8601 with a zone)."),
    end: str = typer.Option(..., "--to", help="Up to, not including, this moment."),
    file: Path = typer.Option(None, "--out", help="Write the CSV here instead of printing it."),
    actor_name: str = ActorOption,
) -> None:
    """The order logs and the audit log between two moments, as CSV for an auditor (cells a
    spreadsheet would read as formulas are escaped)."""
    with app_session() as app:
        rows = audit_export(app.uow_factory, actor(actor_name), parse_moment("from", start),
                            parse_moment("to", end))  # fmt: skip
        text = audit_csv(rows)
    if file is None:
        sys.stdout.write(text)
        return
    file.write_text(text, encoding="utf-8")
    out.print(f"{len(rows)} entries written to {file}")


@audit_app.command()
def verify(actor_name: str = ActorOption) -> None:
    """Check every hash chain; report the first broken link of each order or stream."""
    report = run(lambda a: verify_audit(a.uow_factory, actor(actor_name)))
    if report.ok:
        out.print(
            f"audit ok: {report.orders_checked} order logs and "
            f"{report.streams_checked} audit streams verified"
        )
        return
    err.print(table(("stream", "entry", "problem"),
                    [(b.stream, b.seq, b.reason) for b in report.breaks],
                    title=f"{len(report.breaks)} broken chain(s)"))  # fmt: skip
    raise typer.Exit(1)


@app.command()
def demo(
    database: Path = typer.Option(Path("ordoflow-demo.db"), help="SQLite file to create."),
) -> None:
    """Run the sample distributor from a fresh SQLite database."""
    run_demo(database)


def main() -> None:
    app()


__all__ = ["app", "main"]
