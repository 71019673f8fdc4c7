"""Builders the native-format loaders share: strings into lines, blocks, tables and pages.

Native formats (text, HTML, office files, email) have no geometry the loaders can trust, so their
words and lines carry no box; only slides (pptx.py) give blocks the box of their shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import (
    Block,
    BlockKind,
    Box,
    Cell,
    Line,
    Page,
    Table,
    TextBlock,
    Word,
)


def line_of(text: str) -> Line | None:
    """One line of words split on whitespace, or None for a blank line."""
    words = tuple(Word(text=word) for word in text.split())
    return Line(words=words) if words else None


def text_block(
    text: str | Iterable[str],
    *,
    kind: BlockKind = "paragraph",
    level: int = 0,
    box: Box | None = None,
) -> TextBlock | None:
    """A block of the non-blank lines of `text` (a string split at newlines, or lines), or None."""
    raw = text.splitlines() if isinstance(text, str) else text
    lines = tuple(line for line in (line_of(item) for item in raw) if line is not None)
    if not lines:
        return None
    return TextBlock(lines=lines, kind=kind, level=level, box=box)  # fmt: skip


def paragraphs_of(text: str) -> list[Block]:
    """Plain text as paragraphs: runs of non-blank lines separated by blank lines."""
    blocks: list[Block] = []
    current: list[str] = []
    for raw in [*text.splitlines(), ""]:
        if raw.strip():
            current.append(raw)
            continue
        block = text_block(current)
        if block is not None:
            blocks.append(block)
        current = []
    return blocks


def clean_cell_text(text: str) -> str:
    """A cell's text with runs of spaces collapsed and blank lines dropped (newlines kept)."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def table_of(rows: Sequence[Sequence[str]], *, header_rows: int = 1) -> Table | None:
    """A table of string rows padded to the same width, or None when it holds no text at all."""
    width = max((len(row) for row in rows), default=0)
    if not any(cell.strip() for row in rows for cell in row):
        return None
    cells = tuple(
        tuple(Cell(text=clean_cell_text(text)) for text in [*row, *[""] * (width - len(row))])
        for row in rows
    )
    return Table(rows=cells, header_rows=min(header_rows, len(cells)))


def in_range(number: int, options: LoadOptions) -> bool:
    """Whether page `number` is in the options' requested range."""
    return options.first_page <= number and (
        options.last_page is None or number <= options.last_page
    )


def compact(blocks: Iterable[Block | None]) -> tuple[Block, ...]:
    """The blocks that exist, in order."""
    return tuple(block for block in blocks if block is not None)


def native_page(
    number: int,
    blocks: Iterable[Block | None],
    *,
    label: str | None = None,
    width: float = 0.0,
    height: float = 0.0,
) -> Page:
    """A page of a native format (source "native")."""
    return Page(
        number=number, source="native", blocks=compact(blocks), label=label,
        width=width, height=height,
    )  # fmt: skip
