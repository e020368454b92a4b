from pathlib import Path

import pytest

from ordoflow.domain.errors import ErrorCode, IllegalTransition
from ordoflow.domain.lifecycle import (
    LINE_LIFECYCLE,
    ORDER_LIFECYCLE,
    LineStatus,
    OrderEvent,
    OrderStatus,
    lifecycle_markdown,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def test_the_lifecycle_document_is_generated_from_the_current_tables() -> None:
    assert DOC.read_text(encoding="utf-8") == lifecycle_markdown(), "run `make docs`"


def test_every_order_and_line_state_is_reachable_from_the_initial_state() -> None:
    for table, states in ((ORDER_LIFECYCLE, OrderStatus), (LINE_LIFECYCLE, LineStatus)):
        assert set(table.states()) == set(states)


def test_terminal_states_allow_no_event() -> None:
    for status in ORDER_LIFECYCLE.terminal:
        assert ORDER_LIFECYCLE.events_from(status) == []


def test_an_illegal_move_names_the_event_and_the_state() -> None:
    with pytest.raises(IllegalTransition) as caught:
        ORDER_LIFECYCLE.target(OrderStatus.RECEIVED, OrderEvent.INVOICE, subject="order SO-1")
    assert caught.value.code is ErrorCode.ILLEGAL_TRANSITION
    assert (caught.value.event, caught.value.state) == ("invoice", "received")
    assert "'invoice'" in str(caught.value)
    assert "'received'" in str(caught.value)


@pytest.mark.parametrize(
    "status", [OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.INVOICED]
)
def test_no_cancel_once_anything_has_shipped(status: OrderStatus) -> None:
    assert not ORDER_LIFECYCLE.allows(status, OrderEvent.CANCEL)


def test_invoice_only_from_shipped() -> None:
    allowed = [s for s in OrderStatus if ORDER_LIFECYCLE.allows(s, OrderEvent.INVOICE)]
    assert allowed == [OrderStatus.SHIPPED]


def test_resume_returns_to_the_state_the_order_was_held_from() -> None:
    for held_from in (OrderStatus.VALIDATED, OrderStatus.BACKORDERED):
        assert (
            ORDER_LIFECYCLE.target(OrderStatus.ON_HOLD, OrderEvent.RESUME, held_from=held_from)
            is held_from
        )


def test_resume_without_a_remembered_state_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        ORDER_LIFECYCLE.target(OrderStatus.ON_HOLD, OrderEvent.RESUME)


def test_no_hold_after_release_to_the_warehouse() -> None:
    assert not ORDER_LIFECYCLE.allows(OrderStatus.RELEASED, OrderEvent.HOLD)
