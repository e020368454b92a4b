"""The warehouse, billing and ledger contracts. The fakes and the SQL adapters must behave alike
on every test here, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from ordoflow.application.finance_ports import InvoiceExists, Receivables
from ordoflow.application.fulfilment_ports import ShipmentExists
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.invoicing import (
    CREDIT_SERIES,
    INVOICE_SERIES,
    MISSING_TAX_SETUP,
    CreditMemo,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    cents,
)
from ordoflow.domain.ledger import Account, BalanceRow, JournalEntry, Posting, credit, debit
from ordoflow.domain.orders import Order
from ordoflow.domain.values import AccountNumber, CurrencyCode, OrderId, ShipToCode, SiteCode, Sku
from ordoflow.domain.warehouse import (
    RequestEvent,
    RequestLine,
    RequestStatus,
    Shipment,
    WarehouseRequest,
)
from tests.builders import ref
from tests.contract.conftest import UowFactory
from tests.contract.test_ports import ACTOR, AT, another_order, new_order, save, seed

USD, EUR = CurrencyCode("USD"), CurrencyCode("EUR")
LATER = AT + timedelta(hours=2)


def saved_order(uow_factory: UowFactory) -> Order:
    """An order (3 + 1 units of one SKU) stored at a site of its own, for a customer of its own."""
    order = new_order(uow_factory)
    save(uow_factory, order)
    return order


# -- warehouse requests ------------------------------------------------------------------------
def warehouse_request(
    order_id: OrderId,
    site: SiteCode,
    sku: Sku,
    released_at: datetime = AT,
    status: RequestStatus = RequestStatus.RELEASED,
) -> WarehouseRequest:
    return WarehouseRequest(
        id=WarehouseRequest.id_for(order_id, site), order_id=order_id, site=site,
        ship_to=ShipToCode("MAIN"), carrier="LTL",
        lines=[RequestLine(1, sku, 3), RequestLine(2, sku, 1)], released_at=released_at,
        status=status,
    )  # fmt: skip


def add_requests(uow_factory: UowFactory, *requests: WarehouseRequest) -> None:
    with uow_factory() as uow:
        uow.warehouse.add_requests(list(requests))
        uow.commit()


def requested(uow_factory: UowFactory) -> WarehouseRequest:
    """A stored order and its stored request at the order's site (a shipment needs both)."""
    order = saved_order(uow_factory)
    request = warehouse_request(order.id, order.header.site, order.lines[0].sku)
    add_requests(uow_factory, request)
    return request


def test_requests_read_back_exactly_by_id_and_by_order_in_site_order(
    uow_factory: UowFactory,
) -> None:
    order = saved_order(uow_factory)
    here, sku = order.header.site, order.lines[0].sku
    there, _, _ = seed(uow_factory)
    first, second = sorted((here, there))
    by_second = warehouse_request(order.id, second, sku)
    by_first = warehouse_request(order.id, first, sku, released_at=LATER)
    by_first.lines[0].shipped = 2
    add_requests(uow_factory, by_second, by_first)
    assert (by_second.version, by_first.version) == (1, 1), "added as version 1"
    dropped = warehouse_request(another_order(order, AT).id, here, sku)
    with uow_factory() as uow:  # left without commit: not kept
        uow.warehouse.add_requests([dropped])
    with uow_factory() as uow:
        loaded = uow.warehouse.request(by_first.id)
        found = uow.warehouse.requests_for(order.id)
        assert uow.warehouse.request(WarehouseRequest.id_for(order.id, SiteCode("NOWHERE"))) is None
        assert uow.warehouse.requests_for(OrderId("SO-MISSING")) == []
        assert uow.warehouse.request(dropped.id) is None
    assert loaded == by_first
    assert loaded is not None
    assert (loaded.released_at, loaded.lines[0].open, loaded.updated_at) == (LATER, 1, None)
    assert found == [by_first, by_second]


