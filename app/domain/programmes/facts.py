"""The named facts an eligibility criterion may read (申报条件所依据的事实).

A machine-checkable criterion in a programme definition names the facts it reads; the
application service gathers them (from the application form, registries, the reviewer)
before it asks whether a criterion holds. Each fact has one type, so a definition cannot
refer to a fact the service does not know how to collect.

Types:
- ``date``: a calendar date (e.g. when the organisation was registered);
- ``bool``: yes or no;
- ``str``: a code (a jurisdiction code, a grade letter, a sector code);
- ``int``: a whole number (a year);
- ``records``: a list of dated records (accidents, losses, listings); a criterion counts
  those whose date falls inside its look-back window and whose attributes it selects.

One kind of record serves several texts that mean different things by it (issue 20): a
violation may be ordinary, 严重 or 重大; an inspection national, provincial, city or district;
a complaint the organisation's fault or not, from a customer or the public, major, valid. Each
record carries those attributes (``RECORD_ATTRIBUTES``), and each programme's criterion selects
what its text names (``params.select``). A record stored without an attribute a criterion
selects on is "unknown": it never passes or refuses silently, the criterion needs review.
"""

from __future__ import annotations

from typing import Literal

FactType = Literal["date", "bool", "str", "int", "records"]

FACTS: dict[str, FactType] = {
    # where and since when
    "registered_jurisdiction": "str",  # jurisdiction code of the registered domicile (登记注册地)
    "work_jurisdiction": "str",  # jurisdiction code where an individual works
    "registered_on": "date",  # 登记注册日期
    "operating_since": "date",  # 正常运营/生产经营起始日期
    "legal_person": "bool",  # 独立法人资格
    "sector": "str",  # manufacturing | construction | services | environment | other
    "four_new_field": "bool",  # 新技术、新产业、新业态、新模式 (linyi "四新")
    # individuals
    "quality_work_since": "date",  # 从事质量或质量相关工作起始日期
    "quality_work_in_jurisdiction_since": "date",  # 在本区/本市从事质量工作起始日期
    "jurisdiction_work_since": "date",  # 在本区工作起始日期
    "is_top_manager": "bool",  # 申报个人为组织最高管理者
    # management systems
    "certified_since": "date",  # GB/T19001-ISO9001 或其他管理体系认证有效运行起始日期
    "excellence_model_since": "date",  # 实施卓越绩效模式起始日期
    "has_chief_quality_officer": "bool",  # 建立首席质量官制度并聘任首席质量官
    # 亩均效益 (hangzhou)
    "above_size_manufacturer": "bool",  # 制造业规上企业
    "mu_efficiency_grade": "str",  # 最新年度"亩均效益"综合评价档次 A|B|C|D
    "mu_efficiency_year": "int",  # the year the grade above was given for
    "frontier_industry": "bool",  # 通用人工智能、低空经济、具身智能机器人、类脑智能、合成生物、航空航天等产业
    # status
    "civil_service_managed": "bool",  # 按照(参照)公务员法管理的单位
    "exporter": "bool",  # 出口企业
    # look-back records
    "losses": "records",  # 亏损年度 (政策性亏损除外)
    "major_accidents": "records",  # 重大质量、安全、环境、公共卫生、食品药品等事故
    # 较大 is the grade below 重大: a separate fact so that tianning-11h ("无较大...事故") refuses it
    # while the programmes that name only 重大 accidents do not.
    "relatively_major_accidents": "records",  # 较大质量、安全、生态环境、公共卫生、食品药品等事故
    "major_quality_complaints": "records",  # 重大质量投诉 / 因组织责任导致的重大投诉
    "serious_dishonesty": "records",  # 严重失信行为 / 列入严重失信名单
    "legal_violations": "records",  # 违反法律法规的行为 / 严重违法违规
    "failed_quality_inspections": "records",  # 质量安全监督检查/抽查不合格
    "quality_claims_own_fault": "records",  # 自身责任引起的质量异议、索赔和退货
    "labour_dishonesty": "records",  # 重大劳动保障失信记录
    "export_quality_incidents": "records",  # 出口产品退运、销毁或官方通报
}

# What each machine test needs: the fact types it reads and the parameters it requires.
TESTS: dict[str, tuple[set[FactType], set[str]]] = {
    "within_jurisdiction": ({"str"}, set()),  # fact equals params.jurisdiction (default: the programme's)
    "min_years": ({"date"}, {"min_years"}),  # at least N whole years between the fact and the reference date
    "none_within_years": ({"records"}, {"lookback_years"}),  # no record in the last N years
    "none_ever": ({"records"}, set()),  # no record at all
    "is_true": ({"bool"}, set()),
    "is_false": ({"bool"}, set()),
    "in_set": ({"str"}, {"values"}),
    "grade_at_least": ({"str"}, {"min_grade"}),  # grades ordered A > B > C > D
    "none_in_force": ({"records"}, set()),  # no listing in force on the day (listed on or before, not yet ended)
}

# The attributes a record of each fact may carry, and their values (the selection a criterion makes).
SEVERITIES = ("ordinary", "serious", "major")  # 一般 / 严重 / 重大
INSPECTION_LEVELS = ("national", "provincial", "city", "district", "other")
COMPLAINANTS = ("customer", "employee", "supplier", "partner", "social_organisation", "public", "other")
RECORD_ATTRIBUTES: dict[str, dict[str, tuple]] = {
    "legal_violations": {"severity": SEVERITIES},
    "failed_quality_inspections": {"level": INSPECTION_LEVELS},
    "major_quality_complaints": {
        "fault": (True, False),  # caused by the organisation's responsibility (因组织/单位责任导致)
        "complainant": COMPLAINANTS,
        "major": (True, False),  # 重大
        "valid": (True, False),  # 有效 (upheld on verification)
    },
}
# Attributes any record may carry: the day a listing ended (移出名单), the day an exception took effect
COMMON_RECORD_DATES = ("ended_on", "excepted_on")
