"""The effective process for a site and channel at a moment: the published template in force,
the site's and then the channel's published variants applied to it, and the published version of
every decision table its steps name. What an order will be pinned to when it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ordoflow.application import access
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.values import ActorId
from ordoflow.governance.running import check_inputs
from ordoflow.governance.tables import DecisionTable
from ordoflow.governance.template import Template, Variant, order_steps, resolve
from ordoflow.governance.versions import Activation, ArtifactKind, ArtifactVersion


@dataclass(frozen=True)
class EffectiveProcess:
    """A resolved process, the versions it pins, and the span of time over which the same
    versions are in force (from the latest effective date at or before the moment asked
    about to the next one after it; None where open)."""

    template: Template
    pins: dict[str, str] = field(default_factory=dict)
    tables: dict[str, DecisionTable] = field(default_factory=dict)
    window: tuple[datetime | None, datetime | None] = (None, None)

    @property
    def label(self) -> str:
        """The template version and its variants, as order log entries carry them."""
        parts = [f"{self.template.name} {self.pins[f'template:{self.template.name}']}"]
        parts += [self.pins[k] for k in ("variant:site", "variant:channel") if k in self.pins]
        label = "+".join(parts)
        return label if len(label) <= _LABEL_WIDTH else parts[0]

    def describe(self) -> dict[str, object]:
        return {
            "pins": self.pins,
            "steps": [
                {"id": s.id, "table": f"{s.table} {self.pins[f'table:{s.table}']}",
                 "action": s.action, "after": list(s.after), "parameters": s.parameters,
                 "locked": s.locked,
                 "routes": {k: r.model_dump() for k, r in s.routes.items()}}
                for s in order_steps(self.template)
            ],
        }  # fmt: skip


#: The width of the process label in the order event log.
_LABEL_WIDTH = 64


def _in_force(versions: list[ArtifactVersion], at: datetime) -> dict[str, ArtifactVersion]:
    """The newest version of each name that is published and effective at `at`."""
    chosen: dict[str, ArtifactVersion] = {}
    for version in versions:
        if version.in_force(at) and (
            version.name not in chosen or version.number > chosen[version.name].number
        ):
            chosen[version.name] = version
    return chosen


def _activated(
    uow: UnitOfWork, activations: list[Activation], site: str, channel: str, at: datetime
) -> ArtifactVersion | None:
    covering = [(rank, a.effective_from, a) for a in activations
                if (rank := a.covers(site, channel, at)) is not None]  # fmt: skip
    if not covering:
        return None
    _, _, chosen = max(covering, key=lambda item: (item[0], item[1]))
    return uow.versions.get(ArtifactKind.TEMPLATE, chosen.template, chosen.number)


def effective_process(
    uow: UnitOfWork, template_name: str, site: str, channel: str, at: datetime
) -> EffectiveProcess:
    """The template version: the one activated for the site, else for the channel, else
    everywhere (the latest in force of the most specific); with no activation at all, the
    latest published in force. Then the site's variant, then the channel's."""
    published = {kind: uow.versions.published(kind) for kind in ArtifactKind}
    activations = uow.versions.activations(template_name)
    moments = [v.effective_from for versions in published.values() for v in versions
               if v.effective_from is not None]  # fmt: skip
    moments += [a.effective_from for a in activations]
    window = (max((m for m in moments if m <= at), default=None),
              min((m for m in moments if m > at), default=None))  # fmt: skip
    try:
        return _resolved(uow, published, activations, template_name, site, channel, at, window)
    except DomainError as exc:
        raise NoProcess(exc.code, exc.message, window) from None


class NoProcess(DomainError):
    """No process can run for a site and channel at a moment; `window` is the span over which
    that stays so (unless versions change)."""

    def __init__(
        self, code: ErrorCode, message: str, window: tuple[datetime | None, datetime | None]
    ) -> None:
        super().__init__(code, message)
        self.window = window


def _resolved(  # noqa: PLR0917 - the parts effective_process has already read
    uow: UnitOfWork,
    published: dict[ArtifactKind, list[ArtifactVersion]],
    activations: list[Activation],
    template_name: str,
    site: str,
    channel: str,
    at: datetime,
    window: tuple[datetime | None, datetime | None],
) -> EffectiveProcess:
    template_version = _activated(uow, activations, site, channel, at) or _in_force(
        published[ArtifactKind.TEMPLATE], at
    ).get(template_name)
    if template_version is None:
        message = f"no published template {template_name!r} in force at {at}"
        raise DomainError(ErrorCode.UNKNOWN_VERSION, message)
    template = Template.model_validate(template_version.content)
    pins = {f"template:{template_name}": f"v{template_version.number}"}
    variants = _in_force(published[ArtifactKind.VARIANT], at).values()
    for scope, target in (("site", site), ("channel", channel)):
        for version in variants:
            variant = Variant.model_validate(version.content)
            if (variant.template, variant.scope, variant.applies_to) == (template_name, scope,
                                                                         target):  # fmt: skip
                template = resolve(template, variant)
                pins[f"variant:{scope}"] = f"{version.name} v{version.number}"
    tables_in_force = _in_force(published[ArtifactKind.TABLE], at)
    tables: dict[str, DecisionTable] = {}
    for n, step in enumerate(template.steps):
        table_version = tables_in_force.get(step.table)
        if table_version is None:
            message = f"step {step.id}: no published table {step.table!r} in force at {at}"
            raise DomainError(ErrorCode.UNKNOWN_VERSION, message)
        tables[step.table] = DecisionTable.from_json(table_version.content)
        pins[f"table:{step.table}"] = f"v{table_version.number}"
        check_inputs(step, tables[step.table], f"steps.{n}")
    return EffectiveProcess(template, pins, tables, window)


def table_in_force(uow: UnitOfWork, name: str, at: datetime) -> DecisionTable | None:
    """The newest published version of one table in force at `at`, if any. The published
    versions of the table are kept while no version or activation changes, and each version's
    table is built once."""
    revision = uow.versions.revision()
    key = ("published table", name)
    kept = uow.memo.get(key)
    if kept is None or kept[0] != revision:
        versions = [v for v in uow.versions.published(ArtifactKind.TABLE) if v.name == name]
        kept = uow.memo[key] = (revision, versions, {})
    found = _in_force(kept[1], at).get(name)
    if found is None:
        return None
    built: dict[int, DecisionTable] = kept[2]
    if found.number not in built:
        built[found.number] = DecisionTable.from_json(found.content)
    return built[found.number]


def pinned_process(uow: UnitOfWork, template_name: str, pins: dict[str, str]) -> EffectiveProcess:
    """The process an order was pinned to, rebuilt from exactly those versions."""
    template_version = pinned_version(uow, ArtifactKind.TEMPLATE, template_name,
                               pins[f"template:{template_name}"])  # fmt: skip
    template = Template.model_validate(template_version.content)
    for scope in ("site", "channel"):
        pin = pins.get(f"variant:{scope}")
        if pin is not None:
            name, number = pin.rsplit(" ", 1)
            variant = pinned_version(uow, ArtifactKind.VARIANT, name, number)
            template = resolve(template, Variant.model_validate(variant.content))
    tables = {
        step.table: DecisionTable.from_json(
            pinned_version(uow, ArtifactKind.TABLE, step.table, pins[f"table:{step.table}"]).content
        )
        for step in template.steps
    }
    return EffectiveProcess(template, dict(pins), tables)


def pinned_version(uow: UnitOfWork, kind: ArtifactKind, name: str, number: str) -> ArtifactVersion:
    version = uow.versions.get(kind, name, int(number.removeprefix("v")))
    if version is None:
        raise DomainError(ErrorCode.UNKNOWN_VERSION, f"no {kind.value} {name} {number}")
    return version


def show_effective_process(  # noqa: PLR0917 - who asks, and which process
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    template: str,
    site: str,
    channel: str,
    at: datetime,
) -> dict[str, object]:
    with uow_factory() as uow:
        acting = access.require(uow, actor, access.GOVERNANCE_READERS, "read governed versions")
        access.within(acting, site)
        return effective_process(uow, template, site, channel, at).describe()


__all__ = [
    "EffectiveProcess",
    "NoProcess",
    "effective_process",
    "pinned_process",
    "show_effective_process",
]
