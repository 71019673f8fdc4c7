"""A page picture (a rendered scan, a photo) → blocks: straightened, OCR'd, ruled tables found.

Shared by the PDF loader (pages without a usable text layer) and the image loader. The picture
is deskewed (loaders/deskew.py), searched for ruled grids (loaders/image_tables.py), whose rules
are painted out before the picture goes to Tesseract as a grey PNG (loaders/ocr.py); words inside
a grid become its cells and leave the text blocks, and the table is placed before the first
block that starts below its top edge.
Short paragraphs whose lines stand clearly taller than the page's median line are headings.
Boxes are normalized to the straightened picture, whose pixel size is returned with the blocks.
"""

from __future__ import annotations

import io

from PIL import Image

from jobstream.documents.loaders.deskew import deskew
from jobstream.documents.loaders.image_tables import fill_table, find_tables
from jobstream.documents.loaders.ocr import OcrLanguages
from jobstream.documents.model import Block, Box, Line, Table, TextBlock

OCR_HEADING_RATIO = 1.35


def to_png(image: Image.Image) -> bytes:
    """The image as a grey PNG with light compression: what Tesseract takes in fastest through
    its stdin (it reads a 3.5 MB PGM or BMP of a page more slowly than it decodes a 140 kB PNG)."""
    grey = image if image.mode == "L" else image.convert("L")
    buffer = io.BytesIO()
    grey.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _without(blocks: tuple[TextBlock, ...], used: set[int]) -> list[TextBlock]:
    kept: list[TextBlock] = []
    for block in blocks:
        lines = []
        for line in block.lines:
            words = tuple(w for w in line.words if id(w) not in used)
            if words:
                lines.append(Line(words=words, box=Box.enclosing([w.box for w in words if w.box])))
        if lines:
            box = Box.enclosing([line.box for line in lines if line.box])
            kept.append(TextBlock(lines=tuple(lines), kind=block.kind, box=box))
    return kept


def _with_headings(blocks: list[TextBlock]) -> list[TextBlock]:
    """Short paragraphs set clearly taller than the page's typical line become headings, as
    font size decides on text-layer pages. Line boxes include descenders (a comma makes a line
    taller), so the bar is higher than the text layer's: 1.35x the median line, and only
    levels 1 and 2."""
    heights = sorted(line.box.height for b in blocks for line in b.lines if line.box)
    if len(heights) < 4:
        return blocks
    body = heights[len(heights) // 2]
    marked: list[TextBlock] = []
    for block in blocks:
        tallest = [line.box.height for line in block.lines if line.box]
        size = min(tallest) if tallest else 0.0
        if len(block.lines) <= 3 and size >= OCR_HEADING_RATIO * body:
            level = 1 if size >= 1.6 * body else 2
            block = TextBlock(lines=block.lines, kind="heading", box=block.box, level=level)
        marked.append(block)
    return marked


def _placed(blocks: list[TextBlock], tables: list[Table]) -> tuple[Block, ...]:
    pending = sorted(tables, key=lambda t: t.box.top if t.box else 0.0)
    ordered: list[Block] = []
    for block in blocks:
        top = block.box.top if block.box else 0.0
        while pending and (pending[0].box.top if pending[0].box else 0.0) <= top:
            ordered.append(pending.pop(0))
        ordered.append(block)
    return (*ordered, *pending)


def ocr_picture(
    image: Image.Image,
    *,
    languages: OcrLanguages,
    dpi: int | None = None,
    encoded: bytes | None = None,
) -> tuple[tuple[Block, ...], int, int]:
    """The picture's blocks in reading order, and the straightened picture's width and height.

    `encoded`: the file `image` was decoded from, when it is that file's pixels as they are
    (no EXIF turn): sent to Tesseract as is when neither deskew nor table search changed them.
    """
    straight = deskew(image)
    width, height = straight.size
    grids, cleaned = find_tables(straight)
    unchanged = encoded is not None and cleaned is image
    data = encoded if unchanged and encoded is not None else to_png(cleaned)
    result = languages.ocr(data, width=width, height=height, dpi=dpi)
    if not grids:
        return tuple(_with_headings(list(result.blocks))), width, height
    words = [w for block in result.blocks for line in block.lines for w in line.words]
    tables: list[Table] = []
    used: set[int] = set()
    for rows, columns in grids:
        free = [w for w in words if id(w) not in used]
        table, taken = fill_table(rows, columns, free, width=width, height=height)
        if sum(1 for row in table.rows for cell in row if cell.text) >= 2:
            tables.append(table)
            used |= taken
    return _placed(_with_headings(_without(result.blocks, used)), tables), width, height