def test_open_requests_leave_out_shipped_and_cancelled_ones_and_come_oldest_release_first(
    uow_factory: UowFactory,
) -> None:
    first, elsewhere = saved_order(uow_factory), saved_order(uow_factory)
    here, there, sku = first.header.site, elsewhere.header.site, first.lines[0].sku

    def at(order: Order, hour: int, status: RequestStatus) -> WarehouseRequest:
        return warehouse_request(order.id, order.header.site, sku, AT.replace(hour=hour), status)

    def another() -> Order:
        order = another_order(first, AT)  # of the same customer, at the same site
        save(uow_factory, order)
        return order

    newer = at(first, 9, RequestStatus.PICKED)
    older = at(another(), 8, RequestStatus.RELEASED)
    shipped = at(another(), 6, RequestStatus.SHIPPED)
    cancelled = at(another(), 5, RequestStatus.CANCELLED)
    oldest = at(elsewhere, 7, RequestStatus.PARTIALLY_SHIPPED)
    add_requests(uow_factory, newer, older, shipped, cancelled, oldest)
    with uow_factory() as uow:
        assert [r.id for r in uow.warehouse.open_requests()] == [oldest.id, older.id, newer.id]
        assert [r.id for r in uow.warehouse.open_requests(limit=2)] == [oldest.id, older.id]
        mine = uow.warehouse.open_requests(sites=frozenset({here}))
        assert [r.id for r in uow.warehouse.open_requests(sites=frozenset({there}))] == [oldest.id]
        assert uow.warehouse.open_requests(sites=frozenset()) == []
        assert uow.warehouse.open_requests(sites=frozenset({SiteCode("NOWHERE")})) == []
    assert mine == [older, newer]


def test_a_saved_request_reads_back_with_its_progress_under_a_new_version(
    uow_factory: UowFactory,
) -> None:
    request = requested(uow_factory)
    with uow_factory() as uow:
        loaded = uow.warehouse.request(request.id)
        assert loaded is not None
        loaded.move(RequestEvent.PICK, AT)
        loaded.ship({1: 2}, LATER, final=False)
        uow.warehouse.save_request(loaded)
        uow.commit()
    assert loaded.version == 2
    with uow_factory() as uow:
        again = uow.warehouse.request(request.id)
        still_open = uow.warehouse.open_requests()
    assert again == loaded
    assert (again.status, again.updated_at, again.version) == (
        RequestStatus.PARTIALLY_SHIPPED, LATER, 2,
    )  # fmt: skip
    assert [(ln.line_no, ln.shipped, ln.open) for ln in again.lines] == [(1, 2, 1), (2, 0, 1)]
    assert still_open == [again]


def test_a_request_saved_from_a_stale_read_is_refused_and_the_newer_change_stays(
    uow_factory: UowFactory,
) -> None:
    request = requested(uow_factory)
    with uow_factory() as uow:
        first = uow.warehouse.request(request.id)
        second = uow.warehouse.request(request.id)
    assert first is not None
    assert second is not None
    first.move(RequestEvent.PICK, AT)
    with uow_factory() as uow:
        uow.warehouse.save_request(first)
        uow.commit()
    second.move(RequestEvent.CANCEL, LATER)  # as read before the pick
    with uow_factory() as uow:
        with pytest.raises(Conflict) as caught:
            uow.warehouse.save_request(second)
        uow.commit()
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
    assert second.version == 1, "a refused save leaves the version as read"
    with uow_factory() as uow:
        kept = uow.warehouse.request(request.id)
    assert kept is not None
    assert (kept.status, kept.updated_at, kept.version) == (RequestStatus.PICKED, AT, 2)


# -- shipments ---------------------------------------------------------------------------------
def shipment(
    request: WarehouseRequest,
    reference: str,
    confirmed_at: datetime = AT,
    lines: tuple[tuple[int, int], ...] = ((1, 2),),
    *,
    final: bool = False,
) -> Shipment:
    return Shipment(
        site=request.site, reference=reference, request_id=request.id, order_id=request.order_id,
        lines=lines, carrier="LTL", tracking=ref("1Z"), final=final, confirmed_at=confirmed_at,
        actor=ACTOR,
    )  # fmt: skip


