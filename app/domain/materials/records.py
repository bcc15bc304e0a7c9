"""The row that names a stored file as one of an application's materials: one constructor for every
way a material arrives (an upload, a generated report, a duty report, a survey's evidence)."""

from __future__ import annotations

import uuid
from datetime import datetime

from app.db.models.intake import ApplicationMaterial
from app.domain.files.intake import StoredFile


def material_of(
    application_id: uuid.UUID, kind: str, stored: StoredFile, uploaded_by: str | None, at: datetime
) -> ApplicationMaterial:
    return ApplicationMaterial(
        application_id=application_id,
        kind=kind,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        key_version=stored.key_version,
        uploaded_by=uploaded_by,
        created_at=at,
    )
