"""Importing master data through `ordoflow import KIND FILE`, as the administrator does, on SQLite
and PostgreSQL: the sample files in order, updates, and files refused whole (csv_rows_invalid
with a report by line and field, csv_malformed) without writing a row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ordoflow.application.records import SPECS
from ordoflow.bootstrap import App
from ordoflow.domain.masterdata import Site
from tests.e2e.cli import Cli, first_administrator, ref, refused, table_rows
from tests.e2e.sample import SAMPLE, load_sample, sample_csv, sample_rows
from tests.staff import ADMIN


def sample_path(kind: str) -> Path:
    return SAMPLE / f"{kind}.csv"


def test_the_sample_files_import_in_order_and_importing_them_again_changes_nothing(
    cli: Cli, app: App
) -> None:
    admin = first_administrator(cli)
    for kind in SPECS:
        result = admin.ok("import", kind, sample_path(kind))
        assert (
            result.out.strip() == f"{kind}.csv: {sample_rows(kind)} created, 0 updated, 0 unchanged"
        )
    again = {kind: report.unchanged for kind, report in load_sample(app).items()}
    assert again == {kind: sample_rows(kind) for kind in SPECS}


def test_a_changed_row_is_reported_as_updated(cli: Cli, sample_distributor: App) -> None:
    text = sample_csv("customers").replace("C-CRNR,Corner Build Center", "C-CRNR,Corner Build Co")
    result = cli.as_user(ADMIN).ok("import", "customers", cli.file("customers.csv", text))
    assert result.out.strip() == "customers.csv: 0 created, 1 updated, 4 unchanged"


def test_ship_tos_imported_before_their_customers_are_refused_with_unknown_customer(
    cli: Cli,
) -> None:
    result = first_administrator(cli)("import", "ship-tos", sample_path("ship-tos"))
    refused(result, "csv_rows_invalid")
    assert table_rows(result.err)[0][:3] == ["2", "account_number", "unknown_customer"]


CUSTOMERS = "account_number,legal_name,tax_id,tier,currency,payment_terms,credit_limit,status\n"
SHIP_TOS = "account_number,code,name,address_line,city,postal_code,country\n"


def customer_row(account: str, credit_limit: str = "1000.00", tier: str = "standard") -> str:
    return f"{account},{account} Ltd,TX-{account},{tier},USD,NET30,{credit_limit},active\n"


def ship_to_row(code: str, country: str = "US") -> str:
    return f"C-ACME,{code},Acme {code},1 Main St,Dallas,75201,{country}\n"


BadFile = tuple[str, list[str], list[str]]


def bad_customer_file() -> BadFile:
    """Customers with a non-numeric credit limit on line 3; the good rows; the expected report."""
    good = [customer_row(ref("C")), customer_row(ref("C"))]
    text = CUSTOMERS + good[0] + customer_row(ref("C"), credit_limit="lots") + good[1]
    return text, good, ["3", "credit_limit", "invalid_amount"]


def bad_ship_to_file() -> BadFile:
    """Ship-tos with an unknown country on line 3; the good rows; the expected report."""
    good = [ship_to_row(ref("S")), ship_to_row(ref("S"))]
    text = SHIP_TOS + good[0] + ship_to_row(ref("S"), country="XX") + good[1]
    return text, good, ["3", "country", "invalid_country"]


@pytest.mark.parametrize(
    ("kind", "make"),
    [("customers", bad_customer_file), ("ship-tos", bad_ship_to_file)],
    ids=["non-numeric credit limit", "unknown country"],
)
def test_one_bad_row_among_good_ones_is_reported_by_line_and_field_and_nothing_is_written(
    cli: Cli, sample_distributor: App, kind: str, make: Callable[[], BadFile]
) -> None:
    text, good, expected = make()
    admin = cli.as_user(ADMIN)
    result = admin("import", kind, cli.file(f"{kind}.csv", text))
    refused(result, "csv_rows_invalid")
    assert "1 of 3 rows invalid; nothing imported" in result.err
    assert [row[:3] for row in table_rows(result.err)] == [expected]
    header = text.splitlines(keepends=True)[0]
    again = admin.ok("import", kind, cli.file(f"good-{kind}.csv", header + "".join(good)))
    assert again.out.strip() == f"good-{kind}.csv: 2 created, 0 updated, 0 unchanged"


def test_every_bad_row_of_a_file_is_reported_not_only_the_first(cli: Cli) -> None:
    rows = [customer_row(ref("C")), customer_row(ref("C"), credit_limit="-5"),
            customer_row(ref("C")), customer_row(ref("C"), tier="gold")]  # fmt: skip
    admin = first_administrator(cli)
    result = admin("import", "customers", cli.file("customers.csv", CUSTOMERS + "".join(rows)))
    refused(result, "csv_rows_invalid")
    assert [row[:3] for row in table_rows(result.err)] == [
        ["3", "credit_limit", "invalid_amount"],
        ["5", "tier", "invalid_choice"],
    ]


SITES = "code,name,country,time_zone\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("code,name,country\nS1,Site,US\n", "1"),
        (SITES.replace("\n", ",colour\n") + "S1,Site,US,America/Chicago,red\n", "1"),
        (SITES + "S1,Site one,US,America/Chicago\nS2,Site two,US\n", "3"),
        (SITES + "S1,Site one,US,America/Chicago,spare\n", "2"),
    ],
    ids=["missing column", "unknown column", "short row", "long row"],
)
def test_a_malformed_csv_is_refused_with_csv_malformed_and_writes_nothing(
    cli: Cli, staffed: App, text: str, line: str
) -> None:
    result = cli.as_user(ADMIN)("import", "sites", cli.file("sites.csv", text))
    refused(result, "csv_malformed")
    assert table_rows(result.err)[0][:1] == [line]
    with staffed.uow_factory() as uow:
        assert uow.records.all(Site) == []
