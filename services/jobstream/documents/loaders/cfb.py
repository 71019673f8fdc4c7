"""OLE compound files (CFB): the container of legacy Office files and of encrypted OOXML files.

No loader reads them; this module only says why. An encrypted DOCX/XLSX/PPTX is a CFB whose
directory holds the streams "EncryptionInfo" and "EncryptedPackage"; a legacy .doc/.xls/.ppt holds
"WordDocument", "Workbook" (or "Book") or "PowerPoint Document"; an Outlook .msg "__substg1.0_*".
The directory is read by following its sector chain through the FAT (MS-CFB), so a stream name
that merely appears in a document's text does not count; a directory too damaged to follow falls
back to finding the names (UTF-16LE) anywhere in the bytes.
"""

from __future__ import annotations

import struct
from typing import Final

from jobstream.documents.errors import (
    DocumentEncryptedError,
    DocumentError,
    UnsupportedDocumentTypeError,
)

MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN: Final = 0xFFFFFFFE
_MAX_SECTORS: Final = 1 << 20  # a chain longer than this is damage (4 GiB of 4 KiB sectors)
_LEGACY_KINDS: Final = (
    ("WordDocument", "a legacy Word (.doc) document; convert it to DOCX or PDF"),
    ("Workbook", "a legacy Excel (.xls) workbook; convert it to XLSX or CSV"),
    ("Book", "a legacy Excel (.xls) workbook; convert it to XLSX or CSV"),
    ("PowerPoint Document", "a legacy PowerPoint (.ppt) presentation; convert it to PPTX or PDF"),
    ("__substg1.0_", "an Outlook message (.msg); save it as .eml"),
)


def _sector(data: bytes, number: int, size: int) -> bytes:
    start = (number + 1) * size
    if start >= len(data):
        raise ValueError(f"sector {number} lies outside the file")
    return data[start : start + size]


def _fat_sectors(data: bytes, size: int) -> list[int]:
    """The FAT's sector numbers: 109 in the header, the rest in the DIFAT chain."""
    count = struct.unpack_from("<I", data, 0x2C)[0]
    difat, difat_count = struct.unpack_from("<II", data, 0x44)
    sectors = list(struct.unpack_from("<109I", data, 0x4C))
    for _ in range(min(difat_count, _MAX_SECTORS)):
        if difat >= _END_OF_CHAIN:
            break
        entries = struct.unpack(f"<{size // 4}I", _sector(data, difat, size))
        sectors += entries[:-1]
        difat = entries[-1]
    return [s for s in sectors[:count] if s < _END_OF_CHAIN]


def stream_names(data: bytes) -> list[str]:
    """The names of every directory entry, read through the FAT; ValueError when damaged."""
    if len(data) < 512 or not data.startswith(MAGIC):
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError(f"sector shift {shift}")
    size = 1 << shift
    fat = b"".join(_sector(data, number, size) for number in _fat_sectors(data, size))
    table = struct.unpack(f"<{len(fat) // 4}I", fat)
    names: list[str] = []
    sector = struct.unpack_from("<I", data, 0x30)[0]
    seen: set[int] = set()
    while sector < _END_OF_CHAIN:
        if sector in seen or len(seen) >= _MAX_SECTORS:
            raise ValueError("directory chain loops")
        seen.add(sector)
        block = _sector(data, sector, size)
        for offset in range(0, size, 128):
            length = min(struct.unpack_from("<H", block, offset + 0x40)[0], 64)
            if block[offset + 0x42] != 0 and length >= 2:  # 0: an unused entry
                names.append(block[offset : offset + length - 2].decode("utf-16-le", "replace"))
        if sector >= len(table):
            raise ValueError("directory chain leaves the FAT")
        sector = table[sector]
    return names


def _names_or_guess(data: bytes) -> set[str] | None:
    try:
        return set(stream_names(data))
    except (ValueError, struct.error, IndexError):
        return None


def refusal(data: bytes) -> DocumentError:
    """The error for a CFB file: encrypted office document, legacy format, or unknown."""
    names = _names_or_guess(data)

    def holds(name: str) -> bool:
        if names is None:
            return name.encode("utf-16-le") in data
        prefix = name.endswith("_")  # "__substg1.0_" starts the names of .msg property streams
        return any(entry == name or (prefix and entry.startswith(name)) for entry in names)

    if holds("EncryptionInfo") and holds("EncryptedPackage"):
        return DocumentEncryptedError(
            "the office document is password-protected (encrypted); remove the password and send "
            "it again"
        )
    for stream, description in _LEGACY_KINDS:
        if holds(stream):
            return UnsupportedDocumentTypeError(f"unsupported document type: {description}")
    return UnsupportedDocumentTypeError(
        "unsupported document type: an OLE compound file of an unknown kind"
    )
