"""A programme version as the service uses it, and the per-round overrides of its settings.

A round binds the version in force on the day its call is published. Some values may be set
per round with a recorded reason (INTERPRETATIONS.md: every value the text does not state, and
the quotas and cycle a higher-level rule may adjust, e.g. changning-3e, changning-26c):
``with_overrides`` returns a new, validated version and never changes the one it is called on.

Override paths are dot-separated; a list element is addressed by its key:

====================================  =========================================================
path                                  changes
====================================  =========================================================
``notices.<point>.length``            a notice's length (``<point>``: qualification,
``notices.<point>.unit``              material_entrants, onsite_entrants, winners)
``notices.<point>.minimum``
``notices.<point>.verification.length``  the objection verification period
``notices.<point>.verification.unit``
``notices.<point>.refill``            whether a freed place is refilled
``quotas.<id>.max``                   a quota (``<id>`` is the quota's id)
``quotas.<id>.soft``
``rewards.<id>.amount_yuan``          a reward amount, as a string "500000.00"
``cycle.interval_years``
``records.retention_years``
====================================  =========================================================

A period the text states as a minimum (不少于, ``minimum: true`` and ``stated: true``) may be
lengthened but never shortened.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from app.domain.errors import DomainError, invalid
from app.domain.programmes.schema import Code, Jurisdiction, VersionBody

# root -> (key field of list elements, or None for an object; the overridable sub-paths)
OVERRIDABLE: dict[str, tuple[str | None, frozenset[str]]] = {
    "notices": (
        "point",
        frozenset({"length", "unit", "minimum", "verification.length", "verification.unit", "refill"}),
    ),
    "quotas": ("id", frozenset({"max", "soft"})),
    "rewards": ("id", frozenset({"amount_yuan"})),
    "cycle": (None, frozenset({"interval_years"})),
    "records": (None, frozenset({"retention_years"})),
}


class ProgrammeVersion(VersionBody):
    """One version of a programme, with the programme's identity, ready for the workflow."""

    code: Code
    name_zh: str
    name_en: str
    level: str
    jurisdiction: Jurisdiction
    applied_overrides: dict[str, Any] = Field(default_factory=dict)

    @property
    def stage_codes(self) -> list[str]:
        """The pipeline as ordered stage codes (``draft`` before, ``awarded`` after, implied)."""
        return [str(p.stage) for p in self.pipeline]

    def notice(self, point: str) -> Any:
        """The notice published at ``point`` (qualification, material_entrants, onsite_entrants, winners)."""
        for n in self.notices:
            if n.point == point:
                return n
        raise DomainError(
            "not-found",
            404,
            f"评奖项目“{self.code}”没有“{point}”公示",
            f"Programme '{self.code}' has no '{point}' notice",
            title="Not Found",
        )

    def unstated(self) -> list[str]:
        """Paths of the values the regulation does not state (the service's readings, INTERPRETATIONS.md)."""
        found: list[str] = []
        _collect_unstated(self.model_dump(mode="json", exclude={"applied_overrides"}), "", found)
        return found

    def with_overrides(self, overrides: dict[str, Any]) -> ProgrammeVersion:
        """A copy with per-round settings changed; see the module docstring for the paths."""
        data = self.model_dump(mode="python")
        for path, value in overrides.items():
            self._apply(data, path, value)
        data["applied_overrides"] = {**self.applied_overrides, **overrides}
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise invalid("overrides", f"{where}：{first['msg']}", f"{where}: {first['msg']}") from exc

    def _apply(self, data: dict[str, Any], path: str, value: Any) -> None:
        root, _, rest = path.partition(".")
        if root not in OVERRIDABLE:
            raise _bad_path(path, f"only {', '.join(sorted(OVERRIDABLE))} may be overridden per round")
        key_field, allowed = OVERRIDABLE[root]
        target: dict[str, Any]
        if key_field is None:
            target, sub = data[root], rest
        else:
            key, _, sub = rest.partition(".")
            matches = [item for item in data[root] if item[key_field] == key]
            if not matches:
                known = ", ".join(str(item[key_field]) for item in data[root]) or "none"
                raise _bad_path(path, f"no {root} entry '{key}' (known: {known})")
            target = matches[0]
        if sub not in allowed:
            raise _bad_path(path, f"'{sub}' of {root} cannot be overridden (allowed: {', '.join(sorted(allowed))})")
        if root == "notices" and sub == "length" and target["minimum"] and target["stated"]:
            if isinstance(value, int) and value < target["length"]:
                raise DomainError(
                    "validation-error",
                    422,
                    f"公示期不得少于{target['length']}{_UNIT_ZH[target['unit']]}（{target['clause']}），可延长，不可缩短",
                    f"The regulation sets at least {target['length']} {target['unit']}s for this notice; "
                    "a round may lengthen it, not shorten it",
                    title="Unprocessable Content",
                    clause=target["clause"],
                )
        *parents, leaf = sub.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = value


_LIST_KEYS = ("id", "point", "code", "stage")


def _collect_unstated(value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "stated" and item is False:
                found.append(f"{path}.length" if "point" in value else path)  # a notice's stated is its length
            elif key.endswith("_stated") and item is False:
                found.append(f"{path}.{key.removesuffix('_stated')}" if path else key.removesuffix("_stated"))
            else:
                _collect_unstated(item, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            label = next((str(item[k]) for k in _LIST_KEYS if isinstance(item, dict) and item.get(k) is not None), str(i))
            _collect_unstated(item, f"{path}.{label}", found)


_UNIT_ZH = {"working_day": "个工作日", "calendar_day": "天"}


def _bad_path(path: str, why: str) -> DomainError:
    return invalid("overrides", f"“{path}”不可调整：{why}", f"'{path}' cannot be overridden: {why}", code="unknown_path")
