"""Statements every order placed runs, on the driver cursor: whole-row INSERTs compiled once per
dialect from the table definitions (`PreparedInsert`), and a few small reads and guarded updates
compiled once from Core statements (`PreparedStatement`).

Core compiles and caches statements, but building parameters through the compiled form and
the execution context costs more per row than the database spends storing it. Here the SQL text
is made once from the table and run on the connection's own driver cursor, inside the
connection's transaction; every value goes through its column type's own bind processor, so
money, time and JSON are stored exactly as Core stores them, and driver errors are raised as
the same SQLAlchemy exceptions Core raises. See docs/adr/0014-driver-cursor-on-the-intake-path.md
and docs/adr/0018-the-governed-process-runs-in-the-placing-transaction.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


class PreparedInsert:
    def __init__(self, table: sa.Table) -> None:
        self.table = table
        self.columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
        self._prepared: dict[str, tuple[str, Callable[[Mapping[str, Any]], tuple[Any, ...]]]] = {}

    def _prepare(
        self, dialect: Dialect
    ) -> tuple[str, Callable[[Mapping[str, Any]], tuple[Any, ...]]]:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(c.name) for c in self.columns)
        markers = ", ".join(marker for _ in self.columns)
        sql = f"INSERT INTO {preparer.format_table(self.table)} ({names}) VALUES ({markers})"
        processors: list[tuple[int, Processor]] = [
            (n, c.type.dialect_impl(dialect).bind_processor(dialect))
            for n, c in enumerate(self.columns)
        ]
        processed = [(n, process) for n, process in processors if process is not None]
        pick = itemgetter(*(c.name for c in self.columns))

        def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
            """The row's values in column order, each through its type's bind processor."""
            picked = list(pick(row)) if len(self.columns) > 1 else [pick(row)]
            for n, process in processed:
                picked[n] = process(picked[n])
            return tuple(picked)

        return sql, values

    def __call__(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        dialect = conn.dialect
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            prepared = self._prepared[dialect.name] = self._prepare(dialect)
        sql, values = prepared
        params = [values(row) for row in rows]
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


class PreparedStatement:
    """A Core statement with bound parameters (no expanding ones), compiled once per dialect
    and run on the driver cursor, for the few small statements every order of the
    governed pipeline runs (guarded stock updates, the governance revision, open exposure).
    Parameters given by name override the statement's own literal values; values of the few
    types these statements bind (text, integers) need no processing."""

    def __init__(self, statement: sa.Select[Any] | sa.Update) -> None:
        self.statement = statement
        self._prepared: dict[str, tuple[str, list[str] | None, dict[str, Any]]] = {}
        self._results: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}

    def _prepare(self, dialect: Dialect) -> tuple[str, list[str] | None, dict[str, Any]]:
        compiled = self.statement.compile(dialect=dialect)
        order = list(compiled.positiontup or []) if compiled.positional else None
        defaults = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        return compiled.string, order, defaults

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        dialect = conn.dialect
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            prepared = self._prepared[dialect.name] = self._prepare(dialect)
        sql, order, defaults = prepared
        values = {**defaults, **params}
        bound: Any = tuple(values[n] for n in order) if order is not None else values
        dbapi = dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, bound)
        except dbapi.Error as exc:  # the same exception types as Core raises
            cursor.close()
            raise sa.exc.DBAPIError.instance(sql, bound, exc, dbapi.Error) from exc
        return cursor

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        cursor = self._run(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[list[Any]]:
        """Every row of a SELECT, each value through its column type's result processor (so
        money and flags read back as Core reads them)."""
        dialect = conn.dialect
        cursor = self._run(conn, params)
        try:
            processors = self._results.get(dialect.name)
            if processors is None:
                assert isinstance(self.statement, sa.Select), "rows come from a SELECT"
                found = [
                    (n, c.type.dialect_impl(dialect).result_processor(dialect, described[1]))
                    for n, (c, described) in enumerate(
                        zip(self.statement.selected_columns, cursor.description, strict=True)
                    )
                ]
                processors = self._results[dialect.name] = [(n, p) for n, p in found if p]
            rows = [list(row) for row in cursor.fetchall()]
        finally:
            cursor.close()
        for row in rows:
            for n, process in processors:
                row[n] = process(row[n])
        return rows

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        cursor = self._run(conn, params)
        try:
            row = cursor.fetchone()
            return None if row is None else tuple(row)
        finally:
            cursor.close()


__all__ = ["PreparedInsert", "PreparedStatement"]
