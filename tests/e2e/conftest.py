"""Fixtures for journeys through the `ordoflow` command: the command bound to each database, and
the sample distributor already loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordoflow.bootstrap import App
from tests.e2e.cli import Cli
from tests.e2e.sample import load_sample


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    return Cli(db_url, tmp_path)


@pytest.fixture
def sample_distributor(app: App) -> App:
    load_sample(app)
    return app
