"""Governance through the bus: drafting, review, maker-checker publishing, retiring, diffs."""

import pytest

from ordoflow.application import commands as c
from ordoflow.application.governing import version_diff, version_history
from ordoflow.application.messagebus import MessageBus
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import ActorId
from ordoflow.governance.versions import ArtifactKind, VersionStatus
from tests.fakes import FakeClock, FakeUnitOfWork, Store, fake_bus
from tests.governance_data import (
    TABLE_NAMES,
    publish,
    publish_standard_process,
    ruleset_text,
    template_text,
)
from tests.staff import ADMIN, BOARD, OWNER, STAFF, ensure_staff

TABLE = ArtifactKind.TABLE


def refused(bus: object, command: c.Command) -> DomainError:
    with pytest.raises(DomainError) as caught:
        bus.handle(command)  # type: ignore[attr-defined]
    return caught.value


def staffed_bus() -> tuple[MessageBus, Store, FakeClock]:
    bus, store, clock = fake_bus()
    ensure_staff(bus)
    return bus, store, clock


def history(store: Store, kind: ArtifactKind, name: str) -> list[VersionStatus]:
    found = version_history(lambda: FakeUnitOfWork(store), OWNER, kind, name)
    return [v.status for v in found]


def test_a_table_is_drafted_reviewed_and_published_by_a_second_person() -> None:
    bus, store, clock = staffed_bus()
    number = bus.handle(c.DraftVersion(kind=TABLE, name="credit", text=ruleset_text("credit"),
                                       actor=OWNER))  # fmt: skip
    assert number == 1
    bus.handle(c.SubmitVersion(kind=TABLE, name="credit", number=1, actor=OWNER))
    bus.handle(c.ApproveVersion(kind=TABLE, name="credit", number=1, actor=BOARD))
    (version,) = store.versions.values()
    assert (version.status, version.approved_by) == (VersionStatus.PUBLISHED, BOARD)
    assert version.effective_from == clock.now()
    trail = store.audit["table:credit"]
    assert [(e.action, e.actor) for e in trail] == [("drafted", OWNER), ("submitted", OWNER),
                                                    ("published", BOARD)]  # fmt: skip


@pytest.mark.parametrize("author", [OWNER, ADMIN])
def test_the_author_can_never_approve_their_own_version(author: ActorId) -> None:
    bus, store, _ = staffed_bus()
    # the author may both author and approve, so only maker-checker stands in the way
    roles = STAFF[author] | {Role.PROCESS_OWNER, Role.GOVERNANCE_BOARD}
    bus.handle(c.SaveUser(user=User(author, author, roles), actor=ADMIN))
    bus.handle(c.DraftVersion(kind=TABLE, name="credit", text=ruleset_text("credit"), actor=author))
    bus.handle(c.SubmitVersion(kind=TABLE, name="credit", number=1, actor=author))
    exc = refused(bus, c.ApproveVersion(kind=TABLE, name="credit", number=1, actor=author))
    assert exc.code is ErrorCode.MAKER_CHECKER
    assert history(store, TABLE, "credit") == [VersionStatus.IN_REVIEW]


def test_a_draft_must_be_submitted_before_it_is_approved() -> None:
    bus, _, _ = staffed_bus()
    bus.handle(c.DraftVersion(kind=TABLE, name="credit", text=ruleset_text("credit"), actor=OWNER))
    exc = refused(bus, c.ApproveVersion(kind=TABLE, name="credit", number=1, actor=BOARD))
    assert exc.code is ErrorCode.ILLEGAL_TRANSITION


def test_a_change_is_a_new_version_and_the_published_one_stays_as_it_was() -> None:
    bus, store, _ = staffed_bus()
    publish(bus, TABLE, "credit", ruleset_text("credit"))
    changed = ruleset_text("credit").replace("&gt; 1.2", "&gt; 1.3")
    assert publish(bus, TABLE, "credit", changed) == 2
    first, second = version_history(lambda: FakeUnitOfWork(store), OWNER, TABLE, "credit")
    assert first.content_hash != second.content_hash
    lines = version_diff(lambda: FakeUnitOfWork(store), BOARD, TABLE, "credit", 1, 2)
    assert any(line.startswith("-") and "1.2" in line for line in lines)
    assert any(line.startswith("+") and "1.3" in line for line in lines)


def test_a_version_sent_back_returns_to_draft_and_a_retired_one_ends() -> None:
    bus, store, _ = staffed_bus()
    publish(bus, TABLE, "credit", ruleset_text("credit"))
    bus.handle(c.RetireVersion(kind=TABLE, name="credit", number=1, actor=BOARD))
    bus.handle(c.DraftVersion(kind=TABLE, name="credit", text=ruleset_text("credit"), actor=OWNER))
    bus.handle(c.SubmitVersion(kind=TABLE, name="credit", number=2, actor=OWNER))
    bus.handle(c.SendBackVersion(kind=TABLE, name="credit", number=2, actor=BOARD))
    assert history(store, TABLE, "credit") == [VersionStatus.RETIRED, VersionStatus.DRAFT]
    assert refused(bus, c.RetireVersion(kind=TABLE, name="credit", number=1, actor=BOARD)).code is (
        ErrorCode.ILLEGAL_TRANSITION
    )


def test_a_template_needs_its_tables_published_first() -> None:
    bus, store, _ = staffed_bus()
    exc = refused(bus, c.DraftVersion(kind=ArtifactKind.TEMPLATE, name="order_to_cash",
                                      text=template_text(), actor=OWNER))  # fmt: skip
    assert exc.code is ErrorCode.TEMPLATE_INVALID
    assert "unknown decision table" in exc.message
    assert store.versions == {}


def test_a_variant_is_checked_against_the_published_template() -> None:
    bus, store, _ = staffed_bus()
    publish_standard_process(bus)
    publish(bus, ArtifactKind.VARIANT, "rotterdam", template_text("rotterdam.variant.yaml"))
    bad = template_text("rotterdam.variant.yaml").replace("0.95", "0.2")
    exc = refused(bus, c.DraftVersion(kind=ArtifactKind.VARIANT, name="rotterdam", text=bad,
                                      actor=OWNER))  # fmt: skip
    assert exc.code is ErrorCode.VARIANT_REFUSED
    assert "below 0.5" in exc.message
    assert history(store, ArtifactKind.VARIANT, "rotterdam") == [VersionStatus.PUBLISHED]


def test_every_shipped_table_publishes() -> None:
    bus, store, _ = staffed_bus()
    publish_standard_process(bus)
    published = {(k.kind, k.name) for k in store.versions.values()
                 if k.status is VersionStatus.PUBLISHED}  # fmt: skip
    assert {name for kind, name in published if kind is TABLE} == set(TABLE_NAMES)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("<definitions/>", ErrorCode.DMN_MALFORMED),
        (ruleset_text("credit").replace("&gt; 90", "&gt;&gt; 90"), ErrorCode.DECISION_CELL_INVALID),
    ],
)
def test_a_table_that_cannot_run_is_never_drafted(text: str, code: ErrorCode) -> None:
    bus, store, _ = staffed_bus()
    assert (
        refused(bus, c.DraftVersion(kind=TABLE, name="credit", text=text, actor=OWNER)).code is code
    )
    assert store.versions == {}
