"""The shape of decoded text: does it read as an email, HTML, CSV or Markdown?

Pure string tests used by sniff.py; each is strict when the filename and MIME type say nothing
and more lenient when they hint at the same format (`hinted`, `min_rows`).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Final

_EMAIL_HEADERS: Final = frozenset(
    {"from", "to", "cc", "subject", "date", "message-id", "mime-version", "received",
     "return-path", "delivered-to", "reply-to", "content-type", "x-mailer", "sender"}
)  # fmt: skip
_HEADER_LINE: Final = re.compile(r"([A-Za-z][A-Za-z0-9-]*):[ \t]?")
_HTML_START: Final = re.compile(
    r"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_HTML_FRAGMENT: Final = re.compile(
    r"<(div|p|table|h[1-6]|ul|ol|section|article|span|meta|title|form|main|header|br)[\s/>]",
    re.IGNORECASE,
)
_MARKDOWN_STRONG: Final = re.compile(
    r"^(#{1,6}[ \t]+\S|\s*\|?\s*:?-{3,}:?\s*\|\s*:?-{3,}|```|\S.*\n(=+|-+)[ \t]*$)", re.MULTILINE
)
_MARKDOWN_WEAK: Final = tuple(
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"\*\*[^*\n]+\*\*",  # bold
        r"\[[^\]\n]+\]\([^)\s]+\)",  # a link
        r"^\s*[-*+][ \t]+\S",  # a bullet
        r"^>[ \t]",  # a quote
        r"`[^`\n]+`",  # inline code
    )
)
_DELIMITERS: Final = (",", ";", "\t", "|")


def looks_like_html(stripped: str, *, hinted: bool) -> bool:
    """A doctype, <html>, <head> or <body> first; or, hinted, any tag of a common element first."""
    if _HTML_START.match(stripped):
        return True
    return (
        stripped.startswith("<")
        and (hinted or "</" in stripped[:4096])
        and bool(_HTML_FRAGMENT.match(stripped))
    )


def looks_like_email(text: str, *, hinted: bool) -> bool:
    """An RFC 822 header block: only header lines until the first blank line, two known headers
    among them (one when the name or MIME type says email)."""
    lines = text.splitlines()
    if lines and lines[0].startswith("From ") and not _HEADER_LINE.match(lines[0]):
        lines = lines[1:]  # an mbox separator line
    known = 0
    for index, line in enumerate(lines[:200]):
        if not line.strip():
            return index > 0 and known >= (1 if hinted else 2)
        if line[:1] in " \t" and index > 0:
            continue  # a folded header continues the previous one
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        known += match.group(1).lower() in _EMAIL_HEADERS
    return known >= (1 if hinted else 2) and bool(lines)


def csv_delimiter(text: str, *, hinted: bool) -> str | None:
    """The delimiter splitting the first rows into the same number (at least 2) of fields.

    Unhinted, three rows at least must agree; hinted (named .csv, typed text/csv), one row of two
    fields is enough and ragged rows are allowed as long as most rows have the common width.
    """
    sample = text[:65536]
    truncated = len(text) > len(sample)
    best: tuple[int, int, str] | None = None
    for delimiter in _DELIMITERS:
        widths = _row_widths(sample, delimiter)
        if truncated and len(widths) > 1:
            widths = widths[:-1]  # the sample may cut the last row short
        if not widths:
            continue
        common = max(set(widths), key=lambda width: (widths.count(width), width))
        agreeing = widths.count(common)
        if common < 2 or agreeing < (1 if hinted else 3):
            continue
        if agreeing < (0.5 if hinted else 1.0) * len(widths):
            continue
        if best is None or (agreeing, common) > best[:2]:
            best = (agreeing, common, delimiter)
    return best[2] if best else None


def _row_widths(sample: str, delimiter: str) -> list[int]:
    widths: list[int] = []
    try:
        rows = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        for _, row in zip(range(50), rows, strict=False):
            if row:
                widths.append(len(row))
    except csv.Error:
        pass  # an unclosed quote: judge the rows read before it
    return widths


def looks_like_markdown(text: str) -> bool:
    """A heading, pipe table, fence or setext underline; or two kinds of inline Markdown."""
    if _MARKDOWN_STRONG.search(text):
        return True
    return sum(1 for pattern in _MARKDOWN_WEAK if pattern.search(text)) >= 2
