"""The governed order pipeline on the fakes: every order runs the effective process of its site
and channel, is pinned to the versions it ran under, keeps each step's decision, and is held,
routed and explained by the rule that stopped it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.explaining import explain_order, explanation_text
from ordoflow.application.whatif import what_if, what_if_text
from ordoflow.domain.decisions import Outcome
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.lifecycle import LineStatus, OrderStatus
from ordoflow.domain.masterdata import Customer, ShipTo, StockLevel
from ordoflow.domain.people import Role, User
from ordoflow.domain.values import (
    ActorId,
    CountryCode,
    OrderId,
    ShipToCode,
)
from ordoflow.governance.versions import ArtifactKind
from tests.governance_data import (
    STEP_TABLES,
    publish,
    publish_standard_process,
    ruleset_text,
    template_text,
)
from tests.governed_world import Shop, shop
from tests.staff import ADMIN, AGENT, OWNER

ANALYST = ActorId("credit.analyst")


def decisions(world: Shop, order_id: OrderId) -> list[tuple[str, Outcome, str | None]]:
    return [(d.step, d.outcome, d.reason) for d in world.store.decisions[order_id]]


def live_case(world: Shop, order_id: OrderId) -> str:
    """The open case of an order the process held: a rule's hold is lifted by resolving it."""
    (case,) = [k.id for k in world.store.cases.values() if k.order_id == order_id and k.is_live]
    return case


def test_an_order_runs_every_step_is_pinned_to_every_version_and_is_released() -> None:
    world = shop()
    order_id = world.order(10)
    order = world.store.orders[order_id]
    assert order.status is OrderStatus.RELEASED
    assert [ln.status for ln in order.lines] == [LineStatus.RELEASED]
    assert [d[0] for d in decisions(world, order_id)] == [
        "validate_customer", "price", "credit", "export_compliance", "order_review", "source",
        "allocate", "shipping", "release",
    ]  # fmt: skip
    assert {d[1] for d in decisions(world, order_id)} == {Outcome.PASS}
    assert order.pins == {"template:order_to_cash": "v1",
                          **{f"table:{name}": "v1" for name in STEP_TABLES}}  # fmt: skip
    assert {e.process_version for e in world.store.log[order_id]} == {"order_to_cash v1"}
    credit = world.store.decisions[order_id][2]
    assert credit.evaluations[0]["inputs"]["exposure ratio"] == "0.01"  # 100 of 10,000
    assert world.store.records[(StockLevel.KIND, (world.sku, world.site))].allocated == 10


def test_a_credit_hold_is_routed_to_the_credit_queue_with_its_deadline_and_an_event() -> None:
    world = shop()
    order_id = world.order(1050)  # 10,500 against a limit of 10,000: ratio 1.05
    order = world.store.orders[order_id]
    assert (order.status, order.hold_reason) == (OrderStatus.ON_HOLD, "credit_limit_exceeded")
    assert order.held_from is OrderStatus.RECEIVED
    held = world.store.decisions[order_id][-1]
    assert held.route is not None
    assert (held.route.queue, held.route.owner_role) == ("credit_review", "credit_analyst")
    # placed Monday 02:01 in Chicago: four business hours from 08:00 there, 12:00 CST
    assert held.route.due_at == datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    events = [e for e, _ in world.store.outbox if e.type == "ordoflow.order.held_by_rule"]
    assert [e.data["reason_code"] for e in events] == ["credit_limit_exceeded"]
    assert world.store.records[(StockLevel.KIND, (world.sku, world.site))].allocated == 0


def test_the_explanation_names_step_row_inputs_against_thresholds_and_who_may_release() -> None:
    world = shop()
    order_id = world.order(1050)
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    explanation = explain_order(factory, OWNER, order_id)
    stopped = explanation.stopped_at
    assert stopped is not None
    assert (stopped.step, stopped.version, stopped.rule) == ("credit", "v1", 6)
    assert [(x.input, x.value, x.test) for x in stopped.comparisons] == [
        ("Customer tier", "standard", "-"), ("Days past due", 0, "-"),
        ("Exposure ratio", "1.05", "> 1"),
    ]  # fmt: skip
    text = explanation_text(explanation)
    assert "row 6 matched (credit_limit_exceeded)" in text
    assert "role credit_analyst through queue credit_review" in text
    assert "never cs.agent" in text
    summary = explain_order(factory, OWNER, order_id).to_json()["summary"]
    assert summary.startswith("hold at step credit")


