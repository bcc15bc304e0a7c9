"""The name a stored file is given (文件名): what the client sent, made safe to show and to save.

A name is shown to office staff and offered again as the download's name, so it must not
mislead: bidirectional controls (U+202E turns ``报告‮fdp.exe`` into what reads as ``报告exe.pdf``)
and other invisible characters are dropped, a path the client sent is cut to its last part, and
the extension is the one of the type the content was sniffed as (``invoice.exe`` that is a PDF is
``invoice.pdf``): the name never claims another type than the file has.
"""

from __future__ import annotations

import re
import unicodedata

from app.domain.files import filetypes

MAX_LENGTH = 255  # the rows' ``filename`` column

# Named for the reader; every one is also of category Cf, which ``clean`` drops as a whole.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]  # LRE, RLE, PDF, LRO, RLO
    + [chr(c) for c in range(0x2066, 0x206A)]  # LRI, RLI, FSI, PDI
    + ["\u200e", "\u200f", "\u061c"]  # LRM, RLM, ALM
)
# control, format (bidi, zero-width), lone surrogate, line and paragraph separators. Private-use and
# unassigned characters stay: rare Chinese characters (生僻字) in names are written with both, in GB 18030's
# private-use mappings or in CJK extensions newer than this Python's Unicode tables.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# what a name ends with that reads as an extension: a dot and a few ASCII letters or digits, one a letter
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]{0,9}[A-Za-z])[A-Za-z0-9]{1,10}$")


def _visible(name: str) -> str:
    return "".join(ch for ch in name if ch not in BIDI_CONTROLS and unicodedata.category(ch) not in _DROPPED_CATEGORIES)


def clean(name: str | None, content_type: str, fallback: str = "file") -> str:
    """The name to store for a file of ``content_type`` (as sniffed) that the client called ``name``."""
    text = unicodedata.normalize("NFC", _visible(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]  # "C:\\Users\\me\\a.pdf" from an old browser: the last part
    extensions = filetypes.EXTENSIONS.get(content_type, ())
    stem = text.strip().rstrip(". ")  # trailing dots and spaces: Windows drops them, and they hide the extension
    if stem.lower().endswith(extensions):
        stem, ext = stem[: stem.rfind(".")], stem[stem.rfind(".") :]
    else:
        ext = extensions[0] if extensions else ""
        # every extension the name carries goes: ``invoice.pdf.exe`` is not to keep ``.pdf.exe``
        while (m := _EXTENSION.search(stem)) is not None:
            stem = stem[: m.start()]
    stem = stem.strip().strip(". ") or fallback
    return stem[: MAX_LENGTH - len(ext)] + ext
