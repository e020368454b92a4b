"""Fixtures for journeys through the `ordoflow` command: the command bound to each database, the
staff of `tests.staff` saved, and the sample distributor already loaded (by that staff) and
running the standard process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ordoflow.bootstrap import App
from tests.e2e.cli import Cli
from tests.e2e.sample import load_sample
from tests.governance_data import ensure_standard_process
from tests.staff import ensure_staff

#: When the sample distributor's process takes effect: before the fake clock of the app and
#: the real clock of the `ordoflow` command, so orders placed either way run it.
PROCESS_SINCE = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    return Cli(db_url, tmp_path)


@pytest.fixture
def staffed(app: App) -> App:
    """The app on a database with nothing but the staff of `tests.staff`."""
    ensure_staff(app.bus)
    return app


@pytest.fixture
def sample_distributor(app: App) -> App:
    load_sample(app)
    ensure_standard_process(app.bus, effective_from=PROCESS_SINCE)
    return app
