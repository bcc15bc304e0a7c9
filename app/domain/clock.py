"""The one clock every piece of domain code reads.

Legal dates are calendar dates in Asia/Shanghai; instants are timezone-aware UTC. Outside
production a test clock (``PUT /api/v1/testing/clock``) may freeze the current instant; it is
kept in the database so every process and replica sees the same time, and loaded into
``_frozen`` by whoever serves a request or runs the deadline worker.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant (UTC, aware): real time, or the test clock when one is set."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """Today's legal date, in Asia/Shanghai."""
    return now().astimezone(SHANGHAI).date()


def set_frozen(instant: datetime | None) -> None:
    """Freeze the clock at ``instant`` (or return to real time with None). Test clock only."""
    global _frozen
    _frozen = instant.astimezone(UTC) if instant is not None else None


def frozen() -> datetime | None:
    return _frozen
