"""Returns through their own governed steps.

A return request is checked against what the order shipped (never more than shipped less what
earlier returns took back), then decided by the `return_policy` table in force (the return
window by reason, and the value above which someone must approve): authorized, rejected, or
pending approval with a case in the `returns` queue for the role the table names (no table in
force: pending approval, for sales operations). Approving or overriding the case authorizes the
return; rejecting it rejects the return. An authorized return is received at a site; each line
then gets its disposition, with its stock and ledger effect (restock: back on hand, inventory
against cost of goods sold; scrap: scrap expense; return to vendor: the supplier owes it), and
a credit memo reverses the returned units on the order's invoices, oldest invoice first. The
time from receipt to disposition is recorded on `return.credited`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordoflow.application import access, crediting, postings
from ordoflow.application import commands as c
from ordoflow.application.case_opening import open_hold_case
from ordoflow.application.pipeline import compiled
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.application.process import table_in_force
from ordoflow.domain.errors import Conflict, ErrorCode, NotFound
from ordoflow.domain.events import StockReceived
from ordoflow.domain.fulfilment_events import ReturnChanged
from ordoflow.domain.intake import check_reason
from ordoflow.domain.invoicing import InvoiceStatus
from ordoflow.domain.ledger import Account
from ordoflow.domain.orders import Order
from ordoflow.domain.returns import (
    Disposition,
    ReturnAuthorization,
    ReturnEvent,
    ReturnId,
    ReturnLine,
    ReturnStatus,
    check_returnable,
    new_return_id,
)
from ordoflow.domain.values import SYSTEM_ACTOR, ActorId, Sku

RETURN_POLICY, RETURN_STEP, RETURN_QUEUE = "return_policy", "return", "returns"
RETURN_SLA_HOURS, DEFAULT_APPROVER = 8, "sales_operations"
CREDIT_REASON = "goods_returned"
_SEVERITY = {"pass": 0, "hold": 1, "reject": 2}
#: Where each disposition's cost goes instead of cost of goods sold.
_DISPOSED_TO = {Disposition.RESTOCK: Account.INVENTORY, Disposition.SCRAP: Account.SCRAP,
                Disposition.RETURN_TO_VENDOR: Account.GOODS_RECEIVED}  # fmt: skip


def request_return(cmd: c.RequestReturn, uow: UnitOfWork, clock: Clock) -> ReturnId:
    with uow:
        acting = access.permit(uow, cmd)
        # held until commit: a second request for the order reads this one's return
        order = uow.orders.get(cmd.order_id, lock=True)
        if order is None:
            raise NotFound(ErrorCode.UNKNOWN_ORDER, f"no order {cmd.order_id!r}")
        access.within(acting, order.header.site)
        earlier = uow.returns.for_order(order.id)
        if any(r.status is ReturnStatus.PENDING_APPROVAL for r in earlier):
            raise Conflict(ErrorCode.RETURN_PENDING,
                           f"order {order.id} has a return waiting for approval")  # fmt: skip
        returned: dict[int, int] = {}
        for r in earlier:
            if r.status is not ReturnStatus.REJECTED:
                for ln in r.lines:
                    returned[ln.line_no] = returned.get(ln.line_no, 0) + ln.quantity
        check_returnable(cmd.lines, {ln.line_no: ln.shipped_qty for ln in order.lines}, returned)
        at = clock.now()
        rma = ReturnAuthorization(
            new_return_id(), order.id, order.header.account_number,
            [ReturnLine(ln.line_no, order.line(ln.line_no).sku, ln.quantity,
                        check_reason(ln.reason_code), order.line(ln.line_no).unit_price)
             for ln in sorted(cmd.lines, key=lambda ln: ln.line_no)],
            cmd.note.strip()[:2000], cmd.actor, at,
        )  # fmt: skip
        outcome, reason, role = _decide(uow, order, rma, at)
        if outcome == "pass":
            rma.move(ReturnEvent.AUTHORIZE, reason or "within_policy")
        elif outcome == "reject":
            rma.move(ReturnEvent.REJECT, reason or "outside_return_policy")
        else:
            rma.decision_reason = reason or "return_approval"
            _open_case(uow, order, rma, role or DEFAULT_APPROVER, at)
        uow.returns.add(rma)
        _changed(uow, rma, "requested", cmd.actor, at)
        uow.commit()
        return rma.id


def _decide(
    uow: UnitOfWork, order: Order, rma: ReturnAuthorization, at: datetime
) -> tuple[str, str | None, str | None]:
    """The most severe answer of the return policy over the reasons given; pending approval
    when no policy is in force."""
    table = table_in_force(uow, RETURN_POLICY, at)
    if table is None:
        return "hold", "no_return_policy", None
    shipments = uow.warehouse.shipments_for(order.id)
    last = max((s.confirmed_at for s in shipments), default=at)
    worst: tuple[str, str | None, str | None] = ("pass", None, None)
    for reason in sorted({ln.reason_code for ln in rma.lines}):
        answer: Any = compiled(table).evaluate({
            "days since shipment": Decimal((at - last).days), "return value": rma.value,
            "reason code": reason,
        }).result  # fmt: skip
        found = answer if isinstance(answer, dict) else {}
        outcome = str(found.get("outcome") or "hold")
        outcome = outcome if outcome in _SEVERITY else "hold"
        if _SEVERITY[outcome] > _SEVERITY[worst[0]]:
            worst = (outcome, found.get("reason"), found.get("approver role"))
    return worst


def _open_case(
    uow: UnitOfWork, order: Order, rma: ReturnAuthorization, role: str, at: datetime
) -> None:
    open_hold_case(
        uow, order, step=RETURN_STEP, reason_code=rma.decision_reason or "return_approval",
        queue=RETURN_QUEUE, owner_role=role, sla_hours=RETURN_SLA_HOURS, time_zone="UTC",
        escalation=("finance",), at=at, **{"return": rma.id},
    )  # fmt: skip


def decide_case(uow: UnitOfWork, order: Order, *, approve: bool, actor: ActorId,
                at: datetime) -> None:  # fmt: skip
    """A return case was resolved: the order's pending return is authorized or rejected."""
    for rma in uow.returns.for_order(order.id):
        if rma.status is ReturnStatus.PENDING_APPROVAL:
            rma.move(ReturnEvent.AUTHORIZE if approve else ReturnEvent.REJECT)
            uow.returns.save(rma)
            _changed(uow, rma, rma.status.value, actor, at)


