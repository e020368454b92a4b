"""People who act in Ordoflow: users with roles and a site scope, and business hours.

A user's roles say which kinds of work they may do; the site scope which sites' orders and cases
they may touch (every site, or a list). Deadlines are counted in business hours in the site's
time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from ordoflow.domain.values import ActorId, SiteCode


class Role(StrEnum):
    CUSTOMER_SERVICE = "customer_service"
    SALES_OPERATIONS = "sales_operations"
    CREDIT_ANALYST = "credit_analyst"
    FINANCE = "finance"
    WAREHOUSE_LEAD = "warehouse_lead"
    COMPLIANCE = "compliance"
    PROCESS_OWNER = "process_owner"
    GOVERNANCE_BOARD = "governance_board"
    EXECUTIVE = "executive"
    INTEGRATION = "integration"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True, slots=True)
class User:
    """`sites` None means every site."""

    KIND: ClassVar[str] = "user"
    id: ActorId
    name: str
    roles: frozenset[Role]
    sites: frozenset[SiteCode] | None = None
    active: bool = True

    def has(self, role: Role | str) -> bool:
        return self.active and role in self.roles

    def covers(self, site: str) -> bool:
        return self.active and (self.sites is None or site in self.sites)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "roles": sorted(self.roles),
                "sites": None if self.sites is None else sorted(self.sites),
                "active": self.active}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Delegation:
    """A user lends one of their roles' authority to another user for a period; it ends by
    itself at `valid_until`."""

    id: str
    delegator: ActorId
    delegate: ActorId
    role: Role
    valid_from: datetime
    valid_until: datetime

    def active(self, at: datetime) -> bool:
        return self.valid_from <= at < self.valid_until

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "delegator": self.delegator, "delegate": self.delegate,
                "role": self.role.value, "valid_from": self.valid_from.isoformat(),
                "valid_until": self.valid_until.isoformat()}  # fmt: skip


#: The working day in every site's own time zone: Monday to Friday, 08:00 to 17:00.
DAY_START, DAY_END = time(8), time(17)
WORKING_DAYS = frozenset(range(5))


def add_business_hours(start: datetime, hours: float, time_zone: str) -> datetime:
    """The moment `hours` working hours after `start`, counted in `time_zone`'s working days
    (see `DAY_START`, `DAY_END`, `WORKING_DAYS`); returned in the time zone of `start`."""
    zone = ZoneInfo(time_zone)
    local = start.astimezone(zone)
    left = timedelta(hours=hours)
    while True:
        day_start = datetime.combine(local.date(), DAY_START, zone)
        day_end = datetime.combine(local.date(), DAY_END, zone)
        if local.weekday() in WORKING_DAYS and local < day_end:
            local = max(local, day_start)
            if local + left <= day_end:
                return (local + left).astimezone(start.tzinfo)
            left -= day_end - local
        local = datetime.combine(local.date() + timedelta(days=1), DAY_START, zone)


__all__ = [
    "DAY_END",
    "DAY_START",
    "WORKING_DAYS",
    "Delegation",
    "Role",
    "User",
    "add_business_hours",
]
