"""Where an applicant is: jurisdiction codes and whether one lies within another (行政区划).

Facts name a jurisdiction either by the programme codes used across the service (``changning``,
``hangzhou``) or by its GB/T 2260 administrative division code (``310105``, ``330106``). A place
lies within a jurisdiction when its division code starts with the jurisdiction's significant
digits (province 2, city 4, district 6). The programme definitions give each programme's
jurisdiction and its parents their division codes (``jurisdiction.division`` and
``jurisdiction.parents``); any other six-digit division code works as it is.
"""

from __future__ import annotations

import re

from app.domain.programmes.registry import get_registry
from app.domain.programmes.schema import division_prefix

_DIVISION = re.compile(r"^[1-9]\d{5}$")


def division_code(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip().lower()
    if _DIVISION.match(code):
        return code
    return get_registry().division(code)


def within(place: str, jurisdiction: str) -> bool:
    """Whether ``place`` lies in ``jurisdiction`` (equal codes always do)."""
    if place.strip().lower() == jurisdiction.strip().lower():
        return True
    p, j = division_code(place), division_code(jurisdiction)
    if p is None or j is None:
        return False
    return p.startswith(division_prefix(j))
