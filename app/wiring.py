"""What the modules around the workflow register with it (``app.workflow.ports``), in one place.

Every process that fires events installs them before its first one: the API (``create_app``),
``qaward worker`` and any command that runs the deadline worker. A process without them would
close a notice over an open objection (INTERPRETATIONS §8, changning-21c) or pass a qualification
review without the eligibility check, so the workflow refuses to fire an event until they are
installed (``ports.require_installed``).
"""

from __future__ import annotations


def install() -> None:
    """Register intake's checks and hooks and the notices' objection counts, checks and hooks (idempotent)."""
    from app.domain.eligibility import checks
    from app.domain.notices import workflow_ports
    from app.workflow import ports

    checks.register()
    workflow_ports.register()
    ports.mark_installed()
