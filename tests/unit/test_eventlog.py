import dataclasses
from datetime import UTC, datetime

from ordoflow.domain.eventlog import ChainHead, OrderLogEntry, find_break, seal
from ordoflow.domain.values import ActorId, OrderId, SiteCode


def chain(n: int) -> tuple[list[OrderLogEntry], ChainHead]:
    entries: list[OrderLogEntry] = []
    head = ChainHead()
    for seq in range(1, n + 1):
        entry = seal(OrderLogEntry(
            order_id=OrderId("SO-1"), seq=seq, activity=f"step {seq}",
            occurred_at=datetime(2026, 1, 1, 8, seq, tzinfo=UTC), actor=ActorId("a"),
            site=SiteCode("S"), channel="api", from_state=None, to_state="x", prev_hash=head.hash,
        ))  # fmt: skip
        entries.append(entry)
        head = ChainHead(entry.seq, entry.hash)
    return entries, head


def test_an_intact_chain_has_no_break() -> None:
    entries, head = chain(4)
    assert find_break("order SO-1", entries, head) is None


def test_an_altered_entry_is_reported_at_its_position() -> None:
    entries, head = chain(4)
    entries[2] = dataclasses.replace(entries[2], actor=ActorId("mallory"))
    found = find_break("order SO-1", entries, head)
    assert found is not None
    assert found.seq == 3
    assert "altered" in found.reason


def test_a_deleted_entry_is_reported_where_the_gap_is() -> None:
    entries, head = chain(4)
    del entries[1]
    found = find_break("order SO-1", entries, head)
    assert found is not None
    assert found.seq == 2


def test_reordered_entries_are_reported() -> None:
    entries, head = chain(4)
    entries[1], entries[2] = entries[2], entries[1]
    found = find_break("order SO-1", entries, head)
    assert found is not None
    assert found.seq == 2


def test_renumbered_entries_do_not_pass_for_a_reordering() -> None:
    entries, head = chain(3)
    a, b = entries[0], entries[1]
    entries[0], entries[1] = dataclasses.replace(b, seq=1), dataclasses.replace(a, seq=2)
    found = find_break("order SO-1", entries, head)
    assert found is not None
    assert found.seq == 1


def test_a_cut_tail_is_caught_by_the_head_kept_on_the_order() -> None:
    entries, head = chain(4)
    found = find_break("order SO-1", entries[:3], head)
    assert found is not None
    assert found.seq == 4
    assert "head records 4" in found.reason
