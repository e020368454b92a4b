"""Governance of templates, variants and decision tables: drafting a version from its file,
submitting it for review, publishing it through a second person, sending it back, retiring it.
Every step is in the audit log (stream `<kind>:<name>`) and the outbox."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from ordoflow.application import access
from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.domain.errors import Conflict, DomainError, ErrorCode, NotFound
from ordoflow.domain.events import GovernanceChanged
from ordoflow.domain.values import ActorId
from ordoflow.governance.dmn import read_dmn
from ordoflow.governance.running import check_inputs
from ordoflow.governance.tables import DecisionTable, compile_table
from ordoflow.governance.template import Template, load_template, load_variant, resolve
from ordoflow.governance.versions import (
    Activation,
    ArtifactKind,
    ArtifactVersion,
    VersionStatus,
    content_hash,
    diff,
)


def _table_content(cmd: c.DraftVersion, uow: UnitOfWork) -> dict[str, Any]:
    model = read_dmn(cmd.text)
    if len(model.tables) != 1:
        count = len(model.tables)
        message = f"a table version is one decision table; the file has {count}"
        raise DomainError(ErrorCode.DMN_MALFORMED, message)
    (table,) = model.tables.values()
    compile_table(table)
    return table.to_json()


def _template_content(cmd: c.DraftVersion, uow: UnitOfWork) -> dict[str, Any]:
    """Checked against the tables published now: each step's table must exist and read only
    facts of the order or parameters of the step."""
    published = {v.name: v for v in uow.versions.published(ArtifactKind.TABLE)}  # newest last
    template = load_template(cmd.text, sorted(published))
    _same_name(ErrorCode.TEMPLATE_INVALID, template.name, cmd.name)
    for n, step in enumerate(template.steps):
        check_inputs(step, DecisionTable.from_json(published[step.table].content), f"steps.{n}")
    return template.model_dump(mode="json")


def _same_name(code: ErrorCode, document: str, version: str) -> None:
    if document != version:
        raise DomainError(code, f"name: the document is named {document!r}, the version "
                                f"{version!r}")  # fmt: skip


def _variant_content(cmd: c.DraftVersion, uow: UnitOfWork) -> dict[str, Any]:
    variant = load_variant(cmd.text)
    _same_name(ErrorCode.VARIANT_REFUSED, variant.name, cmd.name)
    template = _latest_published(uow, ArtifactKind.TEMPLATE, variant.template)
    if template is None:
        raise DomainError(ErrorCode.VARIANT_REFUSED,
                          f"template: no published template {variant.template!r}")  # fmt: skip
    resolve(Template.model_validate(template.content), variant)
    return variant.model_dump(mode="json")


_CONTENT: dict[ArtifactKind, Callable[[c.DraftVersion, UnitOfWork], dict[str, Any]]] = {
    ArtifactKind.TABLE: _table_content,
    ArtifactKind.TEMPLATE: _template_content,
    ArtifactKind.VARIANT: _variant_content,
}


def _latest_published(uow: UnitOfWork, kind: ArtifactKind, name: str) -> ArtifactVersion | None:
    found = [v for v in uow.versions.published(kind) if v.name == name]
    return found[-1] if found else None


def _record(uow: UnitOfWork, version: ArtifactVersion, action: str, *, cmd: c.Command,
            clock: Clock, before: str | None) -> None:  # fmt: skip
    at = clock.now()
    stream = f"{version.kind.value}:{version.name}"
    after = {"version": version.number, "status": version.status.value,
             "content_hash": version.content_hash}  # fmt: skip
    uow.audit.append(stream, action, actor=cmd.actor, at=at,
                     before={"status": before} if before else None, after=after)  # fmt: skip
    uow.record(GovernanceChanged(occurred_at=at, kind=version.kind.value, name=version.name,
                                 number=version.number, action=action))  # fmt: skip


def draft_version(cmd: c.DraftVersion, uow: UnitOfWork, clock: Clock) -> int:
    with uow:
        access.permit(uow, cmd)
        content = _CONTENT[cmd.kind](cmd, uow)
        version = ArtifactVersion(
            kind=cmd.kind, name=cmd.name, number=uow.versions.next_number(cmd.kind, cmd.name),
            content=content, content_hash=content_hash(content), author=cmd.actor,
            created_at=clock.now(),
        )  # fmt: skip
        uow.versions.add(version)
        _record(uow, version, "drafted", cmd=cmd, clock=clock, before=None)
        uow.commit()
        return version.number


def _change(cmd: c.VersionCommand, uow: UnitOfWork, clock: Clock, action: str,
            act: Callable[[ArtifactVersion], None]) -> None:  # fmt: skip
    with uow:
        access.permit(uow, cmd)
        version = uow.versions.get(cmd.kind, cmd.name, cmd.number)
        if version is None:
            raise NotFound(ErrorCode.UNKNOWN_VERSION,
                           f"no {cmd.kind.value} {cmd.name} v{cmd.number}")  # fmt: skip
        before = version.status.value
        act(version)
        if not uow.versions.save(version):
            raise Conflict(ErrorCode.CONCURRENT_UPDATE, f"{version.label} changed meanwhile")
        _record(uow, version, action, cmd=cmd, clock=clock, before=before)
        uow.commit()


def submit_version(cmd: c.SubmitVersion, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, clock, "submitted", lambda v: v.submit(cmd.actor))


def approve_version(cmd: c.ApproveVersion, uow: UnitOfWork, clock: Clock) -> None:
    effective = cmd.effective_from or clock.now()
    _change(cmd, uow, clock, "published", lambda v: v.approve(cmd.actor, effective))


def send_back_version(cmd: c.SendBackVersion, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, clock, "sent back", lambda v: v.send_back(cmd.actor))


def retire_version(cmd: c.RetireVersion, uow: UnitOfWork, clock: Clock) -> None:
    _change(cmd, uow, clock, "retired", lambda v: v.retire(cmd.actor, clock.now()))


def request_activation(cmd: c.RequestActivation, uow: UnitOfWork, clock: Clock) -> str:
    with uow:
        acting = access.permit(uow, cmd)
        if cmd.scope not in ("site", "channel", "everywhere"):
            message = f"scope {cmd.scope!r} is not one of: site, channel, everywhere"
            raise DomainError(ErrorCode.INVALID_CHOICE, message)
        if cmd.scope == "site":
            access.within(acting, cmd.target)
        version = uow.versions.get(ArtifactKind.TEMPLATE, cmd.template, cmd.number)
        if version is None or version.status is not VersionStatus.PUBLISHED:
            raise NotFound(ErrorCode.UNKNOWN_VERSION,
                           f"no published template {cmd.template} v{cmd.number}")  # fmt: skip
        activation = Activation(
            id=f"ACT-{secrets.token_hex(4).upper()}", template=cmd.template, number=cmd.number,
            scope=cmd.scope, target="*" if cmd.scope == "everywhere" else cmd.target,
            effective_from=cmd.effective_from or clock.now(), requested_by=cmd.actor,
        )  # fmt: skip
        uow.versions.add_activation(activation)
        _record_activation(uow, activation, "activation requested", cmd, clock)
        uow.commit()
        return activation.id


def decide_activation(cmd: c.DecideActivation, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        acting = access.permit(uow, cmd)
        activation = uow.versions.activation(cmd.activation_id)
        if activation is None:
            raise NotFound(ErrorCode.UNKNOWN_VERSION, f"no activation {cmd.activation_id!r}")
        if activation.scope == "site":
            access.within(acting, activation.target)
        if cmd.approve:
            activation.approve(cmd.actor)
        else:
            activation.reject(cmd.actor)
        uow.versions.save_activation(activation)
        _record_activation(uow, activation, f"activation {activation.status.value}", cmd, clock)
        uow.commit()


def _record_activation(
    uow: UnitOfWork, activation: Activation, action: str, cmd: c.Command, clock: Clock
) -> None:
    at = clock.now()
    uow.audit.append(
        f"template:{activation.template}", action, actor=cmd.actor, at=at, before=None,
        after={"activation": activation.id, "version": activation.number,
               "scope": activation.scope, "target": activation.target,
               "effective_from": activation.effective_from.isoformat(),
               "status": activation.status.value},
    )  # fmt: skip
    uow.record(GovernanceChanged(occurred_at=at, kind="template", name=activation.template,
                                 number=activation.number, action=action))  # fmt: skip


def activations(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, template: str
) -> list[Activation]:
    with uow_factory() as uow:
        access.require(uow, actor, access.GOVERNANCE_READERS, "read governed versions")
        return uow.versions.activations(template)


def version_history(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, kind: ArtifactKind, name: str
) -> list[ArtifactVersion]:
    with uow_factory() as uow:
        access.require(uow, actor, access.GOVERNANCE_READERS, "read governed versions")
        return uow.versions.history(kind, name)


def version_diff(  # noqa: PLR0917 - who asks, and which two versions
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    kind: ArtifactKind,
    name: str,
    older: int,
    newer: int,
) -> list[str]:
    with uow_factory() as uow:
        access.require(uow, actor, access.GOVERNANCE_READERS, "read governed versions")
        a, b = uow.versions.get(kind, name, older), uow.versions.get(kind, name, newer)
    missing = [n for n, v in ((older, a), (newer, b)) if v is None]
    if a is None or b is None:
        raise NotFound(ErrorCode.UNKNOWN_VERSION,
                       f"no {kind.value} {name} v{missing[0]}")  # fmt: skip
    return diff(a, b)


__all__ = [
    "activations",
    "approve_version",
    "decide_activation",
    "draft_version",
    "request_activation",
    "retire_version",
    "send_back_version",
    "submit_version",
    "version_diff",
    "version_history",
]
