"""Markdown as a reader sees it rendered: headings (ATX and setext), paragraphs, list items, block
quotes, fenced and indented code (kept verbatim), and pipe tables as Table blocks. Inline markup
(emphasis, code spans, links, images) is reduced to its text; raw HTML blocks are read as HTML.
"""

from __future__ import annotations

import re
from typing import Final

from jobstream.documents.loaders.blocks import native_page, table_of, text_block
from jobstream.documents.loaders.html import html_blocks
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.text import decode_text
from jobstream.documents.model import Block, Document

_ATX: Final = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT: Final = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE: Final = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_LIST_ITEM: Final = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$")
_FENCE: Final = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TABLE_SEPARATOR: Final = re.compile(
    r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$"  # | --- | :--: |
    r"|^\s*\|\s*:?-+:?\s*\|\s*$"  # a one-column table: | --- |
)
_HTML_BLOCK: Final = re.compile(r"^ {0,3}<(?:[a-zA-Z][a-zA-Z0-9-]*|!--)")
_INLINE: Final = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link: its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolink
    (re.compile(r"`+([^`]+)`+"), r"\1"),  # code span
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),  # emphasis
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strikethrough
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),  # backslash escapes
)


def inline_text(text: str) -> str:
    """A line's text without inline Markdown."""
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def _table_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [inline_text(cell.strip().replace("\\|", "|")) for cell in cells]


class _MarkdownReader:
    """Reads lines into blocks; one pass, a block ending at a blank line or a new construct."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0
        self.blocks: list[Block | None] = []
        self.paragraph: list[str] = []

    def read(self) -> list[Block]:
        while self.index < len(self.lines):
            self._step(self.lines[self.index])
        self._end_paragraph()
        return [block for block in self.blocks if block is not None]

    def _step(self, line: str) -> None:
        following = self.lines[self.index + 1] if self.index + 1 < len(self.lines) else ""
        atx = _ATX.match(line)
        if not line.strip():
            self._end_paragraph()
        elif _FENCE.match(line):
            self._end_paragraph()
            self._fenced(_FENCE.match(line).group(1))  # type: ignore[union-attr]
            return
        elif atx:
            self._end_paragraph()
            text = inline_text(atx.group(2) or "")
            self.blocks.append(text_block(text, kind="heading", level=len(atx.group(1))))
        elif self.paragraph and _SETEXT.match(line):
            level = 1 if line.strip().startswith("=") else 2
            text = inline_text(" ".join(self.paragraph))
            self.paragraph = []
            self.blocks.append(text_block(text, kind="heading", level=level))
        elif _RULE.match(line):
            self._end_paragraph()
        elif "|" in line and _TABLE_SEPARATOR.match(following):
            self._end_paragraph()
            self._table()
            return
        elif _HTML_BLOCK.match(line) and not self.paragraph:
            self._html()
            return
        else:
            self._text_line(line)
        self.index += 1

    def _text_line(self, line: str) -> None:
        item = _LIST_ITEM.match(line)
        quote = re.match(r"^\s*>+\s?(.*)$", line)
        if item:
            self._end_paragraph()
            self.blocks.append(text_block(inline_text(item.group(1)), kind="list_item"))
        elif quote:
            self.paragraph.append(quote.group(1))
        else:
            self.paragraph.append(line.rstrip().removesuffix("\\"))

    def _end_paragraph(self) -> None:
        if self.paragraph:
            self.blocks.append(text_block([inline_text(line) for line in self.paragraph]))
        self.paragraph = []

    def _fenced(self, fence: str) -> None:
        """Code between fences, verbatim, as one paragraph."""
        self.index += 1
        code: list[str] = []
        while self.index < len(self.lines) and not self.lines[self.index].strip().startswith(fence):
            code.append(self.lines[self.index])
            self.index += 1
        self.index += 1
        self.blocks.append(text_block(code))

    def _table(self) -> None:
        rows = [_table_cells(self.lines[self.index])]
        self.index += 2  # the header and the separator
        while self.index < len(self.lines) and "|" in self.lines[self.index]:
            if not self.lines[self.index].strip():
                break
            rows.append(_table_cells(self.lines[self.index]))
            self.index += 1
        self.blocks.append(table_of(rows, header_rows=1))

    def _html(self) -> None:
        """Raw HTML up to the next blank line, read as HTML."""
        markup: list[str] = []
        while self.index < len(self.lines) and self.lines[self.index].strip():
            markup.append(self.lines[self.index])
            self.index += 1
        blocks, _ = html_blocks("\n".join(markup))
        self.blocks.extend(blocks)


def markdown_blocks(text: str) -> list[Block]:
    return _MarkdownReader(text.splitlines()).read()


def load_markdown(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """A Markdown document: one page."""
    text, encoding = decode_text(data)
    return Document(
        pages=(native_page(1, markdown_blocks(text)),), mime_type="text/markdown",
        filename=filename, format="markdown", metadata={"encoding": encoding},
    )  # fmt: skip
