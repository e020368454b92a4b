"""The effective process for a site and channel at a moment: the published template in force,
the site's and then the channel's published variants applied to it, and the published version of
every decision table its steps name. What an order will be pinned to when it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.tables import DecisionTable
from ordoflow.governance.template import Template, Variant, order_steps, resolve
from ordoflow.governance.versions import ArtifactKind, ArtifactVersion


@dataclass(frozen=True)
class EffectiveProcess:
    template: Template
    pins: dict[str, str] = field(default_factory=dict)
    tables: dict[str, DecisionTable] = field(default_factory=dict)

    def describe(self) -> dict[str, object]:
        return {
            "pins": self.pins,
            "steps": [
                {"id": s.id, "table": f"{s.table} {self.pins[f'table:{s.table}']}",
                 "after": list(s.after), "parameters": s.parameters, "locked": s.locked,
                 "routes": {k: r.model_dump() for k, r in s.routes.items()}}
                for s in order_steps(self.template)
            ],
        }  # fmt: skip


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
    uow: UnitOfWork, template: str, site: str, channel: str, at: datetime
) -> ArtifactVersion | None:
    covering = [(rank, a.effective_from, a) for a in uow.versions.activations(template)
                if (rank := a.covers(site, channel, at)) is not None]  # fmt: skip
    if not covering:
        return None
    _, _, chosen = max(covering, key=lambda item: (item[0], item[1]))
    return uow.versions.get(ArtifactKind.TEMPLATE, template, chosen.number)


def effective_process(
    uow: UnitOfWork, template_name: str, site: str, channel: str, at: datetime
) -> EffectiveProcess:
    """The template version: the one activated for the site, else for the channel, else
    everywhere (the latest in force of the most specific); with no activation at all, the
    latest published in force. Then the site's variant, then the channel's."""
    template_version = _activated(uow, template_name, site, channel, at) or _in_force(
        uow.versions.published(ArtifactKind.TEMPLATE), at
    ).get(template_name)
    if template_version is None:
        message = f"no published template {template_name!r} in force at {at}"
        raise DomainError(ErrorCode.UNKNOWN_VERSION, message)
    template = Template.model_validate(template_version.content)
    pins = {f"template:{template_name}": f"v{template_version.number}"}
    variants = _in_force(uow.versions.published(ArtifactKind.VARIANT), at).values()
    for scope, target in (("site", site), ("channel", channel)):
        for version in variants:
            variant = Variant.model_validate(version.content)
            if (variant.template, variant.scope, variant.applies_to) == (template_name, scope,
                                                                         target):  # fmt: skip
                template = resolve(template, variant)
                pins[f"variant:{scope}"] = f"{version.name} v{version.number}"
    tables_in_force = _in_force(uow.versions.published(ArtifactKind.TABLE), at)
    tables: dict[str, DecisionTable] = {}
    for step in template.steps:
        table_version = tables_in_force.get(step.table)
        if table_version is None:
            message = f"step {step.id}: no published table {step.table!r} in force at {at}"
            raise DomainError(ErrorCode.UNKNOWN_VERSION, message)
        tables[step.table] = DecisionTable.from_json(table_version.content)
        pins[f"table:{step.table}"] = f"v{table_version.number}"
    return EffectiveProcess(template, pins, tables)


def show_effective_process(
    uow_factory: Callable[[], UnitOfWork], template: str, site: str, channel: str, at: datetime
) -> dict[str, object]:
    with uow_factory() as uow:
        return effective_process(uow, template, site, channel, at).describe()


__all__ = ["EffectiveProcess", "effective_process", "show_effective_process"]
