"""HTML: the text a browser shows, as headings, paragraphs, list items and tables.

stdlib html.parser (no network, no entity expansion beyond HTML's own, tolerant of broken markup).
Never shown, so never read: <head> (its <title> goes to the metadata), <script>, <style>,
<noscript>, <template>, <svg>, elements with the `hidden` attribute and elements styled inline
`display:none` or `visibility:hidden`. Stylesheets are not evaluated, so text hidden by a CSS class
is read. Tables become Table blocks (a table inside a cell is flattened into that cell's text).
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from typing import Final

from jobstream.documents.loaders.blocks import native_page, text_block
from jobstream.documents.loaders.html_tables import TableBuilder, cell_span
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.text import decode_text
from jobstream.documents.model import Block, BlockKind, Document, Page

_NEVER_SHOWN: Final = frozenset({"head", "script", "style", "noscript", "template", "svg", "math"})
_VOID: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
_BLOCKS: Final = frozenset(
    {"p", "div", "section", "article", "header", "footer", "nav", "aside", "main", "figure",
     "figcaption", "blockquote", "address", "form", "fieldset", "details", "summary", "dl", "dt",
     "dd", "ul", "ol", "li", "pre", "hr", "caption", "legend", "body", "html", "table", "tr",
     "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip
_KINDS: Final[dict[str, BlockKind]] = {
    "li": "list_item", "dt": "list_item", "dd": "list_item", "caption": "caption",
    "figcaption": "caption", "header": "header", "footer": "footer",
}  # fmt: skip
_HIDING_STYLE: Final = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Where an unclosed element ends implicitly when the same element starts again.
_IMPLIED_END: Final = {
    "p": frozenset(), "li": frozenset({"ul", "ol"}), "dt": frozenset({"dl"}),
    "dd": frozenset({"dl"}), "tr": frozenset({"table"}), "td": frozenset({"tr", "table"}),
    "th": frozenset({"tr", "table"}), "option": frozenset({"select"}),
}  # fmt: skip
_SAME_GROUP: Final = {
    "td": ("td", "th"), "th": ("td", "th"), "dt": ("dt", "dd"), "dd": ("dt", "dd"),
}  # fmt: skip


class _VisibleText(HTMLParser):
    """Collects blocks of visible text in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._stack: list[tuple[str, bool]] = []  # open elements and whether each hides
        self._hiding = 0
        self._lines: list[str] = []
        self._line: list[str] = []
        self._tables: list[TableBuilder] = []
        self._in_title = False

    # --- the parser's callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag == "body":
            self._close_through("head")
        self._close_implied(tag)
        if tag in _VOID:
            if tag == "br" and not self._hiding:
                self._break_line()
            elif tag == "hr" and not self._hiding:
                self._flush()
            return
        attributes = dict(attrs)
        hides = (
            tag in _NEVER_SHOWN
            or "hidden" in attributes
            or bool(_HIDING_STYLE.search(attributes.get("style") or ""))
        )
        if not self._hiding and not hides:
            self._open_visible(tag, attributes)
        self._stack.append((tag, hides))
        self._hiding += hides

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if any(open_tag == tag for open_tag, _ in self._stack):
            self._close_through(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._hiding:
            return
        if self._tables and self._tables[-1].cell is not None:
            self._tables[-1].cell.append(data)
        elif any(tag == "pre" for tag, _ in self._stack):
            pieces = data.split("\n")
            self._line.append(pieces[0])
            for piece in pieces[1:]:
                self._break_line()
                self._line.append(piece)
        else:
            self._line.append(data)

    def close(self) -> None:
        super().close()
        self._close_through(None)
        self._flush()

    # --- elements opening and closing -------------------------------------------------------

    def _open_visible(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag == "table":
            self._flush()
            self._tables.append(TableBuilder())
        elif self._tables and tag == "tr":
            self._tables[-1].start_row()
        elif self._tables and tag in {"td", "th"}:
            self._tables[-1].start_cell(
                header=tag == "th" or any(t == "thead" for t, _ in self._stack),
                row_span=cell_span(attributes.get("rowspan")),
                col_span=cell_span(attributes.get("colspan")),
            )
        elif tag in _BLOCKS:
            self._flush()

    def _close_element(self, tag: str, hides: bool) -> None:
        self._hiding -= hides
        if self._hiding or hides:
            return
        if tag == "table" and self._tables:
            self._end_table(self._tables.pop())
        elif self._tables and tag in {"td", "th"}:
            self._tables[-1].end_cell()
        elif self._tables and tag == "tr":
            self._tables[-1].end_row()
        elif tag in _BLOCKS:
            self._flush(closing=tag)

    def _end_table(self, builder: TableBuilder) -> None:
        if self._tables and self._tables[-1].cell is not None:
            self._tables[-1].cell.append("\n" + builder.text() + "\n")  # a table in a cell
            return
        table = builder.table()
        if table is not None:
            self.blocks.append(table)

    def _close_through(self, tag: str | None) -> None:
        """Close open elements innermost first, through `tag` (None: all of them)."""
        while self._stack:
            open_tag, hides = self._stack.pop()
            self._close_element(open_tag, hides)
            if open_tag == tag:
                return

    def _close_implied(self, tag: str) -> None:
        """Close an element left open when HTML allows omitting its end tag (<p>, <li>, <td>)."""
        if tag in _BLOCKS and self._stack and self._stack[-1][0] == "p":
            self._close_through("p")
        if tag not in _IMPLIED_END:
            return
        same = _SAME_GROUP.get(tag, (tag,))
        for open_tag, _ in reversed(self._stack):
            if open_tag in _IMPLIED_END[tag]:
                return
            if open_tag in same:
                self._close_through(open_tag)
                return

    # --- text -------------------------------------------------------------------------------

    def _break_line(self) -> None:
        if self._tables and self._tables[-1].cell is not None:
            self._tables[-1].cell.append("\n")
            return
        self._lines.append("".join(self._line))
        self._line = []

    def _flush(self, *, closing: str | None = None) -> None:
        """End the current block: its lines become a TextBlock of the innermost block's kind."""
        if self._tables and self._tables[-1].cell is not None:
            self._tables[-1].cell.append("\n")
            return
        self._break_line()
        kind, level = self._kind(closing)
        block = text_block([" ".join(line.split()) for line in self._lines], kind=kind, level=level)
        if block is not None:
            self.blocks.append(block)
        self._lines = []

    def _kind(self, closing: str | None) -> tuple[BlockKind, int]:
        for tag in [closing, *(tag for tag, _ in reversed(self._stack))]:
            if tag is None:
                continue
            if re.fullmatch(r"h[1-6]", tag):
                return "heading", int(tag[1])
            if tag in _KINDS:
                return _KINDS[tag], 0
        return "paragraph", 0


def html_blocks(markup: str) -> tuple[list[Block], str]:
    """The visible blocks of an HTML document and its <title>."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return parser.blocks, " ".join(parser.title.split())


def html_page(markup: str, *, number: int = 1) -> Page:
    blocks, _ = html_blocks(markup)
    return native_page(number, blocks)


_META_CHARSET: Final = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def decode_html(data: bytes) -> tuple[str, str]:
    """HTML's text: a byte-order mark or valid UTF-8 first, then the charset its <meta> declares,
    then the same detection as plain text."""
    text, encoding = decode_text(data)
    if encoding.startswith(("utf-8", "utf-16", "utf-32")):
        return text, encoding
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            return data.decode(name, errors="replace"), codecs.lookup(name).name
        except LookupError:
            pass
    return text, encoding


def load_html(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """An HTML document: one page of its visible text."""
    text, encoding = decode_html(data)
    blocks, title = html_blocks(text)
    metadata = {"encoding": encoding} | ({"title": title} if title else {})
    return Document(
        pages=(native_page(1, blocks),), mime_type="text/html", filename=filename, format="html",
        metadata=metadata,
    )  # fmt: skip
