"""OLE compound files (CFB): the container of legacy Office files and of encrypted OOXML files.

No loader reads them; this module only says why. An encrypted DOCX/XLSX/PPTX is a CFB holding the
streams "EncryptionInfo" and "EncryptedPackage"; a legacy .doc/.xls/.ppt holds "WordDocument",
"Workbook" (or "Book") or "PowerPoint Document". Stream names sit in the directory as UTF-16LE, so
finding them in the bytes is enough to tell the kinds apart without parsing the sector chains.
"""

from __future__ import annotations

from typing import Final

from jobstream.documents.errors import (
    DocumentEncryptedError,
    DocumentError,
    UnsupportedDocumentTypeError,
)

MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LEGACY_KINDS: Final = (
    ("WordDocument", "a legacy Word (.doc) document; convert it to DOCX or PDF"),
    ("Workbook", "a legacy Excel (.xls) workbook; convert it to XLSX or CSV"),
    ("Book", "a legacy Excel (.xls) workbook; convert it to XLSX or CSV"),
    ("PowerPoint Document", "a legacy PowerPoint (.ppt) presentation; convert it to PPTX or PDF"),
    ("__substg1.0_", "an Outlook message (.msg); save it as .eml"),
)


def _holds_stream(data: bytes, name: str) -> bool:
    return name.encode("utf-16-le") in data


def refusal(data: bytes) -> DocumentError:
    """The error for a CFB file: encrypted office document, legacy format, or unknown."""
    if _holds_stream(data, "EncryptionInfo") and _holds_stream(data, "EncryptedPackage"):
        return DocumentEncryptedError(
            "the office document is password-protected (encrypted); remove the password and send "
            "it again"
        )
    for stream, description in _LEGACY_KINDS:
        if _holds_stream(data, stream):
            return UnsupportedDocumentTypeError(f"unsupported document type: {description}")
    return UnsupportedDocumentTypeError(
        "unsupported document type: an OLE compound file of an unknown kind"
    )
