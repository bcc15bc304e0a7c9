"""The /api/v1 surface: every v1 module's router, included here."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.v1 import (
    admin_read_audit,
    aftercare,
    applicants,
    applications,
    bans,
    calendar,
    certificates,
    commendations,
    committees,
    eligibility,
    experts,
    feed,
    health,
    incubation,
    integrations,
    legal_holds,
    lookups,
    materials,
    notices,
    objections,
    office_reports,
    office_work,
    programmes,
    public,
    public_notices,
    ratings,
    recommending_units,
    review,
    review_bodies,
    revocations,
    rewards,
    rounds,
    testing,
    webhooks,
)
from app.api.v1.routing import check_transactional
from app.config import Settings

PREFIX = "/api/v1"


def routers(settings: Settings) -> list[APIRouter]:
    """Every v1 router, in matching order (each is included in the app under ``PREFIX``)."""
    out: list[APIRouter] = []

    def include(router: APIRouter) -> None:
        out.append(check_transactional(router))

    include(health.liveness)
    include(health.router)
    # a request walks the routers in this order, trying each route's pattern: an application's events (the
    # busiest writes) first, public notices (read by the many) right after (issue 21: ~100,000 instructions
    # of every event went in the patterns of the four routers before); no path of the routers they pass
    # is theirs (tests/foundation/test_route_order.py)
    include(applications.router)
    include(public_notices.router)
    include(recommending_units.router)
    include(calendar.router)
    include(programmes.router)
    include(rounds.router)
    include(applicants.router)
    include(eligibility.router)
    include(bans.router)
    include(materials.router)
    include(public.router)
    include(notices.router)
    include(objections.router)
    include(admin_read_audit.router)
    include(experts.router)
    include(review.router)
    include(review_bodies.router)
    include(commendations.router)
    include(certificates.router)
    include(webhooks.router)
    include(feed.router)
    include(integrations.router)
    include(committees.router)
    include(lookups.router)
    include(office_work.router)
    include(office_work.applicants_router)
    include(office_reports.router)
    include(revocations.router)
    include(rewards.router)
    include(legal_holds.router)
    include(aftercare.router)
    include(incubation.router)
    include(ratings.router)
    if not settings.production:
        include(testing.router)
    return out
