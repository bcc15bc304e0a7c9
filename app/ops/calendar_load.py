"""``qaward calendar load FILE``: a year's State Council holiday notice (国务院办公厅节假日安排通知), from a file.

The file is the body ``PUT /api/v1/calendar/years/{year}`` takes (JSON, or the same in YAML),
optionally with its ``year``; it goes through the same validation and makes a new calendar
revision, exactly as the admin API does (app/domain/calendar/service.load_year).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.domain.calendar import service
from app.domain.calendar.schemas import CalendarYearIn
from app.domain.errors import DomainError


class LoadRefused(Exception):
    """The file cannot be loaded: every reason, one per line (field: message)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def read_notice(path: Path, year: int | None) -> tuple[int, CalendarYearIn]:
    """The year and the body in ``path``; ``year`` (``--year``) wins over the file's own."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as err:
        raise LoadRefused([f"{path}: {err.strerror or err}"]) from err
    try:
        doc: Any = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as err:
        raise LoadRefused([f"{path}: not JSON or YAML ({err})"]) from err
    if not isinstance(doc, dict):
        raise LoadRefused([f"{path}: expected an object with holidays, makeup_workdays and source"])
    in_file = doc.pop("year", None)
    if year is None:
        year = in_file
    elif in_file is not None and in_file != year:
        raise LoadRefused([f"year: the file says {in_file}, --year says {year}"])
    if not isinstance(year, int) or not 1949 <= year <= 9998:
        raise LoadRefused(['year: give --year YYYY or a "year" in the file (1949-9998)'])
    try:
        body = CalendarYearIn.model_validate(doc)
    except ValidationError as err:
        raise LoadRefused(
            [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in err.errors()]
        ) from err
    return year, body


async def load(db, path: Path, year: int | None, actor: str) -> dict:
    """Validate and load the notice in one transaction; ``LoadRefused`` names every problem, nothing is saved."""
    year, body = read_notice(path, year)
    try:
        async with db.transaction() as session:
            return await service.load_year(session, year, body, actor)
    except DomainError as err:
        raise LoadRefused([err.en] + [f"{e.field}: {e.zh} ({e.en})" for e in err.errors]) from err
