"""Documents as clients send them: RFC 2397 data URLs, decoded into bytes plus a MIME type.

Pure: no I/O. A client's `document.url` is a `data:` URL (base64 or percent-encoded) decoded
here, or an `https://` URL (`http://` when a setting allows) that the worker fetches
(`url_scheme_problem` is the gateway's check of the scheme). Decoding anything else raises
`InvalidDocumentError`. Content-addressed file ids (`file_` + 16 hex digits) come from the
decoded bytes, so the same document always gets the same id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_to_bytes

OCTET_STREAM: Final = "application/octet-stream"
# RFC 2397: a data URL without a media type is text/plain (charset US-ASCII).
_RFC2397_DEFAULT: Final = "text/plain"
_WHITESPACE: Final = re.compile(rb"\s+")
# A media type: type "/" subtype, both RFC 6838 restricted names.
_MEDIA_TYPE: Final = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
# Types the stdlib table lacks (or gets from the host's mime.types, which varies between machines).
_EXTRA_TYPES: Final[dict[str, str]] = {
    "md": "text/markdown",
    "markdown": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "webp": "image/webp",
}


class InvalidDocumentError(ValueError):
    """A document the API cannot even decode (not a data URL, bad base64, ...)."""

    code: str = "invalid_document"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DecodedDocument:
    """A client document after decoding: its name, its media type and its bytes."""

    filename: str
    mime_type: str
    data: bytes


def decode_data_url(url: str, *, filename: str) -> DecodedDocument:
    """Decode an RFC 2397 `data:[<mediatype>][;param=value]*[;base64],<payload>` URL.

    The media type is lowercased and stripped of its parameters; when it is missing or
    `application/octet-stream`, it is guessed from `filename`'s extension.
    """
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.strip().lower() != "data":
        raise InvalidDocumentError(f"document url must be a data: URL, got {_preview(url)!r}")
    header, comma, payload = rest.partition(",")
    if not comma:
        raise InvalidDocumentError("malformed data URL: no ',' between the header and the data")
    media_type, is_base64 = _parse_header(header)
    data = _decode_base64(payload) if is_base64 else unquote_to_bytes(payload)
    if media_type in ("", OCTET_STREAM):
        media_type = guess_mime_type(filename) or (media_type or _RFC2397_DEFAULT)
    return DecodedDocument(filename=filename, mime_type=media_type, data=data)


def _parse_header(header: str) -> tuple[str, bool]:
    """The media type (lowercase, no parameters; "" if absent) and whether the payload is base64."""
    parts = [part.strip() for part in header.split(";")]
    is_base64 = len(parts) > 1 and parts[-1].lower() == "base64"
    if is_base64:
        parts.pop()
    media_type = parts[0].lower()
    if media_type and not _MEDIA_TYPE.fullmatch(media_type):
        raise InvalidDocumentError(f"malformed data URL: invalid media type {_preview(parts[0])!r}")
    for param in parts[1:]:
        if "=" not in param:
            raise InvalidDocumentError(f"malformed data URL: invalid parameter {_preview(param)!r}")
    return media_type, is_base64


def _decode_base64(payload: str) -> bytes:
    """Strict base64 (standard alphabet, padded), tolerating whitespace and percent-escapes."""
    raw = unquote_to_bytes(payload) if "%" in payload else payload.encode("utf-8", "replace")
    try:
        return base64.b64decode(_WHITESPACE.sub(b"", raw), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidDocumentError(f"malformed data URL: invalid base64 data ({exc})") from exc


def url_scheme_problem(request: Mapping[str, Any], *, allow_http: bool) -> tuple[str, str] | None:
    """The first `document.url` / `documents[i].url` whose scheme is not accepted, as
    (field, message); None when every one is a data:, https: (or allowed http:) URL."""
    documents: list[tuple[str, Any]] = [("document", request.get("document"))]
    listed = request.get("documents")
    if isinstance(listed, list):
        documents += [(f"documents.{i}", doc) for i, doc in enumerate(listed)]
    schemes = ("data", "https", "http") if allow_http else ("data", "https")
    for name, doc in documents:
        url = doc.get("url") if isinstance(doc, Mapping) else None
        if not isinstance(url, str):
            continue
        scheme = url.partition(":")[0].strip().lower() if ":" in url else ""
        if scheme not in schemes:
            accepted = ", ".join(f"{s}:" for s in schemes)
            return (
                f"request.{name}.url",
                f"document URLs must be {accepted} URLs, got {_preview(url)!r}",
            )
    return None


def guess_mime_type(filename: str) -> str | None:
    """The media type implied by `filename`'s extension, or None when it implies none."""
    ext = extension_of(filename)
    if ext is None:
        return None
    if ext in _EXTRA_TYPES:
        return _EXTRA_TYPES[ext]
    mime_type, encoding = mimetypes.guess_type(f"file.{ext}", strict=False)
    if encoding is not None:  # .gz, .bz2, ...: a compressed file, whatever it contains
        return OCTET_STREAM
    return mime_type


def file_id(data: bytes) -> str:
    """The content-addressed id of a file: `file_` + 16 hex digits of BLAKE2b."""
    return "file_" + hashlib.blake2b(data, digest_size=8).hexdigest()


def extension_of(filename: str) -> str | None:
    """The lowercase extension of `filename` without its dot; None if it has none.

    Directories are ignored and a leading dot does not start an extension (`.bashrc` has none).
    """
    basename = re.split(r"[/\\]", filename)[-1]
    stem, dot, ext = basename.rpartition(".")
    if not dot or not stem.strip(".") or not ext.strip():
        return None
    return ext.strip().lower()


def _preview(text: str, limit: int = 60) -> str:
    """`text` cut short for an error message (a data URL may be megabytes long)."""
    return text if len(text) <= limit else text[:limit] + "..."
