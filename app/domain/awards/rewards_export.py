"""奖金发放表: a round's rewards as .xlsx for the office's finance (write-only: bounded memory whatever the round)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from app.domain.awards.rewards import yuan
from app.domain.awards.rewards_service import STATE_ZH, RoundRewards

MONEY_FORMAT = "#,##0.00"
HEADINGS = (
    "序号",
    "获奖者",
    "奖项",
    "类别",
    "奖励条款",
    "应得金额（元）",
    "上限（元）",
    "核定金额（元）",
    "状态",
    "核定日期",
    "核定理由",
    "拨付日期",
    "拨付凭证号",
    "撤销日期",
    "撤销文号",
    "追回日期",
    "追回凭证号",
)
TOTALS = (("approved", "核定合计"), ("paid", "已拨付合计"), ("to_reclaim", "待追回合计"), ("reclaimed", "已追回合计"))


def _money(sheet, amount):
    if amount is None:
        return None
    cell = WriteOnlyCell(sheet, value=amount)
    cell.number_format = MONEY_FORMAT
    return cell


def xlsx_bytes(data: RoundRewards, tier_names: dict[str, str], category_names: dict[str, str]) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("奖金")
    sheet.append([f"{data.round.programme} {data.round.label} 奖金发放表"])
    sheet.append(list(HEADINGS))
    for i, v in enumerate(data.rows, start=1):
        r, e, app = v.record, v.entitlement, v.application
        sheet.append(
            [
                i,
                app.applicant_name,
                tier_names.get(app.tier or "", app.tier),
                category_names.get(app.category, app.category),
                e.clause,
                _money(sheet, e.entitlement_yuan),
                _money(sheet, e.cap_yuan),
                _money(sheet, r.amount_yuan) if r else None,
                STATE_ZH[r.state] if r else "未核定",
                r.approved_on if r else None,
                r.reason if r else None,
                r.paid_on if r else None,
                r.payment_voucher if r else None,
                r.revoked_on if r else None,
                r.revocation_document_no if r else None,
                r.reclaimed_on if r else None,
                r.reclaim_voucher if r else None,
            ]
        )
    sheet.append([])
    for key, zh in TOTALS:
        sheet.append([zh, None, None, None, None, None, None, _money(sheet, data.totals[key])])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def totals_text(data: RoundRewards) -> dict[str, str | None]:
    return {key: yuan(data.totals[key]) for key, _ in TOTALS}
