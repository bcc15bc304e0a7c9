"""An application's form (申报表), materials (申报材料) and the versions frozen at submit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from app.api.content_length import declared_length
from app.api.deps import AppSettings, Session, SignedIn
from app.api.file_responses import file_response
from app.api.multipart_upload import FILE_FIELD, MULTIPART_ROOM, disposition_filename, is_multipart, multipart_file
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.config import Settings
from app.domain.errors import DomainError
from app.domain.files.policy import MATERIAL
from app.domain.files.refusals import BODY, Reason, refusal
from app.domain.materials import service
from app.domain.materials.service import KINDS

router = v1_router(prefix="/applications", tags=["materials"])


class MaterialOut(BaseModel):
    id: uuid.UUID
    kind: str
    filename: str
    content_type: str = Field(description="detected from the content, not the name")
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime


class FormIn(BaseModel):
    model_config = {"extra": "forbid"}

    fields: dict[str, Any] = Field(default_factory=dict, description="the programme's 申报表 fields")
    self_assessment_score: Decimal | None = Field(
        default=None,
        ge=0,
        le=1000,
        max_digits=7,
        decimal_places=2,
        description="self-assessment against GB/T 19580 or DB31/598",
    )
    statements: dict[str, str] = Field(
        default_factory=dict, description="a statement per criterion id, as the criteria need"
    )


class FormOut(FormIn):
    model_config = {"extra": "forbid"}

    version: int
    updated_at: datetime


class VersionOut(BaseModel):
    seq: int
    event: str
    form: dict[str, Any]
    materials: list[dict[str, Any]]
    facts: dict[str, Any]
    frozen_at: datetime


async def body_chunks(request: Request):
    """The request's body as it streams (a client gone mid-upload: the intake's own refusal)."""
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise refusal(MATERIAL, Reason.INTERRUPTED, BODY, streamed=True) from None


def material_request_body(description: str) -> dict:
    """The OpenAPI of a request whose body is one material's file, raw or as a browser form's `file` part."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [FILE_FIELD],
                        "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
                    }
                },
            },
            "x-max-file-bytes": MATERIAL.limit(),
            "x-max-multipart-room-bytes": MULTIPART_ROOM,
        }
    }


async def uploaded_file(
    request: Request, settings: Settings, filename: str | None
) -> tuple[str | None, AsyncIterator[bytes], int | None]:
    """A material's file as its request sends it, raw or a form's `file` part: its name, its bytes as they
    stream, and its declared length (none for a part: the intake counts the file's own bytes; the form
    around it is bounded by the reader)."""
    content_type, length = request.headers.get("content-type"), declared_length(request)
    if content_type is not None and is_multipart(content_type):
        part = await multipart_file(content_type, length, body_chunks(request), MATERIAL, MATERIAL.limit(settings))
        return filename or part.filename, part.chunks, None
    return filename or disposition_filename(request.headers.get("content-disposition")), body_chunks(request), length


@router.post(
    "/{application_id}/materials",
    operation_id="upload_material",
    status_code=201,
    response_model=MaterialOut,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra=material_request_body(
        f"The file, at most {MATERIAL.limit()} bytes, either as the raw body (its name in `filename` or in "
        "`Content-Disposition: attachment; filename*=UTF-8''…`, RFC 8187) or as the `file` part of a "
        "`multipart/form-data` body, what a browser form sends (its name from the part's `filename*` or "
        f"`filename`); the form around the file may take {MULTIPART_ROOM} bytes more. Both are read as they "
        "stream: a file over the limit is 413 `/file-too-large` the moment it passes it."
    ),
)
async def upload_material(
    application_id: uuid.UUID,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: SignedIn,
    kind: Annotated[str, Query(max_length=40, description=", ".join(KINDS))],
    filename: Annotated[
        str | None, Query(max_length=255, description="the file's name (else the one the body's form or header gives)")
    ] = None,
) -> MaterialOut:
    """The file is the request body, raw or as a browser form's `file` part (`multipart/form-data`). Accepted by content (PDF, JPEG, PNG, docx, xlsx); an executable is refused whatever its name; over the size limit is 413.
    The stored name drops invisible and bidirectional characters and carries the extension of the detected type. Only in `draft` (the recommendation opinion: while awaiting recommendation)."""
    name, chunks, length = await uploaded_file(request, settings, filename)
    row = await service.upload(
        session, settings, principal, request.state.after_rollback, application_id, kind, name, length, chunks
    )
    response.headers["Location"] = f"/api/v1/applications/{application_id}/materials/{row.id}"
    return MaterialOut.model_validate(row, from_attributes=True)


