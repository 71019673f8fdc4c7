"""Which format a document's bytes are in: magic numbers first, then the insides of ZIP and OLE
containers, then the shape of the text. The declared MIME type and filename are only hints: they
decide between text formats the content leaves open (a short CSV, a Markdown file without headings),
never against what the bytes say (a PDF named .txt is a PDF).
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import Final

from jobstream.documents.errors import DocumentCorruptError, UnsupportedDocumentTypeError
from jobstream.documents.loaders import cfb
from jobstream.documents.loaders.text import decode_text, looks_binary
from jobstream.documents.loaders.textshape import (
    csv_delimiter,
    looks_like_email,
    looks_like_html,
    looks_like_markdown,
)

MIME_TYPES: Final = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "eml": "message/rfc822",
    "html": "text/html",
    "markdown": "text/markdown",
    "json": "application/json",
    "csv": "text/csv",
    "text": "text/plain",
}
IMAGE_FORMATS: Final = frozenset({"png", "jpeg", "tiff", "webp", "bmp", "gif"})
_HINTS_BY_EXTENSION: Final = {
    ".htm": "html", ".html": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown",
    ".json": "json", ".csv": "csv", ".tsv": "csv", ".txt": "text", ".eml": "eml",
}  # fmt: skip
_HINTS_BY_MIME: Final = {
    "text/html": "html", "application/xhtml+xml": "html", "text/markdown": "markdown",
    "text/x-markdown": "markdown", "application/json": "json", "text/csv": "csv",
    "application/csv": "csv", "text/tab-separated-values": "csv", "text/plain": "text",
    "message/rfc822": "eml",
}  # fmt: skip
_MAGIC: Final = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
)  # fmt: skip
_UNSUPPORTED_MAGIC: Final = (
    (b"{\\rtf", "an RTF document; convert it to DOCX or PDF"),
    (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"\x7fELF", "an executable (ELF)"),
    (b"II+\x00", "a BigTIFF image"), (b"MM\x00+", "a BigTIFF image"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sniffed:
    """The format a loader will read the bytes as, and its MIME type."""

    format: str
    mime_type: str


def sniff(data: bytes, *, filename: str, mime_type: str | None) -> Sniffed:
    """The format of `data`; UnsupportedDocumentTypeError (naming what was found) when no loader
    reads it, DocumentEncryptedError for password-protected office files, DocumentCorruptError for
    a damaged ZIP container."""
    hint = _hint(filename=filename, mime_type=mime_type)
    found = _binary_format(data) or _text_format(data, hint=hint)
    return Sniffed(format=found, mime_type=MIME_TYPES[found])


def _hint(*, filename: str, mime_type: str | None) -> str | None:
    declared = (mime_type or "").split(";", 1)[0].strip().lower()
    extension = posixpath.splitext(filename.lower())[1]
    return _HINTS_BY_MIME.get(declared) or _HINTS_BY_EXTENSION.get(extension)


def _binary_format(data: bytes) -> str | None:
    """A format recognised by its magic number, or None for bytes that may be text."""
    if not data.strip():
        raise UnsupportedDocumentTypeError("the document is empty")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if _is_bmp(data):
        return "bmp"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data)
    if data.startswith(cfb.MAGIC):
        raise cfb.refusal(data)
    if data[4:8] == b"ftyp":
        raise UnsupportedDocumentTypeError(
            f"unsupported document type: a media or HEIC file ({data[8:12].decode('latin-1')!r}); "
            "convert images to PNG or JPEG"
        )
    for magic, description in _UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            raise UnsupportedDocumentTypeError(f"unsupported document type: {description}")
    return None


def _is_bmp(data: bytes) -> bool:
    """ "BM", reserved zero bytes and a known DIB header size (plain text may start with "BM")."""
    return (
        len(data) > 18 and data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00"
        and int.from_bytes(data[14:18], "little") in {12, 40, 52, 56, 64, 108, 124}
    )  # fmt: skip


def _zip_format(data: bytes) -> str:
    """DOCX, XLSX or PPTX by the parts inside the ZIP; any other archive is unsupported."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            odf = _small_member(archive, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, zlib.error) as exc:
        raise DocumentCorruptError(f"corrupt ZIP container (an office file?): {exc}") from exc
    if "[Content_Types].xml" in names:
        for prefix, found in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(name.startswith(prefix) for name in names):
                return found
    if odf.startswith(b"application/vnd.oasis.opendocument"):
        kind = odf.decode("ascii", "replace").rsplit(".", 1)[-1]
        raise UnsupportedDocumentTypeError(
            f"unsupported document type: an OpenDocument {kind} file; convert it to DOCX, XLSX, "
            "PPTX or PDF"
        )
    raise UnsupportedDocumentTypeError(
        "unsupported document type: a ZIP archive that is not a DOCX, XLSX or PPTX file"
    )


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    return archive.read(name)[:200] if info.file_size < 4096 else b""


def _text_format(data: bytes, *, hint: str | None) -> str:
    """email, HTML, JSON, CSV, Markdown or plain text by content, the hint breaking ties."""
    text, _ = decode_text(data)
    if looks_binary(text):
        raise UnsupportedDocumentTypeError(
            "unsupported document type: binary data of an unknown format"
        )
    head = text[:65536]
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped[:1] in "{[" and (hint == "json" or _parses_as_json(text) or is_json_lines(head)):
        return "json"
    if looks_like_html(stripped, hinted=hint == "html"):
        return "html"
    if looks_like_email(head, hinted=hint == "eml"):
        return "eml"
    if csv_delimiter(head, hinted=hint == "csv") is not None:
        return "csv"
    if hint == "markdown" or looks_like_markdown(head):
        return "markdown"
    return "text"


def is_json_lines(text: str) -> bool:
    """JSON Lines (NDJSON): two or more lines, each one JSON object or array."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(text) > 65536 and len(lines) > 1:
        lines = lines[:-1]  # the sample may cut the last line short
    if len(lines) < 2 or not all(line.lstrip()[:1] in "{[" for line in lines):
        return False
    return all(_parses_as_json(line) for line in lines)


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True
