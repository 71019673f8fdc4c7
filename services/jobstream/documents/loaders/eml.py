"""Email (.eml, RFC 822/MIME, stdlib `email` with the modern policy): the message, then each
attachment's pages.

Page 1 holds the headers a reader looks at (From, To, Cc, Subject, Date) and the body: the text
part, or the visible text of the HTML part when there is no text part. Every attachment is loaded
through `load_document` (sniffed like any upload, so a PDF attachment is OCR'd if scanned and an
attached email is read the same way, up to a few levels deep) and its pages follow, labelled
"attachment: <name>". An attachment that cannot be read becomes one page saying why (with the
error code); the email itself still loads. Images embedded in the HTML body (inline, with a
Content-ID) are decoration, not attachments, and are skipped.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Final

from jobstream.documents.errors import DocumentError
from jobstream.documents.loaders.blocks import native_page, paragraphs_of, text_block
from jobstream.documents.loaders.html import html_blocks
from jobstream.documents.loaders.ocr import OCR_SECONDS_KEY
from jobstream.documents.loaders.ooxml import refuse_over
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.text import decode_text
from jobstream.documents.model import Block, Document, Page

MIME_TYPE: Final = "message/rfc822"
MAX_NESTING: Final = 3  # an email attached to an email attached to an email
_SHOWN_HEADERS: Final = ("From", "To", "Cc", "Subject", "Date")
_nesting: contextvars.ContextVar[int] = contextvars.ContextVar("eml_nesting", default=0)


def _text_content(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, KeyError):
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    return decode_text(payload)[0] if isinstance(payload, bytes) else ""


def _body_blocks(message: EmailMessage) -> list[Block]:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return []
    text = _text_content(body)
    if body.get_content_subtype() == "html":
        return html_blocks(text)[0]
    return paragraphs_of(text)


def _attachments(part: Message, body: Message | None) -> Iterator[Message]:
    """Leaf parts that are attachments: not the body, not an alternative rendering of it, not an
    image embedded in the HTML."""
    if part.get_content_maintype() == "multipart":
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _attachments(sub, body)
        return
    if part is body:
        return
    disposition = part.get_content_disposition()
    named = part.get_filename() is not None
    if disposition != "attachment" and not named and part.get_content_maintype() == "text":
        return  # the other rendering of a multipart/alternative body
    if disposition == "inline" and part["Content-ID"] is not None:
        return
    yield part


def _attachment_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list):  # message/rfc822: the attached message, parsed
        message = inner[0] if inner else None
        return message.as_bytes() if isinstance(message, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


@dataclass(frozen=True, slots=True)
class _Attachment:
    name: str
    data: bytes
    mime_type: str

    @property
    def label(self) -> str:
        return f"attachment: {self.name}"


def _attachment(part: Message, *, index: int) -> _Attachment:
    is_email = part.get_content_type() == "message/rfc822"
    name = part.get_filename() or ("message.eml" if is_email else f"attachment-{index}")
    return _Attachment(name=name, data=_attachment_bytes(part), mime_type=part.get_content_type())


@contextmanager
def _nested() -> Iterator[None]:
    """One level deeper into attached emails; refused past MAX_NESTING."""
    token = _nesting.set(_nesting.get() + 1)
    try:
        if _nesting.get() > MAX_NESTING:
            raise DocumentError(f"emails nested more than {MAX_NESTING} levels deep are not read")
        yield
    finally:
        _nesting.reset(token)


def _attachment_page_count(attachment: _Attachment) -> int:
    """The attachment's pages (1 for one that cannot be read: the page saying so)."""
    from jobstream.documents.loaders import page_count  # the dispatcher imports this module

    try:
        with _nested():
            return max(1, page_count(attachment.data, filename=attachment.name,
                                     mime_type=attachment.mime_type))  # fmt: skip
    except DocumentError:
        return 1


def _attachment_pages(
    attachment: _Attachment, *, offset: int, pages: range, options: LoadOptions
) -> tuple[list[Page], float | None]:
    """The attachment's pages `pages` (1-based within it), numbered after `offset` pages, and
    the Tesseract seconds its loader reported (None when nothing was OCR'd)."""
    from jobstream.documents.loaders import load_document  # the dispatcher imports this module

    ranged = dataclasses.replace(options, first_page=pages.start, last_page=pages.stop - 1)
    try:
        with _nested():
            document = load_document(attachment.data, filename=attachment.name,
                                     mime_type=attachment.mime_type, options=ranged)  # fmt: skip
    except DocumentError as exc:
        note = f"The attachment {attachment.name} could not be read ({exc.code}): {exc.message}"
        return [native_page(offset + 1, [text_block(note)], label=attachment.label)], None
    numbered = [
        dataclasses.replace(page, number=offset + page.number, label=attachment.label)
        for page in document.pages
    ]
    reported = document.metadata.get(OCR_SECONDS_KEY)
    return numbered, None if reported is None else float(reported)


def _header_block(message: EmailMessage) -> Block | None:
    lines = [f"{name}: {message[name]}" for name in _SHOWN_HEADERS if message[name] is not None]
    return text_block(lines)


def _parse(data: bytes) -> tuple[EmailMessage, list[_Attachment]]:
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage):  # policy.default always makes EmailMessage
        raise DocumentError("the email could not be parsed")
    body = message.get_body(preferencelist=("plain", "html"))
    parts = _attachments(message, body)
    return message, [_attachment(part, index=i) for i, part in enumerate(parts, start=1)]


def load_eml(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """An email: page 1 its headers and body, then its attachments' pages. Only attachments
    holding pages of the requested range are loaded (a chunked load OCRs each scan once)."""
    message, attachments = _parse(data)
    counts = [_attachment_page_count(attachment) for attachment in attachments]
    total = 1 + sum(counts)
    refuse_over(total, options=options, what="pages with its attachments")
    first, last = options.first_page, options.last_page or total
    pages: list[Page] = []
    if first <= 1:
        blocks = [_header_block(message), *_body_blocks(message)]
        pages.append(native_page(1, blocks, label="email"))
    offset, ocr_seconds = 1, []
    for attachment, count in zip(attachments, counts, strict=True):
        wanted = range(max(1, first - offset), min(count, last - offset) + 1)
        if wanted:
            read, seconds = _attachment_pages(
                attachment, offset=offset, pages=wanted, options=options
            )
            pages += read
            ocr_seconds += [] if seconds is None else [seconds]
        offset += count
    metadata = {
        name.lower(): str(message[name]) for name in _SHOWN_HEADERS if message[name] is not None
    }
    if ocr_seconds:  # the attachments' Tesseract time, as the PDF and image loaders report it
        metadata[OCR_SECONDS_KEY] = f"{sum(ocr_seconds):.3f}"
    return Document(
        pages=tuple(pages), mime_type=MIME_TYPE, filename=filename, format="eml", metadata=metadata
    )


def page_count(data: bytes) -> int:
    """The email's page and its attachments' pages, counted without loading them."""
    _, attachments = _parse(data)
    return 1 + sum(_attachment_page_count(attachment) for attachment in attachments)