def test_a_discount_beyond_25_percent_is_routed_to_the_role_the_table_names() -> None:
    world = shop()
    order_id = world.order(5, price=Decimal("7"))  # 30% below the list price of 10
    held = world.store.decisions[order_id][-1]
    assert (held.step, held.reason) == ("price", "discount_needs_finance")
    assert held.route is not None
    assert held.route.owner_role == "finance"
    assert held.route.queue == "pricing_approval"
    assert held.evaluations[0]["inputs"]["discount percent"] == "30"


def test_export_rules_run_per_line_and_a_blocked_destination_holds_the_order() -> None:
    world = shop()
    world.add(ShipTo(world.account, ShipToCode("HAVANA"), "Port", "1 Malecon", "Havana",
                     "10400", CountryCode("CU")))  # fmt: skip
    order_id = world.order(1, ship_to=ShipToCode("HAVANA"))
    assert decisions(world, order_id)[-1] == ("export_compliance", Outcome.BLOCK,
                                              "embargoed_destination")  # fmt: skip
    assert world.store.decisions[order_id][-1].evaluations[0]["line"] == 1
    assert world.store.orders[order_id].hold_reason == "embargoed_destination"


def test_too_little_stock_leaves_the_order_waiting_at_release_without_a_hold() -> None:
    world = shop(stock=5)
    order_id = world.order(10)
    order = world.store.orders[order_id]
    assert order.status is OrderStatus.PARTIALLY_ALLOCATED
    assert order.process_step == "release"
    assert decisions(world, order_id)[-1] == ("release", Outcome.BACKORDER,
                                              "below_minimum_fill_rate")  # fmt: skip


def test_a_site_variant_changes_the_minimum_fill_rate_for_its_site_only() -> None:
    world = shop(stock=100, site="RTM1")
    publish(world.bus, ArtifactKind.VARIANT, "rotterdam",  # type: ignore[arg-type]
            template_text("rotterdam.variant.yaml"))  # fmt: skip
    world.clock.advance(minutes=1)
    world.update(StockLevel(world.sku, world.site, 9))
    order_id = world.order(10)  # fill rate 0.9: enough for 0.8, not for Rotterdam's 0.95
    order = world.store.orders[order_id]
    assert order.pins is not None
    assert order.pins["variant:site"] == "rotterdam v1"
    assert order.process == "order_to_cash v1+rotterdam v1"
    assert decisions(world, order_id)[-1] == ("release", Outcome.BACKORDER,
                                              "below_minimum_fill_rate")  # fmt: skip


def test_a_new_version_applies_to_new_orders_while_orders_in_flight_keep_their_pins() -> None:
    world = shop(stock=2000)
    world.handle(c.SaveUser(user=User(ANALYST, "Ana", frozenset({Role.CREDIT_ANALYST})),
                            actor=ADMIN))  # fmt: skip
    in_flight = world.order(1050)  # held at credit under credit v1
    stricter = ruleset_text("credit").replace("&gt; 1.2", "&gt; 0.5")
    publish(world.bus, ArtifactKind.TABLE, "credit", stricter)  # type: ignore[arg-type]
    world.clock.advance(minutes=1)
    world.handle(c.ApproveCase(case_id=live_case(world, in_flight), actor=ANALYST))
    resumed = world.store.orders[in_flight]
    assert resumed.status is OrderStatus.RELEASED
    assert resumed.pins is not None
    assert resumed.pins["table:credit"] == "v1"
    assert decisions(world, in_flight)[3] == ("credit", Outcome.ACCEPTED,
                                              "credit_limit_exceeded")  # fmt: skip
    assert world.store.decisions[in_flight][3].actor == ANALYST
    new = world.order(60)  # 600 + 10,500 open: ratio 1.11, far beyond 0.5 under v2
    assert world.store.orders[new].pins["table:credit"] == "v2"  # type: ignore[index]
    assert world.store.orders[new].hold_reason == "credit_limit_far_exceeded"


