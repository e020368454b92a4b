"""Master data: reading records from text (CSV rows, requests), and the handlers that create,
update and import them. Every write leaves an audit entry and an outbox event."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ordoflow.application import access, postings
from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.domain import values as v
from ordoflow.domain.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    FieldError,
    NotFound,
    ValidationFailed,
)
from ordoflow.domain.eventlog import jsonable
from ordoflow.domain.events import MasterRecordSaved
from ordoflow.domain.masterdata import (
    Customer,
    CustomerStatus,
    CustomerTier,
    Item,
    MasterRecord,
    PriceEntry,
    ShipTo,
    Site,
    StockLevel,
)
from ordoflow.domain.values import ActorId

Parser = Callable[[str, str | None], Any]


def _optional(parse: Parser) -> Parser:
    def parse_optional(name: str, raw: str | None) -> Any:
        return parse(name, raw) if raw is not None and raw.strip() else None

    return parse_optional


def _free(name: str, raw: str | None) -> str:
    """Optional short text (postal codes): at most 20 characters."""
    value = (raw or "").strip()
    return v.require_text(name, value, 20) if value else ""


def _tier(name: str, raw: str | None) -> CustomerTier:
    return v.parse_choice(name, raw, CustomerTier)


def _status(name: str, raw: str | None) -> CustomerStatus:
    return (
        v.parse_choice(name, raw, CustomerStatus) if raw and raw.strip() else CustomerStatus.ACTIVE
    )


def _price(name: str, raw: str | None) -> Any:
    return v.parse_amount(name, raw, ErrorCode.INVALID_PRICE)


def _on_hand(name: str, raw: str | None) -> int:
    return v.parse_quantity(name, raw, positive=False)


def _hazmat(name: str, raw: str | None) -> bool:
    return v.parse_bool(name, raw) if raw and raw.strip() else False


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """How one kind of record reads from text: its columns in order, each with its parser."""

    kind: str
    record_type: type[MasterRecord]
    columns: tuple[tuple[str, Parser], ...]

    @property
    def required(self) -> list[str]:
        return [name for name, parse in self.columns if parse not in _OPTIONAL_PARSERS]

    def parse(self, row: Mapping[str, str | None]) -> MasterRecord:
        errors: list[FieldError] = []
        fields: dict[str, Any] = {}
        for name, parse in self.columns:
            try:
                fields[name] = parse(name, row.get(name))
            except v.FieldProblem as problem:
                errors.append(problem.error)
        if errors:
            raise ValidationFailed(errors)
        return self.record_type(**fields)


_opt_date = _optional(v.parse_date)
_opt_code = _optional(v.parse_code)
_OPTIONAL_PARSERS: frozenset[Parser] = frozenset({_opt_date, _opt_code, _status, _hazmat, _free})

SPECS: dict[str, RecordSpec] = {
    spec.kind: spec
    for spec in (
        RecordSpec("sites", Site, (
            ("code", v.parse_code), ("name", v.text_upto(200)), ("country", v.parse_country),
            ("time_zone", v.parse_time_zone),
        )),
        RecordSpec("customers", Customer, (
            ("account_number", v.parse_code), ("legal_name", v.text_upto(200)),
            ("tax_id", v.text_upto(64)),
            ("tier", _tier), ("currency", v.parse_currency), ("payment_terms", v.parse_code),
            ("credit_limit", v.parse_amount), ("status", _status),
        )),
        RecordSpec("ship-tos", ShipTo, (
            ("account_number", v.parse_code), ("code", v.parse_code), ("name", v.text_upto(200)),
            ("address_line", v.text_upto(200)), ("city", v.text_upto(100)), ("postal_code", _free),
            ("country", v.parse_country),
        )),
        RecordSpec("items", Item, (
            ("sku", v.parse_code), ("description", v.text_upto(300)),
            ("unit_of_measure", v.parse_code),
            ("product_class", v.parse_code), ("list_price", _price),
            ("currency", v.parse_currency), ("standard_cost", v.parse_amount),
            ("weight_kg", v.parse_amount), ("export_classification", v.parse_code),
            ("hazmat", _hazmat),
        )),
        RecordSpec("stock", StockLevel, (
            ("sku", v.parse_code), ("site", v.parse_code), ("on_hand", _on_hand),
        )),
        RecordSpec("prices", PriceEntry, (
            ("price_list", v.parse_code), ("sku", v.parse_code), ("customer", _opt_code),
            ("currency", v.parse_currency), ("unit_price", _price),
            ("valid_from", v.parse_date), ("valid_to", _opt_date),
        )),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    code: ErrorCode
    message: str


class ImportRejected(DomainError):
    """A file with any bad row is refused whole; `errors` lists every row at fault."""

    def __init__(self, code: ErrorCode, message: str, errors: list[RowError]) -> None:
        super().__init__(code, message)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    created: int
    updated: int
    unchanged: int


def references(uow: UnitOfWork, record: MasterRecord) -> list[FieldError]:
    """What a record points at that does not exist."""
    checks: list[tuple[str, type[MasterRecord], tuple[str, ...], ErrorCode]] = []
    if isinstance(record, ShipTo):
        checks.append(
            ("account_number", Customer, (record.account_number,), ErrorCode.UNKNOWN_CUSTOMER)
        )
    if isinstance(record, StockLevel | PriceEntry):
        checks.append(("sku", Item, (record.sku,), ErrorCode.UNKNOWN_SKU))
    if isinstance(record, StockLevel):
        checks.append(("site", Site, (record.site,), ErrorCode.UNKNOWN_SITE))
    if isinstance(record, PriceEntry) and record.customer is not None:
        checks.append(("customer", Customer, (record.customer,), ErrorCode.UNKNOWN_CUSTOMER))
    errors = [
        FieldError(name, code, f"{kind.KIND} {'/'.join(key)!r} does not exist")
        for name, kind, key, code in checks
        if uow.records.get(kind, key) is None
    ]  # fmt: skip
    if isinstance(record, StockLevel) and not errors:
        errors.extend(_below_allocated(uow, record))
    return errors


def _below_allocated(uow: UnitOfWork, record: StockLevel) -> list[FieldError]:
    current = uow.records.get(StockLevel, record.key)
    if current is None or record.on_hand >= current.allocated:
        return []
    return [FieldError("on_hand", ErrorCode.INVALID_STOCK,
                       f"on hand {record.on_hand} is below the {current.allocated} units "
                       "allocated to orders")]  # fmt: skip


def _save(uow: UnitOfWork, record: MasterRecord, actor: ActorId, clock: Clock) -> str:
    """Create or update one record; returns 'created', 'updated' or 'unchanged'."""
    before = uow.records.get(type(record), record.key)
    if isinstance(record, StockLevel):
        if not uow.stock.set_on_hand(record.sku, record.site, record.on_hand):
            raise ValidationFailed([FieldError(
                "on_hand", ErrorCode.INVALID_STOCK,
                f"{record.sku}@{record.site}: on hand {record.on_hand} is below what is allocated",
            )])  # fmt: skip
        held = before.allocated if isinstance(before, StockLevel) else 0
        record = dataclasses.replace(record, allocated=held)
        was = before.on_hand if isinstance(before, StockLevel) else 0
        postings.stock_counted(uow, clock.now(), record.sku, record.site, record.on_hand - was)
    elif before is None:
        uow.records.add(record)
    elif before != record:
        uow.records.update(record)
        if isinstance(before, Item) and isinstance(record, Item):
            postings.revalued(uow, clock.now(), before, record, uow.stock.on_hand(record.sku))
    if before == record:
        return "unchanged"
    action = "created" if before is None else "updated"
    at = clock.now()
    stream = f"{record.KIND}:{'/'.join(record.key)}"
    uow.audit.append(
        stream, action, actor=actor, at=at,
        before=jsonable(dataclasses.asdict(before)) if before else None,
        after=jsonable(dataclasses.asdict(record)),
    )  # fmt: skip
    uow.record(MasterRecordSaved(occurred_at=at, kind=record.KIND, key=record.key, action=action))
    return action


def _may_maintain(uow: UnitOfWork, actor: ActorId, records: list[MasterRecord]) -> None:
    for kind in sorted({r.KIND for r in records}):
        acting = access.permit_record(uow, actor, kind)
        for site in sorted({s for r in records if (s := access.record_site(r)) is not None}):
            access.within(acting, site)


def create_record(cmd: c.CreateRecord, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        _may_maintain(uow, cmd.actor, [cmd.record])
        if uow.records.get(type(cmd.record), cmd.record.key) is not None:
            raise Conflict(ErrorCode.DUPLICATE_RECORD, f"{cmd.record.KIND} {cmd.record.key} exists")
        _check_references(uow, cmd.record)
        _save(uow, cmd.record, cmd.actor, clock)
        uow.commit()


def update_record(cmd: c.UpdateRecord, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        _may_maintain(uow, cmd.actor, [cmd.record])
        if uow.records.get(type(cmd.record), cmd.record.key) is None:
            raise NotFound(ErrorCode.UNKNOWN_RECORD, f"no {cmd.record.KIND} {cmd.record.key}")
        _check_references(uow, cmd.record)
        _save(uow, cmd.record, cmd.actor, clock)
        uow.commit()


def _check_references(uow: UnitOfWork, record: MasterRecord) -> None:
    errors = references(uow, record)
    if errors:
        raise ValidationFailed(errors)


def read_rows(spec: RecordSpec, text: str) -> list[tuple[int, dict[str, str | None]]]:
    """CSV text into (line number, row) pairs; a wrong header or a ragged row is malformed."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [col for col in spec.required if col not in header]
        unknown = [col for col in header if col not in dict(spec.columns)]
        if missing or unknown:
            raise ImportRejected(
                ErrorCode.CSV_MALFORMED,
                f"header of a {spec.kind} file: missing {missing or 'nothing'}, "
                f"unknown {unknown or 'nothing'}",
                [RowError(1, "header", ErrorCode.CSV_MALFORMED, "wrong columns")],
            )
        rows = []
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                raise ImportRejected(
                    ErrorCode.CSV_MALFORMED,
                    f"line {reader.line_num}: {len(header)} columns expected",
                    [RowError(reader.line_num, "row", ErrorCode.CSV_MALFORMED, "ragged row")],
                )
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportRejected(
            ErrorCode.CSV_MALFORMED,
            f"line {reader.line_num}: {exc}",
            [RowError(reader.line_num, "row", ErrorCode.CSV_MALFORMED, str(exc))],
        ) from None
    if not rows:
        raise ImportRejected(
            ErrorCode.CSV_MALFORMED, "the file has a header but no data rows",
            [RowError(1, "file", ErrorCode.CSV_MALFORMED, "no data rows")],
        )  # fmt: skip
    return rows


