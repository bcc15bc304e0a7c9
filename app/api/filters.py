"""List filters whose values are codes: an unknown code is a 422 listing the known ones, never an empty list."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.domain.programmes.registry import get_registry


def _known_programme(code: str | None) -> str | None:
    if code is None:
        return None
    codes = get_registry().codes()
    if code not in codes:
        # a typo would otherwise filter everything out and look like "nothing there" (issue 19)
        raise PydanticCustomError("enum", "Input should be {expected}", {"expected": ", ".join(codes)})
    return code


ProgrammeFilter = Annotated[
    str | None,
    Query(max_length=40, description="a programme code (GET /api/v1/programmes)"),
    AfterValidator(_known_programme),
]
