"""What-if replay of a draft (or any version) of a table, template or variant against the
decisions recorded for the last N orders, before it is published.

A table is replayed on the inputs recorded when each order's step evaluated it. A template or
variant is replayed step by step: for each order, the draft takes the place of the version the
order was pinned to (its other pins stay), and the order's pinned table runs again on the
recorded inputs with the parameters the draft gives. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordoflow.application import access, pipeline
from ordoflow.application.ports import UnitOfWork
from ordoflow.application.process import pinned_version
from ordoflow.domain.decisions import DecisionRecord
from ordoflow.domain.errors import DomainError, ErrorCode, NotFound
from ordoflow.domain.orders import Order
from ordoflow.domain.values import ActorId, OrderId, SiteCode
from ordoflow.governance.tables import CompiledTable, DecisionTable
from ordoflow.governance.template import Step, Template, Variant, resolve
from ordoflow.governance.versions import ArtifactKind, ArtifactVersion
from ordoflow.governance.whatif import WhatIfReport, render, replay


def what_if(  # noqa: PLR0917 - who asks, what to replay, and against how many orders
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    kind: ArtifactKind,
    name: str,
    number: int,
    last: int,
) -> WhatIfReport:
    """Replay a version against recent orders of the sites the acting user covers."""
    with uow_factory() as uow:
        acting = access.require(uow, actor, access.ANALYSTS, "replay orders under other rules")
        version = uow.versions.get(kind, name, number)
        if version is None:
            raise NotFound(ErrorCode.UNKNOWN_VERSION, f"no {kind.value} {name} v{number}")
        subject = (f"{version.label} ({version.status.value}) against the last {last} orders "
                   "of each table it touches")  # fmt: skip
        report = WhatIfReport(subject)
        if kind is ArtifactKind.TABLE:
            compiled = pipeline.compiled(DecisionTable.from_json(version.content))
            for record in uow.orders.recent_decisions(name, last, sites=acting.sites):
                replay(report, Step(id=record.step, table=name), compiled, [record])
            return report
        _replay_process(uow, version, last, report, acting.sites)
        return report


def _replay_process(
    uow: UnitOfWork,
    version: ArtifactVersion,
    last: int,
    report: WhatIfReport,
    sites: frozenset[SiteCode] | None,
) -> None:
    draft_template: Template | None = None
    draft_variant: Variant | None = None
    if version.kind is ArtifactKind.TEMPLATE:
        draft_template = Template.model_validate(version.content)
        tables = {s.table for s in draft_template.steps}
    else:
        draft_variant = Variant.model_validate(version.content)
        tables = set(_table_names(uow, draft_variant.template))
    orders: dict[OrderId, Order | None] = {}
    templates: dict[tuple[Any, ...], Template | None] = {}
    compiled: dict[tuple[str, str], CompiledTable | None] = {}
    for table in sorted(tables):
        for record in uow.orders.recent_decisions(table, last, sites=sites):
            order = orders.get(record.order_id) or orders.setdefault(
                record.order_id, uow.orders.get(record.order_id)
            )
            if order is None or order.pins is None or not _in_scope(order, draft_variant):
                continue
            key = tuple(sorted(order.pins.items()))
            if key not in templates:
                templates[key] = _template_for(uow, order.pins, draft_template, draft_variant)
            template = templates[key]
            if template is None:
                continue
            _replay_step(uow, report, template, order, record, compiled)


def _replay_step(  # noqa: PLR0917 - the replay's state, passed down
    uow: UnitOfWork,
    report: WhatIfReport,
    template: Template,
    order: Order,
    record: DecisionRecord,
    compiled: dict[tuple[str, str], CompiledTable | None],
) -> None:
    """Replay one recorded decision with the order's pinned table (read once per version)."""
    step = next((s for s in template.steps if s.id == record.step), None)
    if step is None or order.pins is None:
        return
    pin = order.pins.get(f"table:{step.table}", "")
    if (step.table, pin) not in compiled:
        found = pin and uow.versions.get(ArtifactKind.TABLE, step.table, int(pin.lstrip("v")))
        compiled[(step.table, pin)] = (
            pipeline.compiled(DecisionTable.from_json(found.content)) if found else None
        )
    table = compiled[(step.table, pin)]
    if table is not None:
        replay(report, step, table, [record], overrides=step.parameters)


def _in_scope(order: Order, variant: Variant | None) -> bool:
    if variant is None:
        return True
    h = order.header
    return (h.site if variant.scope == "site" else h.channel.value) == variant.applies_to


def _table_names(uow: UnitOfWork, template_name: str) -> list[str]:
    published = [v for v in uow.versions.published(ArtifactKind.TEMPLATE)
                 if v.name == template_name]  # fmt: skip
    if not published:
        raise NotFound(ErrorCode.UNKNOWN_VERSION, f"no published template {template_name!r}")
    return [s.table for s in Template.model_validate(published[-1].content).steps]


def _template_for(
    uow: UnitOfWork,
    pins: dict[str, str],
    draft_template: Template | None,
    draft_variant: Variant | None,
) -> Template | None:
    """The order's pinned process with the draft in place of what it replaces; None when the
    draft cannot apply to it (a variant the draft template no longer allows, say)."""
    try:
        template = draft_template
        if template is None:
            pinned = pinned_version(uow, ArtifactKind.TEMPLATE, pipeline.STANDARD_TEMPLATE,
                              pins[f"template:{pipeline.STANDARD_TEMPLATE}"])  # fmt: skip
            template = Template.model_validate(pinned.content)
        for scope in ("site", "channel"):
            variant: Variant | None = None
            if draft_variant is not None and draft_variant.scope == scope:
                variant = draft_variant
            elif (pin := pins.get(f"variant:{scope}")) is not None:
                name, number = pin.rsplit(" ", 1)
                variant = Variant.model_validate(
                    pinned_version(uow, ArtifactKind.VARIANT, name, number).content
                )
            template = resolve(template, variant)
        return template
    except DomainError:
        return None


def what_if_text(report: WhatIfReport) -> str:
    return render(report)


__all__ = ["WhatIfReport", "what_if", "what_if_text"]
