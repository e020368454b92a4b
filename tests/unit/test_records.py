"""Master data commands and CSV import through the bus, on the fakes."""

from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.messagebus import MessageBus
from ordoflow.application.records import ImportRejected
from ordoflow.domain.errors import DomainError, ErrorCode, ValidationFailed
from ordoflow.domain.masterdata import Customer, CustomerTier, Site, StockLevel
from ordoflow.domain.values import AccountNumber, CountryCode, CurrencyCode, SiteCode
from tests.builders import place, seed
from tests.fakes import FakeClock, Store, fake_bus
from tests.staff import ADMIN, STAFF, ensure_staff

SITES = "code,name,country,time_zone\n"
CUSTOMERS = "account_number,legal_name,tax_id,tier,currency,payment_terms,credit_limit,status\n"


def rejected(bus: object, kind: str, text: str) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        bus.handle(c.ImportRecords(actor=ADMIN, kind=kind, text=text))  # type: ignore[attr-defined]
    return caught.value


#: The audit streams of the cast of tests.staff, saved before each test imports anything.
STAFF_STREAMS = {f"user:{user}" for user in STAFF}


def staffed_bus() -> tuple[MessageBus, Store, FakeClock]:
    bus, store, clock = fake_bus()
    ensure_staff(bus)
    return bus, store, clock


def written(store: Store) -> int:
    return len(store.records) + len(set(store.audit) - STAFF_STREAMS) + len(store.outbox)


def test_a_good_file_creates_every_row_with_an_audit_entry_and_an_event_each() -> None:
    bus, store, _ = staffed_bus()
    rows = "DAL1,Dallas,US,America/Chicago\nRTM1,Rotterdam,nl,Europe/Amsterdam\n"
    report = bus.handle(c.ImportRecords(actor=ADMIN, kind="sites", text=SITES + rows))
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert store.records[("site", ("RTM1",))] == Site(
        SiteCode("RTM1"), "Rotterdam", CountryCode("NL"), "Europe/Amsterdam"
    )
    assert sorted(set(store.audit) - STAFF_STREAMS) == ["site:DAL1", "site:RTM1"]
    assert [e.type for e, _ in store.outbox] == ["ordoflow.masterdata.saved"] * 2


