"""The events partners care about beyond state changes: objections (no objector), revocations to the
credit platform (changning-34d), account notifications, audit checkpoints."""

from __future__ import annotations

import json

from app.domain.outbox import publisher
from app.workflow.deadlines import make_daily_checkpoint
from tests.intake.drive import open_round, to_awarded
from tests.intake.registry import PERSON, PERSON_2, TIANNING_ORG, register_org
from tests.notices.driver import RECOMMENDED, TO_COMMITTEE, NoticeFlow, objection, person
from tests.workflow.flow import Flow


def _events(sync_db, type_: str) -> list[dict]:
    with sync_db.cursor() as cur:
        cur.execute("SELECT payload FROM outbox_events WHERE type = %s ORDER BY id", (type_,))
        return [r[0] for r in cur.fetchall()]


async def test_an_objection_lodged_and_decided_is_published_without_its_objector(client, token, sync_db):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    await flow.publish("qualification", ids)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids, TO_COMMITTEE["changning"] + [("select", "committee", {"tier": "gold"})])
    await flow.at("2026-11-02T10:00:00+08:00")
    notice = await flow.publish("winners", ids)
    await flow.at("2026-11-04T10:00:00+08:00")
    objector = person(7)
    lodged = (await flow.object(notice["id"], objection(ids[0], objector))).json()
    r = await flow.decide(lodged["receipt_no"], "dismissed", f"经核查，反映人张7（电话{objector['phone']}）所述不实")
    assert r.status_code == 200, r.text
    events = _events(sync_db, "objection.lodged") + _events(sync_db, "objection.decided")
    assert [(e["receipt_no"], e["application_id"]) for e in events] == [(lodged["receipt_no"], ids[0])] * 2
    assert events[1]["decision"] == "dismissed"
    text = json.dumps(events, ensure_ascii=False)
    for secret in (objector["name"], objector["id_number"], objector["phone"]):
        assert secret not in text


async def test_a_fraud_revocation_and_its_ban_go_to_the_credit_platform__changning_34d_tianning_15c(
    client, token, sync_db
):
    flow = Flow(client, token, "tianning")
    await register_org(client, flow.headers["office"], "tianning", registered_jurisdiction="tianning")
    rnd = await open_round(flow, 2025)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    await to_awarded(flow, app["id"], "2025-09-01T09:00:00+08:00", "mayor", "2025-12-20")
    assert _events(sync_db, "credit.revocation") == []
    await flow.at("2026-03-10T10:00:00+08:00")
    r = await flow.fire(
        app["id"], "revoke", {"ground": "fraud", "evidence": "申报材料弄虚作假的核查报告"}, role="office"
    )
    assert r.status_code == 200, r.text
    [revocation] = _events(sync_db, "credit.revocation")
    assert (revocation["credit_code"], revocation["ground"], revocation["ground_kind"], revocation["revoked_on"]) == (
        TIANNING_ORG,
        "fraud",
        "fraud",
        "2026-03-10",
    )
    [ban] = _events(sync_db, "credit.ban")
    assert (ban["rule"], ban["clause"], ban["starts_on"], ban["ends_on"]) == (
        "after_revocation_for_fraud",
        "tianning-15c",
        "2026-03-10",
        "2031-03-09",
    )


async def test_account_notifications_are_outbox_events_marked_sent_once_published(app, client, token, sync_db):
    admin = token("admin", sub="admin-1")
    people = "/api/v1/applicants/individuals"
    r = await client.post(
        people,
        json={"id_number": PERSON, "name": "张三", "principal_ref": "acct-wrong", "reason": "代办"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    url = f"/api/v1/applicants/{r.json()['id']}"
    r = await client.post(
        url + "/owner",
        json={"principal_ref": "acct-zhang", "reason": "账号绑定错误，更正"},
        headers={**admin, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    notes = _events(sync_db, "account.notification")
    assert sorted(n["account_ref"] for n in notes) == ["acct-wrong", "acct-zhang"]
    assert PERSON not in json.dumps(notes) and PERSON_2 not in json.dumps(notes)
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM account_notifications WHERE sent_at IS NULL")
        assert cur.fetchone()[0] == 2
        assert await publisher.publish(app.state.db) == 2
        cur.execute("SELECT count(*) FROM account_notifications WHERE sent_at IS NULL")
        assert cur.fetchone()[0] == 0


async def test_an_audit_checkpoint_is_an_event(app, settings, sync_db):
    await make_daily_checkpoint(app.state.db, settings)
    [made] = _events(sync_db, "audit.checkpoint_made")
    assert made["format"] == "qaward-audit-checkpoint/1" and made["signature"]
