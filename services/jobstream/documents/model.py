"""The Document model: every format a client sends becomes pages of blocks, lines and words.

Pure: no I/O and no format library. Coordinates are normalized to the page, `left, top, width,
height` in 0-1 with the origin at the top left (the box of Retab's `FormField.bbox`); pages are
numbered from 1. A page's `blocks` are in reading order (a multi-column page lists the blocks of
its first column, then of the next), and each block is either a run of text lines or a table, so
tables can be rendered inline where they stand. Operations never look at bytes or file formats.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

PageSource = Literal["text_layer", "ocr", "native"]
BlockKind = Literal["paragraph", "heading", "list_item", "header", "footer", "caption"]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a page, normalized to 0-1 (origin top left)."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @staticmethod
    def enclosing(boxes: list[Box] | tuple[Box, ...]) -> Box | None:
        """The smallest box holding every box given, or None for none."""
        if not boxes:
            return None
        left = min(b.left for b in boxes)
        top = min(b.top for b in boxes)
        right = max(b.right for b in boxes)
        bottom = max(b.bottom for b in boxes)
        return Box(left=left, top=top, width=right - left, height=bottom - top)


@dataclass(frozen=True, slots=True)
class Word:
    """One word with its box; `confidence` is 1.0 for text layers and native formats."""

    text: str
    box: Box | None = None
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Line:
    """A line of words, left to right."""

    words: tuple[Word, ...]
    box: Box | None = None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Consecutive lines that belong together (a paragraph, a heading, a header or footer)."""

    lines: tuple[Line, ...]
    kind: BlockKind = "paragraph"
    box: Box | None = None
    level: int = 0  # heading level (1 = top) for kind "heading", else 0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text, box and spans."""

    text: str
    box: Box | None = None
    row_span: int = 1
    col_span: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells; the first `header_rows` rows are headers."""

    rows: tuple[tuple[Cell, ...], ...]
    box: Box | None = None
    header_rows: int = 1

    def texts(self) -> list[list[str]]:
        """The cells' texts, row by row."""
        return [[cell.text for cell in row] for row in self.rows]


Block = TextBlock | Table


@dataclass(frozen=True, slots=True)
class Page:
    """One page (a PDF page, an image, a sheet, a slide, an email part) in reading order."""

    number: int  # 1-based
    source: PageSource
    blocks: tuple[Block, ...] = ()
    width: float = 0.0  # in points (PDF), pixels (images) or 0 when the format has no size
    height: float = 0.0
    label: str | None = None  # e.g. a sheet's name, "attachment: invoice.pdf"

    @property
    def lines(self) -> list[Line]:
        """Every text line outside tables, in reading order."""
        return [
            line for block in self.blocks if isinstance(block, TextBlock) for line in block.lines
        ]

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]

    def words(self) -> Iterator[Word]:
        for line in self.lines:
            yield from line.words

    @property
    def plain_text(self) -> str:
        """Lines and table rows (cells tab-separated) in reading order, one per line."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextBlock):
                parts.append(block.text)
            else:
                parts.append("\n".join("\t".join(row) for row in block.texts()))
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole document: its pages in order, and what was sniffed about it."""

    pages: tuple[Page, ...]
    mime_type: str
    filename: str = "document"
    format: str = ""  # the loader that read it: "pdf", "image", "docx", "xlsx", "eml", ...
    languages: tuple[str, ...] = ()  # Tesseract codes used or detected, e.g. ("eng", "deu")
    metadata: dict[str, str] = field(default_factory=dict)  # title, author, subject, from, ...

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def plain_text(self) -> str:
        return "\n\n".join(page.plain_text for page in self.pages)
