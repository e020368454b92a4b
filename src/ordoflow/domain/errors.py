"""One stable set of error codes shared by the API, the CLI, the console and EDI rejections.

Messages are for people; codes are the contract, so a code is never renamed once published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable codes carried by every refusal."""

    REQUIRED_FIELD_MISSING = "required_field_missing"
    TEXT_TOO_LONG = "text_too_long"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_PRICE = "invalid_price"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_DATE = "invalid_date"
    INVALID_DATE_RANGE = "invalid_date_range"
    INVALID_BOOLEAN = "invalid_boolean"
    INVALID_CHOICE = "invalid_choice"
    INVALID_COUNTRY = "invalid_country"
    INVALID_CURRENCY = "invalid_currency"
    INVALID_TIME_ZONE = "invalid_time_zone"
    INVALID_CODE = "invalid_code"
    INVALID_STOCK = "invalid_stock"
    CURRENCY_MISMATCH = "currency_mismatch"
    UOM_MISMATCH = "uom_mismatch"
    DUPLICATE_LINE = "duplicate_line"
    EMPTY_ORDER = "empty_order"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_SHIP_TO = "unknown_ship_to"
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_SITE = "unknown_site"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_LINE = "unknown_line"
    UNKNOWN_RECORD = "unknown_record"
    DUPLICATE_RECORD = "duplicate_record"
    DUPLICATE_PO_CONFLICT = "duplicate_po_conflict"
    ILLEGAL_TRANSITION = "illegal_transition"
    CONCURRENT_UPDATE = "concurrent_update"
    CSV_MALFORMED = "csv_malformed"
    CSV_ROWS_INVALID = "csv_rows_invalid"
    UNKNOWN_IMPORT_KIND = "unknown_import_kind"
    SCHEMA_OUT_OF_DATE = "schema_out_of_date"
    DUPLICATE_EVENT = "duplicate_event"
    MALFORMED_REQUEST = "malformed_request"
    FILE_UNREADABLE = "file_unreadable"
    DECISION_CELL_INVALID = "decision_cell_invalid"
    DECISION_INPUT_INVALID = "decision_input_invalid"
    DECISION_HIT_POLICY_VIOLATION = "decision_hit_policy_violation"
    DMN_MALFORMED = "dmn_malformed"
    UNKNOWN_DECISION = "unknown_decision"
    TEMPLATE_INVALID = "template_invalid"
    VARIANT_REFUSED = "variant_refused"
    MAKER_CHECKER = "maker_checker"
    VERSION_TAMPERED = "version_tampered"
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_USER = "unknown_user"
    NOT_AUTHORISED = "not_authorised"
    OUTSIDE_SITE_SCOPE = "outside_site_scope"
    SEGREGATION_OF_DUTIES = "segregation_of_duties"
    ABOVE_APPROVAL_LIMIT = "above_approval_limit"
    DELEGATION_EXPIRED = "delegation_expired"
    UNKNOWN_CASE = "unknown_case"
    CASE_CLOSED = "case_closed"
    CASE_OPEN = "case_open"
    NOTHING_CHANGED = "nothing_changed"
    DUPLICATE_RECEIPT = "duplicate_receipt"
    UNKNOWN_REASON_CODE = "unknown_reason_code"
    OVER_SHIPMENT = "over_shipment"
    DUPLICATE_SHIPMENT = "duplicate_shipment"
    UNKNOWN_WAREHOUSE_REQUEST = "unknown_warehouse_request"
    UNKNOWN_SHIPMENT = "unknown_shipment"
    UNKNOWN_INVOICE = "unknown_invoice"
    OVER_CREDIT = "over_credit"
    INVOICE_ON_HOLD = "invoice_on_hold"
    DUPLICATE_POSTING = "duplicate_posting"
    OVER_RETURN = "over_return"
    UNKNOWN_RETURN = "unknown_return"
    RETURN_PENDING = "return_pending"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field's problem: which field, the stable code, and a sentence for people."""

    field: str
    code: ErrorCode
    message: str


class DomainError(Exception):
    """Base of every refusal; carries a stable code."""

    code: ErrorCode

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationFailed(DomainError):
    """Input was malformed or broke an invariant; lists every field at fault."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("ValidationFailed needs at least one field error")
        first = errors[0]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(first.code, detail)
        self.errors = tuple(errors)


class NotFound(DomainError):
    """A referenced record does not exist."""


class Conflict(DomainError):
    """The request contradicts what is already recorded."""


class IllegalTransition(DomainError):
    """A lifecycle event is not allowed in the current state."""

    def __init__(self, machine: str, event: str, state: str, subject: str = "") -> None:
        where = f" for {subject}" if subject else ""
        super().__init__(
            ErrorCode.ILLEGAL_TRANSITION,
            f"{machine}: event '{event}' is not allowed in state '{state}'{where}",
        )
        self.machine = machine
        self.event = event
        self.state = state


__all__ = [
    "Conflict",
    "DomainError",
    "ErrorCode",
    "FieldError",
    "IllegalTransition",
    "NotFound",
    "ValidationFailed",
]
