"""Governed versions (templates, variants, decision tables) in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ordoflow.adapters.persistence.prepared import PreparedStatement
from ordoflow.adapters.persistence.tables import activations
from ordoflow.adapters.persistence.tables import governed_versions as gv
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.values import ActorId
from ordoflow.governance.versions import (
    Activation,
    ActivationStatus,
    ArtifactKind,
    ArtifactVersion,
    VersionStatus,
)

_REVISION = sa.select(
    sa.select(sa.func.count()).select_from(gv).scalar_subquery(),
    sa.select(sa.func.coalesce(sa.func.sum(gv.c.row_version), 0)).scalar_subquery(),
    sa.select(sa.func.count()).select_from(activations).scalar_subquery(),
    sa.select(sa.func.count(activations.c.decided_by)).scalar_subquery(),
)
_FAST_REVISION = PreparedStatement(_REVISION)  # once per order placed
_KEY = sa.and_(gv.c.kind == sa.bindparam("b_kind"), gv.c.name == sa.bindparam("b_name"))


def _row(v: ArtifactVersion) -> dict[str, Any]:
    return {
        "kind": v.kind.value, "name": v.name, "number": v.number, "status": v.status.value,
        "content": v.content, "content_hash": v.content_hash, "author": v.author,
        "created_at": v.created_at, "approved_by": v.approved_by,
        "effective_from": v.effective_from, "retired_at": v.retired_at,
        "row_version": v.row_version + 1,
    }  # fmt: skip


def _version(r: Any) -> ArtifactVersion:
    return ArtifactVersion(
        kind=ArtifactKind(r.kind), name=r.name, number=r.number, content=r.content,
        content_hash=r.content_hash, author=ActorId(r.author), created_at=r.created_at,
        status=VersionStatus(r.status),
        approved_by=ActorId(r.approved_by) if r.approved_by else None,
        effective_from=r.effective_from, retired_at=r.retired_at, row_version=r.row_version,
    )  # fmt: skip


class SqlVersionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def next_number(self, kind: ArtifactKind, name: str) -> int:
        query = sa.select(sa.func.max(gv.c.number)).where(_KEY)
        latest = self.conn.execute(query, {"b_kind": kind.value, "b_name": name}).scalar()
        return int(latest or 0) + 1

    def add(self, version: ArtifactVersion) -> None:
        try:
            with self.conn.begin_nested():
                self.conn.execute(gv.insert(), _row(version))
        except IntegrityError:
            message = f"{version.label} was written by someone else first"
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, message) from None
        version.row_version += 1

    def get(self, kind: ArtifactKind, name: str, number: int) -> ArtifactVersion | None:
        query = gv.select().where(_KEY, gv.c.number == number)
        row = self.conn.execute(query, {"b_kind": kind.value, "b_name": name}).first()
        return None if row is None else _version(row)

    def save(self, version: ArtifactVersion) -> bool:
        statement = (
            gv.update()
            .where(gv.c.kind == version.kind.value, gv.c.name == version.name,
                   gv.c.number == version.number, gv.c.row_version == version.row_version)
            .values(_row(version))
        )  # fmt: skip
        if self.conn.execute(statement).rowcount != 1:
            return False
        version.row_version += 1
        return True

    def history(self, kind: ArtifactKind, name: str) -> list[ArtifactVersion]:
        query = gv.select().where(_KEY).order_by(gv.c.number)
        rows = self.conn.execute(query, {"b_kind": kind.value, "b_name": name})
        return [_version(r) for r in rows]

    def published(self, kind: ArtifactKind) -> list[ArtifactVersion]:
        query = (
            gv.select()
            .where(gv.c.kind == kind.value, gv.c.status == VersionStatus.PUBLISHED.value)
            .order_by(gv.c.name, gv.c.number)
        )
        return [_version(r) for r in self.conn.execute(query)]

    def add_activation(self, activation: Activation) -> None:
        self.conn.execute(activations.insert(), _activation_row(activation))

    def activation(self, activation_id: str) -> Activation | None:
        row = self.conn.execute(
            activations.select().where(activations.c.id == activation_id)
        ).first()
        return None if row is None else _activation(row)

    def save_activation(self, activation: Activation) -> None:
        self.conn.execute(
            activations.update()
            .where(activations.c.id == activation.id)
            .values(status=activation.status.value, decided_by=activation.decided_by)
        )

    def activations(self, template: str) -> list[Activation]:
        query = activations.select().where(activations.c.template == template)
        rows = self.conn.execute(query.order_by(activations.c.effective_from, activations.c.id))
        return [_activation(r) for r in rows]

    def revision(self) -> tuple[int, ...]:
        row = _FAST_REVISION.first(self.conn, {})
        assert row is not None, "an aggregate query returns a row"
        return tuple(int(v) for v in row)


def _activation_row(a: Activation) -> dict[str, Any]:
    return {
        "id": a.id, "template": a.template, "number": a.number, "scope": a.scope,
        "target": a.target, "effective_from": a.effective_from, "requested_by": a.requested_by,
        "status": a.status.value, "decided_by": a.decided_by,
    }  # fmt: skip


def _activation(r: Any) -> Activation:
    return Activation(
        id=r.id, template=r.template, number=r.number, scope=r.scope, target=r.target,
        effective_from=r.effective_from, requested_by=ActorId(r.requested_by),
        status=ActivationStatus(r.status),
        decided_by=ActorId(r.decided_by) if r.decided_by else None,
    )  # fmt: skip


__all__ = ["SqlVersionRepository"]
