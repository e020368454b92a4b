"""Versions of governed artifacts (templates, variants, decision tables) and their lifecycle:
draft → in review → published → retired, with maker-checker approval.

A version's content is fixed once it leaves draft (its content hash says so); publishing needs a
second person, whatever the author's role; each published version is effective from a date.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import Transition, TransitionTable
from ordoflow.domain.values import ActorId


class ArtifactKind(StrEnum):
    TEMPLATE = "template"
    VARIANT = "variant"
    TABLE = "table"


class VersionStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


class VersionEvent(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    RETIRE = "retire"


_S, _E = VersionStatus, VersionEvent
VERSION_LIFECYCLE: TransitionTable[VersionStatus, VersionEvent] = TransitionTable(
    "governed version",
    _S.DRAFT,
    [
        Transition(_S.DRAFT, _E.SUBMIT, _S.IN_REVIEW),
        Transition(_S.IN_REVIEW, _E.APPROVE, _S.PUBLISHED),
        Transition(_S.IN_REVIEW, _E.SEND_BACK, _S.DRAFT),
        Transition(_S.PUBLISHED, _E.RETIRE, _S.RETIRED),
    ],
    terminal=(_S.RETIRED,),
)


def content_hash(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ArtifactVersion:
    kind: ArtifactKind
    name: str
    number: int
    content: dict[str, Any]
    content_hash: str
    author: ActorId
    created_at: datetime
    status: VersionStatus = VersionStatus.DRAFT
    approved_by: ActorId | None = None
    effective_from: datetime | None = None
    retired_at: datetime | None = None
    row_version: int = 0

    @property
    def label(self) -> str:
        return f"{self.kind.value} {self.name} v{self.number}"

    def _move(self, event: VersionEvent) -> None:
        self.status = VERSION_LIFECYCLE.target(self.status, event, subject=self.label)

    def submit(self, actor: ActorId) -> None:
        self._move(VersionEvent.SUBMIT)

    def approve(self, actor: ActorId, effective_from: datetime) -> None:
        """Publish. Maker-checker: whoever wrote the version never approves it."""
        if actor == self.author:
            raise DomainError(
                ErrorCode.MAKER_CHECKER,
                f"{self.label} was written by {actor}; another person must approve it",
            )
        if content_hash(self.content) != self.content_hash:
            raise DomainError(ErrorCode.VERSION_TAMPERED, f"{self.label}: content changed")
        self._move(VersionEvent.APPROVE)
        self.approved_by, self.effective_from = actor, effective_from

    def send_back(self, actor: ActorId) -> None:
        self._move(VersionEvent.SEND_BACK)

    def retire(self, actor: ActorId, at: datetime) -> None:
        self._move(VersionEvent.RETIRE)
        self.retired_at = at

    def in_force(self, at: datetime) -> bool:
        return (
            self.status is VersionStatus.PUBLISHED
            and self.effective_from is not None
            and self.effective_from <= at
        )


def diff(older: ArtifactVersion, newer: ArtifactVersion) -> list[str]:
    """A unified diff of two versions' content, as pretty JSON lines."""

    def lines(v: ArtifactVersion) -> list[str]:
        return json.dumps(v.content, indent=2, sort_keys=True, default=str).splitlines()

    return list(difflib.unified_diff(lines(older), lines(newer), older.label, newer.label,
                                     lineterm=""))  # fmt: skip


class ActivationStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass
class Activation:
    """A phase of a roll-out: a published template version put in force for one site, one
    channel or everywhere, from a moment, once a second person approves it."""

    id: str
    template: str
    number: int
    scope: str  # "site", "channel" or "everywhere"
    target: str  # the site code, the channel, or "*"
    effective_from: datetime
    requested_by: ActorId
    status: ActivationStatus = ActivationStatus.REQUESTED
    decided_by: ActorId | None = None

    @property
    def label(self) -> str:
        where = "everywhere" if self.scope == "everywhere" else f"{self.scope} {self.target}"
        return f"activation {self.id} of template {self.template} v{self.number} for {where}"

    def _decide(self, actor: ActorId, status: ActivationStatus) -> None:
        if self.status is not ActivationStatus.REQUESTED:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION,
                              f"{self.label} is already {self.status.value}")  # fmt: skip
        if actor == self.requested_by:
            message = f"{self.label} was requested by {actor}; another person decides"
            raise DomainError(ErrorCode.MAKER_CHECKER, message)
        self.status, self.decided_by = status, actor

    def approve(self, actor: ActorId) -> None:
        self._decide(actor, ActivationStatus.APPROVED)

    def reject(self, actor: ActorId) -> None:
        self._decide(actor, ActivationStatus.REJECTED)

    def covers(self, site: str, channel: str, at: datetime) -> int | None:
        """How specifically this activation covers the site and channel at `at` (2 for the
        site, 1 for the channel, 0 everywhere), or None when it does not."""
        if self.status is not ActivationStatus.APPROVED or self.effective_from > at:
            return None
        specific = {"site": (site, 2), "channel": (channel, 1), "everywhere": ("*", 0)}
        wanted, rank = specific[self.scope]
        return rank if self.target == wanted else None


__all__ = [
    "VERSION_LIFECYCLE",
    "Activation",
    "ActivationStatus",
    "ArtifactKind",
    "ArtifactVersion",
    "VersionEvent",
    "VersionStatus",
    "content_hash",
    "diff",
]
