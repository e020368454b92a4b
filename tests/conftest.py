"""Shared fixtures: a fake clock, the fake bus, and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordoflow.bootstrap import App, bootstrap
from ordoflow.config import Settings
from tests.databases import PostgresServer, SqliteTemplate, start_postgres
from tests.fakes import FakeClock

BACKENDS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]  # fmt: skip


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: SqliteTemplate = request.getfixturevalue("sqlite_template")
        return template.fresh(tmp_path)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.clean()
    return server.url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[App]:
    application = bootstrap(Settings(database_url=db_url), clock=clock)
    yield application
    application.close()
