"""What one event's checks and hooks read, for a round action's whole batch at once (批量读取).

A round action fires one event on hundreds of applications (a notice of 1,000, submit or recommend on
500, issue 21). The checks and hooks it runs read, per application, the same few kinds of record:
the registry record and its employer, the recommending unit, the bans in force, the identity's
other applications, the office's eligibility overrides, the form and materials, the frozen versions.
``load`` reads each kind for every application in one statement; the checks and hooks are handed
the result (``pre``) and answer each application from it, by the same code and in the same order
as a single event, which reads the same records one by one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import applicants as applicant_repo
from app.db.repositories import bans as bans_repo
from app.db.repositories import eligibility as eligibility_repo
from app.db.repositories import materials as materials_repo
from app.db.repositories import recommendation as recommendation_repo
from app.domain import clock

# what each event's checks and hooks read (app/workflow/checks.py names them)
_ELIGIBILITY = frozenset({"submit", "pass_qualification"})  # eligibility.check_event
_COVERAGE = frozenset({"recommend", "pass_preliminary"})  # coverage.check_recommender
_MATERIALS = frozenset({"submit"})  # completeness.check_submit, materials.after_event (freeze)


class _ByIdentity:
    """Rows (in their order) found again by credit code, ID-number hash or applicant id, as ``_who_sql`` selects
    them, without a pass over all of them per application."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows
        self._index: dict[tuple[str, Any], list[int]] = {}
        for i, r in enumerate(rows):
            for key in ("credit_code", "id_number_hash", "applicant_id"):
                value = getattr(r, key, None)
                if value:
                    self._index.setdefault((key, value), []).append(i)

    def of(self, credit_code, id_number_hash, applicant_id=None) -> list[Any]:
        found: set[int] = set()
        for key, value in (
            ("credit_code", credit_code),
            ("id_number_hash", id_number_hash),
            ("applicant_id", applicant_id),
        ):
            if value:
                found.update(self._index.get((key, value), ()))
        return [self.rows[i] for i in sorted(found)]


@dataclass
class BatchReads:
    """The records of a batch, by application; read-only views except the forms and materials (ORM rows)."""

    programme: str
    today: date
    by_id: dict[uuid.UUID, Any] = field(default_factory=dict)  # registry records, employers included
    by_identity: _ByIdentity = field(default_factory=lambda: _ByIdentity([]))  # by credit code / ID-number hash
    units: dict[str, list[Any]] = field(default_factory=dict)
    bans: _ByIdentity = field(default_factory=lambda: _ByIdentity([]))
    others: _ByIdentity = field(default_factory=lambda: _ByIdentity([]))
    overrides: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    forms: dict[uuid.UUID, Any] = field(default_factory=dict)
    materials: dict[uuid.UUID, list[Any]] = field(default_factory=dict)
    snapshot_counts: dict[uuid.UUID, int] = field(default_factory=dict)

    def applicant(self, app) -> Any | None:
        """``eligibility.service.registry_record``: by the linked record, else by credit code or ID-number hash."""
        if app.applicant_id is not None:
            return self.by_id.get(app.applicant_id)
        if not (app.credit_code or app.id_number_hash):
            return None
        found = self.by_identity.of(app.credit_code, app.id_number_hash)
        return found[0] if found else None

    def employer(self, applicant) -> Any | None:
        return self.by_id.get(applicant.employer_id) if applicant.employer_id is not None else None

    def units_of(self, code: str, programme: str | None) -> list[Any] | None:
        """The units of ``code`` read for the batch's programme; None when not read (the caller reads them)."""
        if programme != self.programme or code not in self.units:
            return None
        return self.units[code]

    def bans_in_force(self, credit_code, id_number_hash, applicant_id, on: date) -> list[Any] | None:
        """``bans_repo.in_force`` for one identity; None when not read for that day."""
        if on != self.today:
            return None
        return self.bans.of(credit_code, id_number_hash, applicant_id)

    def other_applications(self, credit_code, id_number_hash, applicant_id, exclude) -> list[tuple[Any, date]]:
        """``bans_repo.other_applications`` for one identity."""
        return [
            (r, r.call_published_on)
            for r in self.others.of(credit_code, id_number_hash, applicant_id)
            if r.id != exclude
        ]


def needed(event: str) -> bool:
    """Whether ``event``'s checks or hooks read anything ``load`` reads."""
    return event in _ELIGIBILITY or event in _COVERAGE or event in _MATERIALS


async def load(session: AsyncSession, apps: list, programme: str, event: str) -> BatchReads:
    """Every record ``event``'s checks and hooks will read for ``apps``, a handful of statements in all."""
    reads = BatchReads(programme, clock.today())
    ids = [a.id for a in apps]
    if event in _ELIGIBILITY or event in _COVERAGE:
        reads.by_id = await applicant_repo.view_many(session, [a.applicant_id for a in apps if a.applicant_id])
        unlinked = [a for a in apps if a.applicant_id is None]
        reads.by_identity = _ByIdentity(
            await applicant_repo.view_by_identities(
                session,
                [a.credit_code for a in unlinked if a.credit_code],
                [a.id_number_hash for a in unlinked if a.id_number_hash],
            )
        )
        for r in reads.by_identity.rows:
            reads.by_id.setdefault(r.id, r)
        found = [reads.applicant(a) for a in apps]
        employers = [r.employer_id for r in found if r is not None and r.employer_id is not None]
        for eid, row in (await applicant_repo.view_many(session, employers)).items():
            reads.by_id.setdefault(eid, row)
        codes = sorted({a.recommending_unit for a in apps if a.recommending_unit})
        reads.units = await recommendation_repo.find_all_by_codes(session, codes, programme)
        if event in _ELIGIBILITY:
            # the identity bans.entries asks about: the record found, else the one the application names
            who = [
                (a.credit_code, a.id_number_hash, r.id if r is not None else a.applicant_id)
                for a, r in zip(apps, found, strict=True)
            ]
            reads.bans = _ByIdentity(await bans_repo.in_force_any(session, who, reads.today))
            reads.others = _ByIdentity(await bans_repo.other_applications_any(session, who))
            reads.overrides = await eligibility_repo.latest_overrides_many(session, ids)
    if event in _MATERIALS:
        reads.forms = await materials_repo.forms_of(session, ids)
        reads.materials = await materials_repo.current_materials_of(session, ids)
        reads.snapshot_counts = await materials_repo.snapshot_counts(session, ids)
    return reads
