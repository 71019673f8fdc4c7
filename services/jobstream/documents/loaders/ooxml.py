"""Guards for Office Open XML packages (DOCX, XLSX, PPTX) before any library inflates them.

A ZIP's central directory declares every member's uncompressed size, and Python's zipfile never
inflates a member past its declared size (it stops and fails the CRC check), so checking the
declared sizes bounds the work: more than `options.max_unpacked_bytes` in all, more members than
any real office file has, or a member compressed beyond any real XML's ratio is a ZIP bomb and is
refused as too large. The XML itself is parsed by the format libraries: python-docx and
python-pptx through lxml with entity resolution off, openpyxl through defusedxml when it is
installed and expat otherwise (no external entities; expansion limits since expat 2.4), so
external entities and entity expansion bombs are inert.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from jobstream.documents.errors import (
    DocumentCorruptError,
    DocumentEncryptedError,
    DocumentError,
    DocumentTooLargeError,
)
from jobstream.documents.loaders.options import LoadOptions

MAX_MEMBERS: Final = 20_000
MAX_RATIO: Final = 200  # uncompressed / compressed for one member; real XML stays well below
RATIO_FLOOR: Final = 1024 * 1024  # smaller members may compress as well as they like
# What the format libraries raise for damaged packages: missing parts, bad XML (lxml's
# XMLSyntaxError is a SyntaxError), bad values, truncated members.
READ_ERRORS: Final = (
    SyntaxError, KeyError, ValueError, TypeError, AttributeError, IndexError, LookupError,
    zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error, UnicodeError,
)  # fmt: skip


def check_package(data: bytes, *, options: LoadOptions, kind: str) -> list[str]:
    """The member names of the package in `data`, after refusing bombs and damage."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
        raise DocumentCorruptError(f"corrupt {kind} file (damaged ZIP container): {exc}") from exc
    if len(members) > MAX_MEMBERS:
        raise DocumentTooLargeError(
            f"the {kind} file holds {len(members)} parts, more than {MAX_MEMBERS}"
        )
    total = sum(member.file_size for member in members)
    if total > options.max_unpacked_bytes:
        raise DocumentTooLargeError(
            f"the {kind} file unpacks to {total} bytes, more than the limit of "
            f"{options.max_unpacked_bytes}"
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise DocumentEncryptedError(f"the {kind} file's parts are encrypted")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise DocumentTooLargeError(
                f"the {kind} file's part {member.filename!r} is compressed {ratio:.0f}:1 "
                f"(a ZIP bomb?); the limit is {MAX_RATIO}:1"
            )
    return [member.filename for member in members]


@contextmanager
def reading(kind: str, *library_errors: type[Exception]) -> Iterator[None]:
    """Turn what a format library raises on a damaged file into DocumentCorruptError."""
    caught: tuple[type[Exception], ...] = (*READ_ERRORS, *library_errors)
    try:
        yield
    except DocumentError:
        raise
    except caught as exc:
        raise DocumentCorruptError(
            f"corrupt {kind} file: {type(exc).__name__}: {exc}".rstrip(": ")
        ) from exc


def refuse_over(count: int, *, options: LoadOptions, what: str) -> None:
    """DocumentTooLargeError when `count` pages (sheets, slides) exceed `options.max_pages`."""
    if count > options.max_pages:
        raise DocumentTooLargeError(
            f"the document has {count} {what}, more than the limit of {options.max_pages} pages"
        )
