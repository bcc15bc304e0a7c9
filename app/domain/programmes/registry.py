"""Loading programme definitions (评奖项目) and finding the version in force.

Every ``*.yaml`` in ``definitions/`` is loaded, and every ``*.yaml`` in the directories listed
in ``QAWARD_PROGRAMME_DIRS`` (``os.pathsep``-separated): a new jurisdiction is one new file and
no code. A file is named after its programme code (``xuhui.yaml`` holds ``code: xuhui``). A
malformed file stops start-up with a ``ProgrammeDefinitionError`` naming the file, the field
and the problem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.domain import clock
from app.domain.errors import DomainError, not_found
from app.domain.programmes.schema import ProgrammeFile
from app.domain.programmes.version import ProgrammeVersion

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DIRS_ENV = "QAWARD_PROGRAMME_DIRS"


class ProgrammeDefinitionError(Exception):
    """A programme definition file that cannot be loaded: ``<file>: <field path>: <problem>``."""

    def __init__(self, file: Path, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        lines = [f"{file.name}: {where}: {what}" if where else f"{file.name}: {what}" for where, what in problems]
        super().__init__("\n".join(lines))


_RELATIVE = re.compile(r"^([A-Za-z_][\w.]*): (.+)$", re.DOTALL)


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Pydantic errors as (field path, problem); a model check's own 'field: problem' joins the path."""
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        match = _RELATIVE.match(msg)
        if match and err["type"] == "value_error":
            where = f"{where}.{match.group(1)}" if where else match.group(1)
            msg = match.group(2)
        out.append((where, msg))
    return out


def load_file(path: Path) -> list[ProgrammeVersion]:
    """The versions one definition file holds, oldest first."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProgrammeDefinitionError(path, [("", f"not valid YAML: {exc}")]) from exc
    if not isinstance(raw, dict):
        raise ProgrammeDefinitionError(path, [("", "a definition is a mapping with code, names and versions")])
    try:
        programme = ProgrammeFile.model_validate(raw)
    except ValidationError as exc:
        raise ProgrammeDefinitionError(path, validation_problems(exc)) from exc
    if programme.code != path.stem:
        raise ProgrammeDefinitionError(path, [("code", f"'{programme.code}' must equal the file name '{path.stem}'")])
    identity = programme.model_dump(exclude={"versions"})
    versions = [
        ProgrammeVersion.model_validate({**identity, **body.model_dump()})
        for body in sorted(programme.versions, key=lambda v: v.effective_from)
    ]
    return versions


class ProgrammeRegistry:
    """The loaded programmes and their versions."""

    def __init__(self, programmes: dict[str, list[ProgrammeVersion]], sources: dict[str, Path]) -> None:
        self._programmes = programmes
        self._sources = sources
        self._divisions = _divisions(programmes, sources)

    def codes(self) -> list[str]:
        return sorted(self._programmes)

    def division(self, code: str) -> str | None:
        """The GB/T 2260 division code of a jurisdiction the definitions name (a programme's or a parent's)."""
        return self._divisions.get(code)

    def source(self, code: str) -> Path:
        """The file a programme was loaded from."""
        self._versions(code)
        return self._sources[code]

    def versions(self, code: str) -> list[ProgrammeVersion]:
        """All versions of a programme, oldest first."""
        return list(self._versions(code))

    def get(self, code: str, version: str | None = None) -> ProgrammeVersion:
        """A version by id; without one, the version in force today (or, before the first, the first)."""
        versions = self._versions(code)
        if version is None:
            try:
                return self.version_in_force(code, clock.today())
            except DomainError:
                return versions[0]
        for v in versions:
            if v.id == version:
                return v
        raise not_found("评奖项目版本", "Programme version", f"{code}@{version}")

    def version_in_force(self, code: str, on: date) -> ProgrammeVersion:
        """The version whose effective period contains ``on``; after every period, the latest one.

        In a gap between two periods the version that started last applies (nothing newer has
        been issued); before the first version nothing is in force and this raises not found.
        """
        versions = self._versions(code)
        for v in versions:
            if v.effective_from <= on and (v.effective_until is None or on <= v.effective_until):
                return v
        started = [v for v in versions if v.effective_from <= on]
        if started:
            return started[-1]
        raise not_found("施行中的评奖项目版本", "Programme version in force", f"{code}@{on.isoformat()}")

    def _versions(self, code: str) -> list[ProgrammeVersion]:
        try:
            return self._programmes[code]
        except KeyError:
            raise not_found("评奖项目", "Programme", code) from None


def _divisions(programmes: dict[str, list[ProgrammeVersion]], sources: dict[str, Path]) -> dict[str, str]:
    """Jurisdiction code -> division code, from every definition's jurisdiction and its parents.

    Two files may both name a parent (changning and jinshan both lie in shanghai), but must give
    it the same division code: the first file to name a code fixes it.
    """
    found: dict[str, tuple[str, str]] = {}  # code -> (division, the programme that named it)
    for code in sorted(programmes):
        for version in programmes[code]:
            j = version.jurisdiction
            named = [("division", j.code, j.division)] if j.division else []
            named += [(f"parents.{i}.division", p.code, p.division) for i, p in enumerate(j.parents)]
            for where, place, division in named:
                known = found.setdefault(place, (division, code))
                if known[0] != division:
                    raise ProgrammeDefinitionError(
                        sources.get(code, Path(code)),
                        [
                            (
                                f"jurisdiction.{where}",
                                f"'{place}' is {division} here but {known[0]} in programme '{known[1]}'",
                            )
                        ],
                    )
    return {place: division for place, (division, _) in found.items()}


def _env_dirs() -> list[Path]:
    value = os.environ.get(DIRS_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def _files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise ProgrammeDefinitionError(d, [("", f"{DIRS_ENV} names a directory that does not exist: {d}")])
        files.extend(sorted(d.glob("*.yaml")))
    return files


def load_registry(extra_dirs: list[Path] | None = None) -> ProgrammeRegistry:
    """Load the shipped definitions, the directories in ``QAWARD_PROGRAMME_DIRS`` and ``extra_dirs``."""
    dirs: list[Path] = []
    for d in [DEFINITIONS_DIR, *_env_dirs(), *(extra_dirs or [])]:
        if d.resolve() not in {x.resolve() for x in dirs}:
            dirs.append(d)
    programmes: dict[str, list[ProgrammeVersion]] = {}
    sources: dict[str, Path] = {}
    for path in _files(dirs):
        versions = load_file(path)
        code = versions[0].code
        if code in programmes:
            raise ProgrammeDefinitionError(
                path, [("code", f"programme '{code}' is already defined in {sources[code]}")]
            )
        programmes[code] = versions
        sources[code] = path
    return ProgrammeRegistry(programmes, sources)


@cache
def get_registry() -> ProgrammeRegistry:
    """The registry the service runs with, loaded once (``get_registry.cache_clear()`` to reload)."""
    return load_registry()
