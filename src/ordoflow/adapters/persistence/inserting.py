"""Inserts that a unique key may refuse, in one statement.

`INSERT ... ON CONFLICT DO NOTHING` tells a taken key by the rows it inserted, where an insert
inside a savepoint would cost two more round trips (`SAVEPOINT`, `RELEASE`) on every call. Both
databases wait for an uncommitted row holding the same key and then see it, as a plain insert
would.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def _insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def dialect_insert(conn: Connection, table: sa.Table) -> Any:
    """The connection's own INSERT, which knows ON CONFLICT (PostgreSQL and SQLite)."""
    return _insert(conn.dialect.name, table)


@functools.cache
def _insert_unless_taken(
    dialect: str, table: sa.Table, key: tuple[str, ...], returning: sa.Column[Any]
) -> Any:
    """Built once per table and key: building a statement costs more than running it."""
    unless_taken = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(key))
    return unless_taken.returning(returning)


def insert_new(
    conn: Connection,
    table: sa.Table,
    row: Mapping[str, Any],
    key: Sequence[str],
    returning: sa.Column[Any] | None = None,
) -> Any:
    """Insert `row` unless a row with the same `key` exists. Returns whether it was inserted,
    or with `returning`, that column of the new row (None when the key was taken)."""
    # told by the row returned: psycopg leaves the rowcount of this statement unknown (-1)
    column = table.c[key[0]] if returning is None else returning
    statement = _insert_unless_taken(conn.dialect.name, table, tuple(key), column)
    found = conn.execute(statement, dict(row)).first()
    if returning is not None:
        return None if found is None else found[0]
    return found is not None


__all__ = ["dialect_insert", "insert_new"]
