"""Revocation cases (撤销案件): grounds, each text's procedure, the public notice."""

from __future__ import annotations

from datetime import date

from app.domain import clock


def revocation_day(data: dict) -> date:
    """The day an award is revoked: the decision's own date a revocation case carries (``revoked_on``), else today.

    A clerk firing ``revoke`` by hand may send anything: only a valid day not in the future counts.
    """
    today = clock.today()
    try:
        day = date.fromisoformat(str(data.get("revoked_on")))
    except ValueError:
        return today
    return day if day <= today else today
