"""Real databases for tests: a migrated SQLite file per test, and a fresh PostgreSQL database per
test session (tables emptied between tests).

PostgreSQL is at ORDOFLOW_TEST_POSTGRES_URL (default: the local server's `test` database, used
only to create and drop the session's own database). Without a server the PostgreSQL cases skip
with a message, unless ORDOFLOW_REQUIRE_SERVICES is set, when they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from ordoflow.adapters.persistence import migrate
from ordoflow.adapters.persistence.engine import create_engine, normalise_url
from ordoflow.adapters.persistence.tables import metadata

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REQUIRE_SERVICES = bool(os.environ.get("ORDOFLOW_REQUIRE_SERVICES"))


def server_url() -> str:
    return normalise_url(os.environ.get("ORDOFLOW_TEST_POSTGRES_URL", DEFAULT_POSTGRES))


def postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {make_url(server_url()).render_as_string()}: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (ORDOFLOW_REQUIRE_SERVICES is set)", pytrace=False)
    pytest.skip(message + "; set ORDOFLOW_TEST_POSTGRES_URL or start a server")


class PostgresServer:
    """One throwaway database for the session, created on the server and dropped after."""

    def __init__(self) -> None:
        self.admin = sa.create_engine(server_url(), isolation_level="AUTOCOMMIT")
        self.name = f"ordoflow_test_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = make_url(server_url()).set(database=self.name).render_as_string(False)
        self.engine = create_engine(self.url)
        migrate.upgrade(self.engine)

    def clean(self) -> None:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


def start_postgres() -> PostgresServer:
    try:
        return PostgresServer()
    except sa.exc.OperationalError as exc:
        postgres_unavailable(str(exc.orig).strip().splitlines()[0])
        raise  # unreachable: skip or fail raised


class SqliteTemplate:
    """A migrated SQLite file made once per session and copied for each test."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        engine = create_engine(f"sqlite:///{self.path}")
        migrate.upgrade(engine)
        engine.dispose()  # the last connection to close checkpoints the WAL into the file

    def fresh(self, folder: Path) -> str:
        target = folder / f"ordoflow-{secrets.token_hex(3)}.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"


def engine_for(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    yield engine
    engine.dispose()


__all__ = [
    "REQUIRE_SERVICES",
    "PostgresServer",
    "SqliteTemplate",
    "engine_for",
    "postgres_unavailable",
    "server_url",
    "start_postgres",
]
