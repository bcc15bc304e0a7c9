"""The read audit (读取审计记录), for administrators: who read full ID numbers and downloaded files."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field

from app.api.deps import AdminOnly, Session
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain import read_audit
from app.domain.errors import DomainError, FieldError

router = v1_router(prefix="/admin", tags=["admin"])

RecordKind = Literal[
    "applicant_id_number", "material", "objection_file", "review_application", "supervision_application"
]


class ReadAuditOut(BaseModel):
    id: int
    read_at: datetime
    subject: str = Field(description="the token's `sub` (`anonymous` for the public)")
    roles: str = Field(description="the caller's roles, comma-separated")
    record_kind: RecordKind
    record_id: uuid.UUID = Field(
        description="the applicant, material, objection file or application (review_application, supervision_application) read"
    )
    request_id: str | None


@router.get(
    "/read-audit",
    operation_id="list_read_audit",
    response_model=Page[ReadAuditOut],
    responses=problem_responses(401, 403, 422),
)
async def list_read_audit(
    session: Session,
    paging: Paging,
    principal: AdminOnly,
    subject: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    record_kind: RecordKind | None = None,
    record_id: uuid.UUID | None = None,
    since: Annotated[AwareDatetime | None, Query(description="read at or after (with its offset)")] = None,
    until: Annotated[AwareDatetime | None, Query(description="read before (with its offset)")] = None,
) -> Page[ReadAuditOut]:
    """Reads of full ID numbers and downloads of files, newest first (GB/T 22239 audit records, kept 6 months at least)."""
    if since is not None and until is not None and until < since:
        raise DomainError(
            "validation-error",
            422,
            "查询的结束时间早于开始时间",
            "until is before since",
            title="Unprocessable Content",
            errors=[FieldError("until", "早于开始时间", "before since")],
        )
    rows, total = await read_audit.search(
        session,
        subject=subject,
        record_kind=record_kind,
        record_id=record_id,
        since=since,
        until=until,
        offset=paging.offset,
        limit=paging.size,
    )
    return Page(
        items=[ReadAuditOut.model_validate(r, from_attributes=True) for r in rows],
        page=paging.page,
        size=paging.size,
        total=total,
    )
