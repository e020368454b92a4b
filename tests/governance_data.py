"""The shipped rule sets and template, for tests that publish them."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from ordoflow.application import commands as c
from ordoflow.application.invoicing import INVOICE_CHARGES
from ordoflow.application.messagebus import MessageBus
from ordoflow.application.policies import CASE_TABLES
from ordoflow.application.returns import RETURN_POLICY
from ordoflow.governance.versions import ArtifactKind
from tests.staff import BOARD, OWNER, ensure_staff

PACKAGE = resources.files("ordoflow.governance")
TABLE_NAMES = sorted(p.name.removesuffix(".dmn") for p in (PACKAGE / "rulesets").iterdir()
                     if p.name.endswith(".dmn"))  # fmt: skip
#: The tables the standard template's steps run (the others, such as approval authority, are
#: read when a case is decided).
STEP_TABLES = sorted(set(TABLE_NAMES) - set(CASE_TABLES) - {INVOICE_CHARGES, RETURN_POLICY})


def ruleset_text(name: str) -> str:
    return (PACKAGE / "rulesets" / f"{name}.dmn").read_text(encoding="utf-8")


def template_text(file: str = "order_to_cash.yaml") -> str:
    return (PACKAGE / "templates" / file).read_text(encoding="utf-8")


def publish(
    bus: MessageBus,
    kind: ArtifactKind,
    name: str,
    text: str,
    effective_from: datetime | None = None,
) -> int:
    """Draft by the process owner, submit, approve by a board member; effective from the
    bus's now unless a moment is given."""
    number = int(bus.handle(c.DraftVersion(kind=kind, name=name, text=text, actor=OWNER)))
    bus.handle(c.SubmitVersion(kind=kind, name=name, number=number, actor=OWNER))
    bus.handle(c.ApproveVersion(kind=kind, name=name, number=number, actor=BOARD,
                                effective_from=effective_from))  # fmt: skip
    return number


def publish_standard_process(bus: MessageBus, effective_from: datetime | None = None) -> None:
    ensure_staff(bus)
    for name in TABLE_NAMES:
        publish(bus, ArtifactKind.TABLE, name, ruleset_text(name), effective_from)
    publish(bus, ArtifactKind.TEMPLATE, "order_to_cash", template_text(), effective_from)


def has_standard_process(bus: MessageBus) -> bool:
    """Whether a version of the standard template is published in the bus's database."""
    with bus.uow_factory() as uow:
        return any(v.name == "order_to_cash" for v in uow.versions.published(ArtifactKind.TEMPLATE))


def ensure_standard_process(bus: MessageBus, effective_from: datetime | None = None) -> None:
    """Publish the standard process unless the bus's database already has it."""
    if not has_standard_process(bus):
        publish_standard_process(bus, effective_from)