@router.get(
    "/{application_id}/materials",
    operation_id="list_materials",
    response_model=list[MaterialOut],
    responses=problem_responses(401, 404),
)
async def list_materials(application_id: uuid.UUID, session: Session, principal: SignedIn) -> list[MaterialOut]:
    """The application's current materials (not paginated: a draft holds a bounded set)."""
    return [
        MaterialOut.model_validate(m, from_attributes=True)
        for m in await service.list_materials(session, principal, application_id)
    ]


@router.get(
    "/{application_id}/materials/{material_id}/content",
    operation_id="download_material",
    response_class=FileResponse,
    responses=problem_responses(401, 404, 410),
)
async def download_material(
    application_id: uuid.UUID, material_id: uuid.UUID, session: Session, settings: AppSettings, principal: SignedIn
) -> Response:
    """The file as uploaded, with its detected content type and `X-Content-SHA256`."""
    row, key = await service.material_file(session, settings, principal, application_id, material_id)
    return await file_response(
        settings,
        key,
        media_type=row.content_type,
        filename=row.filename,
        size=row.size,
        headers={"X-Content-SHA256": row.sha256, "X-Content-Type-Options": "nosniff"},
    )


@router.delete(
    "/{application_id}/materials/{material_id}",
    operation_id="remove_material",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409),
)
async def remove_material(
    application_id: uuid.UUID, material_id: uuid.UUID, session: Session, principal: SignedIn
) -> Response:
    """Remove a material from a draft (the file is kept for the versions that name it)."""
    await service.remove_material(session, principal, application_id, material_id)
    return Response(status_code=204)


@router.get(
    "/{application_id}/form",
    operation_id="get_application_form",
    response_model=FormOut,
    responses=problem_responses(401, 404),
)
async def get_form(application_id: uuid.UUID, session: Session, response: Response, principal: SignedIn) -> FormOut:
    """The 申报表 with its `ETag` (send it as `If-Match` to replace the form); 404 until it is first filled in."""
    form = await service.get_form(session, principal, application_id)
    if form is None:
        raise DomainError("not-found", 404, "申报表尚未填写", "The form has not been filled in yet", title="Not Found")
    response.headers["ETag"] = etag(form.version)
    return FormOut.model_validate(form, from_attributes=True)


@router.put(
    "/{application_id}/form",
    operation_id="put_application_form",
    response_model=FormOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def put_form(
    application_id: uuid.UUID, body: FormIn, request: Request, session: Session, response: Response, principal: SignedIn
) -> FormOut:
    """Fill in or replace the form (only in `draft`); replacing needs `If-Match`."""
    form = await service.put_form(
        session,
        principal,
        application_id,
        request.headers.get("if-match"),
        body.fields,
        body.self_assessment_score,
        body.statements,
    )
    response.headers["ETag"] = etag(form.version)
    return FormOut.model_validate(form, from_attributes=True)


@router.get(
    "/{application_id}/versions",
    operation_id="list_application_versions",
    response_model=list[VersionOut],
    responses=problem_responses(401, 404),
)
async def list_versions(application_id: uuid.UUID, session: Session, principal: SignedIn) -> list[VersionOut]:
    """The versions frozen at each submission: form, materials (with SHA-256) and the facts read."""
    return [
        VersionOut.model_validate(v, from_attributes=True)
        for v in await service.versions(session, principal, application_id)
    ]
