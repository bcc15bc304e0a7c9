"""States of an application (申报) and of a round (届), as the API and the database spell them."""

from __future__ import annotations

from enum import StrEnum


class ApplicationState(StrEnum):
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


STATE_NAMES_ZH: dict[str, str] = {
    "draft": "草稿",
    "awaiting_recommendation": "待推荐",
    "preliminary_review": "条件初审",
    "qualification_review": "资格审查",
    "qualification_notice": "资格审查结果公示",
    "material_review": "材料评审",
    "onsite_notice": "拟进入现场评审名单公示",
    "onsite_review": "现场评审",
    "defence": "陈述答辩",
    "comprehensive_evaluation": "综合评价",
    "committee_review": "审定委员会审议",
    "award_notice": "拟获奖名单公示",
    "government_approval": "报政府批准",
    "awarded": "已获奖",
    "withdrawn": "已撤回",
    "ineligible": "资格审查未通过",
    "not_shortlisted": "未入围",
    "not_selected": "未获奖",
    "disqualified": "取消资格",
    "revoked": "撤销奖项",
}

FINAL_STATES = frozenset({"withdrawn", "ineligible", "not_shortlisted", "not_selected", "disqualified", "revoked"})
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