def test_a_shipment_reads_back_exactly_and_an_orders_shipments_come_oldest_first(
    uow_factory: UowFactory,
) -> None:
    request = requested(uow_factory)
    later = shipment(request, ref("SHP"), LATER, ((1, 1), (2, 1)), final=True)
    earlier = shipment(request, ref("SHP"), AT, ((1, 2),))
    with uow_factory() as uow:
        uow.warehouse.add_shipment(later)
        uow.warehouse.add_shipment(earlier)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.warehouse.shipment(request.site, later.reference)
        found = uow.warehouse.shipments_for(request.order_id)
        assert uow.warehouse.shipment(request.site, "NOPE") is None
        assert uow.warehouse.shipment(SiteCode("NOWHERE"), later.reference) is None
        assert uow.warehouse.shipments_for(OrderId("SO-MISSING")) == []
    assert loaded == later
    assert loaded is not None
    assert (loaded.units, loaded.final, loaded.delivered_at) == ({1: 1, 2: 1}, True, None)
    assert loaded.fingerprint == later.fingerprint
    assert found == [earlier, later]


def test_a_taken_site_and_reference_is_refused_and_the_first_shipment_stays(
    uow_factory: UowFactory,
) -> None:
    request = requested(uow_factory)
    there, _, sku = seed(uow_factory)
    elsewhere = warehouse_request(request.order_id, there, sku)
    add_requests(uow_factory, elsewhere)
    first = shipment(request, "SHP-1")
    with uow_factory() as uow:
        uow.warehouse.add_shipment(first)
        with pytest.raises(ShipmentExists):  # taken by this transaction
            uow.warehouse.add_shipment(replace(first, tracking="OTHER"))
        uow.commit()
    same_reference_there = shipment(elsewhere, "SHP-1", LATER)
    with uow_factory() as uow:
        with pytest.raises(ShipmentExists):  # taken by one that committed before
            uow.warehouse.add_shipment(replace(first, lines=((1, 3),), final=True))
        uow.warehouse.add_shipment(same_reference_there)  # another warehouse's own reference
        uow.commit()
    with uow_factory() as uow:
        assert uow.warehouse.shipment(request.site, "SHP-1") == first
        assert uow.warehouse.shipments_for(request.order_id) == [first, same_reference_there]


def test_proof_of_delivery_is_recorded_once_and_the_first_stays(uow_factory: UowFactory) -> None:
    request = requested(uow_factory)
    shipped = shipment(request, ref("SHP"))
    delivered_at = AT + timedelta(days=2)
    with uow_factory() as uow:
        uow.warehouse.add_shipment(shipped)
        uow.commit()
    with uow_factory() as uow:
        assert uow.warehouse.deliver(request.site, shipped.reference, delivered_at, "J. Doe")
        assert not uow.warehouse.deliver(request.site, shipped.reference, LATER, "Someone")
        assert not uow.warehouse.deliver(request.site, "NOPE", LATER, "Someone")
        uow.commit()
    with uow_factory() as uow:
        assert not uow.warehouse.deliver(request.site, shipped.reference, LATER, "Someone")
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.warehouse.shipment(request.site, shipped.reference)
    assert loaded == replace(shipped, delivered_at=delivered_at, received_by="J. Doe")


# -- billing -----------------------------------------------------------------------------------
def invoice_of(
    order: Order,
    created_at: datetime = AT,
    lines: tuple[InvoiceLine, ...] | None = None,
    freight: Decimal = Decimal("12.50"),
    tax_rate: Decimal = Decimal("0.0825"),
) -> Invoice:
    """An invoice on hold for a new shipment of the order: by default 3 x 9.99 net, 2.47 tax
    and 12.50 freight, 44.94 gross."""
    reference, sku = ref("SHP"), order.lines[0].sku
    return Invoice(
        id=Invoice.id_for(order.header.site, reference), company="US01", order_id=order.id,
        account_number=order.header.account_number, currency=USD, site=order.header.site,
        shipment=reference, lines=lines or (InvoiceLine(1, sku, 3, Decimal("9.99")),),
        tax_code="US-SALES", tax_rate=tax_rate, freight=freight, created_at=created_at,
        status=InvoiceStatus.ON_HOLD, hold_reason=MISSING_TAX_SETUP,
    )  # fmt: skip


