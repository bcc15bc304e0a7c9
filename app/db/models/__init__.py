"""Every ORM model, imported so that ``Base.metadata`` knows all tables (for Alembic)."""

from app.db.models import (
    aftercare,  # noqa: F401
    audit,  # noqa: F401
    awards,  # noqa: F401
    calendar,  # noqa: F401
    commendation,  # noqa: F401
    decisions,  # noqa: F401
    incubation,  # noqa: F401
    intake,  # noqa: F401
    notices,  # noqa: F401
    operations,  # noqa: F401
    outbox,  # noqa: F401
    platform,  # noqa: F401
    ratings,  # noqa: F401
    recommendation,  # noqa: F401
    retention,  # noqa: F401
    review,  # noqa: F401
    review_bodies,  # noqa: F401
    revocation,  # noqa: F401
    rewards,  # noqa: F401
    workflow,  # noqa: F401
)
