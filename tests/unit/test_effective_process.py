"""The effective process a site and channel run at a moment, with the versions it pins."""

from datetime import timedelta

import pytest

from ordoflow.application import commands as c
from ordoflow.application.process import effective_process
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.versions import ArtifactKind
from tests.fakes import FakeClock, FakeUnitOfWork, Store, fake_bus
from tests.governance_data import (
    BOARD,
    OWNER,
    TABLE_NAMES,
    publish,
    publish_standard_process,
    ruleset_text,
    template_text,
)


def standard() -> tuple[object, Store, FakeClock]:
    bus, store, clock = fake_bus()
    publish_standard_process(bus)
    publish(bus, ArtifactKind.VARIANT, "rotterdam", template_text("rotterdam.variant.yaml"))
    publish(bus, ArtifactKind.VARIANT, "edi_fast_credit", template_text("edi.variant.yaml"))
    return bus, store, clock


def process(store: Store, site: str, channel: str, clock: FakeClock) -> object:
    with FakeUnitOfWork(store) as uow:
        return effective_process(uow, "order_to_cash", site, channel, clock.now())


def test_a_site_and_a_channel_each_get_their_variant_on_top_of_the_template() -> None:
    _, store, clock = standard()
    rtm_edi = process(store, "RTM1", "edi", clock)
    assert rtm_edi.template.step("release").parameters["minimum fill rate"] == 0.95
    assert rtm_edi.template.step("credit").routes["hold"].sla_hours == 2
    assert rtm_edi.pins["variant:site"] == "rotterdam v1"
    assert rtm_edi.pins["variant:channel"] == "edi_fast_credit v1"
    dal_api = process(store, "DAL1", "api", clock)
    assert dal_api.template.step("release").parameters["minimum fill rate"] == 0.8
    assert "variant:site" not in dal_api.pins
    assert {k for k in dal_api.pins if k.startswith("table:")} == {
        f"table:{t}" for t in TABLE_NAMES
    }


def test_a_new_table_version_applies_from_its_effective_moment_only() -> None:
    bus, store, clock = standard()
    changed = ruleset_text("credit").replace("&gt; 1.2", "&gt; 1.3")
    number = bus.handle(c.DraftVersion(kind=ArtifactKind.TABLE, name="credit", text=changed,
                                       actor=OWNER))  # fmt: skip
    bus.handle(c.SubmitVersion(kind=ArtifactKind.TABLE, name="credit", number=number, actor=OWNER))
    bus.handle(c.ApproveVersion(kind=ArtifactKind.TABLE, name="credit", number=number, actor=BOARD,
                                effective_from=clock.now() + timedelta(days=7)))  # fmt: skip
    assert process(store, "DAL1", "api", clock).pins["table:credit"] == "v1"
    clock.advance(days=8)
    assert process(store, "DAL1", "api", clock).pins["table:credit"] == "v2"


def test_no_published_template_means_no_process() -> None:
    _, store, clock = fake_bus()
    with pytest.raises(DomainError) as caught:
        process(store, "DAL1", "api", clock)
    assert caught.value.code is ErrorCode.UNKNOWN_VERSION
