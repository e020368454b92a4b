"""Composition root: settings → adapters → message bus. The only module that imports both the
adapters and the application; nothing is created at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from ordoflow.adapters.clock import SystemClock
from ordoflow.adapters.persistence import schema
from ordoflow.adapters.persistence.engine import create_engine
from ordoflow.adapters.persistence.uow import SqlUnitOfWork
from ordoflow.application.messagebus import MessageBus
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.config import Settings
from ordoflow.domain.errors import DomainError, ErrorCode


@dataclass
class App:
    """What an entrypoint needs: the bus for commands, and for queries a factory of read-only
    units of work (on SQLite they never wait for a writer)."""

    bus: MessageBus
    uow_factory: Callable[[], UnitOfWork]
    engine: Engine

    def upgrade_database(self) -> str | None:
        # Alembic loads only here: it costs more than the rest of a command's start-up.
        from ordoflow.adapters.persistence import migrate  # noqa: PLC0415

        migrate.upgrade(self.engine)
        return schema.current_revision(self.engine)

    def database_revision(self) -> tuple[str | None, str]:
        """(current, needed): equal when the schema is up to date."""
        return schema.current_revision(self.engine), schema.SCHEMA_HEAD

    def require_current_schema(self) -> None:
        """Refuse to work on a database whose schema is missing or behind the code."""
        current, head = self.database_revision()
        if current != head:
            raise DomainError(
                ErrorCode.SCHEMA_OUT_OF_DATE,
                f"the database is at schema revision {current or 'none'}, the code needs {head}; "
                "run `ordoflow db upgrade`",
            )

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> App:
    settings = settings or Settings()
    engine = create_engine(settings.database_url)
    memo: dict[Any, Any] = {}  # derived data of this database, shared by its units of work

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(engine, settings.event_source, memo=memo)

    def reader_factory() -> UnitOfWork:
        return SqlUnitOfWork(engine, settings.event_source, read_only=True, memo=memo)

    bus = MessageBus(uow_factory, clock or SystemClock())
    return App(bus=bus, uow_factory=reader_factory, engine=engine)


__all__ = ["App", "bootstrap"]
