"""The names of the events (事件名称) an application or a round goes through, as people read them.

The codes are the API's (``recommend``); a clerk reads the name (“推荐”). Error messages, the
event catalogue (``GET /api/v1/programmes/{code}/events``) and the frontend's buttons use the
same names, so a refusal says “不能执行“推荐”” rather than the code. An event without a name
here (one a later stage adds) is shown by its code.
"""

from __future__ import annotations

# application events: code -> (Chinese, English)
APPLICATION_EVENT_NAMES: dict[str, tuple[str, str]] = {
    "submit": ("提交申报", "Submit"),
    "recommend": ("推荐", "Recommend"),
    "pass_preliminary": ("初审通过", "Pass the preliminary review"),
    "fail_preliminary": ("初审不通过", "Fail the preliminary review"),
    "pass_qualification": ("资格审查通过", "Pass the qualification review"),
    "fail_qualification": ("资格审查不通过", "Fail the qualification review"),
    "return_for_correction": ("退回补正", "Return for correction"),
    "start_notice": ("开始公示", "Start the notice"),
    "close_notice": ("公示期满", "Close the notice"),
    "disqualify": ("取消资格", "Disqualify"),
    "shortlist": ("材料评审通过", "Shortlist"),
    "not_shortlist": ("不予入围", "Do not shortlist"),
    "complete_onsite": ("完成现场评审", "Complete the on-site review"),
    "complete_defence": ("完成陈述答辩", "Complete the defence"),
    "complete_evaluation": ("完成综合评价", "Complete the comprehensive evaluation"),
    "select": ("审定为拟获奖", "Select"),
    "not_select": ("不予评定", "Do not select"),
    "approve_publication": ("名单报批通过", "Approve the list for publication"),
    "approve": ("批准授奖", "Approve the award"),
    "withdraw": ("撤回申报", "Withdraw"),
    "revoke": ("撤销奖项", "Revoke the award"),
    # not an event of the machine: the history entry of a retention purge (issue 17, changning-37)
    "retention_purge": ("保存期满删除", "Purge after the retention period"),
}

# round events: code -> (Chinese, English)
ROUND_EVENT_NAMES: dict[str, tuple[str, str]] = {
    "publish": ("发布申报通知", "Publish the call"),
    "close": ("申报截止", "Close the call"),
    "start_review": ("开始评审", "Start the review"),
    "decide": ("审定", "Decide"),
    "announce": ("公布结果", "Announce the results"),
    "archive": ("归档", "Archive"),
}


def event_name_zh(event: str, *, round_event: bool = False) -> str:
    names = ROUND_EVENT_NAMES if round_event else APPLICATION_EVENT_NAMES
    return names.get(event, (event, event))[0]


def event_name_en(event: str, *, round_event: bool = False) -> str:
    names = ROUND_EVENT_NAMES if round_event else APPLICATION_EVENT_NAMES
    return names.get(event, (event, event))[1]
