"""The order aggregate: a customer's request for items, its lines, and its path through the
standard lifecycle. Every move goes through the lifecycle tables and leaves a hash-chained log
entry and an outbox event behind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ordoflow.domain.changes import changed_parts
from ordoflow.domain.decisions import DecisionRecord
from ordoflow.domain.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from ordoflow.domain.eventlog import ChainHead, OrderLogEntry, seal
from ordoflow.domain.events import (
    DomainEvent,
    OrderChanged,
    OrderHeldByRule,
    OrderReceived,
    OrderStatusChanged,
)
from ordoflow.domain.intake import LineRequest, OrderHeader, check_lines, check_reason
from ordoflow.domain.lifecycle import (
    LINE_LIFECYCLE,
    ORDER_LIFECYCLE,
    LineEvent,
    LineStatus,
    OrderEvent,
    OrderStatus,
)
from ordoflow.domain.lines import WITHDRAWN, OrderLine, StockMoves, add_moves, allocation_event
from ordoflow.domain.sourcing import SourcingPlan
from ordoflow.domain.values import ActorId, Money, OrderId, SiteCode, money_text


@dataclass(slots=True)
class Order:
    id: OrderId
    header: OrderHeader
    lines: list[OrderLine]
    status: OrderStatus
    entered_by: ActorId
    received_at: datetime
    updated_at: datetime
    body_hash: str
    held_from: OrderStatus | None = None
    hold_reason: str | None = None
    version: int = 1
    log_head: ChainHead = field(default_factory=ChainHead)
    #: The versions the governed process runs this order under (see `pin`), the label the
    #: order's log entries carry, the step the process stopped at, and how many decisions
    #: the order has.
    pins: dict[str, str] | None = None
    process: str | None = None
    process_step: str | None = None
    decision_count: int = 0
    #: Who last changed the order's lines, prices, ship-to or customer (see `change`), and
    #: whether this unit of work changed them.
    changed_by: ActorId | None = None
    body_changed: bool = False
    #: Priority points from the allocation step: who gets stock first when it arrives.
    priority: int | None = None
    #: The warehouses the sourcing step chose to ship the order from (None before it ran).
    sourcing: SourcingPlan | None = None
    new_log_entries: list[OrderLogEntry] = field(default_factory=list)
    new_decisions: list[DecisionRecord] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def place(
        cls,
        order_id: OrderId,
        header: OrderHeader,
        lines: Sequence[LineRequest],
        *,
        actor: ActorId,
        at: datetime,
        fingerprint: str,
        process: str | None = None,
    ) -> Order:
        """A new order as received. `fingerprint` identifies the body as the customer sent it
        (see `body_hash`), so a resubmission can be told from a conflicting one; `process`
        labels the process version it will run under, carried by every log entry."""
        check_lines(lines)
        order = cls(
            id=order_id, header=header,
            lines=[OrderLine(ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.unit_of_measure)
                   for ln in sorted(lines, key=lambda ln: ln.line_no)],
            status=ORDER_LIFECYCLE.initial, entered_by=actor, received_at=at, updated_at=at,
            body_hash=fingerprint, version=0, process=process,
        )  # fmt: skip
        order._log("order received", actor=actor, at=at, from_state=None,
                   to_state=order.status.value)  # fmt: skip
        order.events.append(OrderReceived(
            occurred_at=at, order_id=order_id, account_number=header.account_number,
            customer_po=header.customer_po, channel=header.channel.value, site=header.site,
            currency=header.currency, total=money_text(order.total.amount),
            line_count=len(order.lines),
        ))  # fmt: skip
        return order

    # -- queries ---------------------------------------------------------------------------
    @property
    def total(self) -> Money:
        """The value of the lines not cancelled or rejected (a line removed by an edit no
        longer counts); an order whose every line ended that way keeps the value it had."""
        counted = [ln for ln in self.lines if ln.status not in WITHDRAWN] or self.lines
        return Money(sum((ln.amount for ln in counted), Decimal("0")), self.header.currency)

    def line(self, line_no: int) -> OrderLine:
        for ln in self.lines:
            if ln.line_no == line_no:
                return ln
        raise NotFound(ErrorCode.UNKNOWN_LINE, f"order {self.id} has no line {line_no}")

    # -- lifecycle -------------------------------------------------------------------------
    def validate(self, *, actor: ActorId, at: datetime) -> None:
        self._move(OrderEvent.VALIDATE, actor, at)

    def hold(self, reason_code: str, *, actor: ActorId, at: datetime) -> None:
        previous = self.status
        self._move(OrderEvent.HOLD, actor, at, check_reason(reason_code))
        self.held_from, self.hold_reason = previous, reason_code

    def resume(self, *, actor: ActorId, at: datetime) -> None:
        self._move(OrderEvent.RESUME, actor, at, self.hold_reason)
        self.held_from, self.hold_reason = None, None

    def reject(self, reason_code: str, *, actor: ActorId, at: datetime) -> StockMoves:
        """Reject the order; returns the allocated units to give back."""
        self._move(OrderEvent.REJECT, actor, at, check_reason(reason_code))
        self.held_from, self.hold_reason = None, None
        return self._end_lines(LineEvent.REJECT, reason_code, actor, at)

    def cancel(self, reason_code: str, *, actor: ActorId, at: datetime) -> StockMoves:
        """Cancel the order; returns the allocated units to give back."""
        self._move(OrderEvent.CANCEL, actor, at, check_reason(reason_code))
        self.held_from, self.hold_reason = None, None
        return self._end_lines(LineEvent.CANCEL, reason_code, actor, at)

    def allocate(
        self, taken: Mapping[int, Mapping[SiteCode, int]], *, actor: ActorId, at: datetime
    ) -> None:
        """Record units taken from stock per line and warehouse; lines and order move to
        allocated, partially allocated or backordered by how much of what they need is now
        covered. A line or order
        already in the resulting state stays there, but every unit taken is logged, so the
        change is saved and audited even when no state moves."""
        ORDER_LIFECYCLE.target(self.status, OrderEvent.ALLOCATE, subject=f"order {self.id}")
        live = [ln for ln in self.lines if ln.is_live]
        for ln in live:
            per_site = taken.get(ln.line_no, {})
            extra = sum(per_site.values())
            if any(q < 0 for q in per_site.values()) or ln.allocated_qty + extra > ln.quantity:
                raise ValueError(f"line {ln.line_no} cannot take {extra} more units")
            for site, q in sorted(per_site.items()):
                ln.take(site, q)
            event = allocation_event(ln.allocated_qty, ln.quantity)
            if LINE_LIFECYCLE.allows(ln.status, event):
                self._move_line(ln, event, actor, at, quantity=extra or None)
            elif extra:
                self._log(f"line {event.value}", actor=actor, at=at, from_state=ln.status.value,
                          to_state=ln.status.value, line_no=ln.line_no, quantity=extra)  # fmt: skip
        covered = sum(ln.allocated_qty for ln in live)
        order_event = OrderEvent(allocation_event(covered, sum(ln.quantity for ln in live)).value)
        if ORDER_LIFECYCLE.allows(self.status, order_event):
            self._move(order_event, actor, at)

    def release(self, *, actor: ActorId, at: datetime) -> None:
        self._move(OrderEvent.RELEASE, actor, at)
        for ln in self.lines:
            if LINE_LIFECYCLE.allows(ln.status, LineEvent.RELEASE):
                self._move_line(ln, LineEvent.RELEASE, actor, at)

    def confirm_shipment(
        self,
        shipped: Mapping[int, int],
        *,
        site: SiteCode,
        actor: ActorId,
        at: datetime,
        final: bool = False,
    ) -> tuple[StockMoves, StockMoves]:
        """Record units shipped per line from `site`. A `final` confirmation says the site
        ships nothing more of this order: its unshipped allocations go back, and once no
        warehouse holds anything unshipped the lines stop at what has shipped. Returns the
        units that left the site and those whose allocation goes back to stock."""
        ORDER_LIFECYCLE.target(self.status, OrderEvent.SHIP, subject=f"order {self.id}")
        if not shipped and not (final and any(ln.shipped_qty for ln in self.lines)):
            raise ValidationFailed([FieldError(
                "lines", ErrorCode.INVALID_QUANTITY, "a shipment confirmation ships something",
            )])  # fmt: skip
        issued: StockMoves = {}
        for line_no, qty in sorted(shipped.items()):
            ln = self.line(line_no)
            left = ln.unshipped().get(site, 0)
            if qty <= 0 or qty > left:
                code = ErrorCode.INVALID_QUANTITY if qty <= 0 else ErrorCode.OVER_SHIPMENT
                raise ValidationFailed([FieldError(
                    f"lines[{line_no}].quantity", code,
                    f"ships {qty} from {site}, but {left} are released there",
                )])  # fmt: skip
            ln.shipped_qty += qty
            ln.shipped_from[site] = ln.shipped_from.get(site, 0) + qty
            full = ln.shipped_qty == ln.quantity
            event = LineEvent.SHIP if full else LineEvent.SHIP_PARTIALLY
            self._move_line(ln, event, actor, at, quantity=qty)
            add_moves(issued, ln.sku, {site: qty})
        freed = self._close_short(site, actor, at) if final else {}
        done = all(ln.status is LineStatus.SHIPPED for ln in self.lines if ln.is_live)
        self._move(OrderEvent.SHIP if done else OrderEvent.SHIP_PARTIALLY, actor, at)
        return issued, freed

    def _close_short(self, site: SiteCode, actor: ActorId, at: datetime) -> StockMoves:
        """Give back what `site` holds unshipped; then, when no warehouse holds anything
        unshipped, end every unfinished line at what it shipped: lines that shipped something
        count as shipped, the others are cancelled."""
        freed: StockMoves = {}
        live = [ln for ln in self.lines if ln.is_live and ln.status is not LineStatus.SHIPPED]
        for ln in live:
            add_moves(freed, ln.sku, ln.give_up(site))
        if any(ln.unshipped() for ln in live):
            return freed
        for ln in live:
            event = LineEvent.SHIP if ln.shipped_qty else LineEvent.CANCEL
            short = ln.quantity - ln.shipped_qty
            self._move_line(ln, event, actor, at, "short_shipped", quantity=short)
        return freed

    def invoice(self, *, actor: ActorId, at: datetime) -> None:
        self._move(OrderEvent.INVOICE, actor, at)
        for ln in self.lines:
            if LINE_LIFECYCLE.allows(ln.status, LineEvent.INVOICE):
                self._move_line(ln, LineEvent.INVOICE, actor, at)

    def close(self, *, actor: ActorId, at: datetime) -> None:
        self._move(OrderEvent.CLOSE, actor, at)
        for ln in self.lines:
            if LINE_LIFECYCLE.allows(ln.status, LineEvent.CLOSE):
                self._move_line(ln, LineEvent.CLOSE, actor, at)

    def change(
        self,
        header: OrderHeader,
        lines: Sequence[LineRequest],
        *,
        actor: ActorId,
        at: datetime,
        fingerprint: str,
    ) -> tuple[frozenset[str], StockMoves]:
        """Replace what the customer asked for before the order is released: its customer,
        ship-to and lines (a live line left out is cancelled; a new line number is added).
        The order and its live lines go back to the start and every allocated unit is given
        back. Returns the parts that changed (`customer`, `ship_to`, `lines`) and the units per
        SKU to give back."""
        ORDER_LIFECYCLE.target(self.status, OrderEvent.CHANGE, subject=f"order {self.id}")
        check_lines(lines)
        parts = changed_parts(self.header, self.lines, header, lines)
        if not parts:
            raise ValidationFailed([FieldError(
                "body", ErrorCode.NOTHING_CHANGED, f"the edit leaves order {self.id} as it is",
            )])  # fmt: skip
        self._move(OrderEvent.CHANGE, actor, at, "order_changed")
        self.held_from, self.hold_reason = None, None
        wanted = {ln.line_no: ln for ln in lines}
        freed: StockMoves = {}
        for ln in self.lines:
            if not ln.is_live:
                continue
            add_moves(freed, ln.sku, ln.free_unshipped())
            request = wanted.pop(ln.line_no, None)
            if request is None:
                self._move_line(ln, LineEvent.CANCEL, actor, at, "removed_by_change")
                continue
            ln.sku, ln.quantity, ln.unit_price = request.sku, request.quantity, request.unit_price
            ln.unit_of_measure = request.unit_of_measure
            self._move_line(ln, LineEvent.CHANGE, actor, at, quantity=ln.quantity)
        for request in sorted(wanted.values(), key=lambda r: r.line_no):
            ln = OrderLine(request.line_no, request.sku, request.quantity, request.unit_price,
                           request.unit_of_measure)  # fmt: skip
            self.lines.append(ln)
            self._log("line added", actor=actor, at=at, from_state=None,
                      to_state=ln.status.value, line_no=ln.line_no,
                      quantity=ln.quantity)  # fmt: skip
        self.lines.sort(key=lambda ln: ln.line_no)
        self.header, self.body_hash = header, fingerprint
        self.changed_by, self.body_changed = actor, True
        self.events.append(OrderChanged(
            occurred_at=at, order_id=self.id, parts=tuple(sorted(parts)),
            account_number=header.account_number, ship_to=header.ship_to,
            total=money_text(self.total.amount), line_count=len(self.live_lines), actor=actor,
        ))  # fmt: skip
        return parts, freed

    @property
    def live_lines(self) -> list[OrderLine]:
        return [ln for ln in self.lines if ln.is_live]

    # -- the governed process --------------------------------------------------------------
    def pin(self, pins: Mapping[str, str], label: str) -> None:
        """Run this order under these versions from now on; an order is pinned once."""
        if self.pins is not None:
            raise ValueError(f"order {self.id} is already pinned to {self.process}")
        self.pins, self.process = dict(pins), label

    def next_decision_seq(self) -> int:
        return self.decision_count + 1

    def decide(self, record: DecisionRecord, *, stopped: bool) -> None:
        """Keep a decision of the process; `stopped` when the process waits at its step."""
        if record.order_id != self.id or record.seq != self.decision_count + 1:
            raise ValueError(f"decision {record.seq} does not follow {self.decision_count}")
        self.new_decisions.append(record)
        self.decision_count = record.seq
        self.process_step = record.step if stopped else None
        if record.stops and record.route is not None:
            route = record.route
            self.events.append(OrderHeldByRule(
                occurred_at=record.decided_at, order_id=self.id, step=record.step,
                outcome=record.outcome.value, reason_code=record.reason, queue=route.queue,
                owner_role=route.owner_role, due_at=route.due_at, process=record.process,
            ))  # fmt: skip

    # -- internals -------------------------------------------------------------------------
    def _end_lines(self, event: LineEvent, reason: str, actor: ActorId, at: datetime) -> StockMoves:
        freed: StockMoves = {}
        for ln in self.lines:
            if ln.is_live:
                self._move_line(ln, event, actor, at, reason)
                add_moves(freed, ln.sku, ln.free_unshipped())
        return freed

    def _move(
        self, event: OrderEvent, actor: ActorId, at: datetime, reason: str | None = None
    ) -> None:
        before = self.status
        self.status = ORDER_LIFECYCLE.target(
            before, event, held_from=self.held_from, subject=f"order {self.id}"
        )
        self.updated_at = at
        self._log(f"order {event.value}", actor=actor, at=at, from_state=before.value,
                  to_state=self.status.value, reason=reason)  # fmt: skip
        self.events.append(
            OrderStatusChanged(
                occurred_at=at, order_id=self.id, event=event.value, from_status=before.value,
                to_status=self.status.value, actor=actor, reason_code=reason,
            )
        )  # fmt: skip

    def _move_line(
        self,
        ln: OrderLine,
        event: LineEvent,
        actor: ActorId,
        at: datetime,
        reason: str | None = None,
        *,
        quantity: int | None = None,
    ) -> None:
        before = ln.status
        ln.status = LINE_LIFECYCLE.target(
            before, event, subject=f"order {self.id} line {ln.line_no}"
        )
        self._log(f"line {event.value}", actor=actor, at=at, from_state=before.value,
                  to_state=ln.status.value, line_no=ln.line_no, reason=reason,
                  quantity=quantity)  # fmt: skip

    def _log(
        self,
        activity: str,
        *,
        actor: ActorId,
        at: datetime,
        from_state: str | None,
        to_state: str,
        line_no: int | None = None,
        reason: str | None = None,
        quantity: int | None = None,
    ) -> None:
        head = self.log_head
        entry = seal(
            OrderLogEntry(
                order_id=self.id, seq=head.seq + 1, activity=activity, occurred_at=at,
                actor=actor, site=self.header.site, channel=self.header.channel.value,
                from_state=from_state, to_state=to_state, line_no=line_no, quantity=quantity,
                reason_code=reason, process_version=self.process,
                prev_hash=head.hash,
            )
        )  # fmt: skip
        self.new_log_entries.append(entry)
        self.log_head = ChainHead(entry.seq, entry.hash)


__all__ = ["Order", "OrderLine"]
