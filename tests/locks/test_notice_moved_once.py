"""A calendar correction moves a notice of several applications once (changning-21c).

The correction walks the notice's pending ends, one per application, in one transaction; each found the same
notice and announced the move again, so a list of two showed the same correction twice. The notice's locked read
keeps the session's copy on purpose (``calendar.notices_ending_with``): the move already made is seen and not
repeated.
"""

from __future__ import annotations

from tests.fidelity.test_procedure_calendar import _load, _year_2026, restore_2026  # noqa: F401
from tests.notices.driver import RECOMMENDED, NoticeFlow


async def test_a_correction_announces_the_move_of_a_notice_of_two_applications_once__changning_21c(
    client,
    token,
    restore_2026,  # noqa: F811
):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-01T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    # 2026-09-03 becomes a holiday: 不少于5个工作日 now ends a day later, for both applications
    revision = await _load(flow, _year_2026({"2026-09-03": "更正假日"}))
    public = await flow.public_notice(notice["id"])
    assert public["period"]["ends_at"] == "2026-09-10T00:00:00+08:00"
    [announced] = public["period"]["corrections"]
    assert (announced["from_last_day"], announced["to_last_day"], announced["to_revision"]) == (
        "2026-09-08",
        "2026-09-09",
        revision,
    )
    for app in ids:
        moved = await flow.notice_deadline(app)
        assert moved["ends_at"] == "2026-09-10T00:00:00+08:00" and moved["calendar_revision"] == revision
        assert [c["moved"] for c in moved["rule"]["corrections"]] == [True]
