"""A PDF page's text layer as positioned words, read with pypdfium2's text page.

The page's text in one call, split into words at the spaces and line breaks PDFium puts in;
each word boxed by the loose boxes of its first and last characters (two C calls a word, not
four a character), and a word whose glyphs do not run in one straight line is split character
by character (at a gap wider than a quarter of the font size, or where the text jumps back or
to another line). Boxes are turned into the page as displayed (crop box,
`/Rotate` applied), in points with the origin at the top left. `usable_text` says whether the
text layer is worth keeping or the page must be OCR'd: too few characters, or mostly unmappable
glyphs (U+FFFD, private-use code points, control characters: a "garbage" text layer).
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from jobstream.documents.layout import RawWord

MIN_TEXT_CHARS = 12  # fewer visible characters than this: treat the page as a scan
MAX_GARBAGE_SHARE = 0.2
_RUN = re.compile(r"\S+")
_SPACES = re.compile(r"\s")
# Unmappable glyphs: the replacement character, private use, C0 controls other than whitespace.
_GARBAGE = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0e-\x1f]")


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


def _page_chars(textpage: pdfium.PdfTextPage, count: int) -> str:
    """The page's characters, one per PDFium char index (generated spaces and line breaks too)."""
    text = str(textpage.get_text_range(0, count))
    if len(text) == count:
        return text
    raw = textpage.raw  # characters outside the BMP came back as two UTF-16 units: go one by one
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 0xFFFD) for i in range(count))


class _CharBoxes:
    def __init__(self, textpage: pdfium.PdfTextPage, geometry: _Geometry) -> None:
        self._raw = textpage.raw
        self._rect = pdfium_c.FS_RECTF()
        self._geometry = geometry

    def box(self, index: int) -> tuple[float, ...] | None:
        rect = self._rect
        if not pdfium_c.FPDFText_GetLooseCharBox(self._raw, index, ctypes.byref(rect)):
            return None
        box = self._geometry.place(rect.left, rect.bottom, rect.right, rect.top)
        return box if box[2] > box[0] or box[3] > box[1] else None

    def size(self, index: int) -> float:
        return float(pdfium_c.FPDFText_GetFontSize(self._raw, index))


def _words(boxes: _CharBoxes, text: str) -> list[RawWord]:
    """Every word of the page from its first and last characters' boxes; a run whose glyphs do
    not make one straight line goes the slow way (`_word_by_chars`). The hot loop of the text
    layer: C functions and the rectangle are bound to locals, one call per box."""
    get_box, get_size = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetFontSize
    raw, geometry, rect = boxes._raw, boxes._geometry, pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    upright, x0, y0 = geometry.rotation == 0, geometry.left, geometry.top

    def edges() -> tuple[float, ...]:
        if upright:
            return rect.left - x0, y0 - rect.top, rect.right - x0, y0 - rect.bottom
        return geometry.place(rect.left, rect.bottom, rect.right, rect.top)

    words: list[RawWord] = []
    for match in _RUN.finditer(text):
        start, end = match.span()
        if not get_box(raw, start, ref):
            words += _word_by_chars(boxes, text, start, end)
            continue
        left, top, right, bottom = edges()
        if end - start > 1:
            if not get_box(raw, end - 1, ref):
                words += _word_by_chars(boxes, text, start, end)
                continue
            l1, t1, r1, b1 = edges()
            if abs(t1 - top) > 0.3 * (bottom - top) or r1 < left:
                words += _word_by_chars(boxes, text, start, end)
                continue
            left, top, right, bottom = min(left, l1), min(top, t1), max(right, r1), max(bottom, b1)
        if right > left or bottom > top:
            words.append(RawWord(match.group(), left, top, right, bottom, get_size(raw, start)))
    return words


def _word_by_chars(boxes: _CharBoxes, text: str, start: int, end: int) -> list[RawWord]:
    """The slow path: every character's box, splitting where the run breaks."""
    builder = _WordBuilder()
    for index in range(start, end):
        box = boxes.box(index)
        if box is not None:
            builder.add(text[index], box, boxes.size(index))
    builder.flush()
    return builder.words


def read_page_text(page: pdfium.PdfPage) -> PageText:
    """The page's words (in points, top-left origin, as displayed) and how usable they are.

    Words are PDFium's: runs of characters between the spaces and line breaks it reports (it
    inserts them where glyphs are set apart), boxed by their first and last characters; a run
    that is not one straight line of glyphs is split character by character.
    """
    left, bottom, right, top = page.get_bbox()  # crop box within the media box, inherited too
    geometry = _Geometry(left, bottom, right, top, page.get_rotation() % 360)
    width, height = geometry.size
    textpage = page.get_textpage()
    try:
        count = pdfium_c.FPDFText_CountChars(textpage.raw)
        text = _page_chars(textpage, count) if count > 0 else ""
        words = _words(_CharBoxes(textpage, geometry), text)
        visible = len(text) - len(_SPACES.findall(text))
        garbage = len(_GARBAGE.findall(text))
    finally:
        textpage.close()
    return PageText(words, width, height, visible, garbage)
