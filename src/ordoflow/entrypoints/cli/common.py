"""What every CLI command shares: the app from settings, printing, and turning refusals into a
stable code on stderr and a non-zero exit."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ordoflow.application.records import ImportRejected
from ordoflow.application.requests import parse_actor
from ordoflow.bootstrap import App, bootstrap
from ordoflow.domain.errors import DomainError, ErrorCode, ValidationFailed
from ordoflow.domain.values import ActorId

# Wide enough for order tables when output goes to a file or a pipe (Rich would assume 80).
_WIDTH = None if sys.stdout.isatty() else 160
out = Console(highlight=False, width=_WIDTH)
err = Console(stderr=True, highlight=False, width=_WIDTH)


def _check_actor(value: str) -> str:
    try:
        return parse_actor(value)
    except ValidationFailed as exc:
        raise typer.BadParameter(f"[{exc.code}] {exc.message}") from None


ActorOption = typer.Option(
    ...,
    "--actor",
    envvar="ORDOFLOW_ACTOR",
    callback=_check_actor,
    help="Who is acting: your user id (recorded in every log; your roles and sites decide "
    "what you may do).",
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


@contextmanager
def refusals() -> Iterator[None]:
    """A refusal inside the block prints its code and exits 2."""
    try:
        yield
    except DomainError as exc:
        report_refusal(exc)
        raise typer.Exit(2) from None


@contextmanager
def app_session(*, check_schema: bool = True) -> Iterator[App]:
    """The app for one command; a refusal prints its code and exits 2."""
    app = bootstrap()
    try:
        with refusals():
            if check_schema:
                app.require_current_schema()
            yield app
    finally:
        app.close()


def report_refusal(exc: DomainError) -> None:
    err.print(f"[bold red]error[/] \\[{exc.code}] {escape(exc.message)}")
    rows: Sequence[tuple[Any, ...]] = ()
    headers: tuple[str, ...] = ()
    if isinstance(exc, ImportRejected):
        rows = [(e.row, e.field, e.code.value, e.message) for e in exc.errors]
        headers = ("line", "field", "code", "problem")
    elif isinstance(exc, ValidationFailed) and len(exc.errors) > 1:
        rows = [(e.field, e.code.value, e.message) for e in exc.errors]
        headers = ("field", "code", "problem")
    if rows:
        err.print(table(headers, rows))


def read_file(path: Path) -> str:
    """A text file's contents (UTF-8, a byte-order mark tolerated), or `file_unreadable`."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DomainError(ErrorCode.FILE_UNREADABLE, f"cannot read {path}: {exc}") from None


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> Table:
    t = Table(*headers, title=title)
    for row in rows:
        t.add_row(*("" if cell is None else escape(str(cell)) for cell in row))
    return t


def print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=str))


def actor(name: str) -> ActorId:
    return ActorId(name)


def run(action: Callable[[App], Any], *, check_schema: bool = True) -> Any:
    with app_session(check_schema=check_schema) as app:
        return action(app)


__all__ = [
    "ActorOption",
    "JsonOption",
    "actor",
    "app_session",
    "err",
    "out",
    "print_json",
    "read_file",
    "refusals",
    "report_refusal",
    "run",
    "table",
]
