"""The contract suite runs every port test against the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ordoflow.adapters.persistence.engine import create_engine
from ordoflow.adapters.persistence.uow import SqlUnitOfWork
from ordoflow.application.ports import UnitOfWork
from tests.conftest import BACKENDS
from tests.fakes import FakeUnitOfWork, Store

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(params=[pytest.param("fake", id="fake"), *BACKENDS])
def uow_factory(request: pytest.FixtureRequest) -> Iterator[UowFactory]:
    if request.param == "fake":
        store = Store()
        yield lambda: FakeUnitOfWork(store)
        return
    url = _db_url(request)
    engine = create_engine(url)
    yield lambda: SqlUnitOfWork(engine)
    engine.dispose()


def _db_url(request: pytest.FixtureRequest) -> str:
    tmp = request.getfixturevalue("tmp_path")
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_template").fresh(tmp))
    server = request.getfixturevalue("postgres_server")
    server.clean()
    return str(server.url)
