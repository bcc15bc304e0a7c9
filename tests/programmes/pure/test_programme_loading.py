"""Loading definitions: malformed files, a sixth jurisdiction, versions in force, per-round overrides."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from app.domain.errors import DomainError
from app.domain.programmes import registry as registry_module
from app.domain.programmes.registry import DEFINITIONS_DIR, ProgrammeDefinitionError, get_registry, load_registry
from app.domain.programmes.schema import STAGE_ORDER

SIXTH = Path(__file__).resolve().parents[2] / "fixtures" / "programmes" / "sixth"


def tianning_data() -> dict:
    return yaml.safe_load((DEFINITIONS_DIR / "tianning.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, name: str, data: dict | str) -> Path:
    d = tmp_path / "defs"
    d.mkdir(exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (d / f"{name}.yaml").write_text(text, encoding="utf-8")
    return d


def renamed(data: dict, code: str) -> dict:
    data["code"] = code
    data["jurisdiction"]["code"] = code
    return data


# --- malformed definitions ---------------------------------------------------------------------


def test_a_wrong_type_names_file_field_and_problem(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["quotas"][0]["max"] = "three"
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "tianning2.yaml: versions.0.quotas.0.max: Input should be a valid integer" in str(exc.value)


def test_an_unknown_field_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["notices"][0]["lenght"] = 7
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "tianning2.yaml: versions.0.notices.0.lenght: Extra inputs are not permitted" in str(exc.value)


def test_a_notice_stage_without_a_notice_entry_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["notices"] = []
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "tianning2.yaml: versions.0.pipeline.7.stage: notice stage award_notice has no entry in notices" in str(
        exc.value
    )


def test_a_notice_entry_without_its_stage_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    notice = dict(
        data["versions"][0]["notices"][0],
        stage="qualification_notice",
        point="qualification",
        clause="tianning-12c",
        stated=False,
    )
    notice.pop("refill_clause")
    notice["refill_stated"] = False
    data["versions"][0]["notices"].append(notice)
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "versions.0.notices.1.stage: qualification_notice is not a stage of the pipeline" in str(exc.value)


def test_stages_out_of_order_are_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    pipeline = data["versions"][0]["pipeline"]
    pipeline[2], pipeline[3] = pipeline[3], pipeline[2]
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "versions.0.pipeline.3.stage: material_review cannot come after onsite_review" in str(exc.value)


def test_an_unknown_stage_code_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["pipeline"][0]["stage"] = "draft"
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "tianning2.yaml: versions.0.pipeline.0.stage: Input should be" in str(exc.value)


def test_a_notice_right_after_another_notice_is_refused(tmp_path):
    data = renamed(yaml.safe_load((DEFINITIONS_DIR / "hangzhou.yaml").read_text(encoding="utf-8")), "hangzhou2")
    pipeline = data["versions"][0]["pipeline"]
    del pipeline[2]  # material_review: the on-site notice now follows the qualification notice
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "hangzhou2", data)])
    assert "pipeline.2.stage: notice onsite_notice must follow a review stage, not qualification_notice" in str(
        exc.value
    )


def test_an_unknown_tier_in_a_quota_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["quotas"][0]["tiers"] = ["gold"]
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "versions.0.quotas.0.tiers.0: unknown code 'gold'" in str(exc.value)


def test_an_unknown_fact_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["eligibility"][0]["facts"] = ["registered_districtt"]
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "versions.0.eligibility.0.facts.0: unknown fact 'registered_districtt'" in str(exc.value)


def test_an_amount_written_as_a_number_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["rewards"][0]["amount_yuan"] = 100000.0
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "versions.0.rewards.0.amount_yuan: Value error, write an amount in yuan as a quoted string" in str(
        exc.value
    ) or ("versions.0.rewards.0.amount_yuan: write an amount in yuan as a quoted string" in str(exc.value))


def test_a_stated_value_without_a_clause_is_refused(tmp_path):
    data = renamed(tianning_data(), "tianning2")
    data["versions"][0]["cycle"] = {"interval_years": 1}
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning2", data)])
    assert "versions.0.cycle.clause: a value stated by the regulation must cite its clause" in str(exc.value)


def test_invalid_yaml_names_the_file(tmp_path):
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "broken", "code: broken\nversions: [\n")])
    assert str(exc.value).startswith("broken.yaml: not valid YAML")


def test_the_file_name_is_the_code(tmp_path):
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "other", tianning_data())])
    assert "other.yaml: code: 'tianning' must equal the file name 'other'" in str(exc.value)


def test_a_code_defined_twice_is_refused(tmp_path):
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "tianning", tianning_data())])
    assert "tianning.yaml: code: programme 'tianning' is already defined" in str(exc.value)


def test_overlapping_versions_are_refused(tmp_path):
    data = yaml.safe_load((SIXTH / "xuhui.yaml").read_text(encoding="utf-8"))
    data["versions"][0]["effective_until"] = date(2025, 6, 30)
    with pytest.raises(ProgrammeDefinitionError) as exc:
        load_registry([write(tmp_path, "xuhui", data)])
    assert "xuhui.yaml: versions: version 2020 is still in force when version 2025 starts" in str(exc.value)


# --- a sixth jurisdiction ----------------------------------------------------------------------


def test_a_sixth_jurisdiction_loads_from_extra_dirs():
    reg = load_registry([SIXTH])
    assert reg.codes() == ["changning", "hangzhou", "jinshan", "linyi", "tianning", "xuhui"]
    v = reg.get("xuhui", "2025")
    assert (v.name_zh, v.jurisdiction.parent, v.notice("winners").length) == ("徐汇区政府质量奖", "shanghai", 10)


def test_a_sixth_jurisdiction_loads_from_the_environment(monkeypatch, tmp_path):
    other = tmp_path / "empty"
    other.mkdir()
    monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", f"{other}{registry_module.os.pathsep}{SIXTH}")
    get_registry.cache_clear()
    try:
        assert "xuhui" in get_registry().codes()
        assert get_registry().source("xuhui").name == "xuhui.yaml"
    finally:
        get_registry.cache_clear()


def test_a_missing_directory_in_the_environment_stops_loading(monkeypatch, tmp_path):
    monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", str(tmp_path / "nowhere"))
    with pytest.raises(ProgrammeDefinitionError, match="does not exist"):
        load_registry()


def test_a_copied_definition_loads_unchanged(tmp_path):
    d = tmp_path / "copy"
    d.mkdir()
    shutil.copy(SIXTH / "xuhui.yaml", d / "xuhui.yaml")
    assert load_registry([d]).get("xuhui", "2020").quotas[0].max == 3


# --- versions ----------------------------------------------------------------------------------


def test_version_in_force_by_date():
    reg = load_registry([SIXTH])
    assert reg.version_in_force("xuhui", date(2020, 1, 1)).id == "2020"
    assert reg.version_in_force("xuhui", date(2024, 12, 31)).id == "2020"
    assert reg.version_in_force("xuhui", date(2025, 1, 1)).id == "2025"
    assert reg.version_in_force("xuhui", date(2040, 1, 1)).id == "2025"
    with pytest.raises(DomainError) as exc:
        reg.version_in_force("xuhui", date(2019, 12, 31))
    assert exc.value.status == 404


def test_latest_version_applies_after_every_period(registry):
    assert registry.version_in_force("changning", date(2030, 1, 1)).id == "2023"


def test_unknown_code_or_version_is_not_found(registry):
    for call in (lambda: registry.get("pudong"), lambda: registry.get("changning", "1999")):
        with pytest.raises(DomainError) as exc:
            call()
        assert (exc.value.status, exc.value.slug) == (404, "not-found")


def test_versions_are_listed_oldest_first():
    assert [v.id for v in load_registry([SIXTH]).versions("xuhui")] == ["2020", "2025"]


def test_every_pipeline_uses_the_fixed_stage_codes(registry):
    for code in registry.codes():
        codes = registry.get(code).stage_codes
        assert codes == sorted(codes, key=lambda s: [x.value for x in STAGE_ORDER].index(s))
        assert "draft" not in codes and "awarded" not in codes


# --- per-round overrides -----------------------------------------------------------------------


def test_overrides_change_a_copy_and_record_themselves(registry):
    v = registry.get("changning")
    w = v.with_overrides(
        {"notices.qualification.length": 7, "quotas.gold_total.max": 3, "rewards.mayor_model.amount_yuan": "600000.00"}
    )
    assert (w.notice("qualification").length, w.quotas[2].max, str(w.rewards[0].amount_yuan)) == (7, 3, "600000.00")
    assert w.applied_overrides == {
        "notices.qualification.length": 7,
        "quotas.gold_total.max": 3,
        "rewards.mayor_model.amount_yuan": "600000.00",
    }
    assert (v.notice("qualification").length, v.quotas[2].max, v.applied_overrides) == (5, 10, {})


def test_a_default_notice_length_may_be_shortened(registry):
    """jinshan's qualification notice length is the service's default, not the text's."""
    assert (
        registry.get("jinshan").with_overrides({"notices.qualification.length": 3}).notice("qualification").length == 3
    )


