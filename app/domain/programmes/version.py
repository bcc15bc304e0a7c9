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
``cycle.anchor_year``
``count_start_day``                   ``true``: a notice counts its publication day as day 1
                                      (INTERPRETATIONS §1); a round setting, not a programme value;
                                      refused where it would cut a stated minimum (不少于) short
                                      unless the round lengthens that notice by a day
====================================  =========================================================

Quotas, rewards and the cycle are the text's numbers: a round changes a stated one only where a
clause of the text grants the power (``adjustments``: changning-3e, changning-26c); a value the
text does not state may be set, except a reward the text does not grant at all (``granted: false``).
The retention period, where stated, is the text's.

What a round may do to a notice's values follows from the definition's own flags, never from
the programme's name, so a new programme's data is protected the same way:

- a value the text does not state (``stated: false``, ``refill_stated: false``) may be set freely;
- a period the text states keeps its unit and its reading (``minimum`` / ``maximum``); its length
  may only move the way the text allows: a minimum (不少于) may be lengthened, a maximum (…内)
  shortened, an exact period (neither flag) not changed at all;
- a refill rule the text states (``refill_stated: true``) is not changed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import Field, ValidationError

from app.domain.calendar.periods import UNIT_WORDS
from app.domain.errors import DomainError, FieldError, invalid
from app.domain.programmes.schema import Code, Jurisdiction, VersionBody


class Overridable(NamedTuple):
    key_field: str | None  # the key of the root's list elements, or None for an object
    paths: frozenset[str]  # the sub-paths a round may set
    # True: what the text states binds the round, as its flags say (_guard_stated). False: a stated
    # value moves only where the programme's ``adjustments`` name a clause granting it (_guard_granted)
    bound_by_text: bool


OVERRIDABLE: dict[str, Overridable] = {
    "notices": Overridable(
        "point",
        frozenset({"length", "unit", "minimum", "verification.length", "verification.unit", "refill"}),
        bound_by_text=True,
    ),
    "quotas": Overridable("id", frozenset({"max", "soft"}), bound_by_text=False),
    "rewards": Overridable("id", frozenset({"amount_yuan"}), bound_by_text=False),
    "cycle": Overridable(None, frozenset({"interval_years", "anchor_year"}), bound_by_text=False),
    "records": Overridable(None, frozenset({"retention_years"}), bound_by_text=True),
}

