"""Where the service cites each clause (条款落实情况): definition fields and code.

Two sources: the fields of the loaded programme definitions that cite a clause id
(``<code>@<version> notices.qualification.clause``), and every other file under ``app/`` that
mentions the id (``app/workflow/notices.py:42``). The catalogue itself is not a citation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from app.domain.programmes.catalogue import CATALOGUE_FILE, Catalogue, get_catalogue
from app.domain.programmes.registry import DEFINITIONS_DIR, ProgrammeRegistry, get_registry

APP_DIR = Path(__file__).resolve().parents[2]
_SCANNED_SUFFIXES = {".py", ".yaml", ".yml", ".md", ".txt", ".json", ".sql", ".j2", ".html"}
_LIST_KEYS = ("id", "point", "code", "stage")


def clause_pattern(regulations: list[str]) -> re.Pattern[str]:
    """Clause ids of the given regulations as they appear in text (``<regulation>-21c``, ``<regulation>-3.3.7a``)."""
    names = "|".join(re.escape(r) for r in sorted(regulations, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{names})-[0-9]+(?:\.[0-9]+)*[a-z]?(?![\w])")


def _walk(value: Any, path: str, found: dict[str, list[str]], where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else key
            if isinstance(item, str) and (key.endswith("clause") or key == "clause"):
                found[item].append(f"{where} {sub}")
            elif key.endswith("clauses") and isinstance(item, list):
                for clause in item:
                    found[clause].append(f"{where} {sub}")
            else:
                _walk(item, sub, found, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            label = next(
                (str(item[k]) for k in _LIST_KEYS if isinstance(item, dict) and item.get(k) is not None), str(i)
            )
            _walk(item, f"{path}.{label}", found, where)


def definition_citations(registry: ProgrammeRegistry) -> dict[str, list[str]]:
    """clause id -> the definition fields citing it, as ``<code>@<version> <field path>``."""
    found: dict[str, list[str]] = defaultdict(list)
    for code in registry.codes():
        for version in registry.versions(code):
            data = version.model_dump(mode="json", exclude={"applied_overrides"})
            _walk(data, "", found, f"{code}@{version.id}")
    return dict(found)


def code_citations(catalogue: Catalogue, root: Path = APP_DIR) -> dict[str, list[str]]:
    """clause id -> ``<file>:<line>`` for every catalogued id mentioned in a file under ``root``.

    Definition files are left out (``definition_citations`` names their fields), and so is the
    catalogue.
    """
    pattern = clause_pattern(list(catalogue.regulations))
    skip = {CATALOGUE_FILE.resolve()}
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in _SCANNED_SUFFIXES or "__pycache__" in path.parts:
            continue
        resolved = path.resolve()
        if resolved in skip or resolved.parent == DEFINITIONS_DIR.resolve():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(root.parent) if root.parent in path.parents else path
        for lineno, line in enumerate(text.splitlines(), start=1):
            for clause_id in pattern.findall(line):
                if clause_id in catalogue and f"{rel}:{lineno}" not in found[clause_id]:
                    found[clause_id].append(f"{rel}:{lineno}")
    return dict(found)


def clause_usage(registry: ProgrammeRegistry, catalogue: Catalogue, root: Path = APP_DIR) -> dict[str, list[str]]:
    """clause id -> every place the service cites it (definition fields first, then code)."""
    usage: dict[str, list[str]] = defaultdict(list)
    for source in (definition_citations(registry), code_citations(catalogue, root)):
        for clause_id, places in source.items():
            usage[clause_id].extend(places)
    return dict(usage)


@cache
def get_clause_usage() -> dict[str, list[str]]:
    """The usage of every clause for the running service, computed once."""
    return clause_usage(get_registry(), get_catalogue())
