"""What an uploaded file is, from its bytes (文件类型检测).

Every uploaded file is accepted by content, not by name or the client's ``Content-Type``: ``detect`` reads
the magic number and, for zip containers, the entry names that make a docx or xlsx (and whether
an entry is a program). Executables
(Windows PE, ELF, Mach-O, ``#!`` scripts) are recognised as such so the caller can refuse them
with a reason rather than "unknown type". Standard library only: zipfile reads the central
directory, and only the first bytes of each entry are decompressed, so a zip bomb costs nothing here.
"""

from __future__ import annotations

import io
import zipfile
from typing import BinaryIO
from zlib import error as zlib_error

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP = "application/zip"
OLE2 = "application/x-ole-storage"  # legacy .doc/.xls: not accepted, but named in the refusal
EXECUTABLE = "application/x-executable"

ALLOWED_TYPES: frozenset[str] = frozenset({PDF, JPEG, PNG, DOCX, XLSX})

# The extensions a file of each accepted type may carry, the first the one it is given when its
# name says otherwise (``invoice.exe`` that is a PDF is stored as ``invoice.pdf``).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg", ".jpe"),
    PNG: (".png",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
# How a refusal names the accepted types, in the order a reader expects them.
TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "Word（docx）", XLSX: "Excel（xlsx）"}
TYPE_NAMES_EN = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "Word (docx)", XLSX: "Excel (xlsx)"}

# How many leading bytes ``sniff`` reads; the longest magic number is 8 bytes.
SNIFF_BYTES = 16

_EXECUTABLE_MAGIC = (
    b"MZ",  # DOS/Windows PE (.exe, .dll, .scr)
    b"\x7fELF",  # Linux/Unix ELF
    b"#!",  # shell and other interpreter scripts
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit, big-endian
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit, big-endian
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little-endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little-endian
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary (also a Java class file)
)


def sniff(first_bytes: bytes) -> str | None:
    """The MIME type the leading bytes announce, or None when unrecognised.

    A zip container is only ``application/zip`` here; ``detect`` looks inside it.
    """
    head = first_bytes[:SNIFF_BYTES]
    if head.startswith(_EXECUTABLE_MAGIC):
        return EXECUTABLE
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE2
    if head.startswith(b"%PDF-"):
        # At offset 0 only: readers tolerate junk before the header, which is how polyglot
        # files pass as PDF.
        return PDF
    return None


# Names of entries a container must not carry: programs and scripts Windows runs on a double click.
_EXECUTABLE_SUFFIXES = (
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".pif",
    ".cpl",
    ".msi",
    ".msp",
    ".bat",
    ".cmd",
    ".ps1",
    ".psm1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".wsf",
    ".wsh",
    ".hta",
    ".jar",
    ".lnk",
    ".reg",
    ".sh",
    ".elf",
)
# More entries than any real document has: refused rather than read one by one.
_MAX_ENTRIES = 10_000


def _open_zip(stream: BinaryIO) -> zipfile.ZipFile | None:
    stream.seek(0)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        return None


def _carries_executable(archive: zipfile.ZipFile) -> bool | None:
    """Whether an entry is a program, by its name or its first bytes (a few KB of each entry are
    decompressed, never a whole one); None when the entries cannot be read (encrypted, unknown
    compression, corrupt, too many)."""
    infos = archive.infolist()
    if len(infos) > _MAX_ENTRIES:
        return None
    for info in infos:
        if info.filename.lower().rstrip("/").endswith(_EXECUTABLE_SUFFIXES):
            return True
        if info.is_dir() or info.file_size == 0:
            continue
        try:
            with archive.open(info) as entry:
                head = entry.read(SNIFF_BYTES)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, OSError, zlib_error):
            return None
        if head.startswith(_EXECUTABLE_MAGIC):
            return True
    return False


def detect(data: bytes | BinaryIO) -> str | None:
    """The MIME type of a whole file (bytes, or a seekable binary file positioned anywhere).

    Zip containers are opened: ``[Content_Types].xml`` plus ``word/`` is a docx, plus ``xl/`` an
    xlsx, plus ``ppt/`` a pptx; any other readable zip is ``application/zip``. A zip whose central
    directory cannot be read (truncated, corrupt) is None. A container carrying a program (an
    entry named ``*.exe``, ``*.js``..., or starting with an executable's magic number) is an
    executable. A PDF, PNG or JPEG that is also a readable zip (a polyglot: a zip appended after the
    image or ``%%EOF``, which both readers open) is ``application/zip``, never the allowed type.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    stream.seek(0)
    kind = sniff(stream.read(SNIFF_BYTES))
    if kind in (PDF, PNG, JPEG):
        archive = _open_zip(stream)
        if archive is None:
            return kind
        with archive:
            if not archive.infolist():
                return kind
            return EXECUTABLE if _carries_executable(archive) else ZIP
    if kind != ZIP:
        return kind
    archive = _open_zip(stream)
    if archive is None:
        return None
    with archive:
        names = archive.namelist()
        carries = _carries_executable(archive)
    if carries is None:
        return None
    if carries:
        return EXECUTABLE
    if "[Content_Types].xml" not in names:
        return ZIP
    folders = {name.split("/", 1)[0] for name in names if "/" in name}
    if "word" in folders:
        return DOCX
    if "xl" in folders:
        return XLSX
    if "ppt" in folders:
        return PPTX
    return ZIP
