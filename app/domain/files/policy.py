"""What each kind of uploaded file may be (上传文件规则): its size, its types, where it is kept.

One table for every upload the service takes. A router or a service names the kind (``MATERIAL``,
``OBJECTION_EVIDENCE``...), never a limit of its own: changing what a kind accepts is a change here.
The storage ``area`` is the first part of the blob key (what the sweep lists, against the tables
``app.db.repositories.stored_files.TABLES_BY_AREA`` names); ``folder`` is the part of the row's
``storage_key`` under it. Both are part of the keys rows already hold, so they never change.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.domain.files import filetypes

MB = 1024 * 1024


@dataclass(frozen=True)
class FilePolicy:
    """The rules for one kind of file: how large, which types (by content), how many in one request, where kept."""

    kind: str
    name_zh: str
    name_en: str
    area: str
    folder: str | None
    max_bytes: int
    # a deployment may change the limit by setting (``Settings`` attribute); None: the limit above is fixed
    max_bytes_setting: str | None = None
    allowed_types: frozenset[str] = filetypes.ALLOWED_TYPES
    # one request's files of this kind together (a public caller must not post 100 MB)
    max_files: int = 1
    max_total_bytes: int | None = None
    # the name a file gets when the client sends none worth keeping (the extension is added)
    fallback_name: str = "file"

    def limit(self, settings: Settings | None = None) -> int:
        if self.max_bytes_setting and settings is not None:
            return int(getattr(settings, self.max_bytes_setting))
        return self.max_bytes

    def base64_chars(self) -> int:
        """The longest base64 text of a file within the limit (4 characters per 3 bytes, padded)."""
        return (self.max_bytes + 2) // 3 * 4


MATERIAL = FilePolicy(
    kind="material",
    name_zh="申报材料",
    name_en="material",
    area="materials",
    folder=None,
    max_bytes=20 * MB,
    max_bytes_setting="material_max_bytes",
    fallback_name="material",
)
OBJECTION_EVIDENCE = FilePolicy(
    kind="objection_evidence",
    name_zh="佐证材料",
    name_en="evidence",
    area="files",
    folder="objections",
    max_bytes=10 * MB,
    max_files=10,
    max_total_bytes=20 * MB,
)
VERIFICATION_EVIDENCE = FilePolicy(
    kind="verification_evidence",
    name_zh="核查材料",
    name_en="verification evidence",
    area="files",
    folder="objections",
    max_bytes=10 * MB,
    max_files=10,
)
UNIT_POSTING_PROOF = FilePolicy(
    kind="unit_posting_proof",
    name_zh="单位内部公示证明",
    name_en="unit-posting proof",
    area="files",
    folder="unit-postings",
    max_bytes=10 * MB,
)

POLICIES: dict[str, FilePolicy] = {
    p.kind: p for p in (MATERIAL, OBJECTION_EVIDENCE, VERIFICATION_EVIDENCE, UNIT_POSTING_PROOF)
}
AREAS: frozenset[str] = frozenset(p.area for p in POLICIES.values())
# the files sent base64 inside JSON: one schema (``UploadIn``) carries all of them
JSON_MAX_BYTES = max(p.max_bytes for p in (OBJECTION_EVIDENCE, VERIFICATION_EVIDENCE, UNIT_POSTING_PROOF))
JSON_MAX_BASE64_CHARS = (JSON_MAX_BYTES + 2) // 3 * 4
