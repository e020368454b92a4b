"""Ports for warehouse execution: warehouse requests and shipments. Part of
`ordoflow.application.ports`, which re-exports them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ordoflow.domain.returns import ReturnAuthorization, ReturnId
from ordoflow.domain.values import OrderId, SiteCode
from ordoflow.domain.warehouse import Shipment, WarehouseRequest, WarehouseRequestId


class ReturnRepository(Protocol):
    """Return authorizations by id and by order."""

    def add(self, rma: ReturnAuthorization) -> None: ...
    def get(self, rma_id: ReturnId) -> ReturnAuthorization | None: ...
    def for_order(self, order_id: OrderId) -> list[ReturnAuthorization]:
        """The order's returns, oldest first."""

    def save(self, rma: ReturnAuthorization) -> None:
        """Write a changed return; `Conflict(CONCURRENT_UPDATE)` if another transaction
        changed it since it was read."""


class ShipmentExists(Exception):
    """A shipment with this reference is already kept at the site."""


class WarehouseRepository(Protocol):
    """Warehouse requests by id and order, and shipments by site and reference."""

    def add_requests(self, requests: Sequence[WarehouseRequest]) -> None:
        """Keep new requests; they are written by `flush`, after their order's row."""

    def flush(self) -> None:
        """Write the requests added since the last flush (the unit of work calls it at commit,
        after the orders)."""

    def request(self, request_id: WarehouseRequestId) -> WarehouseRequest | None: ...
    def requests_for(self, order_id: OrderId) -> list[WarehouseRequest]:
        """The order's requests, by site."""

    def open_requests(
        self, sites: frozenset[SiteCode] | None = None, limit: int = 100
    ) -> list[WarehouseRequest]:
        """Requests not yet shipped or cancelled (of these sites), oldest release first."""

    def save_request(self, request: WarehouseRequest) -> None:
        """Write a changed request; `Conflict(CONCURRENT_UPDATE)` if another transaction
        changed it since it was read."""

    def add_shipment(self, shipment: Shipment) -> None:
        """Keep a shipment; `ShipmentExists` (nothing changed) if its site and reference are
        taken, by this transaction or one that committed before it."""

    def shipment(self, site: SiteCode, reference: str) -> Shipment | None: ...
    def shipments_for(self, order_id: OrderId) -> list[Shipment]:
        """The order's shipments, oldest first."""

    def deliver(self, site: SiteCode, reference: str, at: datetime, received_by: str) -> bool:
        """Record proof of delivery; False if the shipment was delivered already."""


__all__ = ["ReturnRepository", "ShipmentExists", "WarehouseRepository"]
