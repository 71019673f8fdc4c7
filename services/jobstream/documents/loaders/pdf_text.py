"""A PDF page's text layer as positioned words, read with pypdfium2's text page.

One pass over the page's characters through PDFium's C API (unicode, loose box, font size at a
word's start): a word ends at whitespace, at a gap wider than a quarter of the font size, or where
the text jumps back or to another line. Boxes are turned into the page as displayed (crop box,
`/Rotate` applied), in points with the origin at the top left. `usable_text` says whether the
text layer is worth keeping or the page must be OCR'd: too few characters, or mostly unmappable
glyphs (U+FFFD, private-use code points, control characters: a "garbage" text layer).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from jobstream.documents.layout import RawWord

MIN_TEXT_CHARS = 12  # fewer visible characters than this: treat the page as a scan
MAX_GARBAGE_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class PageText:
    """The words of one page and the page's displayed size in points."""

    words: list[RawWord]
    width: float
    height: float
    visible_chars: int
    garbage_chars: int

    @property
    def usable(self) -> bool:
        if self.visible_chars < MIN_TEXT_CHARS:
            return False
        return self.garbage_chars <= MAX_GARBAGE_SHARE * self.visible_chars


@dataclass(slots=True)
class _Geometry:
    """Maps PDF user space to the displayed page (points, origin top left)."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int

    @property
    def size(self) -> tuple[float, float]:
        w, h = self.right - self.left, self.top - self.bottom
        return (h, w) if self.rotation in (90, 270) else (w, h)

    def place(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        w, h = self.right - self.left, self.top - self.bottom
        u0, u1 = (x0 - self.left) / w, (x1 - self.left) / w
        v0, v1 = (self.top - y1) / h, (self.top - y0) / h  # top-left origin, v0 < v1
        if self.rotation == 90:
            u0, v0, u1, v1 = 1 - v1, u0, 1 - v0, u1
        elif self.rotation == 180:
            u0, v0, u1, v1 = 1 - u1, 1 - v1, 1 - u0, 1 - v0
        elif self.rotation == 270:
            u0, v0, u1, v1 = v0, 1 - u1, v1, 1 - u0
        width, height = self.size
        return u0 * width, v0 * height, u1 * width, v1 * height


def _is_garbage(char: str) -> bool:
    code = ord(char)
    return char == "\ufffd" or 0xE000 <= code <= 0xF8FF or (code < 32 and char not in "\t\r\n")


class _WordBuilder:
    def __init__(self) -> None:
        self.words: list[RawWord] = []
        self.chars: list[str] = []
        self.box: list[float] = []
        self.size = 0.0

    def flush(self) -> None:
        if self.chars:
            left, top, right, bottom = self.box
            text = "".join(self.chars)
            self.words.append(RawWord(text, left, top, right, bottom, size=self.size))
        self.chars, self.box = [], []

    def add(self, char: str, box: tuple[float, ...], size: float) -> None:
        if self.chars:
            left, top, right, bottom = self.box
            height = bottom - top
            gap = box[0] - right
            off_line = box[3] <= top + 0.2 * height or box[1] >= bottom - 0.2 * height
            if gap > 0.25 * max(size, height) or box[0] < left - 0.5 * height or off_line:
                self.flush()
        if not self.chars:
            self.box, self.size = list(box), size
        else:
            self.box = [
                min(self.box[0], box[0]), min(self.box[1], box[1]),
                max(self.box[2], box[2]), max(self.box[3], box[3]),
            ]  # fmt: skip
        self.chars.append(char)


def read_page_text(page: pdfium.PdfPage) -> PageText:
    """The page's words (in points, top-left origin, as displayed) and how usable they are."""
    left, bottom, right, top = page.get_cropbox()
    geometry = _Geometry(left, bottom, right, top, page.get_rotation() % 360)
    width, height = geometry.size
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        rect = pdfium_c.FS_RECTF()
        builder = _WordBuilder()
        visible = garbage = 0
        for index in range(count):
            char = chr(pdfium_c.FPDFText_GetUnicode(raw, index) or 0xFFFD)
            if char.isspace() or pdfium_c.FPDFText_IsGenerated(raw, index) == 1:
                builder.flush()
                continue
            visible += 1
            garbage += _is_garbage(char)
            if not pdfium_c.FPDFText_GetLooseCharBox(raw, index, ctypes.byref(rect)):
                continue
            box = geometry.place(rect.left, rect.bottom, rect.right, rect.top)
            if box[2] - box[0] <= 0 and box[3] - box[1] <= 0:
                continue
            builder.add(char, box, pdfium_c.FPDFText_GetFontSize(raw, index))
        builder.flush()
    finally:
        textpage.close()
    return PageText(builder.words, width, height, visible, garbage)