def receive_return(cmd: c.ReceiveReturn, uow: UnitOfWork, clock: Clock) -> None:
    with uow:
        access.within(access.permit(uow, cmd), cmd.site)
        rma = _load(uow, cmd.return_id)
        rma.receive(cmd.site, cmd.received, clock.now())
        uow.returns.save(rma)
        _changed(uow, rma, "received", cmd.actor, clock.now())
        uow.commit()


def dispose_return(cmd: c.DisposeReturn, uow: UnitOfWork, clock: Clock) -> list[str]:
    """Dispose every received line and credit the returned units; returns the memo numbers."""
    with uow:
        acting = access.permit(uow, cmd)
        rma = _load(uow, cmd.return_id)
        at = clock.now()
        rma.dispose(cmd.dispositions, at)
        access.within(acting, rma.site or "")
        _stock_and_cost(uow, rma, at)
        rma.credit_memos = _credit(uow, rma, cmd.actor, at)
        rma.move(ReturnEvent.CREDIT)
        uow.returns.save(rma)
        _changed(uow, rma, "credited", cmd.actor, at)
        uow.commit()
        return rma.credit_memos


def _stock_and_cost(uow: UnitOfWork, rma: ReturnAuthorization, at: datetime) -> None:
    """Restocked units go back on hand; every returned unit's cost leaves cost of goods sold
    for inventory, scrap or the supplier."""
    assert rma.site is not None, "a disposed return was received at a site"
    for disposition, account in _DISPOSED_TO.items():
        units: dict[Sku, int] = {}
        for ln in rma.lines:
            if ln.disposition is disposition and ln.received:
                units[ln.sku] = units.get(ln.sku, 0) + ln.received
        if not units:
            continue
        if disposition is Disposition.RESTOCK:  # back on hand: waiting orders may take it
            for sku in sorted(units):
                uow.stock.receive(sku, rma.site, units[sku])
            uow.record(StockReceived(occurred_at=at, site=rma.site, reference=rma.id,
                                     kind="return", lines=tuple(sorted(units.items())),
                                     actor=SYSTEM_ACTOR))  # fmt: skip
        postings.stock_moved(uow, ("return", f"{rma.id}/{disposition.value}"), at, units,
                             Account.COST_OF_GOODS_SOLD, account=account)  # fmt: skip


