"""PPTX (python-pptx): a page per slide, sized in points, blocks boxed where their shapes sit.

The slide's title comes first as a level-1 heading; the other shapes follow in reading position
(top to bottom, then left to right; a group's shapes in their own order), each text frame one
block with a line per paragraph, each table a Table. Pictures and charts carry no text and are
skipped; speaker notes are not part of the slide a person sees and are left out. Hidden slides
are read (they are part of the file).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any, Final

import pptx
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError

from jobstream.documents.loaders.blocks import (
    clean_cell_text,
    in_range,
    native_page,
    text_block,
)
from jobstream.documents.loaders.ooxml import check_package, reading, refuse_over
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Block, Box, Cell, Document, Page, Table

MIME_TYPE: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_EMU_PER_POINT: Final = 12700
_SLIDE_PART: Final = re.compile(r"ppt/slides/slide\d+\.xml")
_TITLES: Final = frozenset({PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE})


def _is_title(shape: Any) -> bool:
    return bool(shape.is_placeholder and shape.placeholder_format.type in _TITLES)


def _ordered(shapes: Any) -> Iterator[Any]:
    """Shapes top to bottom, left to right, groups opened in place; titles first."""

    def position(shape: Any) -> tuple[bool, int, int]:
        return (not _is_title(shape), shape.top or 0, shape.left or 0)

    for shape in sorted(shapes, key=position):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _ordered(shape.shapes)
        else:
            yield shape


def _box(shape: Any, *, width: int, height: int) -> Box | None:
    if not width or not height or shape.width is None or shape.left is None:
        return None
    return Box(
        left=shape.left / width, top=shape.top / height, width=shape.width / width,
        height=shape.height / height,
    )  # fmt: skip


def _cell_text(cell: Any) -> str:
    return "" if cell.is_spanned else clean_cell_text(cell.text)


def _table(shape: Any, *, box: Box | None) -> Table | None:
    rows = tuple(
        tuple(Cell(text=_cell_text(cell), col_span=cell.span_width) for cell in row.cells)
        for row in shape.table.rows
    )
    if not any(cell.text for row in rows for cell in row):
        return None
    return Table(rows=rows, box=box, header_rows=1)


def _shape_blocks(shape: Any, *, width: int, height: int) -> Iterator[Block | None]:
    box = _box(shape, width=width, height=height)
    if getattr(shape, "has_table", False):
        yield _table(shape, box=box)
    elif shape.has_text_frame:
        lines = [
            line
            for paragraph in shape.text_frame.paragraphs
            for line in paragraph.text.replace("\v", "\n").splitlines()
        ]
        if _is_title(shape):
            yield text_block(lines, kind="heading", level=1, box=box)
        else:
            yield text_block(lines, box=box)


def _slide_page(slide: Any, *, number: int, width: int, height: int) -> Page:
    blocks = [
        block
        for shape in _ordered(slide.shapes)
        for block in _shape_blocks(shape, width=width, height=height)
    ]
    return native_page(
        number, blocks, width=width / _EMU_PER_POINT, height=height / _EMU_PER_POINT,
        label=f"slide {number}",
    )  # fmt: skip


def load_pptx(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """A PPTX presentation: a page per slide."""
    names = check_package(data, options=options, kind="PPTX")
    refuse_over(sum(1 for name in names if _SLIDE_PART.fullmatch(name)), options=options,
                what="slides")  # fmt: skip
    with reading("PPTX", PackageNotFoundError):
        presentation = pptx.Presentation(io.BytesIO(data))
        width, height = presentation.slide_width or 0, presentation.slide_height or 0
        pages = tuple(
            _slide_page(slide, number=number, width=width, height=height)
            for number, slide in enumerate(presentation.slides, start=1)
            if in_range(number, options)
        )
        title = presentation.core_properties.title
    metadata = {"title": title} if title else {}
    return Document(
        pages=pages, mime_type=MIME_TYPE, filename=filename, format="pptx", metadata=metadata
    )


def page_count(data: bytes) -> int:
    """The number of slides."""
    check_package(data, options=LoadOptions(), kind="PPTX")
    with reading("PPTX", PackageNotFoundError):
        return len(pptx.Presentation(io.BytesIO(data)).slides)
