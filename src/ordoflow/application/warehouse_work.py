"""What the warehouses have to do, and the built-in warehouse simulator.

The simulator plays a WMS for the demo and the tests: it works through the open requests of
the sites it is given, oldest first, and reports picking, packing, the shipment (a reference and
tracking number of its own, every open unit, carrier as released) and proof of delivery through
the same commands a real WMS sends, so everything a real warehouse triggers (stock issue,
invoicing, posting) follows the same path. Told `ship_only`, it reports the shipment alone, as a
WMS that sends only shipment confirmations does (a request ships from any open state).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ordoflow.application import access
from ordoflow.application import commands as c
from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.values import ActorId, SiteCode
from ordoflow.domain.warehouse import RequestStatus, WarehouseRequest

#: Who may read the warehouses' work lists.
WAREHOUSE_READERS = access.WAREHOUSE | {access.R.CUSTOMER_SERVICE}


def request_summary(r: WarehouseRequest) -> dict[str, Any]:
    return {
        "id": r.id, "order_id": r.order_id, "site": r.site, "status": r.status.value,
        "ship_to": r.ship_to, "carrier": r.carrier, "released_at": r.released_at.isoformat(),
        "lines": [{"line_no": ln.line_no, "sku": ln.sku, "quantity": ln.quantity,
                   "shipped": ln.shipped} for ln in r.lines],
    }  # fmt: skip


def open_requests(
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    site: SiteCode | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Requests waiting for the warehouses the acting user covers (or one of them)."""
    with uow_factory() as uow:
        acting = access.require(uow, actor, WAREHOUSE_READERS, "read warehouse requests")
        if site is not None:
            access.within(acting, site)
        sites = frozenset({site}) if site is not None else acting.sites
        return [request_summary(r) for r in uow.warehouse.open_requests(sites, limit)]


@dataclass(frozen=True, slots=True)
class SimulatedShipment:
    request_id: str
    reference: str
    units: int


def _tracking(reference: str) -> str:
    return "TRK" + hashlib.sha256(reference.encode()).hexdigest()[:12].upper()


def simulate_warehouse(
    handle: Callable[[c.Command], Any],
    uow_factory: Callable[[], UnitOfWork],
    actor: ActorId,
    sites: frozenset[SiteCode] | None = None,
    limit: int = 100,
    *,
    ship_only: bool = False,
) -> list[SimulatedShipment]:
    """Pick, pack, ship in full and deliver the open requests of `sites` (every site: None);
    `ship_only`: ship them, nothing else."""
    with uow_factory() as uow:
        waiting = uow.warehouse.open_requests(sites, limit)
    shipped: list[SimulatedShipment] = []
    for r in waiting:
        if not ship_only and r.status is RequestStatus.RELEASED:
            handle(c.ConfirmPicking(request_id=r.id, actor=actor))
        if not ship_only and r.status in (RequestStatus.RELEASED, RequestStatus.PICKED):
            handle(c.ConfirmPacking(request_id=r.id, actor=actor))
        units = {ln.line_no: ln.open for ln in r.lines if ln.open > 0}
        reference = f"SIM-{r.order_id}-{r.site}-{sum(ln.shipped for ln in r.lines)}"
        handle(c.ConfirmShipment(request_id=r.id, reference=reference, shipped=units,
                                 carrier=r.carrier, tracking=_tracking(reference),
                                 final=True, actor=actor))  # fmt: skip
        if not ship_only:
            handle(c.ConfirmDelivery(site=r.site, reference=reference, received_by="dock",
                                     actor=actor))  # fmt: skip
        shipped.append(SimulatedShipment(r.id, reference, sum(units.values())))
    return shipped


__all__ = [
    "WAREHOUSE_READERS",
    "SimulatedShipment",
    "open_requests",
    "request_summary",
    "simulate_warehouse",
]
