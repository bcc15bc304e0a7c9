"""Who sees an application, with the one fact the rule needs loaded, and whose reads are recorded.

保密 (jinshan-21a, hangzhou-6.2a, linyi-20a): an expert who is nothing more to the programme sees
an application (its record, history, eligibility, form, versions, materials, objections) only while
it holds an open assignment of it after accepting the pledge; otherwise the application does not
exist for it (404). ``app.access.applications.may_view`` is the rule; this module loads whether the
caller is so assigned and hands it over, so every service asks the rule the same way.

Read audit: each read of an application by an expert (kind ``review_application``, as through
``/review/assignments/{id}/application``) or by the programme's supervision team (评审监督小组,
hangzhou-6.1; kind ``supervision_application``) is a read-audit record. Reads by the office, the
applicant and the unit are not: they hold the application as its parties.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applications as access
from app.access import roles
from app.db.models.workflow import Application
from app.db.repositories import review as repo
from app.domain import read_audit
from app.identity import Principal


def audited_kind(principal: Principal) -> str | None:
    """The read-audit kind of this caller's reads of an application, or None (not recorded)."""
    if access.reads_through_assignment(principal):
        return read_audit.REVIEW_APPLICATION
    if roles.supervisor_programme(principal) is not None:
        return read_audit.SUPERVISION_APPLICATION
    return None


async def _assigned(session: AsyncSession, principal: Principal, app: Application) -> bool:
    if not access.reads_through_assignment(principal) or principal.programme != app.programme:
        return False
    return await repo.has_open_pledged_assignment(session, app.programme, principal.sub, app.id)


async def may_view(session: AsyncSession, principal: Principal, app: Application, *, read: bool = True) -> bool:
    """``access.may_view`` with the caller's assignment loaded; ``read``: the caller is shown the
    application (not acting on it: an event is in the history with its actor), so it is audited."""
    if not access.may_view(principal, app, assigned=await _assigned(session, principal, app)):
        return False
    if read:
        await record_reads(session, principal, [app.id])
    return True


async def visible(session: AsyncSession, principal: Principal, apps: Sequence[Application]) -> list[Application]:
    """Those of ``apps`` the caller may see, the assignments of all loaded in one query."""
    assigned: set[uuid.UUID] = set()
    if access.reads_through_assignment(principal) and principal.programme:
        ours = [a.id for a in apps if a.programme == principal.programme]
        assigned = await repo.applications_with_open_pledged_assignment(
            session, principal.programme, principal.sub, ours
        )
    return [a for a in apps if access.may_view(principal, a, assigned=a.id in assigned)]


async def record_reads(session: AsyncSession, principal: Principal, app_ids: Sequence[uuid.UUID]) -> None:
    """A read-audit record per application shown to an expert or a supervisor (a list: each item)."""
    kind = audited_kind(principal)
    if kind is not None:
        await read_audit.record_many(session, principal, kind, list(app_ids))
