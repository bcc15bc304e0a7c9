"""States of an application (申报) and of a round (届), as the API and the database spell them."""

from __future__ import annotations

from enum import StrEnum


class ApplicationState(StrEnum):
    """申报状态: an application's state, spelt as the API and the database spell it."""

    DRAFT = "draft"
    AWAITING_RECOMMENDATION = "awaiting_recommendation"
    PRELIMINARY_REVIEW = "preliminary_review"
    QUALIFICATION_REVIEW = "qualification_review"
    QUALIFICATION_NOTICE = "qualification_notice"
    MATERIAL_REVIEW = "material_review"
    ONSITE_NOTICE = "onsite_notice"
    ONSITE_REVIEW = "onsite_review"
    DEFENCE = "defence"
    COMPREHENSIVE_EVALUATION = "comprehensive_evaluation"
    COMMITTEE_REVIEW = "committee_review"
    AWARD_NOTICE = "award_notice"
    GOVERNMENT_APPROVAL = "government_approval"
    AWARDED = "awarded"
    # ends
    WITHDRAWN = "withdrawn"
    INELIGIBLE = "ineligible"
    NOT_SHORTLISTED = "not_shortlisted"
    NOT_SELECTED = "not_selected"
    DISQUALIFIED = "disqualified"
    REVOKED = "revoked"


_S = ApplicationState

STATE_NAMES_ZH: dict[str, str] = {
    _S.DRAFT: "草稿",
    _S.AWAITING_RECOMMENDATION: "待推荐",
    _S.PRELIMINARY_REVIEW: "条件初审",
    _S.QUALIFICATION_REVIEW: "资格审查",
    _S.QUALIFICATION_NOTICE: "资格审查结果公示",
    _S.MATERIAL_REVIEW: "材料评审",
    _S.ONSITE_NOTICE: "拟进入现场评审名单公示",
    _S.ONSITE_REVIEW: "现场评审",
    _S.DEFENCE: "陈述答辩",
    _S.COMPREHENSIVE_EVALUATION: "综合评价",
    _S.COMMITTEE_REVIEW: "审定委员会审议",
    _S.AWARD_NOTICE: "拟获奖名单公示",
    _S.GOVERNMENT_APPROVAL: "报政府批准",
    _S.AWARDED: "已获奖",
    _S.WITHDRAWN: "已撤回",
    _S.INELIGIBLE: "资格审查未通过",
    _S.NOT_SHORTLISTED: "未入围",
    _S.NOT_SELECTED: "未获奖",
    _S.DISQUALIFIED: "取消资格",
    _S.REVOKED: "撤销奖项",
}

# where an application ends: no event leaves these
FINAL_STATES: frozenset[ApplicationState] = frozenset(
    {_S.WITHDRAWN, _S.INELIGIBLE, _S.NOT_SHORTLISTED, _S.NOT_SELECTED, _S.DISQUALIFIED, _S.REVOKED}
)
# the notices (公示) an application passes through, each closed by its deadline
NOTICE_STAGES: frozenset[ApplicationState] = frozenset({_S.QUALIFICATION_NOTICE, _S.ONSITE_NOTICE, _S.AWARD_NOTICE})
# awarded is not final: post-award duties follow and revocation leaves from it


class RoundState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # call published (发布申报通知)
    CLOSED = "closed"  # application window over
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"
    ANNOUNCED = "announced"
    ARCHIVED = "archived"  # review panel dissolved (jinshan-9d, changning-10c)


ROUND_STATE_NAMES_ZH = {
    "draft": "草稿",
    "open": "申报中",
    "closed": "申报截止",
    "under_review": "评审中",
    "decided": "已审定",
    "announced": "已公布",
    "archived": "已归档",
}
