"""The real clock. Tests use a fake one that they advance by hand."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


__all__ = ["SystemClock"]
