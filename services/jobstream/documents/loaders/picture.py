"""A page picture (a rendered scan, a photo) → blocks: straightened, OCR'd, ruled tables found.

Shared by the PDF loader (pages without a usable text layer) and the image loader. The picture
is deskewed (loaders/deskew.py), searched for ruled grids (loaders/image_tables.py), whose rules
are painted out before the picture goes to Tesseract as a grey PNG (loaders/ocr.py); words inside
a grid become its cells and leave the text blocks, and the table is placed before the first
block that starts below its top edge.
Boxes are normalized to the straightened picture, whose pixel size is returned with the blocks.
"""

from __future__ import annotations

import io

from PIL import Image

from jobstream.documents.loaders.deskew import deskew
from jobstream.documents.loaders.image_tables import fill_table, find_tables
from jobstream.documents.loaders.ocr import OcrLanguages
from jobstream.documents.model import Block, Box, Line, Table, TextBlock


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
        return result.blocks, width, height
    words = [w for block in result.blocks for line in block.lines for w in line.words]
    tables: list[Table] = []
    used: set[int] = set()
    for rows, columns in grids:
        free = [w for w in words if id(w) not in used]
        table, taken = fill_table(rows, columns, free, width=width, height=height)
        if sum(1 for row in table.rows for cell in row if cell.text) >= 2:
            tables.append(table)
            used |= taken
    return _placed(_without(result.blocks, used), tables), width, height
