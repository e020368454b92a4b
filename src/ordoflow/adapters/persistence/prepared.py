"""Whole-row INSERTs for the intake path, compiled once per dialect from the table definitions.

Core compiles and caches statements, but building parameters through the compiled form and
the execution context costs more per row than the database spends storing it. Here the SQL text
is made once from the table and run on the connection's own driver cursor, inside the
connection's transaction; every value goes through its column type's own bind processor, so
money, time and JSON are stored exactly as Core stores them, and driver errors are raised as
the same SQLAlchemy exceptions Core raises. See docs/adr/0014-driver-cursor-on-the-intake-path.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


class PreparedInsert:
    def __init__(self, table: sa.Table) -> None:
        self.table = table
        self.columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
        self._prepared: dict[str, tuple[str, list[tuple[str, Processor]]]] = {}

    def _prepare(self, dialect: Dialect) -> tuple[str, list[tuple[str, Processor]]]:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(c.name) for c in self.columns)
        markers = ", ".join(marker for _ in self.columns)
        sql = f"INSERT INTO {preparer.format_table(self.table)} ({names}) VALUES ({markers})"
        processors: list[tuple[str, Processor]] = [
            (c.name, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in self.columns
        ]
        return sql, processors

    def __call__(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        dialect = conn.dialect
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            prepared = self._prepared[dialect.name] = self._prepare(dialect)
        sql, processors = prepared
        params = [
            tuple(row[n] if process is None else process(row[n]) for n, process in processors)
            for row in rows
        ]
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if len(params) > 1:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params[0])
        except dbapi.Error as exc:  # the same exception types as Core raises
            raise sa.exc.DBAPIError.instance(sql, params, exc, dbapi.Error) from exc
        finally:
            cursor.close()


__all__ = ["PreparedInsert"]
