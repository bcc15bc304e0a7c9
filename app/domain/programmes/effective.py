"""The programme a round runs under: its bound version with the round's recorded overrides."""

from __future__ import annotations

import json
from functools import lru_cache

from app.domain.programmes.registry import get_registry
from app.domain.programmes.version import ProgrammeVersion


@lru_cache(maxsize=256)
def _effective(code: str, version: str, overrides_json: str) -> ProgrammeVersion:
    base = get_registry().get(code, version)
    overrides = json.loads(overrides_json)
    return base.with_overrides(overrides) if overrides else base


def effective_programme(code: str, version: str, overrides: dict | None) -> ProgrammeVersion:
    return _effective(code, version, json.dumps(overrides or {}, sort_keys=True))
