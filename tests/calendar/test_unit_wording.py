"""The unit of a period is written one way everywhere (issue #12 item 8): 个工作日 for working days, 天 for calendar
days as the regulations write them ("不少于7天"), never 日."""

from __future__ import annotations

from app.domain.calendar.periods import UNIT_WORDS, PeriodUnit, unit_words
from tests.notices.driver import RECOMMENDED, NoticeFlow


def test_one_wording_per_unit():
    assert unit_words("working_day").count(5) == ("5个工作日", "5 working days")
    assert unit_words("calendar_day").count(7) == ("7天", "7 days")
    assert {w.name_zh for w in UNIT_WORDS.values()} == {"工作日", "自然日"} and set(UNIT_WORDS) == set(PeriodUnit)


async def test_a_verification_period_in_calendar_days_reads_in_days_on_the_notice_the_channel_and_the_objection(
    client, token
):
    """changning states no verification period, so a round may count it in calendar days; every text then says 5天."""
    flow = NoticeFlow(client, token, "changning")
    await flow.start(
        overrides=[
            {"path": "notices.qualification.verification.unit", "value": "calendar_day", "reason": "本届按自然日核查"}
        ]
    )
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    assert notice["verification"]["unit"] == "calendar_day"
    assert notice["verification"]["text_zh"].startswith("自收到异议材料之日起5天内完成核查")
    assert "5天内进行核查" in notice["objection_channel_zh"]
    texts = notice["verification"]["text_zh"] + notice["objection_channel_zh"]
    assert "5日内" not in texts and "5个工作日" not in texts
