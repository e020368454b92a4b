"""The schema revision this code needs, and the one a database is at, without loading Alembic
(which costs longer than the rest of a CLI command's start-up). A test keeps `SCHEMA_HEAD` equal
to the newest migration."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ordoflow.adapters.persistence.engine import READ_ONLY

#: The newest migration under migrations/versions.
SCHEMA_HEAD = "0013"


def current_revision(engine: Engine) -> str | None:
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


__all__ = ["SCHEMA_HEAD", "current_revision"]