def issued(invoice: Invoice, due_at: datetime) -> Invoice:
    invoice.issue(ref("INV"), invoice.created_at, due_at)
    return invoice


def add_invoices(uow_factory: UowFactory, *invoices: Invoice) -> None:
    with uow_factory() as uow:
        for invoice in invoices:
            uow.billing.add_invoice(invoice)
        uow.commit()


def test_numbers_count_up_from_one_per_series_and_a_rolled_back_number_is_given_again(
    uow_factory: UowFactory,
) -> None:
    company, other = ref("CO"), ref("CO")
    with uow_factory() as uow:
        assert [uow.billing.next_number(company, INVOICE_SERIES) for _ in range(3)] == [1, 2, 3]
        assert uow.billing.next_number(company, CREDIT_SERIES) == 1
        assert uow.billing.next_number(other, INVOICE_SERIES) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.billing.next_number(company, INVOICE_SERIES) == 4
        assert uow.billing.next_number(other, CREDIT_SERIES) == 1  # left without commit
    with uow_factory() as uow:
        assert uow.billing.next_number(company, INVOICE_SERIES) == 4
        assert uow.billing.next_number(other, CREDIT_SERIES) == 1
        assert uow.billing.next_number(company, CREDIT_SERIES) == 2
        uow.commit()
    with uow_factory() as uow:
        assert uow.billing.next_number(company, INVOICE_SERIES) == 5
        assert uow.billing.next_number(other, INVOICE_SERIES) == 2


def test_an_invoice_reads_back_exactly_by_its_id_its_number_and_its_order(
    uow_factory: UowFactory,
) -> None:
    order = saved_order(uow_factory)
    sku = order.lines[0].sku
    held = invoice_of(order, lines=(InvoiceLine(1, sku, 3, Decimal("9.99")),
                                    InvoiceLine(2, sku, 1, Decimal("0.0001"))))  # fmt: skip
    billed = issued(invoice_of(order, LATER), AT + timedelta(days=30))
    billed.credited = {1: 1}
    add_invoices(uow_factory, billed, held)
    with uow_factory() as uow:
        by_id = uow.billing.invoice(held.id)
        by_number = uow.billing.invoice_by_number(billed.number or "")
        found = uow.billing.invoices_for(order.id)
        assert uow.billing.invoice("S/NOPE") is None
        assert uow.billing.invoice_by_number("INV-NONE") is None
        assert uow.billing.invoices_for(OrderId("SO-MISSING")) == []
    assert by_id == held
    assert by_number == billed
    assert found == [held, billed]
    assert by_id is not None
    assert by_number is not None
    assert (by_id.status, by_id.hold_reason, by_id.number) == (
        InvoiceStatus.ON_HOLD, MISSING_TAX_SETUP, None,
    )  # fmt: skip
    assert (by_number.net, by_number.tax, by_number.gross) == (
        Decimal("29.97"), Decimal("2.47"), Decimal("44.94"),
    )  # fmt: skip
    assert by_number.credited == {1: 1}


def test_a_second_invoice_of_the_same_shipment_is_refused_and_the_first_stays(
    uow_factory: UowFactory,
) -> None:
    order = saved_order(uow_factory)
    first = issued(invoice_of(order), AT + timedelta(days=30))
    with uow_factory() as uow:
        uow.billing.add_invoice(first)
        with pytest.raises(InvoiceExists):  # by this transaction
            uow.billing.add_invoice(replace(first, number=ref("INV"), freight=Decimal("99")))
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(InvoiceExists):  # by one that committed before
            uow.billing.add_invoice(replace(first, number=None, status=InvoiceStatus.ON_HOLD))
        uow.commit()
    with uow_factory() as uow:
        assert uow.billing.invoices_for(order.id) == [first]
        assert uow.billing.invoice(first.id) == first


