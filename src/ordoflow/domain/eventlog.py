"""Hash-chained logs: the order event log (audit trail and process-mining log at once) and the
audit log of everything else.

Each entry's hash covers its own fields and the previous entry's hash, and the owner of a stream
keeps the head (last sequence number and hash). Altering, deleting or reordering a row, or cutting
the tail, breaks the chain at a point `find_break` names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ordoflow.domain.values import ActorId, OrderId, SiteCode

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    """How the values JSON has no type for are written: times to the microsecond, dates in
    ISO form, decimals without trailing zeros (so 10, 10.0 and 10.00 hash alike)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, datetimes and decimals as stable text."""
    return _CANONICAL.encode(value)


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types, in the same canonical form the hashes are computed over."""
    return json.loads(canonical_json(value))


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}|{canonical_json(fields)}".encode()).hexdigest()


class Chained(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    def hashed_fields(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class OrderLogEntry:
    """One step of one order: what happened, when, by whom, where, through which channel, why."""

    order_id: OrderId
    seq: int
    activity: str
    occurred_at: datetime
    actor: ActorId
    site: SiteCode
    channel: str
    from_state: str | None
    to_state: str
    line_no: int | None = None
    quantity: int | None = None
    reason_code: str | None = None
    process_version: str | None = None
    prev_hash: str = GENESIS
    hash: str = ""

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "seq": self.seq,
            "activity": self.activity,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor": self.actor,
            "site": self.site,
            "channel": self.channel,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "line_no": self.line_no,
            "quantity": self.quantity,
            "reason_code": self.reason_code,
            "process_version": self.process_version,
        }


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A change to anything that is not an order (master data now; cases, approvals later)."""

    stream: str
    seq: int
    action: str
    occurred_at: datetime
    actor: ActorId
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    reason_code: str | None = None
    prev_hash: str = GENESIS
    hash: str = ""

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "seq": self.seq,
            "action": self.action,
            "occurred_at": self.occurred_at,
            "actor": self.actor,
            "before": self.before,
            "after": self.after,
            "reason_code": self.reason_code,
        }


_T = TypeVar("_T", OrderLogEntry, AuditEntry)


def sealed_audit_entry(
    *,
    stream: str,
    head: ChainHead,
    action: str,
    occurred_at: datetime,
    actor: ActorId,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason_code: str | None = None,
) -> AuditEntry:
    draft = AuditEntry(
        stream, head.seq + 1, action, occurred_at, actor, before, after, reason_code, head.hash
    )
    return seal(draft)


def seal(entry: _T) -> _T:
    """The entry with its hash computed over its fields and its predecessor's hash."""
    return replace(entry, hash=chain_hash(entry.prev_hash, entry.hashed_fields()))


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last sequence number and hash of a stream, kept by the stream's owner."""

    seq: int = 0
    hash: str = GENESIS


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place a stream's chain does not hold, and why."""

    stream: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"{self.stream}: broken at entry {self.seq}: {self.reason}"


def find_break(stream: str, entries: Sequence[Chained], head: ChainHead) -> ChainBreak | None:
    """Walk `entries` in stored order; report the first entry that does not follow its
    predecessor, or a tail that does not end at the recorded head."""
    prev = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            return ChainBreak(stream, expected_seq, f"entry {expected_seq} missing or out of order")
        if entry.prev_hash != prev:
            return ChainBreak(stream, entry.seq, "does not link to the previous entry")
        if chain_hash(entry.prev_hash, entry.hashed_fields()) != entry.hash:
            return ChainBreak(stream, entry.seq, "contents altered after it was written")
        prev = entry.hash
    if len(entries) != head.seq or prev != head.hash:
        return ChainBreak(
            stream, len(entries) + 1, f"log ends at entry {len(entries)}, head records {head.seq}"
        )
    return None


__all__ = [
    "GENESIS",
    "AuditEntry",
    "ChainBreak",
    "ChainHead",
    "Chained",
    "OrderLogEntry",
    "canonical_json",
    "chain_hash",
    "find_break",
    "jsonable",
    "seal",
    "sealed_audit_entry",
]
