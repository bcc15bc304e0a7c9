"""From a follow-up's finding to a revocation case (撤销): which ground the referral names.

changning-36c ("发现存在应撤销奖励情况的，及时报告评审办"), jinshan-28c (reported to the 区审定办, "由区审定办按照
相应程序处理") and linyi-25b ("对不符合条件的按程序撤销其市长质量奖称号"): a follow-up finding that a
winner no longer meets the conditions opens a revocation case (``app/workflow/aftercare.py``) on the
programme's ground for a failed periodic evaluation where it has one (linyi-25b), else its post-award
ground; the case then follows its text's procedure, which may still dismiss it.
"""

from __future__ import annotations

from app.domain.programmes.schema import RevocationGround

# the ground kinds a follow-up's finding reads as, the most specific first
REFERRAL_KINDS = ("periodic_evaluation", "post_award_incident", "other")


def referral_ground(prog, applicant_kind: str) -> RevocationGround | None:
    """The programme's ground a follow-up refers a winner of this kind on; None where it has none."""
    usable = [g for g in prog.revocation_grounds if g.applies_to in ("all", applicant_kind)]
    for kind in REFERRAL_KINDS:
        found = next((g for g in usable if g.kind == kind), None)
        if found is not None:
            return found
    return None
