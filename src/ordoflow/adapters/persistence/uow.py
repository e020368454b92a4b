"""The SQL unit of work: one connection, one transaction, the repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, RootTransaction
from sqlalchemy.engine import Engine

from ordoflow.adapters.persistence.engine import READ_ONLY
from ordoflow.adapters.persistence.finance import SqlBillingRepository, SqlLedger
from ordoflow.adapters.persistence.orders import SqlOrderRepository
from ordoflow.adapters.persistence.people import SqlCaseRepository, SqlUserRepository
from ordoflow.adapters.persistence.records import SqlRecordRepository
from ordoflow.adapters.persistence.returns import SqlReturnRepository
from ordoflow.adapters.persistence.streams import SqlAuditLog, SqlOutbox, SqlStockRepository
from ordoflow.adapters.persistence.versions import SqlVersionRepository
from ordoflow.adapters.persistence.warehouse import SqlWarehouseRepository
from ordoflow.application.ports import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    def __init__(
        self,
        engine: Engine,
        event_source: str = "urn:ordoflow",
        *,
        read_only: bool = False,
        memo: dict[Any, Any] | None = None,
    ) -> None:
        self.engine = engine
        self.memo = {} if memo is None else memo
        self.event_source = event_source
        self.read_only = read_only
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None

    def __enter__(self) -> Self:
        self._conn = self.engine.connect()
        if self.read_only:
            self._conn = self._conn.execution_options(**{READ_ONLY: True})
        self._tx = self._conn.begin()
        self.orders = SqlOrderRepository(self._conn)
        self.stock = SqlStockRepository(self._conn)
        self.records = SqlRecordRepository(self._conn)
        self.audit = SqlAuditLog(self._conn)
        self.outbox = SqlOutbox(self._conn)
        self.versions = SqlVersionRepository(self._conn)
        self.users = SqlUserRepository(self._conn)
        self.cases = SqlCaseRepository(self._conn)
        self.warehouse = SqlWarehouseRepository(self._conn)
        self.returns = SqlReturnRepository(self._conn)
        self.billing = SqlBillingRepository(self._conn)
        self.ledger = SqlLedger(self._conn)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        finally:
            if self._conn is not None:
                self._conn.close()
            self._conn = self._tx = None

    def _commit(self) -> None:
        assert self._tx is not None, "commit outside a with-block"
        self._tx.commit()

    def rollback(self) -> None:
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()


__all__ = ["SqlUnitOfWork"]
