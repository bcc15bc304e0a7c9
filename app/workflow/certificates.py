"""Certificates (证书): issued with the commendation decision, revoked with the award, verified by anyone.

Each winner the commendation decision names gets a numbered certificate in the same transaction as
the decision (changning-33a, jinshan-25a, hangzhou-6.4b, tianning-18a: the award year and category
are always stated). ``revoke`` marks it revoked in the event's own transaction, so the next
verification says so (changning-33d, tianning-19b, linyi-19b: a revoked title no longer verifies).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.awards import Certificate
from app.db.models.commendation import GovernmentDocument
from app.db.models.workflow import Application, Round
from app.db.repositories import awards as repo
from app.db.repositories import commendation as commendation_repo
from app.domain import clock
from app.domain.awards import certificates
from app.domain.awards.certificates import Verification
from app.domain.errors import DomainError, not_found
from app.domain.review import confidentiality
from app.domain.revocation import revocation_day
from app.identity import Principal


async def issue(session: AsyncSession, rnd: Round, programme_name_zh: str, doc: GovernmentDocument) -> list[str]:
    """One certificate per award the decision names, numbered in the programme's award year (the round's call year:
    the year the honour is "of", as the notices and the decision name it)."""
    awards = await commendation_repo.awards_of(session, doc.id)
    year = rnd.call_published_on.year
    first = await repo.next_sequence(session, rnd.programme, year)
    now = clock.now()
    rows = []
    for i, award in enumerate(sorted(awards, key=lambda a: a.position)):
        rows.append(
            {
                "id": uuid.uuid4(),
                "number": certificates.number(rnd.programme, year, first + i),
                "programme": rnd.programme,
                "award_year": year,
                "sequence": first + i,
                "application_id": award.application_id,
                "round_id": rnd.id,
                "document_id": doc.id,
                "programme_name_zh": programme_name_zh,
                "holder_name": award.name,
                "applicant_kind": award.applicant_kind,
                "credit_code": award.credit_code,
                "employer": award.employer,
                "tier": award.tier,
                "tier_name_zh": award.tier_name_zh,
                "category": award.category,
                "category_name_zh": award.category_name_zh,
                "commendation_no": doc.document_no,
                "issued_by_zh": doc.issued_by_zh,
                "issued_on": doc.issued_on,
                "status": certificates.VALID,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    await repo.insert(session, rows)
    return [r["number"] for r in rows]


async def after_event(
    session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict
) -> None:
    """``revoke``: the certificate shows revoked at once, with the day and the revocation's document number."""
    if event != "revoke":
        return
    # the decision's own day where a revocation case carries it, else the day it is recorded
    await repo.mark_revoked(
        session,
        app.id,
        revocation_day(data),
        str(data["document_no"]) if data.get("document_no") else None,
        str(data.get("ground") or "") or None,
        clock.now(),
    )


def _verification(cert: Certificate) -> Verification:
    return Verification(
        number=cert.number,
        status=cert.status,
        holder_name=cert.holder_name,
        applicant_kind=cert.applicant_kind,
        credit_code=cert.credit_code,
        employer=cert.employer,
        programme_name_zh=cert.programme_name_zh,
        award_year=cert.award_year,
        tier_name_zh=cert.tier_name_zh,
        category_name_zh=cert.category_name_zh,
        commendation_no=cert.commendation_no,
        issued_by_zh=cert.issued_by_zh,
        issued_on=cert.issued_on,
        revoked_on=cert.revoked_on,
        revocation_document_no=cert.revocation_document_no,
        version=cert.version,
    )


async def verify(session: AsyncSession, secret: bytes, number: str, code: str | None) -> Verification:
    """What the public learns of ``number`` with ``code``: the certificate, or "unknown" for a wrong pair."""
    cert = await repo.by_number(session, number)
    if cert is None or not certificates.code_matches(secret, cert.number, code):
        return certificates.unknown(number)
    return _verification(cert)


def _not_found(application_id: uuid.UUID) -> DomainError:
    return not_found("申报的证书", "The certificate of application", application_id)


async def of_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> tuple[Certificate, Verification]:
    """The certificate of an application the caller may see (its applicant, its office, ...); 404 otherwise."""
    app = await session.get(Application, application_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise _not_found(application_id)
    cert = await repo.of_application(session, application_id)
    if cert is None:
        raise _not_found(application_id)
    return cert, _verification(cert)