def _credit(uow: UnitOfWork, rma: ReturnAuthorization, actor: ActorId, at: datetime) -> list[str]:
    """Credit the received units on the order's issued invoices, oldest first."""
    left = {ln.line_no: ln.received for ln in rma.lines if ln.received}
    memos = []
    for invoice in uow.billing.invoices_for(rma.order_id):
        if invoice.status is not InvoiceStatus.ISSUED:
            continue
        units = {}
        for ln in invoice.lines:
            open_units = ln.quantity - invoice.credited.get(ln.line_no, 0)
            if (take := min(left.get(ln.line_no, 0), open_units)) > 0:
                units[ln.line_no] = take
                left[ln.line_no] -= take
        if units:
            memo = crediting.credit(uow, invoice, units, CREDIT_REASON, actor=actor, at=at)
            memos.append(memo.number)
    return memos


def show_return(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, rma_id: ReturnId
) -> dict[str, Any]:
    """A return as its order's readers see it."""
    with uow_factory() as uow:
        rma = _load(uow, rma_id)
        access.order_for(uow, actor, rma.order_id)
    return {
        "id": rma.id, "order_id": rma.order_id, "status": rma.status.value,
        "reason_code": rma.decision_reason, "value": str(rma.value), "site": rma.site,
        "credit_memos": list(rma.credit_memos),
        "lines": [{"line_no": ln.line_no, "sku": ln.sku, "quantity": ln.quantity,
                   "reason_code": ln.reason_code, "received": ln.received,
                   "disposition": ln.disposition.value if ln.disposition else None}
                  for ln in rma.lines],
    }  # fmt: skip


def _load(uow: UnitOfWork, rma_id: ReturnId) -> ReturnAuthorization:
    rma = uow.returns.get(rma_id)
    if rma is None:
        raise NotFound(ErrorCode.UNKNOWN_RETURN, f"no return {rma_id!r}")
    return rma


def _changed(uow: UnitOfWork, rma: ReturnAuthorization, action: str, actor: ActorId,
             at: datetime) -> None:  # fmt: skip
    hours = None
    if rma.received_at and rma.disposed_at:
        hours = round((rma.disposed_at - rma.received_at).total_seconds() / 3600, 2)
    uow.audit.append(f"return:{rma.id}", action, actor=actor, at=at, before=None,
                     after={"status": rma.status.value, "reason": rma.decision_reason})  # fmt: skip
    uow.record(ReturnChanged(
        occurred_at=at, return_id=rma.id, order_id=rma.order_id, action=action,
        status=rma.status.value, reason_code=rma.decision_reason, value=str(rma.value),
        disposition_hours=hours, actor=actor,
    ))  # fmt: skip


__all__ = [
    "RETURN_POLICY",
    "RETURN_STEP",
    "decide_case",
    "dispose_return",
    "receive_return",
    "request_return",
    "show_return",
]