def test_a_stated_minimum_cannot_be_shortened__changning_21c(registry):
    with pytest.raises(DomainError) as exc:
        registry.get("changning").with_overrides({"notices.qualification.length": 4})
    assert (exc.value.status, exc.value.clause) == (422, "changning-21c")


def _refused(version, overrides: dict) -> DomainError:
    with pytest.raises(DomainError) as exc:
        version.with_overrides(overrides)
    assert exc.value.status == 422 and exc.value.errors[0].field == "overrides", exc.value
    return exc.value


def test_a_stated_period_keeps_its_working_days__changning_21c(registry):
    """不少于5个工作日 as 5 calendar days is 2 working days over National Day: the unit is the text's."""
    err = _refused(registry.get("changning"), {"notices.qualification.unit": "calendar_day"})
    assert (err.clause, err.errors[0].code, err.extra["path"]) == (
        "changning-21c",
        "stated_by_regulation",
        "notices.qualification.unit",
    )
    assert "工作日" in err.zh and "working days" in err.en


@pytest.mark.parametrize("order", [("minimum", "length"), ("length", "minimum")])
def test_a_stated_minimum_cannot_be_read_as_exact_to_shorten_it__changning_21c(registry, order):
    """Dropping 不少于 first and then shortening is refused whatever the order of the overrides."""
    values = {"minimum": False, "length": 3}
    err = _refused(registry.get("changning"), {f"notices.qualification.{k}": values[k] for k in order})
    assert err.clause == "changning-21c"


