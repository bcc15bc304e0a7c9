"""Applicants for intake tests: real-shaped identifiers and eligible facts per programme."""

from __future__ import annotations

from typing import Any

from app.domain.programmes.facts import FACTS

# credit codes whose check characters are right (GB 32100-2015)
CHANGNING_ORG = "91310105MA1FL00004"
JINSHAN_ORG = "91310116MA1J80000W"
HANGZHOU_ORG = "91330106MA2B00000U"
LINYI_ORG = "91371300MA3C000005"
TIANNING_ORG = "91320402MA1M000001"
AGRICULTURAL_COOP = "N2110108MA01234560"  # 农业农村部门: registering authority N
TRADE_UNION = "Y1110000MC1234567P"  # 工会: registering authority Y
# ID numbers whose check digits are right (GB 11643)
PERSON = "11010519491231002X"
PERSON_2 = "310105198503154121"
HK_PERMIT = "810000199408230021"

NO_RECORDS: dict[str, list] = {f: [] for f, t in FACTS.items() if t == "records"}
ELIGIBLE_ORG: dict[str, dict[str, Any]] = {
    "changning": {"registered_jurisdiction": "changning", "operating_since": "2015-03-01", "locality": "xinjing"},
    "jinshan": {"registered_jurisdiction": "jinshan", "operating_since": "2015-03-01", "locality": "zhujing"},
    "hangzhou": {
        "registered_jurisdiction": "330106",
        "sector": "manufacturing",
        "above_size_manufacturer": True,
        "mu_efficiency_grade": "A",
        "excellence_model_since": "2019-01-01",
        "civil_service_managed": False,
    },
    "linyi": {"registered_jurisdiction": "371302", "operating_since": "2015-03-01", "locality": "lanshan"},
    "tianning": {
        "registered_jurisdiction": "tianning",
        "legal_person": True,
        "operating_since": "2015-03-01",
        "certified_since": "2018-05-01",
        "excellence_model_since": "2020-01-01",
        "has_chief_quality_officer": True,
        "exporter": False,
        "locality": "qingliang",
    },
}
CODES = {
    "changning": CHANGNING_ORG,
    "jinshan": JINSHAN_ORG,
    "hangzhou": HANGZHOU_ORG,
    "linyi": LINYI_ORG,
    "tianning": TIANNING_ORG,
}


async def register_org(
    client, headers, programme: str, credit_code: str | None = None, name: str = "某某质量管理有限公司", **facts
) -> dict:
    body = {
        "credit_code": credit_code or CODES[programme],
        "name": name,
        "records": NO_RECORDS,
        **ELIGIBLE_ORG[programme],
        **facts,
    }
    r = await client.post("/api/v1/applicants/organisations", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def changning_draft(client, token):
    """A registered organisation's draft in an open changning round (the clock at the call): (flow, application id)."""
    from tests.workflow.flow import Flow

    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    await register_org(client, flow.headers["office"], "changning")
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    return flow, app["id"]
