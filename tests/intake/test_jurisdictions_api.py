"""A seventh programme in a new district, as one definition file: its applicants are placed by GB/T 2260 code, no code edited."""

from __future__ import annotations

import yaml

from app.domain.programmes.registry import DEFINITIONS_DIR, DIRS_ENV, get_registry
from app.domain.programmes.service import get_clause_usage
from tests.intake.registry import ELIGIBLE_ORG, LINYI_ORG, NO_RECORDS, TIANNING_ORG
from tests.workflow.flow import Flow

WUJIN = {
    "code": "wujin",
    "name_zh": "江苏省常州市武进区",
    "parent": "changzhou",
    "parent_name_zh": "常州市",
    "division": "320412",
    "parents": [
        {"code": "changzhou", "division": "320400", "name_zh": "常州市"},
        {"code": "jiangsu", "division": "320000", "name_zh": "江苏省"},
    ],
}


async def test_a_new_district_programme_checks_registration_by_its_division_from_the_file__tianning_11a(
    client, token, monkeypatch, tmp_path
):
    data = yaml.safe_load((DEFINITIONS_DIR / "tianning.yaml").read_text(encoding="utf-8"))
    data["code"], data["jurisdiction"] = "wujin", WUJIN
    (tmp_path / "wujin.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(DIRS_ENV, str(tmp_path))
    get_registry.cache_clear()
    get_clause_usage.cache_clear()
    try:
        flow = Flow(client, token, "wujin")
        rnd = await flow.september_round()
        results = {}
        # 320412 is Wujin only in wujin.yaml; 320402 is Tianning, next door within the same city
        for place, credit_code in (("320412", TIANNING_ORG), ("320402", LINYI_ORG)):
            body = {
                "credit_code": credit_code,
                "name": f"{place}某公司",
                "records": NO_RECORDS,
                **ELIGIBLE_ORG["tianning"],
                "registered_jurisdiction": place,
            }
            r = await client.post("/api/v1/applicants/organisations", json=body, headers=flow.headers["office"])
            assert r.status_code == 201, r.text
            app = await flow.apply(rnd["id"], "organisation", credit_code=credit_code)
            r = await client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=flow.headers["office"])
            assert r.status_code == 200, r.text
            results[place] = next(e for e in r.json()["criteria"] if e["criterion"] == "registered_in_district")
        assert results["320412"]["result"] == "pass" and results["320412"]["clause"] == "tianning-11a"
        assert results["320402"]["result"] == "fail"
    finally:
        monkeypatch.delenv(DIRS_ENV)
        get_registry.cache_clear()
        get_clause_usage.cache_clear()
