"""The shipped rule sets and template, for tests that publish them."""

from __future__ import annotations

from importlib import resources

from ordoflow.application import commands as c
from ordoflow.application.messagebus import MessageBus
from ordoflow.domain.values import ActorId
from ordoflow.governance.versions import ArtifactKind

PACKAGE = resources.files("ordoflow.governance")
TABLE_NAMES = sorted(p.name.removesuffix(".dmn") for p in (PACKAGE / "rulesets").iterdir()
                     if p.name.endswith(".dmn"))  # fmt: skip
OWNER, BOARD = ActorId("process.owner"), ActorId("board.member")


def ruleset_text(name: str) -> str:
    return (PACKAGE / "rulesets" / f"{name}.dmn").read_text(encoding="utf-8")


def template_text(file: str = "order_to_cash.yaml") -> str:
    return (PACKAGE / "templates" / file).read_text(encoding="utf-8")


def publish(bus: MessageBus, kind: ArtifactKind, name: str, text: str) -> int:
    """Draft by the process owner, submit, approve by a board member."""
    number = int(bus.handle(c.DraftVersion(kind=kind, name=name, text=text, actor=OWNER)))
    bus.handle(c.SubmitVersion(kind=kind, name=name, number=number, actor=OWNER))
    bus.handle(c.ApproveVersion(kind=kind, name=name, number=number, actor=BOARD))
    return number


def publish_standard_process(bus: MessageBus) -> None:
    for name in TABLE_NAMES:
        publish(bus, ArtifactKind.TABLE, name, ruleset_text(name))
    publish(bus, ArtifactKind.TEMPLATE, "order_to_cash", template_text())