# Values a round sets that are not programme data: path -> (type, where it is documented)
ROUND_SETTINGS: dict[str, tuple[type, str]] = {
    "count_start_day": (bool, "INTERPRETATIONS §1"),
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
            if path.startswith("rewards."):
                _guard_reward_granted(path, _resolve(data, path)[0])
            self._apply(data, path, value)
        data["applied_overrides"] = {**self.applied_overrides, **overrides}
        try:
            changed = type(self).model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise invalid("overrides", f"{where}：{first['msg']}", f"{where}: {first['msg']}") from exc
        # judged on the validated values (after coercion, whatever the order of the overrides)
        # against this version's own flags, which no override can change for a stated value
        before, after = self.model_dump(mode="python"), changed.model_dump(mode="python")
        for path in overrides:
            if path in ROUND_SETTINGS:
                continue
            root = path.partition(".")[0]
            if OVERRIDABLE[root].bound_by_text:
                _guard_stated(path, _resolve(before, path), _resolve(after, path))
            else:
                _guard_granted(self, root, path, _resolve(before, path), _resolve(after, path))
        if changed.count_start_day:
            _guard_start_day(self, changed)
        return changed

    @property
    def count_start_day(self) -> bool:
        """Whether a notice counts its publication day as day 1 (a round's choice, INTERPRETATIONS §1)."""
        return bool(self.applied_overrides.get("count_start_day", False))

    def _apply(self, data: dict[str, Any], path: str, value: Any) -> None:
        if path in ROUND_SETTINGS:
            expected, _ = ROUND_SETTINGS[path]
            # strict: "false" or 0 would otherwise read as a choice the office did not make
            if type(value) is not expected:
                raise invalid("overrides", f"“{path}”应为 true 或 false", f"'{path}' must be true or false")
            return
        holder, leaf = _resolve(data, path)
        holder[leaf] = value


def _resolve(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The dict holding the value ``path`` names, and its key there; unknown_path when not overridable."""
    root, _, rest = path.partition(".")
    if root not in OVERRIDABLE:
        known = sorted([*OVERRIDABLE, *ROUND_SETTINGS])
        raise _bad_path(path, f"only {', '.join(known)} may be overridden per round")
    key_field, allowed, _ = OVERRIDABLE[root]
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
    *parents, leaf = sub.split(".")
    for part in parents:
        target = target[part]
    return target, leaf


def _guard_stated(path: str, before: tuple[dict[str, Any], str], after: tuple[dict[str, Any], str]) -> None:
    """Refuse a change the regulation's text does not allow, read from the flags of the value's holder.

    One rule for every programme: changning-21c (不少于5个工作日: not shorter, not calendar days),
    hangzhou-3.3.7a / linyi-14h (an exact period), hangzhou-3.3.7c (核查 within 5 working days: not
    longer), tianning-12j (不进行递补).
    """
    was, leaf = before
    now = after[0]
    old, new = was[leaf], now[leaf]
    stated = was.get(f"{leaf}_stated", was.get("stated", False))
    if not stated or new == old:
        return
    clause = was.get(f"{leaf}_clause") or was.get("clause")
    what_zh, what_en = _what(path)
    if leaf == "length" and was.get("minimum") and new > old:
        return  # 不少于N: a longer period still satisfies the text
    if leaf == "length" and was.get("maximum") and new < old:
        return  # N…内: a shorter time limit still satisfies the text
    if leaf == "length":
        old_zh, old_en = UNIT_WORDS[was["unit"]].count(old)
        if was.get("minimum"):
            zh, en = (
                f"{what_zh}不得少于{old_zh}，本届可延长，不可缩短",
                f"the regulation sets at least {old_en} for the {what_en}; a round may lengthen it, not shorten it",
            )
        elif was.get("maximum"):
            zh, en = (
                f"{what_zh}不得超过{old_zh}，本届可缩短，不可延长",
                f"the regulation sets at most {old_en} for the {what_en}; a round may shorten it, not lengthen it",
            )
        else:
            zh, en = (
                f"{what_zh}为规定的{old_zh}，本届不可调整",
                f"the regulation sets exactly {old_en} for the {what_en}; a round cannot change it",
            )
    elif leaf == "unit":
        was_words, now_words = UNIT_WORDS[old], UNIT_WORDS.get(new)
        now_zh, now_en = (now_words.name_zh, now_words.name_en) if now_words else (new, new)
        zh, en = (
            f"{what_zh}按规定以{was_words.name_zh}计算，本届不可改为{now_zh}",
            f"the regulation counts the {what_en} in {was_words.name_en}; a round cannot count it in {now_en}",
        )
    elif leaf in ("minimum", "maximum"):
        zh, en = (
            f"{what_zh}是否为{_FLAG_ZH[leaf]}由规定明确，本届不可调整",
            f"whether the {what_en} is a {leaf} is stated by the regulation; a round cannot change it",
        )
    elif leaf == "refill":
        zh, en = (
            f"规定{'予以' if old else '不进行'}递补，本届不可调整",
            f"the regulation states that a freed place is {'' if old else 'not '}refilled; a round cannot change it",
        )
    else:
        zh, en = (
            f"{what_zh}由规定明确，本届不可调整",
            f"the {what_en} is stated by the regulation; a round cannot change it",
        )
    raise DomainError(
        "validation-error",
        422,
        f"“{path}”不可调整：{zh}（{clause}）",
        f"'{path}' cannot be overridden: {en} ({clause})",
        title="Unprocessable Content",
        clause=clause,
        errors=[
            FieldError("overrides", f"“{path}”：{zh}（{clause}）", f"'{path}': {en} ({clause})", "stated_by_regulation")
        ],
        extra={"path": path},
    )


def _guard_granted(
    version: ProgrammeVersion,
    root: str,
    path: str,
    before: tuple[dict[str, Any], str],
    after: tuple[dict[str, Any], str],
) -> None:
    """Quotas, rewards, the cycle: a stated value moves only where a clause grants it (changning-3e, 26c)."""
    was, leaf = before
    if was[leaf] == after[0][leaf]:
        return
    clause = was.get("clause")
    if any(a.what == root for a in version.adjustments):
        return
    if not was.get("stated", True):
        return  # the service's reading, not the text's: a round may set it, recorded with its reason
    granted = ", ".join(f"{a.what} ({a.clause})" for a in version.adjustments) or "none"
    zh = f"本办法未授权调整{_ROOT_ZH[root]}，该值由规定明确，本届不可调整"
    en = f"no clause of the regulation grants a round the power to adjust {root} (granted here: {granted})"
    raise _not_granted(path, zh, en, clause, "not_granted")


def _guard_reward_granted(path: str, reward: dict[str, Any]) -> None:
    """linyi's 提名奖, hangzhou's 优胜奖: the texts grant no money, so no round can fill one in."""
    if reward.get("granted", True):
        return
    zh = "本办法对该奖项未规定任何奖金，本届不可设定金额"
    en = "the regulation grants no money for this award; a round cannot set an amount"
    raise _not_granted(path, zh, en, reward.get("clause"), "reward_not_granted")


_ROOT_ZH = {"quotas": "评奖名额", "rewards": "奖励标准", "cycle": "评选周期"}


def _not_granted(path: str, zh: str, en: str, clause: str | None, code: str) -> DomainError:
    cite_zh, cite_en = (f"（{clause}）", f" ({clause})") if clause else ("", "")
    return DomainError(
        "validation-error",
        422,
        f"“{path}”不可调整：{zh}{cite_zh}",
        f"'{path}' cannot be overridden: {en}{cite_en}",
        title="Unprocessable Content",
        clause=clause,
        errors=[FieldError("overrides", f"“{path}”：{zh}{cite_zh}", f"'{path}': {en}{cite_en}", code)],
        extra={"path": path},
    )


def _guard_start_day(base: ProgrammeVersion, changed: ProgrammeVersion) -> None:
    """Counting the publication day as day 1 leaves one part day short of a stated 不少于N (changning-21c).

    Allowed only where every stated minimum is also lengthened by at least one day in this round.
    """
    for notice in base.notices:
        if not (notice.minimum and notice.stated):
            continue
        if changed.notice(notice.point).length >= notice.length + 1:
            continue
        words_zh, words_en = UNIT_WORDS[notice.unit].count(notice.length)
        zh = (
            f"{notice.name_zh}不得少于{words_zh}，发布当日不足一日，计为第1日将使公示期短于规定；"
            f"如按此计算，须同时将公示期延长至少1日"
        )
        en = (
            f"the {notice.point} notice lasts at least {words_en}; counting the part day of publication as day 1 "
            "would cut it short (lengthen the notice by a day to count it so)"
        )
        raise DomainError(
            "validation-error",
            422,
            f"“count_start_day”不可调整：{zh}（{notice.clause}）",
            f"'count_start_day' cannot be set: {en} ({notice.clause})",
            title="Unprocessable Content",
            clause=notice.clause,
            errors=[
                FieldError(
                    "overrides",
                    f"“count_start_day”：{zh}（{notice.clause}）",
                    f"'count_start_day': {en} ({notice.clause})",
                    "shortens_stated_minimum",
                )
            ],
            extra={"path": "count_start_day", "notice_point": notice.point},
        )


def _what(path: str) -> tuple[str, str]:
    if ".verification." in path:
        return "异议核查期限", "objection verification period"
    return "公示期", "notice period"


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
            label = next(
                (str(item[k]) for k in _LIST_KEYS if isinstance(item, dict) and item.get(k) is not None), str(i)
            )
            _collect_unstated(item, f"{path}.{label}", found)


_FLAG_ZH = {"minimum": "最短期限（不少于）", "maximum": "最长期限（以内）"}


def _bad_path(path: str, why: str) -> DomainError:
    return invalid(
        "overrides", f"“{path}”不可调整：{why}", f"'{path}' cannot be overridden: {why}", code="unknown_path"
    )