def test_with_no_process_in_force_an_order_is_held_for_the_process_owner_then_runs() -> None:
    world = shop(governed=False)
    order_id = world.order(10)
    order = world.store.orders[order_id]
    assert (order.status, order.hold_reason) == (OrderStatus.ON_HOLD, "no_process_in_force")
    assert order.pins is None
    held = world.store.decisions[order_id][0]
    assert held.route is not None
    assert held.route.owner_role == "process_owner"
    publish_standard_process(world.bus)  # type: ignore[arg-type]
    world.clock.advance(minutes=1)
    world.handle(c.ApproveCase(case_id=live_case(world, order_id), actor=OWNER))
    assert world.store.orders[order_id].status is OrderStatus.RELEASED
    assert world.store.orders[order_id].pins is not None


def test_a_step_that_cannot_be_evaluated_holds_the_order_for_the_process_owner() -> None:
    world = shop()
    wrong = ruleset_text("credit").replace(
        'inputExpression typeRef="string">\n          <text>customer tier',
        'inputExpression typeRef="number">\n          <text>customer tier',
    )
    assert wrong != ruleset_text("credit")
    publish(world.bus, ArtifactKind.TABLE, "credit", wrong)  # type: ignore[arg-type]
    world.clock.advance(minutes=1)
    order_id = world.order(1)
    order = world.store.orders[order_id]
    assert (order.status, order.hold_reason) == (OrderStatus.ON_HOLD, "decision_failed")
    held = world.store.decisions[order_id][-1]
    assert held.step == "credit"
    assert "must be a number" in held.evaluations[0]["error"]


def test_a_table_reading_an_unknown_fact_keeps_orders_on_hold_and_says_where() -> None:
    world = shop()
    text = ruleset_text("credit").replace("<text>days past due</text>", "<text>days overdue</text>")
    publish(world.bus, ArtifactKind.TABLE, "credit", text)  # type: ignore[arg-type]
    world.clock.advance(minutes=1)
    order_id = world.order(1)
    assert world.store.orders[order_id].hold_reason == "no_process_in_force"
    error = world.store.decisions[order_id][0].evaluations[0]["error"]
    assert "'days overdue'" in error
    assert "steps.2" in error
    with pytest.raises(DomainError) as refused:
        world.handle(c.DraftVersion(kind=ArtifactKind.TEMPLATE, name="order_to_cash",
                                    text=template_text(), actor=OWNER))  # fmt: skip
    assert refused.value.code is ErrorCode.TEMPLATE_INVALID
    assert "'days overdue'" in refused.value.message


def test_a_document_named_otherwise_than_its_version_is_refused() -> None:
    world = shop()
    text = template_text("rotterdam.variant.yaml")
    with pytest.raises(DomainError) as refused:
        world.handle(c.DraftVersion(kind=ArtifactKind.VARIANT, name="dallas", text=text,
                                    actor=OWNER))  # fmt: skip
    assert refused.value.code is ErrorCode.VARIANT_REFUSED
    assert "named 'rotterdam'" in refused.value.message


def test_what_if_replays_a_draft_table_on_recorded_inputs_and_counts_the_changes() -> None:
    world = shop()
    for quantity in (10, 300, 400):  # exposure ratios 0.01, 0.31, 0.71
        world.order(quantity)
    stricter = ruleset_text("credit").replace("&gt; 1.2", "&gt; 0.5")
    number = int(world.handle(c.DraftVersion(kind=ArtifactKind.TABLE, name="credit",
                                             text=stricter, actor=OWNER)))  # type: ignore[call-overload]  # fmt: skip
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    report = what_if(factory, OWNER, ArtifactKind.TABLE, "credit", number, 50)
    assert (report.replayed, report.changed) == (3, 1)
    assert dict(report.moves) == {"pass -> reject credit_limit_far_exceeded": 1}
    assert report.examples[0].inputs["exposure ratio"] == "0.71"
    assert "3 recorded decision(s) replayed, 1 would change" in what_if_text(report)
    assert world.store.versions[(ArtifactKind.TABLE, "credit", number)].status.value == "draft"


