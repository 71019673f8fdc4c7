"""DOCX (python-docx): the body in order, tables where they stand, headers and footers.

Paragraphs and tables are read in body order (content controls opened). A paragraph styled
"Title" or "Heading N", or with an outline level, is a heading of that level; a numbered or
"List ..." paragraph is a list item. A DOCX has no pages of its own: Word lays them out when it
renders, so the loader starts a new page only where the document asks for one: a page-type break,
"page break before", or a section break that starts a new (odd, even) page; most documents are
one page, and a page left blank between two breaks is dropped. Each page starts with its
section's header (the first-page header on a section's first page when the section has one) and
ends with its footer, as a printed page does, as "header" and "footer" blocks. Footnotes and
endnotes follow the text of the last page, numbered. Merged cells keep their text in the first
cell (`col_span` set for horizontal merges, continued vertical merges left empty).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import docx
from docx.enum.section import WD_SECTION
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from jobstream.documents.loaders.blocks import clean_cell_text, compact, native_page, text_block
from jobstream.documents.loaders.ooxml import check_package, reading, refuse_over
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Block, BlockKind, Cell, Document, Page, Table

MIME_TYPE: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PAGE_BREAK: Final = "\f"
_TEXT: Final = qn("w:t")
_FALLBACK: Final = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED: Final = frozenset(
    {_FALLBACK, qn("w:delText"), qn("w:instrText"), qn("w:del"), qn("w:moveFrom"), qn("w:sdtPr")}
)
# Block-level wrappers whose children are body content: content controls, custom XML, insertions.
_WRAPPERS: Final = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins")})
_CHARACTERS: Final = {qn("w:tab"): "\t", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}


def _text_of(element: Any) -> Iterator[str]:
    """The characters under `element` in order; a page break as a form feed."""
    for child in element.iterchildren():
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == _TEXT:
            yield child.text or ""
        elif tag == qn("w:br"):
            yield _PAGE_BREAK if child.get(qn("w:type")) == "page" else "\n"
        elif tag in _CHARACTERS:
            yield _CHARACTERS[tag]
        elif tag == qn("w:p"):
            yield "\n"  # a paragraph of a text box inside this paragraph
            yield from _text_of(child)
        else:
            yield from _text_of(child)


def _style_outline_level(style: Any) -> int | None:
    while style is not None:
        level = style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if level is not None:
            return int(level.get(qn("w:val")))
        style = style.base_style
    return None


StyleCache = dict[str | None, tuple[str, int | None]]  # style id -> (name, outline level)


def _style_of(paragraph: Any, cache: StyleCache) -> tuple[str, int | None]:
    """The paragraph style's name and outline level, resolved once per style (python-docx
    resolves a style by scanning every style, which made long documents quadratic)."""
    style_id = paragraph._p.style
    if style_id not in cache:
        style = paragraph.style
        name = (style.name or "") if style is not None else ""
        cache[style_id] = (name, _style_outline_level(style))
    return cache[style_id]


def _kind_and_level(paragraph: Any, cache: StyleCache) -> tuple[BlockKind, int]:
    name, style_level = _style_of(paragraph, cache)
    if name == "Title":
        return "heading", 1
    if name.startswith("Heading ") and name[8:].isdigit():
        return "heading", int(name[8:])
    own = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    level = int(own.get(qn("w:val"))) if own is not None else style_level
    if level is not None and level < 9:
        return "heading", level + 1
    if paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None or name.startswith("List"):
        return "list_item", 0
    return "paragraph", 0


def _cell_text(tc: Any) -> str:
    parts: list[str] = []
    for child in tc.iterchildren():
        if child.tag == qn("w:p"):
            parts.append("".join(_text_of(child)).replace(_PAGE_BREAK, "\n"))
        elif child.tag == qn("w:tbl"):
            parts.extend(" ".join(cell.text for cell in row) for row in _table(child).rows)
        elif child.tag == qn("w:sdt"):
            parts.append(_cell_text(child.find(qn("w:sdtContent"))))
    return clean_cell_text("\n".join(parts))


def _table(tbl: Any) -> Table:
    rows: list[tuple[Cell, ...]] = []
    header_rows = 0
    for tr in tbl.tr_lst:
        cells = tuple(
            Cell(text="" if tc.vMerge == "continue" else _cell_text(tc), col_span=tc.grid_span)
            for tc in tr.tc_lst
        )
        if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None and header_rows == len(rows):
            header_rows += 1
        rows.append(cells)
    return Table(rows=tuple(rows), header_rows=min(header_rows or 1, len(rows)))


def _inner_content(container: Any, element: Any) -> Iterator[Any]:
    """Paragraphs and tables of a body, header or footer in order, content controls opened
    (python-docx's own iteration skips what sits inside a content control)."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, container)
        elif child.tag == qn("w:tbl"):
            yield DocxTable(child, container)
        elif child.tag in _WRAPPERS:
            yield from _inner_content(container, child)


def _blocks_of(container: Any, *, kind: BlockKind | None = None) -> Iterator[Block | str]:
    """Blocks of a body, header or footer in order; page breaks as `_PAGE_BREAK`; a paragraph
    ending a section as "section"."""
    parent = container._body if hasattr(container, "_body") else container  # a Document's body
    styles: StyleCache = {}
    for item in _inner_content(parent, parent._element):
        if isinstance(item, DocxTable):
            table = _table(item._tbl)
            if any(cell.text for row in table.rows for cell in row):
                yield table
            continue
        p = item._p
        if p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
            yield _PAGE_BREAK
        block_kind, level = _kind_and_level(item, styles) if kind is None else (kind, 0)
        for index, part in enumerate("".join(_text_of(p)).split(_PAGE_BREAK)):
            if index:
                yield _PAGE_BREAK
            block = text_block(part, kind=block_kind, level=level)
            if block is not None:
                yield block
        if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            yield "section"


@dataclass
class _PageBuilder:
    section: int
    first_of_section: bool
    blocks: list[Block] = field(default_factory=list)


def _margin_blocks(section: Any, *, first: bool, footer: bool) -> list[Block]:
    if first and section.different_first_page_header_footer:
        part = section.first_page_footer if footer else section.first_page_header
    else:
        part = section.footer if footer else section.header
    kind: BlockKind = "footer" if footer else "header"
    return [block for block in _blocks_of(part, kind=kind) if not isinstance(block, str)]


_PAGE_STARTS: Final = frozenset({WD_SECTION.NEW_PAGE, WD_SECTION.ODD_PAGE, WD_SECTION.EVEN_PAGE})
_NOTE_RELATIONSHIPS: Final = frozenset({RT.FOOTNOTES, RT.ENDNOTES})
_NOTE_TAGS: Final = (qn("w:footnote"), qn("w:endnote"))
_SEPARATORS: Final = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def _notes(document: Any) -> list[Block]:
    """Footnotes, then endnotes, numbered in order as Word numbers them by default."""
    blocks: list[Block] = []
    for relationship in document.part.rels.values():
        if relationship.reltype not in _NOTE_RELATIONSHIPS or relationship.is_external:
            continue
        root = parse_xml(relationship.target_part.blob)
        notes = [
            n for n in root.iterchildren(*_NOTE_TAGS) if n.get(qn("w:type")) not in _SEPARATORS
        ]
        for number, note in enumerate(notes, start=1):
            text = "\n".join("".join(_text_of(p)) for p in note.iterchildren(qn("w:p")))
            block = text_block(f"{number} {text.strip()}") if text.strip() else None
            if block is not None:
                blocks.append(block)
    return blocks


def _page_builders(
    document: Any, sections: list[Any], *, options: LoadOptions
) -> list[_PageBuilder]:
    """The body cut into pages at page breaks and at section breaks that start a new page."""
    builders = [_PageBuilder(section=0, first_of_section=True)]
    current = 0
    for item in _blocks_of(document):
        if item == _PAGE_BREAK or item == "section":
            starts = item == "section" and current + 1 < len(sections)
            current += starts
            if item == _PAGE_BREAK or (starts and sections[current].start_type in _PAGE_STARTS):
                builders.append(_PageBuilder(section=current, first_of_section=starts))
                refuse_over(len(builders), options=options, what="pages")
        elif not isinstance(item, str):
            builders[-1].blocks.append(item)
    builders[-1].blocks.extend(_notes(document))  # notes print at the end of the text
    kept = [builder for builder in builders if builder.blocks]  # blank pages are no pages
    return kept or builders[:1]


def _pages(document: Any, *, options: LoadOptions) -> tuple[Page, ...]:
    sections = list(document.sections)
    pages = []
    for number, builder in enumerate(_page_builders(document, sections, options=options), 1):
        section = sections[min(builder.section, len(sections) - 1)] if sections else None
        margins = (
            (_margin_blocks(section, first=builder.first_of_section, footer=False),
             _margin_blocks(section, first=builder.first_of_section, footer=True))
            if section is not None else ([], [])
        )  # fmt: skip
        pages.append(native_page(number, compact([*margins[0], *builder.blocks, *margins[1]])))
    return tuple(pages)


def load_docx(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """A DOCX document: pages split at explicit page breaks."""
    check_package(data, options=options, kind="DOCX")
    with reading("DOCX", PackageNotFoundError):
        document = docx.Document(io.BytesIO(data))
        pages = _pages(document, options=options)
        properties = document.core_properties
        metadata = {
            key: value
            for key, value in (
                ("title", properties.title), ("author", properties.author),
                ("subject", properties.subject),
            )
            if value
        }  # fmt: skip
    return Document(
        pages=pages, mime_type=MIME_TYPE, filename=filename, format="docx", metadata=metadata
    )