def test_a_stated_minimum_cannot_be_shortened_by_a_length_given_as_text__changning_21c(registry):
    assert _refused(registry.get("changning"), {"notices.qualification.length": "3"}).clause == "changning-21c"


@pytest.mark.parametrize(
    ("code", "point", "clause"),
    [("hangzhou", "material_entrants", "hangzhou-3.3.7a"), ("linyi", "winners", "linyi-14h")],
)
@pytest.mark.parametrize("length", [3, 9])
def test_a_stated_exact_period_cannot_be_changed__hangzhou_3_3_7a__linyi_14h(registry, code, point, clause, length):
    """公示7个工作日 / 公示期为5个工作日: neither shorter nor longer."""
    err = _refused(registry.get(code), {f"notices.{point}.length": length})
    assert err.clause == clause and "不可调整" in err.zh


def test_a_stated_exact_period_may_be_restated_unchanged__hangzhou_3_3_7a(registry):
    assert (
        registry.get("hangzhou")
        .with_overrides({"notices.material_entrants.length": 7})
        .notice("material_entrants")
        .length
        == 7
    )


def test_a_stated_verification_limit_may_be_shortened_never_lengthened__hangzhou_3_3_7c(registry):
    """自收到材料之日起5个工作日内: a time limit (maximum: true)."""
    v = registry.get("hangzhou")
    assert v.notice("material_entrants").verification.maximum is True
    assert (
        v.with_overrides({"notices.material_entrants.verification.length": 3})
        .notice("material_entrants")
        .verification.length
        == 3
    )
    err = _refused(v, {"notices.material_entrants.verification.length": 15})
    assert err.clause == "hangzhou-3.3.7c" and "不得超过5个工作日" in err.zh
    assert _refused(v, {"notices.material_entrants.verification.unit": "calendar_day"}).clause == "hangzhou-3.3.7c"


