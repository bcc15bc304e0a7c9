"""Upload types judged by content: allowed materials, and executables named as such."""

import io
import zipfile
from pathlib import Path

import pytest

from app.domain.files.filetypes import (
    ALLOWED_TYPES,
    DOCX,
    EXECUTABLE,
    JPEG,
    OLE2,
    PDF,
    PNG,
    XLSX,
    ZIP,
    detect,
    sniff,
)

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _ooxml(part: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>", part: b"<x/>"})


@pytest.mark.parametrize(
    ("data", "mime"),
    [(PDF_BYTES, PDF), (PNG_BYTES, PNG), (JPEG_BYTES, JPEG)],
)
def test_pdf_png_and_jpeg_are_recognised_and_allowed(data: bytes, mime: str) -> None:
    assert detect(data) == mime
    assert mime in ALLOWED_TYPES


def test_docx_is_recognised_by_its_word_part() -> None:
    assert detect(_ooxml("word/document.xml")) == DOCX


def test_xlsx_is_recognised_by_its_xl_part() -> None:
    assert detect(_ooxml("xl/workbook.xml")) == XLSX


def test_sniff_alone_only_says_zip_for_office_files() -> None:
    assert sniff(_ooxml("word/document.xml")[:16]) == ZIP


def test_plain_zip_is_not_an_allowed_type() -> None:
    assert detect(_zip({"report.pdf": PDF_BYTES})) == ZIP
    assert ZIP not in ALLOWED_TYPES


def test_truncated_docx_is_not_recognised() -> None:
    assert detect(_ooxml("word/document.xml")[:100]) is None


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # Windows PE
        b"\x7fELF\x02\x01\x01\x00",  # ELF
        b"#!/bin/sh\nrm -rf /\n",  # shell script
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",  # Mach-O 64-bit
        b"\xca\xfe\xba\xbe\x00\x00\x00\x02",  # Mach-O universal
    ],
)
def test_executables_are_named_executable_and_not_allowed(head: bytes) -> None:
    assert detect(head + b"\x00" * 64) == EXECUTABLE
    assert EXECUTABLE not in ALLOWED_TYPES


def test_executable_renamed_pdf_is_still_an_executable(tmp_path: Path) -> None:
    path = tmp_path / "申报书.pdf"
    path.write_bytes(b"MZ\x90\x00" + b"\x00" * 60 + b"%PDF-1.7\n")
    with path.open("rb") as handle:
        assert detect(handle) == EXECUTABLE


def test_pdf_header_after_junk_is_not_a_pdf() -> None:
    assert detect(b"<html><!-- %PDF-1.7 -->") is None


def test_legacy_office_files_are_named_but_not_allowed() -> None:
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8) == OLE2
    assert OLE2 not in ALLOWED_TYPES


@pytest.mark.parametrize("data", [b"", b"plain text", b"GIF89a\x01\x00"])
def test_unrecognised_content_is_none(data: bytes) -> None:
    assert detect(data) is None


def test_a_pdf_that_is_also_a_zip_is_not_a_pdf() -> None:
    """A PDF/ZIP polyglot (a zip appended after ``%%EOF``: readers of both open it) is refused, not passed as PDF."""
    polyglot = PDF_BYTES + _zip({"payload.exe": b"MZ\x90\x00 program"})
    assert detect(polyglot) not in ALLOWED_TYPES
    assert detect(PNG_BYTES + _zip({"readme.txt": b"hi"})) not in ALLOWED_TYPES
    assert detect(JPEG_BYTES + _zip({"a.js": b"alert(1)"})) not in ALLOWED_TYPES


@pytest.mark.parametrize(
    "entry",
    [
        "payload.exe",
        "word/media/setup.EXE",
        "run.bat",
        "x.dll",
        "y.scr",
        "z.vbs",
        "w.js",
        "s.ps1",
        "t.jar",
        "u.msi",
        "v.lnk",
        "c.cmd",
    ],
)
def test_an_office_file_carrying_an_executable_is_refused_as_executable(entry: str) -> None:
    docx = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<x/>",
            entry: b"MZ\x90\x00",
        }
    )
    assert detect(docx) == EXECUTABLE


def test_an_office_file_whose_entry_content_is_an_executable_is_refused() -> None:
    docx = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<x/>",
            "word/media/image1.png": b"MZ\x90\x00\x03",
        }
    )
    assert detect(docx) == EXECUTABLE
