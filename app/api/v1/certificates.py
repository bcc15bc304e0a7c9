"""Certificates (证书): the winner's PDF, and the public verification anyone opens from its QR code."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel

from app.api.conditional import revalidated
from app.api.deps import PUBLIC, AppSettings, ReadSession, Session, SignedIn
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain import personal_data
from app.domain.awards import certificates, documents
from app.domain.awards.certificates import Verification
from app.workflow import certificates as issued

router = v1_router(tags=["certificates"])

# a verifier revalidates every time (a revocation shows at once); unchanged, the answer is a bodiless 304
PUBLIC_CACHE = "public, no-cache"
NumberPath = Annotated[str, Path(min_length=1, max_length=60, examples=["CHANGNING-2026-0001"])]
CodeQuery = Annotated[
    str | None, Query(max_length=20, description="the verification code printed on the certificate (验证码)")
]


class CertificateOut(BaseModel):
    number: str
    status: str
    status_zh: str
    application_id: uuid.UUID
    holder_name: str
    applicant_kind: str
    credit_code: str | None
    employer: str | None
    programme: str
    programme_name_zh: str
    award_year: int
    tier: str
    tier_name_zh: str
    category: str
    category_name_zh: str
    award_zh: str
    commendation_no: str
    issued_by_zh: str
    issued_on: date
    revoked_on: date | None
    revocation_document_no: str | None
    verification_code: str
    verification_url: str


class VerificationOut(BaseModel):
    """证书核验: valid, revoked (with its day and document) or unknown; nothing but the number when unknown."""

    number: str
    status: str
    status_zh: str
    holder_name: str | None = None
    credit_code: str | None = None
    employer: str | None = None
    award_zh: str | None = None
    award_year: int | None = None
    tier_name_zh: str | None = None
    category_name_zh: str | None = None
    commendation_no: str | None = None
    issued_by_zh: str | None = None
    issued_on: date | None = None
    revoked_on: date | None = None
    revocation_document_no: str | None = None

    @classmethod
    def of(cls, v: Verification) -> VerificationOut:
        if v.status == certificates.UNKNOWN:
            return cls(number=v.number, status=v.status, status_zh=certificates.STATUS_ZH[v.status])
        return cls(
            number=v.number,
            status=v.status,
            status_zh=certificates.STATUS_ZH[v.status],
            holder_name=v.holder_name,
            credit_code=v.credit_code,
            employer=v.employer,
            award_zh=v.award_zh,
            award_year=v.award_year,
            tier_name_zh=v.tier_name_zh,
            category_name_zh=v.category_name_zh,
            commendation_no=v.commendation_no,
            issued_by_zh=v.issued_by_zh,
            issued_on=v.issued_on,
            revoked_on=v.revoked_on,
            revocation_document_no=v.revocation_document_no,
        )


async def _certificate(session, settings, principal, application_id):
    cert, v = await issued.of_application(session, principal, application_id)
    code = certificates.verification_code(personal_data.key(settings), cert.number)
    return cert, v, code, certificates.verification_url(settings.public_base_url, cert.number, code)


@router.get(
    "/applications/{application_id}/certificate",
    operation_id="get_application_certificate",
    response_model=CertificateOut,
    responses=problem_responses(401, 404),
)
async def get_application_certificate(
    application_id: uuid.UUID, session: Session, principal: SignedIn, settings: AppSettings
) -> CertificateOut:
    """The award's certificate (whoever may see the application: its applicant, its office): number, the honour
    with its year and category (changning-33a, jinshan-25a, hangzhou-6.4b, tianning-18a), status, and the code
    and URL its QR code carries. 404 before the commendation decision."""
    cert, v, code, url = await _certificate(session, settings, principal, application_id)
    return CertificateOut(
        number=cert.number,
        status=cert.status,
        status_zh=certificates.STATUS_ZH[cert.status],
        application_id=cert.application_id,
        holder_name=cert.holder_name,
        applicant_kind=cert.applicant_kind,
        credit_code=cert.credit_code,
        employer=cert.employer,
        programme=cert.programme,
        programme_name_zh=cert.programme_name_zh,
        award_year=cert.award_year,
        tier=cert.tier,
        tier_name_zh=cert.tier_name_zh,
        category=cert.category,
        category_name_zh=cert.category_name_zh,
        award_zh=v.award_zh,
        commendation_no=cert.commendation_no,
        issued_by_zh=cert.issued_by_zh,
        issued_on=cert.issued_on,
        revoked_on=cert.revoked_on,
        revocation_document_no=cert.revocation_document_no,
        verification_code=code,
        verification_url=url,
    )


@router.get(
    "/applications/{application_id}/certificate.pdf",
    operation_id="get_application_certificate_pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the certificate (荣誉证书)"},
        **problem_responses(401, 404),
    },
)
async def get_application_certificate_pdf(
    application_id: uuid.UUID, session: Session, principal: SignedIn, settings: AppSettings
) -> Response:
    """The certificate as a PDF (Chinese, STSong-Light) with its QR code and printed verification URL."""
    cert, v, code, url = await _certificate(session, settings, principal, application_id)
    return Response(
        documents.render_pdf(v, code, url),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{cert.number}.pdf"'},
    )


@router.get(
    "/public/certificates/{number}",
    operation_id="verify_certificate",
    dependencies=[PUBLIC],
    response_model=VerificationOut,
    responses={304: {"description": "unchanged since the ETag sent in `If-None-Match`"}},
)
async def verify_certificate(
    number: NumberPath, request: Request, session: ReadSession, settings: AppSettings, code: CodeQuery = None
) -> Response:
    """证书核验 (no login; changning-33d, tianning-19b, linyi-19b): the certificate's status with its number and
    verification code: `valid`, `revoked` (day and document number) or `unknown` (no such number, or a wrong code:
    never which). No ID number ever. `ETag`; `Cache-Control: no-cache`, so a revocation shows at once."""
    v = await issued.verify(session, personal_data.key(settings), number, code)
    return revalidated(request, VerificationOut.of(v).model_dump_json().encode(), "application/json", PUBLIC_CACHE)


@router.get(
    "/public/certificates/{number}/page",
    operation_id="get_certificate_verification_page",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "the verification page a citizen opens from the QR code"},
        304: {"description": "unchanged since the ETag sent in `If-None-Match`"},
    },
)
async def get_certificate_verification_page(
    number: NumberPath, request: Request, session: ReadSession, settings: AppSettings, code: CodeQuery = None
) -> Response:
    """The verification as a plain page in Chinese (nothing loaded from elsewhere): valid, revoked or unknown."""
    v = await issued.verify(session, personal_data.key(settings), number, code)
    return revalidated(request, documents.render_page(v).encode(), "text/html; charset=utf-8", PUBLIC_CACHE)
