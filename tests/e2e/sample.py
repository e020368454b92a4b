"""The sample distributor shipped with Ordoflow, loaded through the bus when a journey is not
about importing it."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path
from typing import Any

from ordoflow.application.commands import ImportRecords
from ordoflow.application.records import SPECS, ImportReport
from ordoflow.bootstrap import App
from tests.staff import ADMIN, ensure_staff

SAMPLE = Path(str(resources.files("ordoflow") / "sample"))


def sample_csv(kind: str) -> str:
    return (SAMPLE / f"{kind}.csv").read_text(encoding="utf-8")


def sample_rows(kind: str) -> int:
    return len(list(csv.DictReader(io.StringIO(sample_csv(kind)))))


def load_sample(app: App) -> dict[str, ImportReport]:
    """The staff saved (see `tests.staff`), then every sample file imported by the
    administrator, in the order the kinds depend on each other."""
    ensure_staff(app.bus)
    return {
        kind: app.bus.handle(ImportRecords(kind=kind, text=sample_csv(kind), actor=ADMIN))
        for kind in SPECS
    }


def acme_order(po: str, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An order from the sample customer C-ACME, priced by its contract and the US list."""
    return {
        "account_number": "C-ACME",
        "ship_to": "MAIN",
        "channel": "api",
        "customer_po": po,
        "requested_date": "2026-12-06",
        "site": "DAL1",
        "lines": lines
        or [{"sku": "PIPE-CU-15", "quantity": 12}, {"sku": "VLV-BALL-22", "quantity": 4}],
    }


#: 12 x 16.10 (C-ACME contract) + 4 x 12.75 (US list).
ACME_TOTAL = "244.20"


__all__ = ["ACME_TOTAL", "SAMPLE", "acme_order", "load_sample", "sample_csv", "sample_rows"]
