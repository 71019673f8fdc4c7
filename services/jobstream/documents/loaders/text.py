"""Plain text in any common encoding: byte-order marks, UTF-8, UTF-16/32 without a mark, the
Windows and ISO single-byte code pages (via charset-normalizer), and a check that it is text at all.

A form feed starts a new page (text printed from old systems separates pages that way); lines
separated by blank lines make paragraphs.
"""

from __future__ import annotations

import codecs
import unicodedata
from typing import Final

from charset_normalizer import from_bytes

from jobstream.documents.loaders.blocks import native_page, paragraphs_of
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document, Page

_BOMS: Final = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Characters cp1252 text of Western languages uses beside letters; anything else non-ASCII and
# not a letter (e.g. "¹", "³" from Polish cp1250) means the bytes are in another code page.
_CP1252_PUNCTUATION: Final = frozenset(
    bytes(
        [0x80, 0x82, 0x84, 0x85, 0x86, 0x87, 0x89, 0x8B, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
         0x99, 0x9B, 0xA0, 0xA1, 0xA2, 0xA3, 0xA6, 0xA7, 0xA8, 0xA9, 0xAB, 0xAD, 0xAE, 0xB0, 0xB1,
         0xB2, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xBB, 0xBD, 0xBF, 0xD7, 0xF7]
    ).decode("cp1252")
)  # fmt: skip
_SAMPLE: Final = 64 * 1024


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding it was read in; never fails (Latin-1 reads anything)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    wide = _utf16_without_bom(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    return _single_byte_or_detected(data)


def _utf16_without_bom(data: bytes) -> str | None:
    """utf-16-le/-be when NUL bytes sit in every other position (mostly-Latin UTF-16 text)."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_zeros = sample[0::2].count(0) / (len(sample) / 2)
    odd_zeros = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _single_byte_or_detected(data: bytes) -> tuple[str, str]:
    """cp1252 when it reads as Western text, else charset-normalizer's guess, else Latin-1.

    charset-normalizer alone guesses short Western texts wrongly (cp1250, mac_latin2, cp1006 for
    plain French), so cp1252, by far the most common legacy encoding, goes first when it fits.
    """
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _reads_as_western(western):
        return western, "cp1252"
    latin9 = data.decode("iso8859-15")  # ISO-8859-15 puts the euro sign where cp1252 has "¤"
    if b"\xa4" in data and _reads_as_western(latin9):
        return latin9, "iso8859-15"
    best = from_bytes(data[:_SAMPLE] if len(data) > _SAMPLE else data).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return (western, "cp1252") if western is not None else (data.decode("latin-1"), "latin-1")


def _reads_as_western(text: str) -> bool:
    """Few non-ASCII letters, and no non-ASCII symbol outside cp1252's usual punctuation."""
    letters = non_ascii_letters = 0
    for char in text[:_SAMPLE]:
        if char.isalpha():
            letters += 1
            non_ascii_letters += not char.isascii()
        elif not char.isascii() and char not in _CP1252_PUNCTUATION:
            return False
    return non_ascii_letters <= 0.4 * max(letters, 1)


def looks_binary(text: str) -> bool:
    """Whether decoded text is really binary data: NULs or many control characters."""
    sample = text[:_SAMPLE]
    if "\x00" in sample:
        return True
    controls = sum(
        1 for char in sample if char not in "\t\n\r\f\v" and unicodedata.category(char) == "Cc"
    )
    return controls > 0.01 * max(len(sample), 1)


def text_pages(text: str) -> tuple[Page, ...]:
    """Pages of paragraphs; a form feed starts a new page (a trailing one adds none)."""
    parts = text.split("\f")
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    return tuple(
        native_page(number, paragraphs_of(part)) for number, part in enumerate(parts, start=1)
    )


def load_text(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """A plain-text document; its encoding goes into the metadata."""
    text, encoding = decode_text(data)
    return Document(
        pages=text_pages(text),
        mime_type="text/plain",
        filename=filename,
        format="text",
        metadata={"encoding": encoding},
    )
