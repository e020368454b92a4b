"""Ports for people and their work: users with their delegations, and exception cases. Part of
`ordoflow.application.ports`, which re-exports them."""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Protocol

from ordoflow.domain.cases import Case
from ordoflow.domain.errors import Conflict, ErrorCode
from ordoflow.domain.events import DomainEvent
from ordoflow.domain.people import Delegation, User
from ordoflow.domain.values import OrderId


class UserRepository(Protocol):
    def get(self, user_id: str) -> User | None: ...
    def add(self, user: User) -> None:
        """Insert; `Conflict(DUPLICATE_RECORD)` if the id is taken."""

    def save(self, user: User) -> None: ...
    def all(self) -> list[User]: ...
    def add_delegation(self, delegation: Delegation) -> None: ...
    def delegations_to(self, user_id: str) -> list[Delegation]:
        """Every delegation ever made to the user, oldest first."""


class CaseRepository(abc.ABC):
    """Cases by id and by order. Tracks what it handed out; `flush` writes new cases and
    changed ones (with an optimistic version check) after the orders they belong to."""

    def __init__(self) -> None:
        self.seen: dict[str, Case] = {}
        self.changed: set[str] = set()

    def add(self, case: Case) -> None:
        self.seen[case.id] = case
        self.changed.add(case.id)

    def get(self, case_id: str) -> Case | None:
        case = self.seen.get(case_id) or self._get(case_id)
        if case is not None:
            self.seen[case.id] = case
        return case

    def touch(self, case: Case) -> None:
        """Mark a case handed out by this repository as changed."""
        self.changed.add(case.id)

    def flush(self) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        for case_id in sorted(self.changed):
            case = self.seen[case_id]
            if case.version == 0:
                self._insert(case)
            elif not self._update(case):
                message = f"case {case.id} was changed by someone else; reload and retry"
                raise Conflict(ErrorCode.CONCURRENT_UPDATE, message)
            case.version += 1
            events.extend(case.events)
            case.events = []
        self.changed.clear()
        return events

    @abc.abstractmethod
    def _get(self, case_id: str) -> Case | None: ...

    @abc.abstractmethod
    def _insert(self, case: Case) -> None: ...

    @abc.abstractmethod
    def _update(self, case: Case) -> bool:
        """Update where the stored version is `case.version`; False if not."""

    @abc.abstractmethod
    def for_order(self, order_id: OrderId) -> list[Case]:
        """Every case of an order, oldest first."""

    @abc.abstractmethod
    def live(self, queue: str | None = None) -> list[Case]:
        """Cases not resolved or cancelled, optionally of one queue."""

    @abc.abstractmethod
    def due(self, at: datetime) -> list[Case]:
        """Live cases whose deadline is at or before `at`."""


__all__ = ["CaseRepository", "UserRepository"]
