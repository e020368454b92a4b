"""Commands: one frozen, keyword-only dataclass per thing a user can ask Ordoflow to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ordoflow.domain.masterdata import MasterRecord
from ordoflow.domain.people import User
from ordoflow.domain.receipts import ReceiptKind, ReceiptLine
from ordoflow.domain.returns import Disposition, ReturnId, ReturnRequestLine
from ordoflow.domain.values import (
    SYSTEM_ACTOR,
    AccountNumber,
    ActorId,
    Channel,
    CurrencyCode,
    OrderId,
    ShipToCode,
    SiteCode,
    Sku,
)
from ordoflow.domain.warehouse import WarehouseRequestId
from ordoflow.governance.versions import ArtifactKind


@dataclass(frozen=True, kw_only=True, slots=True)
class Command:
    actor: ActorId = SYSTEM_ACTOR


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderLineInput:
    """A requested line. Price and unit of measure may be left to the price list and the item."""

    line_no: int
    sku: Sku
    quantity: int
    unit_price: Decimal | None = None
    unit_of_measure: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PlaceOrder(Command):
    account_number: AccountNumber
    ship_to: ShipToCode
    channel: Channel
    customer_po: str
    requested_date: date
    site: SiteCode
    lines: tuple[OrderLineInput, ...]
    currency: CurrencyCode | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderCommand(Command):
    order_id: OrderId


@dataclass(frozen=True, kw_only=True, slots=True)
class EditOrder(OrderCommand):
    """Change an order before it is released. `lines`, when given, is the order's new set of
    lines (a live line left out is cancelled, a new number is added; a price left out comes
    from the price list); ship-to and customer change when given. The process runs again from
    the first step the change affects; approvals given before do not carry over."""

    lines: tuple[OrderLineInput, ...] | None = None
    ship_to: ShipToCode | None = None
    account_number: AccountNumber | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ValidateOrder(OrderCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class HoldOrder(OrderCommand):
    reason_code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ResumeOrder(OrderCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class RejectOrder(OrderCommand):
    reason_code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CancelOrder(OrderCommand):
    reason_code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AllocateOrder(OrderCommand):
    """Take stock for the order's open lines at its site, as much as is available."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReleaseOrder(OrderCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class WarehouseCommand(Command):
    """A warehouse's report on one of its requests (a WMS, the simulator or a person)."""

    request_id: WarehouseRequestId


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfirmPicking(WarehouseCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfirmPacking(WarehouseCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfirmShipment(WarehouseCommand):
    """Units shipped per order line under the warehouse's own shipment reference, unique per
    warehouse: the same confirmation sent again changes nothing. `final` says the warehouse
    ships nothing more of the request: what did not ship goes back to stock."""

    reference: str
    shipped: Mapping[int, int]
    carrier: str = ""
    tracking: str = ""
    final: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class IssueCreditMemo(Command):
    """Reverse units of an issued invoice (`lines`: units per invoice line; None: everything
    not yet credited, freight included)."""

    invoice: str
    reason_code: str
    lines: Mapping[int, int] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestReturn(Command):
    """A customer asks to send shipped units back: per order line, units and a reason code."""

    order_id: OrderId
    lines: tuple[ReturnRequestLine, ...]
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiveReturn(Command):
    """Returned units arrived at a site (per order line)."""

    return_id: ReturnId
    site: SiteCode
    received: Mapping[int, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class DisposeReturn(Command):
    """What becomes of each received line; the credit memo follows."""

    return_id: ReturnId
    dispositions: Mapping[int, Disposition]


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfirmDelivery(Command):
    """Proof of delivery of a shipment: who received it and when (now, if not given)."""

    site: SiteCode
    reference: str
    received_by: str
    delivered_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceOrder(OrderCommand):
    """Bill what the order shipped now, rather than when the worker gets to it."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CloseOrder(OrderCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceiveStock(Command):
    """Units arriving at a site (purchase receipt, transfer in) or counted in or out
    (adjustment), under a reference unique per site; orders waiting for the items are filled
    in priority order."""

    site: SiteCode
    kind: ReceiptKind
    reference: str
    lines: tuple[ReceiptLine, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class CreateRecord(Command):
    record: MasterRecord


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateRecord(Command):
    record: MasterRecord


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportRecords(Command):
    """Rows of one kind from a CSV file; all are written or none."""

    kind: str
    text: str
    source: str = "upload"


@dataclass(frozen=True, kw_only=True, slots=True)
class DraftVersion(Command):
    """A new draft of a template, variant or decision table from its file's text."""

    kind: ArtifactKind
    name: str
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionCommand(Command):
    kind: ArtifactKind
    name: str
    number: int


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmitVersion(VersionCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class ApproveVersion(VersionCommand):
    """Publish; effective now unless a later moment is given."""

    effective_from: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SendBackVersion(VersionCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class RetireVersion(VersionCommand):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestActivation(Command):
    """Put a published template version in force for one site, one channel or everywhere
    (`scope` site, channel or everywhere), once a second person approves."""

    template: str
    number: int
    scope: str
    target: str = "*"
    effective_from: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DecideActivation(Command):
    activation_id: str
    approve: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class SaveUser(Command):
    """Create a user or replace one's roles, sites and state; by an administrator (the very
    first user, an administrator, may be created by anyone)."""

    user: User


@dataclass(frozen=True, kw_only=True, slots=True)
class DelegateAuthority(Command):
    """The acting user lends one of their roles to `delegate` until `until`."""

    delegate: ActorId
    role: str
    until: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseCommand(Command):
    case_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AssignCase(CaseCommand):
    assignee: ActorId


@dataclass(frozen=True, kw_only=True, slots=True)
class WaitOnCustomer(CaseCommand):
    comment: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ApproveCase(CaseCommand):
    comment: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class OverrideCase(CaseCommand):
    reason_code: str
    comment: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RejectCase(CaseCommand):
    reason_code: str
    comment: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EscalateDueCases(Command):
    """Escalate every live case past its deadline (the timer worker's tick)."""


__all__ = [
    "AllocateOrder",
    "ApproveCase",
    "ApproveVersion",
    "ArtifactKind",
    "AssignCase",
    "CancelOrder",
    "CaseCommand",
    "CloseOrder",
    "Command",
    "ConfirmDelivery",
    "ConfirmPacking",
    "ConfirmPicking",
    "ConfirmShipment",
    "CreateRecord",
    "DecideActivation",
    "DelegateAuthority",
    "DisposeReturn",
    "DraftVersion",
    "EditOrder",
    "EscalateDueCases",
    "HoldOrder",
    "ImportRecords",
    "InvoiceOrder",
    "IssueCreditMemo",
    "OrderCommand",
    "OrderLineInput",
    "OverrideCase",
    "PlaceOrder",
    "ReceiptKind",
    "ReceiptLine",
    "ReceiveReturn",
    "ReceiveStock",
    "RejectCase",
    "RejectOrder",
    "ReleaseOrder",
    "RequestActivation",
    "RequestReturn",
    "ResumeOrder",
    "RetireVersion",
    "SaveUser",
    "SendBackVersion",
    "SubmitVersion",
    "UpdateRecord",
    "ValidateOrder",
    "VersionCommand",
    "WaitOnCustomer",
    "WarehouseCommand",
]
