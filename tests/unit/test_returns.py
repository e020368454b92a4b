"""Returns on the fakes: checked against what shipped, decided by the return policy (window,
approval above a value through the returns queue), received, disposed with their stock and
ledger effects, and credited on the order's invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordoflow.application import commands as c
from ordoflow.application.dispatch import dispatch_once
from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.domain.ledger import Account
from ordoflow.domain.lifecycle import OrderStatus
from ordoflow.domain.masterdata import StockLevel
from ordoflow.domain.people import Role, User
from ordoflow.domain.returns import Disposition, ReturnRequestLine, ReturnStatus
from ordoflow.domain.values import ActorId, CurrencyCode, OrderId
from ordoflow.domain.warehouse import WarehouseRequest
from tests.governed_world import ADMIN, AGENT, Shop, shop
from tests.staff import WAREHOUSE
from tests.unit.test_invoicing import inventory_matches_stock

USD = CurrencyCode("USD")


def shipped_order(world: Shop, quantity: int) -> OrderId:
    """An order shipped in full and invoiced (10.00 a unit, standard cost 6.00)."""
    order_id = world.order(quantity)
    world.handle(c.ConfirmShipment(request_id=WarehouseRequest.id_for(order_id, world.site),
                                   reference=f"SHP-{order_id}", shipped={1: quantity},
                                   actor=WAREHOUSE))  # fmt: skip
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]
    return order_id


def ask(world: Shop, order_id: OrderId, quantity: int, reason: str = "damaged_in_transit") -> str:
    return str(world.handle(c.RequestReturn(
        order_id=order_id, lines=(ReturnRequestLine(1, quantity, reason),),
        note="two cases crushed on arrival", actor=AGENT,
    )))  # fmt: skip


def sales_operations(world: Shop) -> ActorId:
    """Who approves returns of this size (the return policy names the role)."""
    ops = ActorId("ops.olga")
    world.handle(c.SaveUser(user=User(ops, "Olga", frozenset({Role.SALES_OPERATIONS})),
                            actor=ADMIN))  # fmt: skip
    return ops


def on_hand(world: Shop) -> int:
    level = world.store.records[(StockLevel.KIND, (world.sku, world.site))]
    assert isinstance(level, StockLevel)
    return level.on_hand


def test_a_return_within_policy_is_received_restocked_and_credited() -> None:
    world = shop()
    order_id = shipped_order(world, 10)
    stock_before = on_hand(world)
    rma = ask(world, order_id, 3)
    assert world.store.returns[rma].status is ReturnStatus.AUTHORIZED
    world.clock.advance(hours=2)
    world.handle(c.ReceiveReturn(return_id=rma, site=world.site, received={1: 3},
                                 actor=WAREHOUSE))  # fmt: skip
    world.clock.advance(hours=3)
    memos = world.handle(c.DisposeReturn(return_id=rma, dispositions={1: Disposition.RESTOCK},
                                         actor=WAREHOUSE))  # fmt: skip
    assert memos == ["CRN-US01-000001"]
    returned = world.store.returns[rma]
    assert returned.status is ReturnStatus.CREDITED
    assert on_hand(world) == stock_before + 3
    memo = world.store.memos["CRN-US01-000001"]
    assert (memo.net, memo.reason_code) == (Decimal("30.00"), "goods_returned")
    changes = [e.data for e, _ in world.store.outbox if e.type == "ordoflow.return.changed"]
    (changed,) = [d for d in changes if d["action"] == "credited"]
    assert changed["disposition_hours"] == 3.0
    with world.bus.uow_factory() as uow:  # type: ignore[attr-defined]
        assert uow.ledger.balance(Account.COST_OF_GOODS_SOLD, USD) == Decimal("42.00")  # 7 x 6
    inventory_matches_stock(world)


def test_scrapped_units_stay_off_stock_and_their_cost_goes_to_scrap() -> None:
    world = shop()
    order_id = shipped_order(world, 4)
    stock_before = on_hand(world)
    rma = ask(world, order_id, 2, reason="defective")
    world.handle(c.ReceiveReturn(return_id=rma, site=world.site, received={1: 2},
                                 actor=WAREHOUSE))  # fmt: skip
    world.handle(c.DisposeReturn(return_id=rma, dispositions={1: Disposition.SCRAP},
                                 actor=WAREHOUSE))  # fmt: skip
    assert on_hand(world) == stock_before
    with world.bus.uow_factory() as uow:  # type: ignore[attr-defined]
        assert uow.ledger.balance(Account.SCRAP, USD) == Decimal("12.00")
        assert uow.ledger.balance(Account.COST_OF_GOODS_SOLD, USD) == Decimal("12.00")
    inventory_matches_stock(world)


def test_a_return_never_takes_back_more_than_shipped_less_what_came_back_before() -> None:
    world = shop()
    order_id = shipped_order(world, 5)
    ask(world, order_id, 4)
    with pytest.raises(DomainError) as caught:
        ask(world, order_id, 2)
    assert caught.value.code is ErrorCode.OVER_RETURN
    assert len(world.store.returns) == 1


def test_a_return_outside_the_window_is_rejected_unless_the_goods_were_at_fault() -> None:
    world = shop()
    order_id = shipped_order(world, 6)
    world.clock.advance(hours=24 * 40)
    late = ask(world, order_id, 1, reason="customer_changed_mind")
    assert world.store.returns[late].status is ReturnStatus.REJECTED
    assert world.store.returns[late].decision_reason == "outside_return_window"
    damaged = ask(world, order_id, 1, reason="damaged_in_transit")
    assert world.store.returns[damaged].status is ReturnStatus.AUTHORIZED


def test_a_large_return_waits_in_the_returns_queue_until_approved() -> None:
    world = shop(stock=500)
    order_id = shipped_order(world, 150)  # returning 120 x 10.00 needs sales operations
    rma = ask(world, order_id, 120)
    assert world.store.returns[rma].status is ReturnStatus.PENDING_APPROVAL
    (case,) = [k for k in world.store.cases.values() if k.queue == "returns"]
    assert (case.owner_role, case.reason_code) == ("sales_operations", "return_approval")
    with pytest.raises(DomainError) as caught:  # one pending return per order at a time
        ask(world, order_id, 1)
    assert caught.value.code is ErrorCode.RETURN_PENDING
    with pytest.raises(DomainError) as refused:  # not authorized yet: cannot be received
        world.handle(c.ReceiveReturn(return_id=rma, site=world.site, received={1: 120},
                                     actor=WAREHOUSE))  # fmt: skip
    assert refused.value.code is ErrorCode.ILLEGAL_TRANSITION
    world.handle(c.ApproveCase(case_id=case.id, actor=sales_operations(world),
                               comment="pallet damaged"))  # fmt: skip
    assert world.store.returns[rma].status is ReturnStatus.AUTHORIZED


def test_a_rejected_return_case_rejects_the_return() -> None:
    world = shop(stock=500)
    order_id = shipped_order(world, 150)
    rma = ask(world, order_id, 120)
    (case,) = [k for k in world.store.cases.values() if k.queue == "returns"]
    world.handle(c.RejectCase(case_id=case.id, reason_code="not_our_fault",
                              actor=sales_operations(world)))  # fmt: skip
    assert world.store.returns[rma].status is ReturnStatus.REJECTED


def test_restocked_units_fill_waiting_orders_and_a_return_is_disposed_once() -> None:
    world = shop(stock=10)
    order_id = shipped_order(world, 10)  # nothing left on hand
    waiting = world.order(2)
    assert world.store.orders[waiting].status is OrderStatus.BACKORDERED
    rma = ask(world, order_id, 3)
    world.handle(c.ReceiveReturn(return_id=rma, site=world.site, received={1: 3},
                                 actor=WAREHOUSE))  # fmt: skip
    dispose = c.DisposeReturn(return_id=rma, dispositions={1: Disposition.RESTOCK},
                              actor=WAREHOUSE)  # fmt: skip
    world.handle(dispose)
    assert dispatch_once(world.bus.uow_factory, world.clock).failed == []  # type: ignore[attr-defined]
    assert world.store.orders[waiting].status is OrderStatus.RELEASED
    with pytest.raises(DomainError) as caught:
        world.handle(dispose)
    assert caught.value.code is ErrorCode.ILLEGAL_TRANSITION
    assert len(world.store.memos) == 1
    inventory_matches_stock(world)
