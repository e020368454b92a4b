"""Master data records in SQL: one table per kind, columns named as the record's fields."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ordoflow.adapters.persistence.prepared import PreparedStatement
from ordoflow.adapters.persistence.tables import customers, items, prices, ship_tos, sites, stock
from ordoflow.domain.errors import Conflict, ErrorCode, NotFound
from ordoflow.domain.masterdata import (
    Customer,
    CustomerStatus,
    CustomerTier,
    Item,
    MasterRecord,
    OrderReferences,
    PriceEntry,
    ShipTo,
    Site,
    StockLevel,
)
from ordoflow.domain.values import AccountNumber, ShipToCode, SiteCode, Sku

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


def _key_params(kind: type[Any], key: tuple[str, ...]) -> dict[str, Any]:
    values: tuple[Any, ...] = key
    if kind is PriceEntry:  # the key holds valid_from as ISO text
        values = (*key[:3], date.fromisoformat(key[3]))
    return {f"k_{name}": value for name, value in zip(_KEYS[kind], values, strict=True)}


#: One SELECT by primary key per kind, built once and reused with bound parameters.
_GET = {
    kind: table.select().where(*(table.c[n] == sa.bindparam(f"k_{n}") for n in _KEYS[kind]))
    for kind, table in _TABLES.items()
}
_GET_MANY = {
    kind: table.select().where(table.c[_KEYS[kind][0]].in_(sa.bindparam("keys", expanding=True)))
    for kind, table in _TABLES.items()
    if len(_KEYS[kind]) == 1
}
_ITEM_COLUMNS = [c.name for c in items.columns]
_SHIP_TO_COLUMNS = [c.name for c in ship_tos.columns]


@functools.lru_cache(maxsize=256)
def _order_references(sku_count: int) -> PreparedStatement:
    """Everything an order points at in one statement: one row per item found (or one row with
    empty item columns), none when the customer does not exist. One statement per number of
    distinct SKUs, each compiled once (an expanding IN would be recompiled on every call), run
    on the driver cursor: every order placed runs it."""
    skus: list[sa.BindParameter[str]] = [sa.bindparam(f"sku_{n}") for n in range(sku_count)]
    return PreparedStatement(
        sa.select(
            customers,
            *(ship_tos.c[n].label(f"ship_to_{n}") for n in _SHIP_TO_COLUMNS),
            sites.c.code.label("site_code"),
            sites.c.time_zone.label("site_time_zone"),
            *(items.c[n].label(f"item_{n}") for n in _ITEM_COLUMNS),
        )
        .select_from(
            customers.outerjoin(
                ship_tos,
                sa.and_(
                    ship_tos.c.account_number == customers.c.account_number,
                    ship_tos.c.code == sa.bindparam("ship_to"),
                ),
            )
            .outerjoin(sites, sites.c.code == sa.bindparam("site"))
            .outerjoin(items, items.c.sku.in_(skus))
        )
        .where(customers.c.account_number == sa.bindparam("account"))
    )


@functools.lru_cache(maxsize=256)
def _prices_for(sku_count: int) -> sa.Select[Any]:
    return prices.select().where(prices.c.sku.in_([sa.bindparam(f"sku_{n}") for n in
                                                   range(sku_count)]))  # fmt: skip


def _same_order(table: sa.Table, kind: type[Any]) -> int:
    """Rows map to records by position: the table's columns are the record's fields, in order."""
    if [c.name for c in table.columns] != [f.name for f in dataclasses.fields(kind)]:
        raise RuntimeError(f"{table.name} columns differ from {kind.__name__} fields")
    return len(table.columns)


_CUSTOMER_WIDTH = _same_order(customers, Customer)
_SHIP_TO_WIDTH = _same_order(ship_tos, ShipTo)
_same_order(items, Item)
#: Item columns start after the customer's, the ship-to's, the site code and time zone.
_SITE_AT = _CUSTOMER_WIDTH + _SHIP_TO_WIDTH
_ITEMS_FROM = _SITE_AT + 2


def _customer(r: Sequence[Any]) -> Customer:
    v = list(r[:_CUSTOMER_WIDTH])
    v[3], v[7] = CustomerTier(v[3]), CustomerStatus(v[7])
    return Customer(*v)


class SqlRecordRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, kind: type[R], key: tuple[str, ...]) -> R | None:
        row = self.conn.execute(_GET[kind], _key_params(kind, key)).first()
        return None if row is None else _from_row(kind, row)

    def get_many(self, kind: type[R], keys: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], R]:
        wanted = set(keys)
        if not wanted:
            return {}
        if kind in _GET_MANY:
            rows = self.conn.execute(_GET_MANY[kind], {"keys": [k[0] for k in wanted]})
        else:
            rows = self.conn.execute(
                _TABLES[kind].select().where(sa.or_(*(_where(kind, k) for k in wanted)))
            )
        found = (_from_row(kind, r) for r in rows)
        return {rec.key: rec for rec in found}

    def order_references(
        self, account: AccountNumber, ship_to: ShipToCode, site: SiteCode, skus: Iterable[Sku]
    ) -> OrderReferences:
        wanted = sorted(set(skus))
        params = {"account": account, "ship_to": ship_to, "site": site}
        params.update((f"sku_{n}", sku) for n, sku in enumerate(wanted))
        rows = _order_references(len(wanted)).rows(self.conn, params)
        if not rows:
            return OrderReferences(None, ship_to=None, site_known=False, items={})
        first = rows[0]
        found = {r[_ITEMS_FROM]: Item(*r[_ITEMS_FROM:]) for r in rows if r[_ITEMS_FROM] is not None}
        return OrderReferences(
            _customer(first),
            ship_to=None if first[_CUSTOMER_WIDTH] is None
            else ShipTo(*first[_CUSTOMER_WIDTH:_SITE_AT]),
            site_known=first[_SITE_AT] is not None,
            items=found,
            site_time_zone=first[_SITE_AT + 1] or "UTC",
        )  # fmt: skip

    def prices_for(self, skus: Iterable[Sku]) -> list[PriceEntry]:
        wanted = sorted(set(skus))
        if not wanted:
            return []
        params = {f"sku_{n}": sku for n, sku in enumerate(wanted)}
        rows = self.conn.execute(_prices_for(len(wanted)), params)
        return [_from_row(PriceEntry, r) for r in rows]

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