def test_importing_again_updates_what_changed_and_leaves_the_rest() -> None:
    bus, store, _ = staffed_bus()
    bus.handle(
        c.ImportRecords(actor=ADMIN, kind="sites", text=SITES + "A,One,US,UTC\nB,Two,US,UTC\n")
    )
    report = bus.handle(
        c.ImportRecords(actor=ADMIN, kind="sites", text=SITES + "A,One,US,UTC\nB,Zwei,DE,UTC\n")
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    trail = store.audit["site:B"]
    assert [e.action for e in trail] == ["created", "updated"]
    assert trail[1].before is not None
    assert trail[1].before["name"] == "Two"
    assert trail[1].after is not None
    assert trail[1].after["name"] == "Zwei"


def test_a_file_with_one_bad_row_is_rejected_whole_with_every_row_at_fault_listed() -> None:
    bus, store, _ = staffed_bus()
    text = (CUSTOMERS + "C1,Good Co,T1,standard,USD,NET30,1000,active\n"
            "C2,Bad Co,T2,gold,USD,NET30,lots,active\n"
            "C3,,T3,standard,XXX,NET30,5,active\n")  # fmt: skip
    exc = rejected(bus, "customers", text)
    assert exc.code is ErrorCode.CSV_ROWS_INVALID
    assert {(e.row, e.field, e.code) for e in exc.errors} == {
        (3, "tier", ErrorCode.INVALID_CHOICE),
        (3, "credit_limit", ErrorCode.INVALID_AMOUNT),
        (4, "legal_name", ErrorCode.REQUIRED_FIELD_MISSING),
        (4, "currency", ErrorCode.INVALID_CURRENCY),
    }
    assert written(store) == 0


@pytest.mark.parametrize(
    "text",
    [
        "code,name,country\nA,One,US\n",  # a required column is missing
        SITES.rstrip() + ",colour\nA,One,US,UTC,red\n",  # an unknown column
        SITES + "A,One,US,UTC,extra\n",  # a ragged row
        SITES + 'A,"One,US,UTC\n',  # an unclosed quote
        SITES,  # a header and nothing else
    ],
)
def test_a_malformed_file_is_refused_as_malformed(text: str) -> None:
    bus, store, _ = staffed_bus()
    assert rejected(bus, "sites", text).code is ErrorCode.CSV_MALFORMED
    assert written(store) == 0


def test_the_same_key_twice_in_one_file_is_a_row_error() -> None:
    bus, _, _ = staffed_bus()
    exc = rejected(bus, "sites", SITES + "A,One,US,UTC\nA,Again,US,UTC\n")
    assert [(e.row, e.code) for e in exc.errors] == [(3, ErrorCode.DUPLICATE_RECORD)]


def test_rows_pointing_at_missing_records_are_refused() -> None:
    bus, _, _ = staffed_bus()
    exc = rejected(bus, "stock", "sku,site,on_hand\nNOPE,NOWHERE,5\n")
    assert {e.code for e in exc.errors} == {ErrorCode.UNKNOWN_SKU, ErrorCode.UNKNOWN_SITE}


def test_an_unknown_import_kind_is_refused() -> None:
    bus, _, _ = staffed_bus()
    with pytest.raises(DomainError) as caught:
        bus.handle(c.ImportRecords(actor=ADMIN, kind="planets", text="x\n1\n"))
    assert caught.value.code is ErrorCode.UNKNOWN_IMPORT_KIND


def test_stock_cannot_be_set_below_what_is_allocated() -> None:
    bus, store, _ = fake_bus()
    world = seed(bus, stock=10)
    oid = bus.handle(place(world, 8))  # the process allocates all 8 and releases the order
    assert store.orders[oid].lines[0].allocated_qty == 8
    exc = rejected(bus, "stock", f"sku,site,on_hand\n{world.skus[0]},{world.site},5\n")
    assert [(e.row, e.field, e.code) for e in exc.errors] == [
        (2, "on_hand", ErrorCode.INVALID_STOCK)
    ]
    with pytest.raises(ValidationFailed) as direct:
        bus.handle(c.UpdateRecord(actor=ADMIN, record=StockLevel(world.skus[0], world.site, 5)))
    assert direct.value.code is ErrorCode.INVALID_STOCK
    level = store.records[(StockLevel.KIND, (world.skus[0], world.site))]
    assert isinstance(level, StockLevel)
    assert (level.on_hand, level.allocated) == (10, 8)


def test_create_refuses_an_existing_key_and_update_refuses_a_missing_one() -> None:
    bus, _, _ = staffed_bus()
    customer = Customer(AccountNumber("C1"), "Co", "T", CustomerTier.CASH, CurrencyCode("USD"),
                        "PREPAID", Decimal("0"))  # fmt: skip
    bus.handle(c.CreateRecord(actor=ADMIN, record=customer))
    with pytest.raises(DomainError) as dup:
        bus.handle(c.CreateRecord(actor=ADMIN, record=customer))
    assert dup.value.code is ErrorCode.DUPLICATE_RECORD
    with pytest.raises(DomainError) as missing:
        bus.handle(
            c.UpdateRecord(actor=ADMIN, record=Site(SiteCode("X"), "X", CountryCode("US"), "UTC"))
        )
    assert missing.value.code is ErrorCode.UNKNOWN_RECORD


def test_records_validate_their_own_invariants() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Customer(AccountNumber("C1"), "Co", "T", CustomerTier.CASH, CurrencyCode("USD"),
                 "PREPAID", Decimal("-1"))  # fmt: skip
    assert caught.value.errors[0].field == "credit_limit"
