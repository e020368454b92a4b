"""Running the installed `ordoflow` command as a user would, and reading what it prints."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ordoflow.adapters.persistence.engine import create_engine
from tests.staff import ADMIN

#: Variables that would make Rich colour or box its output differently from a plain pipe.
_STYLING = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES")


def ordoflow_command() -> str:
    """The console script installed next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "ordoflow"
    found = str(beside) if beside.exists() else shutil.which("ordoflow")
    if found is None:
        pytest.fail("the `ordoflow` command is not installed; run `make setup`", pytrace=False)
    return found


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass(frozen=True)
class Cli:
    """`ordoflow` bound to one database and one working folder, and to the user who acts in
    commands not given `--actor` (set as ORDOFLOW_ACTOR, as in that user's shell; None: nobody,
    whatever the environment running the tests says)."""

    database_url: str
    folder: Path
    actor: str | None = None

    def as_user(self, actor: str) -> Cli:
        """The same command, run by `actor`."""
        return replace(self, actor=actor)

    def __call__(self, *args: str | Path) -> Result:
        env = {k: v for k, v in os.environ.items() if k not in (*_STYLING, "ORDOFLOW_ACTOR")}
        env["ORDOFLOW_DATABASE_URL"] = self.database_url
        if self.actor is not None:
            env["ORDOFLOW_ACTOR"] = self.actor
        done = subprocess.run(
            [ordoflow_command(), *map(str, args)],
            capture_output=True, text=True, encoding="utf-8", env=env, cwd=self.folder,
            timeout=120, check=False,
        )  # fmt: skip
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str | Path) -> Result:
        """Run and insist on success, showing what went wrong if it did not."""
        result = self(*args)
        who = f"{self.actor}$ " if self.actor else ""
        assert result.code == 0, (
            f"{who}ordoflow {' '.join(map(str, args))}: {result.err}{result.out}"
        )
        return result

    def file(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path

    def order_file(self, body: dict[str, Any]) -> Path:
        return self.file(f"order-{secrets.token_hex(4)}.json", json.dumps(body))


def first_administrator(cli: Cli) -> Cli:
    """On a new database, the first user: an administrator who saves themself, as whoever
    installs Ordoflow does first. The command acting as them."""
    cli.ok("users", "save", ADMIN, "--name", "Ada Admin", "--role", "administrator",
           "--actor", ADMIN)  # fmt: skip
    return cli.as_user(ADMIN)


def add_user(admin: Cli, user_id: str, *roles: str) -> None:
    """The administrator saves a user holding `roles`, acting for every site."""
    options = [option for role in roles for option in ("--role", role)]
    admin.ok("users", "save", user_id, "--name", user_id, *options)


def refused(result: Result, code: str) -> None:
    """The command refused: exit 2 and the stable code on stderr."""
    assert result.code == 2, result.out + result.err
    assert f"[{code}]" in result.err


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Rich tables in `text`, each as its stripped cells."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in text.splitlines()
        if line.lstrip().startswith("│")
    ]


def ref(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3).upper()}"


def tamper(database_url: str, *statements: str, **params: object) -> None:
    """Run `statements` on the order event log with its append-only triggers out of the way,
    as someone with direct database access could."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.exec_driver_sql(
                    "ALTER TABLE order_events DISABLE TRIGGER order_events_append_only"
                )
            else:
                conn.exec_driver_sql("DROP TRIGGER order_events_no_update")
                conn.exec_driver_sql("DROP TRIGGER order_events_no_delete")
            for statement in statements:
                conn.execute(sa.text(statement), params)
            if postgres:
                conn.exec_driver_sql(
                    "ALTER TABLE order_events ENABLE TRIGGER order_events_append_only"
                )
    finally:
        engine.dispose()


__all__ = [
    "Cli",
    "Result",
    "add_user",
    "first_administrator",
    "ref",
    "refused",
    "table_rows",
    "tamper",
]
