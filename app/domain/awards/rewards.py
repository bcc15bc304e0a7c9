"""奖金/资助: what a winner is entitled to under its programme's reward rule, line by line with each clause.

Pure: the rule comes from the programme's data (``rewards``), the facts (earlier wins, awards held,
amounts received) from the caller. The office then approves an amount no higher than the cap; the
money's states after that live in ``rewards_service``.

- fixed amounts per tier and category (changning-26b, jinshan-19b, tianning-13b);
- "up to" caps where the office sets the amount (hangzhou-4.3a, linyi-15b);
- an amount the text does not give (linyi-15b's individual: 一定物质奖励): the office records it, no cap;
- first-time winners only (tianning-13b: 首次获得): an earlier win of the tier leaves nothing;
- 就高不重复 (hangzhou-4.4a, linyi-15c): what the winner already received for the awards the rule
  names, and the programme's own earlier rewards, is deducted, never below zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.domain.errors import invalid
from app.domain.programmes.schema import Reward

ZERO = Decimal("0.00")
# NUMERIC(14, 2): twelve digits of yuan, two of fen
MAX_YUAN = Decimal("999999999999.99")
_AMOUNT_TEXT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


def parse_amount(field_name: str, value: object) -> Decimal:
    """An amount of yuan as a client sends it (a string or a JSON number), positive, at most two decimals.

    A reward is paid to a winner, never charged (jinshan-6a, hangzhou-1.4b, linyi-16a, tianning-20b):
    zero and negative amounts are refused here, and the table's CHECK refuses them again."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise invalid(field_name, "金额应为字符串或数字（元）", "an amount of yuan as a string or a number", "type")
    text = value if isinstance(value, str) else str(value)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise invalid(field_name, "金额格式不正确", "not a decimal amount", "decimal_parsing") from None
    if not amount.is_finite():
        raise invalid(field_name, "金额格式不正确", "not a decimal amount", "decimal_parsing")
    if amount <= 0:
        raise invalid(
            field_name,
            "金额必须大于零（不向申报人收取任何费用）",
            "must be above zero (no fee is ever charged)",
            "not_positive",
        )
    if int(amount.as_tuple().exponent) < -2:
        raise invalid(field_name, "金额最多保留两位小数（分）", "at most two decimals (fen)", "decimal_places")
    if amount > MAX_YUAN or (isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(text)):
        raise invalid(field_name, "金额格式不正确或过大", "not a plain amount of yuan, or too large", "decimal_parsing")
    return amount.quantize(Decimal("0.01"))


