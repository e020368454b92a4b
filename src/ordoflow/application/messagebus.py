"""The message bus: one handler per command type, each given a fresh unit of work and the clock.
Built by `ordoflow.bootstrap`; entrypoints and tests speak to the application only through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordoflow.application import (
    cases,
    crediting,
    fulfilment,
    governing,
    orders,
    placing,
    receiving,
    records,
    returns,
)
from ordoflow.application import commands as c
from ordoflow.application.ports import Clock, UnitOfWork

Handler = Callable[[Any, UnitOfWork, Clock], Any]

HANDLERS: dict[type[c.Command], Handler] = {
    c.PlaceOrder: placing.place_order,
    c.ValidateOrder: orders.validate_order,
    c.HoldOrder: orders.hold_order,
    c.ResumeOrder: orders.resume_order,
    c.RejectOrder: orders.reject_order,
    c.CancelOrder: orders.cancel_order,
    c.AllocateOrder: orders.allocate_order,
    c.ReleaseOrder: orders.release_order,
    c.ConfirmPicking: fulfilment.confirm_picking,
    c.ConfirmPacking: fulfilment.confirm_packing,
    c.ConfirmShipment: fulfilment.confirm_shipment,
    c.ConfirmDelivery: fulfilment.confirm_delivery,
    c.InvoiceOrder: orders.invoice_order,
    c.IssueCreditMemo: crediting.issue_credit_memo,
    c.RequestReturn: returns.request_return,
    c.ReceiveReturn: returns.receive_return,
    c.DisposeReturn: returns.dispose_return,
    c.CloseOrder: orders.close_order,
    c.EditOrder: orders.edit_order,
    c.ReceiveStock: receiving.receive_stock,
    c.CreateRecord: records.create_record,
    c.UpdateRecord: records.update_record,
    c.ImportRecords: records.import_records,
    c.DraftVersion: governing.draft_version,
    c.SubmitVersion: governing.submit_version,
    c.ApproveVersion: governing.approve_version,
    c.SendBackVersion: governing.send_back_version,
    c.RetireVersion: governing.retire_version,
    c.RequestActivation: governing.request_activation,
    c.DecideActivation: governing.decide_activation,
    c.SaveUser: cases.save_user,
    c.DelegateAuthority: cases.delegate_authority,
    c.AssignCase: cases.assign_case,
    c.WaitOnCustomer: cases.wait_on_customer,
    c.ApproveCase: cases.approve_case,
    c.OverrideCase: cases.override_case,
    c.RejectCase: cases.reject_case,
    c.EscalateDueCases: cases.escalate_due_cases,
}


class MessageBus:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        handlers: dict[type[c.Command], Handler] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.handlers = dict(HANDLERS if handlers is None else handlers)

    def handle(self, command: c.Command) -> Any:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        return handler(command, self.uow_factory(), self.clock)


__all__ = ["HANDLERS", "Handler", "MessageBus"]
