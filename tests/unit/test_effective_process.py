"""The effective process a site and channel run at a moment, with the versions it pins."""

from datetime import timedelta

import pytest

from ordoflow.application import commands as c
from ordoflow.application.process import effective_process
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.people import Role, User
from ordoflow.governance.versions import ArtifactKind
from tests.fakes import FakeClock, FakeUnitOfWork, Store, fake_bus
from tests.governance_data import (
    STEP_TABLES,
    publish,
    publish_standard_process,
    ruleset_text,
    template_text,
)
from tests.staff import ADMIN, BOARD, OWNER


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
        f"table:{t}" for t in STEP_TABLES
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


def activate(bus: object, number: int, scope: str, target: str = "*", **when: object) -> str:
    activation = bus.handle(c.RequestActivation(  # type: ignore[attr-defined]
        template="order_to_cash", number=number, scope=scope, target=target, actor=OWNER, **when
    ))  # fmt: skip
    bus.handle(c.DecideActivation(activation_id=activation, approve=True, actor=BOARD))  # type: ignore[attr-defined]
    return str(activation)


def test_a_template_version_rolls_out_site_by_site() -> None:
    bus, store, clock = standard()
    changed = template_text().replace("minimum fill rate: 0.8", "minimum fill rate: 0.7")
    publish(bus, ArtifactKind.TEMPLATE, "order_to_cash", changed)
    activate(bus, 1, "everywhere")
    assert process(store, "DAL1", "api", clock).pins["template:order_to_cash"] == "v1"
    activate(bus, 2, "site", "DAL1")
    assert process(store, "DAL1", "api", clock).pins["template:order_to_cash"] == "v2"
    assert process(store, "ATL1", "api", clock).pins["template:order_to_cash"] == "v1"
    activate(bus, 2, "channel", "edi", effective_from=clock.now() + timedelta(days=3))
    assert process(store, "ATL1", "edi", clock).pins["template:order_to_cash"] == "v1"
    clock.advance(days=4)
    assert process(store, "ATL1", "edi", clock).pins["template:order_to_cash"] == "v2"


def test_an_activation_needs_a_second_person_and_a_published_version() -> None:
    bus, store, _ = standard()
    # the requester may also decide activations, so only maker-checker stands in the way
    roles = frozenset({Role.PROCESS_OWNER, Role.GOVERNANCE_BOARD})
    bus.handle(c.SaveUser(user=User(OWNER, OWNER, roles), actor=ADMIN))  # type: ignore[attr-defined]
    request = c.RequestActivation(template="order_to_cash", number=1, scope="site",
                                  target="DAL1", actor=OWNER)  # fmt: skip
    activation = bus.handle(request)
    with pytest.raises(DomainError) as own:
        bus.handle(c.DecideActivation(activation_id=activation, approve=True, actor=OWNER))
    assert own.value.code is ErrorCode.MAKER_CHECKER
    bus.handle(c.DecideActivation(activation_id=activation, approve=False, actor=BOARD))
    with pytest.raises(DomainError) as again:
        bus.handle(c.DecideActivation(activation_id=activation, approve=True, actor=BOARD))
    assert again.value.code is ErrorCode.ILLEGAL_TRANSITION
    with pytest.raises(DomainError) as unpublished:
        bus.handle(c.RequestActivation(template="order_to_cash", number=9, scope="everywhere",
                                       actor=OWNER))  # fmt: skip
    assert unpublished.value.code is ErrorCode.UNKNOWN_VERSION
    actions = [e.action for e in store.audit["template:order_to_cash"]]
    assert actions[-2:] == ["activation requested", "activation rejected"]