def yuan(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


@dataclass(frozen=True)
class Fact:
    """An award the winner already holds, or a reward already paid: where it comes from, what it received."""

    source: str  # recorded (an office's record) | service (an earlier award or reward of this service)
    award: str  # a tier of the programme or a held-award code
    name_zh: str
    year: int | None
    document_no: str | None
    received_yuan: Decimal = ZERO


@dataclass(frozen=True)
class Line:
    """One step of the computation: base, first-time rule, a deduction, the cap, or why there is nothing."""

    step: str  # base | not_granted | no_rule | first_time_only | deduction | cap | office_sets | not_winner
    zh: str
    en: str
    clause: str | None = None
    amount_yuan: Decimal | None = None

    def as_dict(self) -> dict:
        return {
            "step": self.step,
            "clause": self.clause,
            "amount_yuan": yuan(self.amount_yuan),
            "zh": self.zh,
            "en": self.en,
        }


@dataclass(frozen=True)
class Entitlement:
    """应得奖励: the rule's amount after its conditions and deductions, the most the office may approve."""

    winner: bool
    rule_id: str | None = None
    clause: str | None = None
    kind: str | None = None  # fixed | up_to | office_sets
    base_yuan: Decimal | None = None
    deducted_yuan: Decimal = ZERO
    # None with kind office_sets: the text gives no amount (linyi-15b), the office records what it approves
    cap_yuan: Decimal | None = ZERO
    entitlement_yuan: Decimal | None = ZERO
    lines: tuple[Line, ...] = field(default_factory=tuple)

    @property
    def payable(self) -> bool:
        return self.winner and (self.kind == "office_sets" or (self.cap_yuan is not None and self.cap_yuan > 0))


def not_a_winner() -> Entitlement:
    return Entitlement(
        winner=False,
        lines=(
            Line(
                "not_winner",
                "尚未获奖表彰（表彰决定之后才有奖励）",
                "Not a commended winner (a reward follows the commendation decision)",
            ),
        ),
    )


def compute(
    rule: Reward | None,
    tier_name_zh: str,
    earlier_wins: list[Fact],
    held: list[Fact],
    earlier_rewards: list[Fact],
) -> Entitlement:
    """The entitlement of one commended winner of ``rule``'s tier and category.

    ``earlier_wins``: the winner's earlier awards of the programme (the service's, and those an office
    recorded); ``held``: the awards an office recorded, with what the winner received for each;
    ``earlier_rewards``: what the service already approved or paid the winner under this programme."""
    if rule is None:
        return Entitlement(
            winner=True,
            lines=(Line("no_rule", f"“{tier_name_zh}”无奖金规定", f"No reward is set for '{tier_name_zh}'"),),
        )
    if not rule.granted:
        return Entitlement(
            winner=True,
            rule_id=rule.id,
            lines=(
                Line(
                    "not_granted",
                    f"管理办法未规定“{tier_name_zh}”的奖金",
                    f"The regulation grants no money to '{tier_name_zh}'",
                ),
            ),
        )
    rule_clause = rule.rule_clauses[0] if rule.rule_clauses else rule.clause
    if rule.first_time_only:
        before = [w for w in earlier_wins if w.award == rule.tier]
        if before:
            first = min(before, key=lambda w: w.year or 0)
            return Entitlement(
                winner=True,
                rule_id=rule.id,
                clause=rule.clause,
                kind=rule.kind,
                base_yuan=rule.amount_yuan,
                lines=(
                    Line(
                        "first_time_only",
                        f"奖励仅限首次获得{tier_name_zh}的组织，该组织已于{first.year}年获得（{first.document_no or '记录'}）",
                        f"Only first-time winners are rewarded; this winner already won in {first.year} ({first.document_no or 'record'})",
                        rule_clause,
                    ),
                ),
            )
    lines: list[Line] = []
    if rule.amount_yuan is None:
        lines.append(
            Line(
                "office_sets",
                "管理办法未规定金额（一定物质奖励），由办公室核定",
                "The text gives no amount; the office sets it",
                rule.clause,
            )
        )
    elif rule.kind == "up_to":
        lines.append(
            Line("base", f"不高于{rule.amount_yuan}元", f"Up to CNY {rule.amount_yuan}", rule.clause, rule.amount_yuan)
        )
    else:
        lines.append(Line("base", f"{rule.amount_yuan}元", f"CNY {rule.amount_yuan}", rule.clause, rule.amount_yuan))
    deducted = ZERO
    if rule.deduct_received:
        counted = [h for h in held if h.award in rule.deducts] + earlier_rewards
        for fact in counted:
            lines.append(
                Line(
                    "deduction",
                    f"就高不重复：扣除已获“{fact.name_zh}”（{fact.year}年，{fact.document_no or '—'}）已得{fact.received_yuan}元",
                    f"Highest amount, no double payment: less CNY {fact.received_yuan} already received for '{fact.name_zh}' ({fact.year})",
                    rule_clause,
                    fact.received_yuan,
                )
            )
            deducted += fact.received_yuan
    if rule.amount_yuan is None:
        return Entitlement(
            winner=True,
            rule_id=rule.id,
            clause=rule.clause,
            kind="office_sets",
            deducted_yuan=deducted,
            cap_yuan=None,
            entitlement_yuan=None,
            lines=tuple(lines),
        )
    cap = max(ZERO, rule.amount_yuan - deducted)
    if deducted:
        lines.append(Line("cap", f"核定上限{cap}元", f"At most CNY {cap}", rule_clause, cap))
    return Entitlement(
        winner=True,
        rule_id=rule.id,
        clause=rule.clause,
        kind=rule.kind,
        base_yuan=rule.amount_yuan,
        deducted_yuan=deducted,
        cap_yuan=cap,
        entitlement_yuan=cap,
        lines=tuple(lines),
    )
