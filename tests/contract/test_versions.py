"""The version repository contract, on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from ordoflow.domain.values import ActorId
from ordoflow.governance.versions import (
    Activation,
    ActivationStatus,
    ArtifactKind,
    ArtifactVersion,
    VersionStatus,
    content_hash,
)
from tests.builders import ref
from tests.contract.conftest import UowFactory

AT = datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)


def version(name: str, number: int = 1) -> ArtifactVersion:
    content = {"name": name, "rows": [["-", "1.5"]], "n": number}
    return ArtifactVersion(ArtifactKind.TABLE, name, number, content, content_hash(content),
                           ActorId("author"), AT)  # fmt: skip


def test_versions_are_numbered_stored_and_read_back(uow_factory: UowFactory) -> None:
    name = ref("t").lower()
    with uow_factory() as uow:
        assert uow.versions.next_number(ArtifactKind.TABLE, name) == 1
        uow.versions.add(version(name))
        uow.commit()
    with uow_factory() as uow:
        assert uow.versions.next_number(ArtifactKind.TABLE, name) == 2
        found = uow.versions.get(ArtifactKind.TABLE, name, 1)
        assert uow.versions.get(ArtifactKind.TABLE, name, 2) is None
    assert found is not None
    assert (found.content, found.created_at, found.status) == (version(name).content, AT,
                                                               VersionStatus.DRAFT)  # fmt: skip


def test_a_saved_change_is_checked_against_the_version_read(uow_factory: UowFactory) -> None:
    name = ref("t").lower()
    with uow_factory() as uow:
        uow.versions.add(version(name))
        uow.commit()
    with uow_factory() as uow:
        first = uow.versions.get(ArtifactKind.TABLE, name, 1)
        assert first is not None
        stale = uow.versions.get(ArtifactKind.TABLE, name, 1)
        assert stale is not None
        first.submit(ActorId("author"))
        assert uow.versions.save(first)
        stale.submit(ActorId("author"))
        assert not uow.versions.save(stale)
        uow.commit()


def test_history_and_published_list_what_they_say(uow_factory: UowFactory) -> None:
    name = ref("t").lower()
    with uow_factory() as uow:
        for number in (1, 2):
            v = version(name, number)
            v.submit(v.author)
            v.approve(ActorId("board"), AT)
            uow.versions.add(v)
        uow.versions.add(version(name, 3))
        uow.commit()
    with uow_factory() as uow:
        assert [v.number for v in uow.versions.history(ArtifactKind.TABLE, name)] == [1, 2, 3]
        published = [v for v in uow.versions.published(ArtifactKind.TABLE) if v.name == name]
        assert [(v.number, v.approved_by) for v in published] == [(1, "board"), (2, "board")]
        assert uow.versions.published(ArtifactKind.TEMPLATE) == []


def test_activations_are_stored_decided_and_listed(uow_factory: UowFactory) -> None:
    template = ref("t").lower()
    activation = Activation(ref("ACT"), template, 2, "site", "DAL1", AT, ActorId("owner"))
    with uow_factory() as uow:
        uow.versions.add_activation(activation)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.versions.activation(activation.id)
        assert stored == activation
        stored.approve(ActorId("board"))
        uow.versions.save_activation(stored)
        uow.commit()
    with uow_factory() as uow:
        (listed,) = uow.versions.activations(template)
        assert uow.versions.activation("ACT-NONE") is None
    assert (listed.status, listed.decided_by) == (ActivationStatus.APPROVED, "board")
    assert listed.covers("DAL1", "api", AT) == 2
    assert listed.covers("ATL1", "api", AT) is None