def test_what_if_replays_a_draft_template_with_its_parameters() -> None:
    world = shop(stock=9)
    world.order(10)  # fill rate 0.9 released under 0.8
    looser = template_text().replace("minimum fill rate: 0.8", "minimum fill rate: 0.95")
    number = int(world.handle(c.DraftVersion(kind=ArtifactKind.TEMPLATE, name="order_to_cash",
                                             text=looser, actor=OWNER)))  # type: ignore[call-overload]  # fmt: skip
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    report = what_if(factory, OWNER, ArtifactKind.TEMPLATE, "order_to_cash", number, 10)
    assert dict(report.moves) == {"pass partial_release -> backorder below_minimum_fill_rate": 1}


def test_what_if_and_explain_refuse_what_does_not_exist() -> None:
    world = shop()
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as unknown_version:
        what_if(factory, OWNER, ArtifactKind.TABLE, "credit", 99, 10)
    assert unknown_version.value.code is ErrorCode.UNKNOWN_VERSION
    with pytest.raises(DomainError) as unknown_order:
        explain_order(factory, OWNER, OrderId("SO-NOPE"))
    assert unknown_order.value.code is ErrorCode.UNKNOWN_ORDER


def test_an_inactive_customer_is_held_at_validation_before_anything_else_runs() -> None:
    world = shop()
    customer = world.store.records[(Customer.KIND, (world.account,))]
    assert isinstance(customer, Customer)
    world.update(replace(customer, status=customer.status.__class__("inactive")))
    order_id = world.order(1)
    assert decisions(world, order_id) == [("validate_customer", Outcome.HOLD, "customer_inactive")]
    assert world.store.decisions[order_id][0].route.queue == "customer_master"  # type: ignore[union-attr]


def test_what_if_replays_a_draft_variant_on_the_orders_of_its_site_only() -> None:
    world = shop(stock=9, site="RTM1")
    world.order(10)  # fill rate 0.9: released under the template's 0.8
    stricter = template_text("rotterdam.variant.yaml")
    number = int(world.handle(c.DraftVersion(kind=ArtifactKind.VARIANT, name="rotterdam",
                                             text=stricter, actor=OWNER)))  # type: ignore[call-overload]  # fmt: skip
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    report = what_if(factory, OWNER, ArtifactKind.VARIANT, "rotterdam", number, 10)
    assert dict(report.moves) == {"pass partial_release -> backorder below_minimum_fill_rate": 1}
    elsewhere = template_text("rotterdam.variant.yaml").replace("applies_to: RTM1",
                                                                "applies_to: DAL1")  # fmt: skip
    other = int(world.handle(c.DraftVersion(kind=ArtifactKind.VARIANT, name="rotterdam",
                                            text=elsewhere, actor=OWNER)))  # type: ignore[call-overload]  # fmt: skip
    assert what_if(factory, OWNER, ArtifactKind.VARIANT, "rotterdam", other, 10).replayed == 0


def test_explanations_of_a_wait_for_stock_a_failed_step_and_a_persons_hold() -> None:
    world = shop(stock=5)
    factory = world.bus.uow_factory  # type: ignore[attr-defined]
    waiting = world.order(10)
    assert explanation_text(explain_order(factory, OWNER, waiting)).splitlines()[1] == (
        "  waiting for stock at step release: below_minimum_fill_rate"
    )
    world.handle(c.HoldOrder(order_id=waiting, reason_code="customer_called", actor=AGENT))
    assert explain_order(factory, OWNER, waiting).summary == (
        "on hold by a person (customer_called); the process waits for stock at step release"
    )
    wrong = ruleset_text("credit").replace(
        'inputExpression typeRef="string">\n          <text>customer tier',
        'inputExpression typeRef="number">\n          <text>customer tier',
    )
    publish(world.bus, ArtifactKind.TABLE, "credit", wrong)  # type: ignore[arg-type]
    world.clock.advance(minutes=1)
    failed = explanation_text(explain_order(factory, OWNER, world.order(1)))
    assert "the step could not be evaluated: decision_input_invalid" in failed
    assert "Who may release it: role process_owner through queue process_exceptions" in failed
