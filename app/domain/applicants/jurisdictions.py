"""Where an applicant is: jurisdiction codes and whether one lies within another (行政区划).

Facts name a jurisdiction either by the programme codes used across the service (``changning``,
``hangzhou``) or by its GB/T 2260 administrative division code (``310105``, ``330106``). A place
lies within a jurisdiction when its division code starts with the jurisdiction's significant
digits (province 2, city 4, district 6). The table below holds the programmes' jurisdictions and
their parents; any other six-digit division code works without an entry.
"""

from __future__ import annotations

import re

DIVISIONS: dict[str, str] = {
    "shanghai": "310000",
    "xuhui": "310104",
    "changning": "310105",
    "jinshan": "310116",
    "zhejiang": "330000",
    "hangzhou": "330100",
    "shandong": "370000",
    "linyi": "371300",
    "jiangsu": "320000",
    "changzhou": "320400",
    "tianning": "320402",
}

_DIVISION = re.compile(r"^[1-9]\d{5}$")


def division_code(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip().lower()
    if _DIVISION.match(code):
        return code
    return DIVISIONS.get(code)


def _significant(division: str) -> str:
    if division.endswith("0000"):
        return division[:2]
    if division.endswith("00"):
        return division[:4]
    return division


def within(place: str, jurisdiction: str) -> bool:
    """Whether ``place`` lies in ``jurisdiction`` (equal codes always do)."""
    if place.strip().lower() == jurisdiction.strip().lower():
        return True
    p, j = division_code(place), division_code(jurisdiction)
    if p is None or j is None:
        return False
    return p.startswith(_significant(j))
