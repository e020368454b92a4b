"""Master data records in SQL: one table per kind, columns named as the record's fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ordoflow.adapters.persistence.tables import customers, items, prices, ship_tos, sites, stock
from ordoflow.domain.errors import Conflict, ErrorCode, NotFound
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

R = TypeVar("R", bound=MasterRecord)

_TABLES: dict[type[Any], sa.Table] = {
    Site: sites, Customer: customers, ShipTo: ship_tos, Item: items, StockLevel: stock,
    PriceEntry: prices,
}  # fmt: skip
_KEYS: dict[type[Any], tuple[str, ...]] = {
    Site: ("code",), Customer: ("account_number",), ShipTo: ("account_number", "code"),
    Item: ("sku",), StockLevel: ("sku", "site"),
    PriceEntry: ("price_list", "sku", "customer", "valid_from"),
}  # fmt: skip
_LOAD: dict[str, Callable[[Any], Any]] = {
    "tier": CustomerTier, "status": CustomerStatus, "hazmat": bool,
}  # fmt: skip


def _to_row(record: MasterRecord) -> dict[str, Any]:
    row = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    if isinstance(record, PriceEntry):
        row["customer"] = record.customer or ""
    return row


def _from_row(kind: type[R], r: Any) -> R:
    values = {name: _LOAD.get(name, _same)(value) for name, value in r._mapping.items()}
    if kind is PriceEntry:
        values["customer"] = values["customer"] or None
    return kind(**values)


def _same(value: Any) -> Any:
    return value


def _where(kind: type[Any], key: tuple[str, ...]) -> sa.ColumnElement[bool]:
    table = _TABLES[kind]
    values: tuple[Any, ...] = key
    if kind is PriceEntry:  # the key holds valid_from as ISO text
        values = (*key[:3], date.fromisoformat(key[3]))
    return sa.and_(*(table.c[n] == value for n, value in zip(_KEYS[kind], values, strict=True)))


class SqlRecordRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, kind: type[R], key: tuple[str, ...]) -> R | None:
        row = self.conn.execute(_TABLES[kind].select().where(_where(kind, key))).first()
        return None if row is None else _from_row(kind, row)

    def get_many(self, kind: type[R], keys: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], R]:
        wanted = set(keys)
        if not wanted:
            return {}
        table = _TABLES[kind]
        where: sa.ColumnElement[bool]
        if len(_KEYS[kind]) == 1:
            where = table.c[_KEYS[kind][0]].in_([k[0] for k in wanted])
        else:
            where = sa.or_(*(_where(kind, k) for k in wanted))
        found = (_from_row(kind, r) for r in self.conn.execute(table.select().where(where)))
        return {rec.key: rec for rec in found}

    def add(self, record: MasterRecord) -> None:
        try:
            with self.conn.begin_nested():
                self.conn.execute(_TABLES[type(record)].insert(), _to_row(record))
        except IntegrityError:
            raise Conflict(
                ErrorCode.DUPLICATE_RECORD, f"{record.KIND} {'/'.join(record.key)} already exists"
            ) from None

    def update(self, record: MasterRecord) -> None:
        kind = type(record)
        result = self.conn.execute(
            _TABLES[kind].update().where(_where(kind, record.key)).values(_to_row(record))
        )
        if result.rowcount != 1:
            raise NotFound(ErrorCode.UNKNOWN_RECORD, f"no {record.KIND} {'/'.join(record.key)}")

    def all(self, kind: type[R]) -> list[R]:
        table = _TABLES[kind]
        query = table.select().order_by(*(table.c[name] for name in _KEYS[kind]))
        return [_from_row(kind, r) for r in self.conn.execute(query)]


__all__ = ["SqlRecordRepository"]