def test_a_stated_refill_rule_cannot_be_overridden__tianning_12j(registry):
    """公示不通过的，取消获评资格，不进行递补 (refill_stated: true)."""
    err = _refused(registry.get("tianning"), {"notices.winners.refill": True})
    assert err.clause == "tianning-12j" and "不进行递补" in err.zh


def test_unstated_notice_values_stay_free__jinshan_18d(registry):
    """jinshan's qualification notice is the service's reading (stated: false): unit, reading and length may all change."""
    n = (
        registry.get("jinshan")
        .with_overrides(
            {
                "notices.qualification.unit": "calendar_day",
                "notices.qualification.minimum": False,
                "notices.qualification.length": 3,
            }
        )
        .notice("qualification")
    )
    assert (n.length, n.unit, n.minimum) == (3, "calendar_day", False)


def test_a_sixth_programme_is_protected_by_its_own_flags(tmp_path):
    """No programme is named in the guard: a new definition's stated values are bound the same way."""
    data = yaml.safe_load((SIXTH / "xuhui.yaml").read_text(encoding="utf-8"))
    winners = data["versions"][-1]["notices"][-1]
    winners.update(minimum=False, refill_stated=True, refill_clause=winners["clause"])
    winners["verification"] = {
        "length": 10,
        "unit": "working_day",
        "stated": True,
        "clause": winners["clause"],
    }  # maximum by default
    v = load_registry([write(tmp_path, "xuhui", data)]).get("xuhui", data["versions"][-1]["id"])
    for path, value in [
        ("length", 9),
        ("length", 11),
        ("unit", "working_day"),
        ("refill", True),
        ("verification.length", 11),
        ("verification.unit", "calendar_day"),
    ]:
        assert _refused(v, {f"notices.winners.{path}": value}).clause == winners["clause"], path
    assert v.with_overrides({"notices.winners.verification.length": 5}).notice("winners").verification.length == 5


def test_a_round_may_count_the_publication_day_as_day_1__interpretation_1(registry):
    """INTERPRETATIONS §1: a round setting, recorded with the other overrides, programme values untouched.

    Issue #20 point 7: only where no notice states a minimum (hangzhou's periods are exact).
    """
    base = registry.get("hangzhou")
    w = base.with_overrides({"count_start_day": True})
    assert (w.count_start_day, base.count_start_day, w.applied_overrides) == (True, False, {"count_start_day": True})
    assert w.notice("material_entrants") == base.notice("material_entrants")
    err = _refused(base, {"count_start_day": "true"})
    assert "true 或 false" in err.zh


def test_verification_and_refill_may_be_set_per_round(registry):
    w = registry.get("linyi").with_overrides(
        {"notices.winners.verification.length": 10, "notices.winners.refill": True}
    )
    assert (w.notice("winners").verification.length, w.notice("winners").refill) == (10, True)


@pytest.mark.parametrize(
    "path",
    [
        "tiers.mayor.name_zh",
        "notices.nowhere.length",
        "notices.winners.clause",
        "quotas.mayor_model.tiers",
        "pipeline.0.stage",
    ],
)
def test_other_paths_cannot_be_overridden(registry, path):
    with pytest.raises(DomainError) as exc:
        registry.get("changning").with_overrides({path: 1})
    assert exc.value.status == 422 and exc.value.errors[0].field == "overrides"


def test_an_override_with_a_bad_value_is_refused(registry):
    with pytest.raises(DomainError) as exc:
        registry.get("changning").with_overrides({"quotas.gold_total.max": -1})
    assert exc.value.status == 422