def test_a_saved_invoice_reads_back_issued_and_is_then_owed(uow_factory: UowFactory) -> None:
    order = saved_order(uow_factory)
    account = order.header.account_number
    held = invoice_of(order)
    add_invoices(uow_factory, held)
    with uow_factory() as uow:
        assert uow.billing.receivables(account) == Receivables(Decimal(0), None)
        loaded = uow.billing.invoice(held.id)
        assert loaded is not None
        number, due_at = ref("INV"), AT + timedelta(days=30)
        loaded.issue(number, LATER, due_at)
        loaded.credited = {1: 2}
        uow.billing.save_invoice(loaded)
        uow.commit()
    with uow_factory() as uow:
        assert uow.billing.invoice(held.id) == loaded
        assert uow.billing.invoice_by_number(number) == loaded
        assert uow.billing.receivables(account) == Receivables(Decimal("44.94"), due_at)
    assert (loaded.status, loaded.hold_reason, loaded.issued_at, loaded.credited) == (
        InvoiceStatus.ISSUED, None, LATER, {1: 2},
    )  # fmt: skip


def test_the_latest_invoices_come_newest_first_up_to_the_limit(uow_factory: UowFactory) -> None:
    order = saved_order(uow_factory)
    first, third, second = (invoice_of(order, AT.replace(hour=h)) for h in (9, 11, 10))
    add_invoices(uow_factory, first, third, second)
    with uow_factory() as uow:
        assert uow.billing.invoices() == [third, second, first]
        assert [i.id for i in uow.billing.invoices(limit=2)] == [third.id, second.id]


def memo_of(
    invoice: Invoice, quantity: int, issued_at: datetime, freight: Decimal = Decimal(0)
) -> CreditMemo:
    """A credit memo of `quantity` units of the invoice's first line, at its price and tax."""
    line = invoice.lines[0]
    credited = InvoiceLine(line.line_no, line.sku, quantity, line.unit_price)
    assert invoice.number is not None
    return CreditMemo(
        number=ref("CRN"), invoice=invoice.number, order_id=invoice.order_id,
        account_number=invoice.account_number, currency=invoice.currency, lines=(credited,),
        tax_rate=invoice.tax_rate, tax=cents(credited.amount * invoice.tax_rate),
        freight=freight, reason_code="damaged", issued_at=issued_at,
    )  # fmt: skip


def test_an_orders_credit_memos_read_back_exactly_oldest_first(uow_factory: UowFactory) -> None:
    order = saved_order(uow_factory)
    invoice = issued(invoice_of(order), AT + timedelta(days=30))
    add_invoices(uow_factory, invoice)
    later = memo_of(invoice, 2, AT + timedelta(days=9), freight=Decimal("12.50"))
    earlier = memo_of(invoice, 1, AT + timedelta(days=5))
    with uow_factory() as uow:
        uow.billing.add_credit_memo(later)
        uow.billing.add_credit_memo(earlier)
        uow.commit()
    with uow_factory() as uow:
        found = uow.billing.credit_memos_for(order.id)
        assert uow.billing.credit_memos_for(OrderId("SO-MISSING")) == []
    assert found == [earlier, later]
    assert [(m.net, m.tax, m.freight, m.gross) for m in found] == [
        (Decimal("9.99"), Decimal("0.82"), Decimal(0), Decimal("10.81")),
        (Decimal("19.98"), Decimal("1.65"), Decimal("12.50"), Decimal("34.13")),
    ]
    with uow_factory() as uow, pytest.raises(Conflict) as refused:
        uow.billing.add_credit_memo(replace(earlier, reason_code="again"))
    assert refused.value.code is ErrorCode.CONCURRENT_UPDATE


