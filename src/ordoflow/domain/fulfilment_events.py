"""Events of warehouse execution: what the warehouses are asked to do and what they report.
A WMS subscribes to `release_requested` and `cancelled`; shipment confirmations drive
invoicing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from ordoflow.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WarehouseRequestEvent(DomainEvent):
    request_id: str
    order_id: str
    site: str

    @property
    def subject(self) -> str:
        return f"warehouse/{self.site}/{self.request_id}"

    def data(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "order_id": self.order_id, "site": self.site}


@dataclass(frozen=True, kw_only=True)
class ReleaseRequested(WarehouseRequestEvent):
    """A warehouse is asked to ship: the lines and units, where to and by which carrier."""

    type: ClassVar[str] = "ordoflow.warehouse.release_requested"
    ship_to: str
    carrier: str
    lines: tuple[tuple[int, str, int], ...]  # line number, SKU, units

    def data(self) -> dict[str, Any]:
        lines = [{"line": n, "sku": s, "quantity": q} for n, s, q in self.lines]
        return {**super().data(), "ship_to": self.ship_to, "carrier": self.carrier,
                "lines": lines}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class WarehouseRequestMoved(WarehouseRequestEvent):
    """A warehouse reported progress (picked, packed), or the request was cancelled."""

    type: ClassVar[str] = "ordoflow.warehouse.request_moved"
    event: str
    status: str

    def data(self) -> dict[str, Any]:
        return {**super().data(), "event": self.event, "status": self.status}


@dataclass(frozen=True, kw_only=True)
class ShipmentConfirmed(WarehouseRequestEvent):
    """Units left a warehouse; `latency_hours` runs from release to this confirmation."""

    type: ClassVar[str] = "ordoflow.shipment.confirmed"
    reference: str
    lines: tuple[tuple[int, str, int], ...]  # line number, SKU, units
    carrier: str
    tracking: str
    final: bool
    released_at: datetime
    latency_hours: float

    @property
    def subject(self) -> str:
        return f"shipments/{self.site}/{self.reference}"

    def data(self) -> dict[str, Any]:
        return {**super().data(), "reference": self.reference,
                "lines": [{"line": n, "sku": s, "quantity": q} for n, s, q in self.lines],
                "carrier": self.carrier, "tracking": self.tracking, "final": self.final,
                "released_at": self.released_at.isoformat(),
                "latency_hours": self.latency_hours}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(WarehouseRequestEvent):
    """Proof of delivery: who received the shipment, and when."""

    type: ClassVar[str] = "ordoflow.shipment.delivered"
    reference: str
    delivered_at: datetime
    received_by: str

    @property
    def subject(self) -> str:
        return f"shipments/{self.site}/{self.reference}"

    def data(self) -> dict[str, Any]:
        return {**super().data(), "reference": self.reference,
                "delivered_at": self.delivered_at.isoformat(),
                "received_by": self.received_by}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ReturnChanged(DomainEvent):
    """A return was requested, decided, received or credited; `disposition_hours` runs from
    its receipt to its disposition."""

    type: ClassVar[str] = "ordoflow.return.changed"
    return_id: str
    order_id: str
    action: str
    status: str
    reason_code: str | None
    value: str
    disposition_hours: float | None
    actor: str

    @property
    def subject(self) -> str:
        return f"returns/{self.return_id}"

    def data(self) -> dict[str, Any]:
        return {"return_id": self.return_id, "order_id": self.order_id, "action": self.action,
                "status": self.status, "reason_code": self.reason_code, "value": self.value,
                "disposition_hours": self.disposition_hours, "actor": self.actor}  # fmt: skip


__all__ = [
    "ReleaseRequested",
    "ReturnChanged",
    "ShipmentConfirmed",
    "ShipmentDelivered",
    "WarehouseRequestEvent",
    "WarehouseRequestMoved",
]
