"""Lookup values (代码表): codes and Chinese names of localities, departments, industries, sizes, tiers, categories.

The reference lists (``codes.yaml``) and those the programmes define (tiers, categories) or the
workflow has (states, material kinds) are served the same way, so a clerk reads every code's
meaning from one endpoint and a refusal of a code field can quote real examples and the list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.domain.errors import not_found
from app.domain.programmes.registry import get_registry
from app.domain.states import STATE_NAMES_ZH

_FILE = Path(__file__).parent / "codes.yaml"
LOOKUPS_PATH = "/api/v1/lookups"

# the lists derived from the programmes and the workflow (name_zh, name_en)
_DERIVED = {
    "tiers": ("奖项等级", "Award tiers"),
    "categories": ("申报类别", "Application categories"),
    "states": ("申报状态", "Application states"),
    "material_kinds": ("申报材料类型", "Material kinds"),
}
MATERIAL_KIND_NAMES = {
    "application_form": ("申报表（签章扫描件）", "Application form (signed scan)"),
    "self_evaluation_report": ("自我评价报告", "Self-evaluation report"),
    "evidence": ("证实性材料", "Evidence"),
    "recommendation_opinion": ("推荐意见（盖章）", "Recommendation opinion (sealed)"),
}

# the request fields whose values are codes of a list: a refusal of one names the list
CODE_FIELDS = {
    "locality": "localities",
    "competent_department": "departments",
    "industry": "industries",
    "size": "sizes",
    "sector": "sectors",
    "tier_sought": "tiers",
    "tier": "tiers",
    "category": "categories",
    "state": "states",
    "kind": "material_kinds",
}


@cache
def _reference() -> dict[str, Any]:
    return yaml.safe_load(_FILE.read_text(encoding="utf-8"))


def names() -> list[dict[str, str]]:
    """Every list: its name, Chinese and English titles and where it is served."""
    out = [{"name": k, "name_zh": v["name_zh"], "name_en": v["name_en"]} for k, v in _reference().items()]
    out += [{"name": k, "name_zh": zh, "name_en": en} for k, (zh, en) in _DERIVED.items()]
    return [{**o, "href": f"{LOOKUPS_PATH}/{o['name']}"} for o in out]


def values(name: str, programme: str | None = None) -> list[dict[str, Any]]:
    """The codes of list ``name`` (of one programme when given), each with its Chinese name; 404 for an unknown list."""
    ref = _reference()
    if name in ref:
        entry = ref[name]
        if "by_programme" in entry:
            return [
                {"code": str(v["code"]), "name_zh": v["name_zh"], "name_en": v.get("name_en"), "programme": p}
                for p, vs in entry["by_programme"].items()
                if programme is None or p == programme
                for v in vs
            ]
        return [{"code": str(v["code"]), "name_zh": v["name_zh"], "name_en": v.get("name_en")} for v in entry["values"]]
    if name in ("tiers", "categories"):
        reg = get_registry()
        out = []
        for code in reg.codes():
            if programme is not None and code != programme:
                continue
            prog = reg.get(code)
            for item in getattr(prog, name):
                out.append({"code": item.code, "name_zh": item.name_zh, "name_en": item.name_en, "programme": code})
        return out
    if name == "states":
        return [{"code": str(k), "name_zh": v, "name_en": str(k).replace("_", " ")} for k, v in STATE_NAMES_ZH.items()]
    if name == "material_kinds":
        return [{"code": k, "name_zh": zh, "name_en": en} for k, (zh, en) in MATERIAL_KIND_NAMES.items()]
    raise not_found("代码表", "Lookup list", name)


def hint(field: str, programme: str | None = None) -> tuple[str, str, str] | None:
    """For a code field: (zh, en, href), a sentence saying a code is expected with examples, or None."""
    name = CODE_FIELDS.get(field.rsplit(".", 1)[-1])
    if name is None:
        return None
    try:
        listed = values(name, programme)
    except Exception:  # a registry that cannot load must not turn a 422 into a 500
        return None
    href = f"{LOOKUPS_PATH}/{name}"
    examples = listed[:3]
    zh = "、".join(f"{v['code']}（{v['name_zh']}）" for v in examples)
    en = ", ".join(f"{v['code']} ({v.get('name_en') or v['name_zh']})" for v in examples)
    return (f"应为代码，如 {zh}；全部取值见 {href}", f"a code is expected, e.g. {en}; every value: {href}", href)
