"""What an order's facts are derived from, read in the order's unit of work: its customer,
ship-to and items, reference prices, the customer's open exposure (unshipped order value and
unpaid invoices), how long its oldest unpaid invoice is overdue, and its recent orders."""

from __future__ import annotations

from datetime import timedelta

from ordoflow.application.ports import UnitOfWork
from ordoflow.domain.errors import ErrorCode, NotFound
from ordoflow.domain.masterdata import OrderReferences, PriceEntry, quote_price
from ordoflow.domain.orders import Order
from ordoflow.governance.facts import OrderData

#: How far back an order looks for the customer's other orders (see the facts
#: `orders in last 24 hours` and `value in last 24 hours`): splitting an order to stay under a
#: threshold shows as several orders of one customer within a day.
SPLIT_WINDOW = timedelta(hours=24)


def order_data(
    uow: UnitOfWork,
    order: Order,
    refs: OrderReferences | None = None,
    entries: list[PriceEntry] | None = None,
) -> OrderData:
    """Read what the facts need; the references and prices read when the order was placed
    are passed in rather than read again."""
    h = order.header
    if refs is None:
        refs = uow.records.order_references(h.account_number, h.ship_to, h.site,
                                            (ln.sku for ln in order.lines))  # fmt: skip
    if refs.customer is None or refs.ship_to is None:
        raise NotFound(ErrorCode.UNKNOWN_CUSTOMER,
                       f"order {order.id}: customer or ship-to no longer exists")  # fmt: skip
    if entries is None:
        entries = uow.records.prices_for(ln.sku for ln in order.lines)
    quotes = {
        ln.line_no: quote_price(refs.items[ln.sku], entries, h.account_number, h.requested_date,
                                h.currency)
        for ln in order.lines
    }  # fmt: skip
    owed = uow.billing.receivables(h.account_number)
    exposure = uow.orders.open_value(h.account_number, excluding=order.id) + owed.open_amount
    overdue = 0 if owed.oldest_due is None else max(0, (order.received_at - owed.oldest_due).days)
    recent, value = uow.orders.placed_since(h.account_number, order.received_at - SPLIT_WINDOW,
                                            excluding=order.id)  # fmt: skip
    return OrderData(refs.customer, refs.ship_to, refs.items, quotes, exposure,
                     refs.site_time_zone, recent, value, overdue)  # fmt: skip


__all__ = ["SPLIT_WINDOW", "order_data"]