def import_records(cmd: c.ImportRecords, uow: UnitOfWork, clock: Clock) -> ImportReport:
    spec = SPECS.get(cmd.kind)
    if spec is None:
        raise NotFound(
            ErrorCode.UNKNOWN_IMPORT_KIND, f"cannot import {cmd.kind!r}; one of: {', '.join(SPECS)}"
        )
    with uow:
        access.permit_record(uow, cmd.actor, spec.record_type.KIND)
        rows = read_rows(spec, cmd.text)
        records, errors = _parse_all(spec, rows, uow)
        if errors:
            raise ImportRejected(
                ErrorCode.CSV_ROWS_INVALID,
                f"{cmd.source}: {len({e.row for e in errors})} of {len(rows)} rows invalid; "
                "nothing imported",
                errors,
            )
        _may_maintain(uow, cmd.actor, records)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for record in records:
            counts[_save(uow, record, cmd.actor, clock)] += 1
        uow.commit()
    return ImportReport(spec.kind, **counts)


def _parse_all(
    spec: RecordSpec, rows: list[tuple[int, dict[str, str | None]]], uow: UnitOfWork
) -> tuple[list[MasterRecord], list[RowError]]:
    records: list[MasterRecord] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, row in rows:
        try:
            record = spec.parse(row)
        except ValidationFailed as exc:
            errors.extend(RowError(line, e.field, e.code, e.message) for e in exc.errors)
            continue
        if record.key in seen:
            errors.append(RowError(line, "key", ErrorCode.DUPLICATE_RECORD,
                                   f"same key as line {seen[record.key]}"))  # fmt: skip
        seen[record.key] = line
        errors.extend(RowError(line, e.field, e.code, e.message) for e in references(uow, record))
        records.append(record)
    return records, errors


__all__ = [
    "SPECS",
    "ImportRejected",
    "ImportReport",
    "RecordSpec",
    "RowError",
    "create_record",
    "import_records",
    "read_rows",
    "references",
    "update_record",
]
