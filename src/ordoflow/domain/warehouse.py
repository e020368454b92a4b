"""Warehouse execution: what a released order asks of each warehouse, and what the warehouse
reports back.

Releasing an order creates one warehouse request per warehouse its lines take stock from: the
lines and units to ship from there, the ship-to and the carrier. The warehouse (a WMS, or the
built-in simulator, through the same commands) reports picking, packing and shipments. A
shipment carries the warehouse's own reference, unique per warehouse, so a confirmation sent
again is recognised and taken once; it may never ship more of a line than the request holds
unshipped. Proof of delivery closes the loop with the customer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NewType

from ordoflow.domain.errors import ErrorCode, FieldError, ValidationFailed
from ordoflow.domain.eventlog import canonical_json
from ordoflow.domain.lifecycle import Transition, TransitionTable
from ordoflow.domain.values import ActorId, OrderId, ShipToCode, SiteCode, Sku

WarehouseRequestId = NewType("WarehouseRequestId", str)


class RequestStatus(StrEnum):
    RELEASED = "released"
    PICKED = "picked"
    PACKED = "packed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class RequestEvent(StrEnum):
    PICK = "pick"
    PACK = "pack"
    SHIP_PARTIALLY = "ship_partially"
    SHIP = "ship"
    CANCEL = "cancel"


_RS, _RE = RequestStatus, RequestEvent
_SHIPPABLE = (_RS.RELEASED, _RS.PICKED, _RS.PACKED, _RS.PARTIALLY_SHIPPED)
_CANCELLABLE = (_RS.RELEASED, _RS.PICKED, _RS.PACKED)
REQUEST_LIFECYCLE: TransitionTable[RequestStatus, RequestEvent] = TransitionTable(
    "warehouse request",
    _RS.RELEASED,
    [
        Transition(_RS.RELEASED, _RE.PICK, _RS.PICKED),
        Transition(_RS.RELEASED, _RE.PACK, _RS.PACKED),
        Transition(_RS.PICKED, _RE.PACK, _RS.PACKED),
        *(Transition(s, _RE.SHIP_PARTIALLY, _RS.PARTIALLY_SHIPPED) for s in _SHIPPABLE),
        *(Transition(s, _RE.SHIP, _RS.SHIPPED) for s in _SHIPPABLE),
        *(Transition(s, _RE.CANCEL, _RS.CANCELLED) for s in _CANCELLABLE),
    ],
    terminal=(_RS.SHIPPED, _RS.CANCELLED),
)


@dataclass(slots=True)
class RequestLine:
    line_no: int
    sku: Sku
    quantity: int
    shipped: int = 0

    @property
    def open(self) -> int:
        return self.quantity - self.shipped


@dataclass(slots=True)
class WarehouseRequest:
    """What one warehouse is asked to ship for one order."""

    id: WarehouseRequestId
    order_id: OrderId
    site: SiteCode
    ship_to: ShipToCode
    carrier: str
    lines: list[RequestLine]
    released_at: datetime
    status: RequestStatus = RequestStatus.RELEASED
    updated_at: datetime | None = None
    version: int = 0

    @staticmethod
    def id_for(order_id: OrderId, site: SiteCode) -> WarehouseRequestId:
        return WarehouseRequestId(f"{order_id}-{site}")

    @property
    def is_open(self) -> bool:
        return self.status not in REQUEST_LIFECYCLE.terminal

    def move(self, event: RequestEvent, at: datetime) -> None:
        self.status = REQUEST_LIFECYCLE.target(self.status, event, subject=f"request {self.id}")
        self.updated_at = at

    def ship(self, shipped: Mapping[int, int], at: datetime, *, final: bool) -> None:
        """Count units shipped per line; refused (`over_shipment`) above what is open. A
        `final` shipment finishes the request whatever is left open."""
        by_line = {ln.line_no: ln for ln in self.lines}
        errors = []
        for line_no, qty in sorted(shipped.items()):
            ln = by_line.get(line_no)
            if ln is None or qty > ln.open:
                left = 0 if ln is None else ln.open
                errors.append(FieldError(f"lines[{line_no}].quantity", ErrorCode.OVER_SHIPMENT,
                                         f"ships {qty}, but {left} are released at "
                                         f"{self.site} on request {self.id}"))  # fmt: skip
            elif qty <= 0:
                errors.append(FieldError(f"lines[{line_no}].quantity",
                                         ErrorCode.INVALID_QUANTITY, "must be > 0"))  # fmt: skip
        if errors:
            raise ValidationFailed(errors)
        for line_no, qty in shipped.items():
            by_line[line_no].shipped += qty
        done = final or all(ln.open == 0 for ln in self.lines)
        self.move(RequestEvent.SHIP if done else RequestEvent.SHIP_PARTIALLY, at)


@dataclass(frozen=True, slots=True)
class Shipment:
    """A shipment as the warehouse confirmed it: its reference (unique per warehouse), the
    units per order line, carrier and tracking number; delivery when proof of it arrives."""

    site: SiteCode
    reference: str
    request_id: WarehouseRequestId
    order_id: OrderId
    lines: tuple[tuple[int, int], ...]
    carrier: str
    tracking: str
    final: bool
    confirmed_at: datetime
    actor: ActorId
    delivered_at: datetime | None = None
    received_by: str | None = None

    @property
    def fingerprint(self) -> str:
        """What was shipped, whoever sent it and when: equal for a confirmation sent again."""
        body = [self.site, self.reference, self.request_id, sorted(map(list, self.lines)),
                self.carrier, self.tracking, self.final]  # fmt: skip
        return hashlib.sha256(canonical_json(body).encode()).hexdigest()

    @property
    def units(self) -> dict[int, int]:
        return dict(self.lines)


__all__ = [
    "REQUEST_LIFECYCLE",
    "RequestEvent",
    "RequestLine",
    "RequestStatus",
    "Shipment",
    "WarehouseRequest",
    "WarehouseRequestId",
]