def test_receivables_are_issued_invoices_less_credit_memos_due_since_the_oldest_invoice(
    uow_factory: UowFactory,
) -> None:
    order, theirs = saved_order(uow_factory), saved_order(uow_factory)  # two customers
    account, other = order.header.account_number, theirs.header.account_number
    big = (InvoiceLine(1, order.lines[0].sku, 1, Decimal("1234567.89")),)
    due_late = issued(invoice_of(order), AT + timedelta(days=30))  # 44.94
    due_early = issued(invoice_of(order, lines=big, freight=Decimal("0.10"), tax_rate=Decimal(0)),
                       AT + timedelta(days=10))  # 1234567.99  # fmt: skip
    held = invoice_of(order, freight=Decimal(1000))  # on hold: not owed
    their_invoice = issued(invoice_of(theirs), AT + timedelta(days=5))  # 44.94
    add_invoices(uow_factory, due_late, due_early, held, their_invoice)
    with uow_factory() as uow:
        uow.billing.add_credit_memo(memo_of(due_late, 1, LATER))  # 10.81
        uow.commit()
    with uow_factory() as uow:
        assert uow.billing.receivables(account) == Receivables(
            Decimal("1234602.12"), AT + timedelta(days=10)
        )
        assert uow.billing.receivables(other) == Receivables(
            Decimal("44.94"), AT + timedelta(days=5)
        )
        uow.billing.add_credit_memo(memo_of(their_invoice, 3, LATER, freight=Decimal("12.50")))
        uow.commit()
    with uow_factory() as uow:
        assert uow.billing.receivables(other) == Receivables(Decimal(0), None), "nothing owed"
        assert uow.billing.receivables(account).open_amount == Decimal("1234602.12")
        assert uow.billing.receivables(AccountNumber(ref("C"))) == Receivables(Decimal(0), None)


# -- ledger ------------------------------------------------------------------------------------
def entry(document_id: str, currency: CurrencyCode, *lines: Posting,
          document_type: str = "receipt") -> JournalEntry:  # fmt: skip
    return JournalEntry(document_type, document_id, currency, AT, f"{document_type} {document_id}",
                        lines)  # fmt: skip


def post(uow_factory: UowFactory, *entries: JournalEntry) -> None:
    with uow_factory() as uow:
        for e in entries:
            uow.ledger.post(e)
        uow.commit()


def test_a_document_posts_once_and_its_first_entry_stays(uow_factory: UowFactory) -> None:
    document, amount = ref("GR"), Decimal("1234567.89")
    first = entry(document, USD, debit(Account.INVENTORY, amount),
                  credit(Account.GOODS_RECEIVED, amount))  # fmt: skip
    again = entry(document, USD, debit(Account.INVENTORY, Decimal(5)),
                  credit(Account.GOODS_RECEIVED, Decimal(5)))  # fmt: skip
    with uow_factory() as uow:
        uow.ledger.post(first)
        with pytest.raises(Conflict) as in_this:  # by this transaction
            uow.ledger.post(again)
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(Conflict) as before:  # by one that committed before
            uow.ledger.post(again)
        uow.ledger.post(replace(again, document_type="count"))  # another document, same id
        uow.commit()
    assert in_this.value.code is ErrorCode.DUPLICATE_POSTING
    assert before.value.code is ErrorCode.DUPLICATE_POSTING
    with uow_factory() as uow:
        assert uow.ledger.entries_for("receipt", document) == [first]
        assert uow.ledger.entries_for("count", document) == [replace(again, document_type="count")]
        assert uow.ledger.entries_for("receipt", "NOPE") == []
        assert uow.ledger.balance(Account.INVENTORY, USD) == Decimal("1234572.89")


