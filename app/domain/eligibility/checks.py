"""What intake registers with the workflow (``app/workflow/ports.py``), through ``app.wiring.install()``.

``submit`` and ``pass_qualification`` run the eligibility check (every criterion and every ban,
refused with 422 listing each failure with its clause): at submit because the regulations bar
ineligible applicants from applying, and again at qualification review because facts and bans
may have changed since (a revocation, a declared application to another level). After
``approve`` and ``revoke`` the bans those events start are recorded; after ``submit`` the form
and materials are frozen as a version. ``recommend`` and ``pass_preliminary`` are refused when the
application's recommending unit does not cover the applicant.
"""

from __future__ import annotations

from app.domain.eligibility import bans, service
from app.domain.materials import service as materials
from app.domain.recommendation import coverage
from app.workflow import ports

CHECKED_EVENTS = ("submit", "pass_qualification")
RECOMMENDATION_EVENTS = ("recommend", "pass_preliminary")


def register() -> None:
    for event in CHECKED_EVENTS:
        checks = ports.event_checks.setdefault(event, [])
        if service.check_event not in checks:
            checks.append(service.check_event)
    for event in RECOMMENDATION_EVENTS:
        checks = ports.event_checks.setdefault(event, [])
        if coverage.check_recommender not in checks:
            checks.append(coverage.check_recommender)
    for hook in (bans.after_event, materials.after_event):
        if hook not in ports.after_event_hooks:
            ports.after_event_hooks.append(hook)

