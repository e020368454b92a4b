"""Credit memos: all or part of an issued invoice reversed, at its prices and tax rate, by
finance or by a return. The memo that credits what is left of an invoice also credits its
freight and exactly the tax not yet credited. Each memo takes the next number of its company's
credit series and posts in its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from ordoflow.application import access
from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, UnitOfWork
from ordoflow.domain.errors import ErrorCode, NotFound
from ordoflow.domain.events import CreditMemoIssued
from ordoflow.domain.intake import check_reason
from ordoflow.domain.invoicing import (
    CREDIT_SERIES,
    CreditMemo,
    Invoice,
    InvoiceStatus,
    cents,
    credit_lines,
)
from ordoflow.domain.values import ActorId


def issue_credit_memo(cmd: c.IssueCreditMemo, uow: UnitOfWork, clock: Clock) -> str:
    """Returns the memo's number."""
    reason = check_reason(cmd.reason_code)
    with uow:
        acting = access.permit(uow, cmd)
        invoice = uow.billing.invoice_by_number(cmd.invoice)
        if invoice is None or invoice.status is not InvoiceStatus.ISSUED:
            raise NotFound(ErrorCode.UNKNOWN_INVOICE, f"no issued invoice {cmd.invoice!r}")
        access.within(acting, invoice.site)
        memo = credit(uow, invoice, cmd.lines, reason, actor=cmd.actor, at=clock.now())
        uow.commit()
        return memo.number


def credit(
    uow: UnitOfWork,
    invoice: Invoice,
    units: Mapping[int, int] | None,
    reason: str,
    *,
    actor: ActorId,
    at: datetime,
) -> CreditMemo:
    """Credit `units` per invoice line (None: everything left) of an issued invoice."""
    lines = credit_lines(invoice, units)
    for ln in lines:
        invoice.credited[ln.line_no] = invoice.credited.get(ln.line_no, 0) + ln.quantity
    everything = all(invoice.credited.get(ln.line_no, 0) == ln.quantity for ln in invoice.lines)
    tax = cents(sum((ln.amount for ln in lines), Decimal(0)) * invoice.tax_rate)
    if everything:
        earlier = [m for m in uow.billing.credit_memos_for(invoice.order_id)
                   if m.invoice == invoice.number]  # fmt: skip
        tax = invoice.tax - sum((m.tax for m in earlier), Decimal(0))
    number = uow.billing.next_number(invoice.company, CREDIT_SERIES)
    memo = CreditMemo(f"{CREDIT_SERIES}-{invoice.company}-{number:06d}", invoice.number or "",
                      invoice.order_id, invoice.account_number, invoice.currency, lines,
                      invoice.tax_rate, tax, invoice.freight if everything else Decimal(0),
                      reason, at)  # fmt: skip
    uow.billing.save_invoice(invoice)
    uow.billing.add_credit_memo(memo)
    entry = memo.posting()
    if entry is not None:
        uow.ledger.post(entry)
    uow.record(CreditMemoIssued(
        occurred_at=at, number=memo.number, invoice=memo.invoice, order_id=memo.order_id,
        account_number=memo.account_number, currency=memo.currency, gross=str(memo.gross),
        reason_code=reason, actor=actor,
    ))  # fmt: skip
    return memo


__all__ = ["credit", "issue_credit_memo"]