def test_the_trial_balance_sums_exactly_per_account_and_currency_by_account(
    uow_factory: UowFactory,
) -> None:
    dime, fifth, big = Decimal("0.10"), Decimal("0.20"), Decimal("1234567.89")
    post(
        uow_factory,
        entry(ref("GR"), USD, debit(Account.INVENTORY, dime), credit(Account.GOODS_RECEIVED, dime)),
        entry(ref("GR"), USD, debit(Account.INVENTORY, fifth),
              credit(Account.GOODS_RECEIVED, fifth)),
        entry(ref("INV"), USD, debit(Account.RECEIVABLES, big),
              credit(Account.REVENUE, Decimal("1234555.39")),
              credit(Account.TAX_PAYABLE, Decimal("12.50")), document_type="invoice"),
        entry(ref("GR"), EUR, debit(Account.INVENTORY, Decimal("0.70")),
              credit(Account.GOODS_RECEIVED, Decimal("0.70"))),
    )  # fmt: skip
    with uow_factory() as uow:
        rows = uow.ledger.trial_balance()
    assert [r.account for r in rows] == sorted(r.account for r in rows)
    assert {(r.account, r.currency): (r.debit, r.credit) for r in rows} == {
        ("1200", "USD"): (big, Decimal(0)),
        ("1400", "USD"): (Decimal("0.30"), Decimal(0)),
        ("1400", "EUR"): (Decimal("0.70"), Decimal(0)),
        ("2100", "USD"): (Decimal(0), Decimal("0.30")),
        ("2100", "EUR"): (Decimal(0), Decimal("0.70")),
        ("2200", "USD"): (Decimal(0), Decimal("12.50")),
        ("4000", "USD"): (Decimal(0), Decimal("1234555.39")),
    }
    assert len(rows) == 7
    assert sum((r.balance for r in rows if r.currency == "USD"), Decimal(0)) == 0
    assert BalanceRow("1400", "USD", Decimal("0.3"), Decimal(0)) in rows


def test_a_balance_is_debits_less_credits_of_the_account_in_its_currency(
    uow_factory: UowFactory,
) -> None:
    big = Decimal("1234567.89")
    post(
        uow_factory,
        entry(ref("INV"), USD, debit(Account.RECEIVABLES, big), credit(Account.REVENUE, big),
              document_type="invoice"),
        entry(ref("CRN"), USD, debit(Account.SALES_RETURNS, Decimal("0.10")),
              debit(Account.SALES_RETURNS, Decimal("0.20")),
              credit(Account.RECEIVABLES, Decimal("0.30")), document_type="credit_memo"),
        entry(ref("INV"), EUR, debit(Account.RECEIVABLES, Decimal("7.77")),
              credit(Account.REVENUE, Decimal("7.77")), document_type="invoice"),
    )  # fmt: skip
    with uow_factory() as uow:
        assert uow.ledger.balance(Account.RECEIVABLES, USD) == Decimal("1234567.59")
        assert uow.ledger.balance(Account.REVENUE, USD) == -big
        assert uow.ledger.balance(Account.SALES_RETURNS, USD) == Decimal("0.30")
        assert uow.ledger.balance(Account.RECEIVABLES, EUR) == Decimal("7.77")
        assert uow.ledger.balance(Account.INVENTORY, USD) == 0
        assert uow.ledger.balance(Account.RECEIVABLES, CurrencyCode("GBP")) == 0


def test_amounts_as_large_as_a_posting_holds_are_summed_to_the_cent(
    uow_factory: UowFactory,
) -> None:
    huge, cent = Decimal("85072154524284.51"), Decimal("0.01")  # NUMERIC(18, 4) holds 10^14
    post(
        uow_factory,
        entry(ref("GR"), USD, debit(Account.INVENTORY, huge), credit(Account.GOODS_RECEIVED, huge)),
        entry(ref("GR"), USD, debit(Account.INVENTORY, cent), credit(Account.GOODS_RECEIVED, cent)),
    )  # fmt: skip
    with uow_factory() as uow:
        assert uow.ledger.balance(Account.INVENTORY, USD) == Decimal("85072154524284.52")
        assert uow.ledger.trial_balance()[0] == BalanceRow(
            "1400", "USD", Decimal("85072154524284.52"), Decimal(0)
        )
