"""Engines for the one database URL setting: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"isolation_level": None}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # No pre-ping (a round trip per transaction): a connection the server dropped fails once,
    # is discarded by the pool, and the next transaction gets a fresh one.
    return sa.create_engine(url, pool_recycle=1800, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READ_ONLY = "ordoflow_read_only"


def _sqlite_begin_immediate(connection: sa.Connection) -> None:
    """Writers take the write lock when their transaction starts, so two writers queue on
    busy_timeout instead of one failing when it upgrades a read lock (the driver's own BEGIN is
    turned off). Readers (execution option `ordoflow_read_only`) begin deferred and, in WAL
    mode, never wait for a writer."""
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    connection.connection.dbapi_connection.execute(begin)  # type: ignore[union-attr]


__all__ = ["READ_ONLY", "create_engine", "normalise_url"]
