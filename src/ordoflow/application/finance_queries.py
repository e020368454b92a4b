"""What finance reads: the trial balance, invoices and credit memos, what a customer owes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ordoflow.application import access
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.invoicing import CreditMemo, Invoice
from ordoflow.domain.ledger import Account, in_balance
from ordoflow.domain.values import AccountNumber, ActorId, OrderId, money_text

#: Who may read the books.
FINANCE_READERS = frozenset({access.R.FINANCE, access.R.EXECUTIVE, access.R.COMPLIANCE,
                             access.R.ADMINISTRATOR})  # fmt: skip


def _label(account: str) -> str:
    try:
        return Account(account).label
    except ValueError:
        return account


def trial_balance(uow_factory: Callable[[], UnitOfWork], actor: ActorId) -> dict[str, Any]:
    """Debits and credits per account and currency, whether they balance, and the totals."""
    with uow_factory() as uow:
        access.require(uow, actor, FINANCE_READERS, "read the ledger")
        rows = uow.ledger.trial_balance()
    totals: dict[str, list[Decimal]] = {}
    for r in rows:
        t = totals.setdefault(r.currency, [Decimal(0), Decimal(0)])
        t[0] += r.debit
        t[1] += r.credit
    return {
        "rows": [{"account": r.account, "name": _label(r.account), "currency": r.currency,
                  "debit": money_text(r.debit), "credit": money_text(r.credit),
                  "balance": money_text(r.balance)} for r in rows],
        "totals": {cur: {"debit": money_text(d), "credit": money_text(k)}
                   for cur, (d, k) in sorted(totals.items())},
        "in_balance": in_balance(rows),
    }  # fmt: skip


def invoice_json(i: Invoice) -> dict[str, Any]:
    return {
        "id": i.id, "number": i.number, "status": i.status.value, "hold_reason": i.hold_reason,
        "order_id": i.order_id, "account_number": i.account_number, "currency": i.currency,
        "site": i.site, "shipment": i.shipment, "tax_code": i.tax_code,
        "tax_rate": format(i.tax_rate.normalize(), "f"), "net": money_text(i.net),
        "tax": money_text(i.tax), "freight": money_text(i.freight),
        "gross": money_text(i.gross),
        "issued_at": i.issued_at.isoformat() if i.issued_at else None,
        "due_at": i.due_at.isoformat() if i.due_at else None,
        "lines": [{"line_no": ln.line_no, "sku": ln.sku, "quantity": ln.quantity,
                   "unit_price": money_text(ln.unit_price), "amount": money_text(ln.amount),
                   "credited": i.credited.get(ln.line_no, 0)} for ln in i.lines],
    }  # fmt: skip


def memo_json(m: CreditMemo) -> dict[str, Any]:
    return {"number": m.number, "invoice": m.invoice, "order_id": m.order_id,
            "currency": m.currency, "net": money_text(m.net), "tax": money_text(m.tax),
            "freight": money_text(m.freight), "gross": money_text(m.gross),
            "reason_code": m.reason_code, "issued_at": m.issued_at.isoformat()}  # fmt: skip


def invoices(
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    order_id: OrderId | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The invoices of one order, or the latest of all."""
    with uow_factory() as uow:
        access.require(uow, actor, FINANCE_READERS, "read invoices")
        found = uow.billing.invoices_for(order_id) if order_id else uow.billing.invoices(limit)
        return [invoice_json(i) for i in found]


def credit_memos(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, order_id: OrderId
) -> list[dict[str, Any]]:
    with uow_factory() as uow:
        access.require(uow, actor, FINANCE_READERS, "read credit memos")
        return [memo_json(m) for m in uow.billing.credit_memos_for(order_id)]


def customer_balance(
    uow_factory: Callable[[], UnitOfWork], actor: ActorId, account: AccountNumber
) -> dict[str, Any]:
    """What a customer owes on invoices less credit memos, and since when it is due."""
    with uow_factory() as uow:
        access.require(uow, actor, FINANCE_READERS, "read receivables")
        owed = uow.billing.receivables(account)
    return {"account_number": account, "open_amount": money_text(owed.open_amount),
            "oldest_due": owed.oldest_due.isoformat() if owed.oldest_due else None}  # fmt: skip


__all__ = [
    "FINANCE_READERS",
    "credit_memos",
    "customer_balance",
    "invoice_json",
    "invoices",
    "memo_json",
    "trial_balance",
]
