"""JSON and JSON Lines (a value per line, read as an array). An array of flat objects (records,
the shape exports take) becomes a Table with a column per key in first-seen order; any other
value is pretty-printed text, two spaces per level, one line per line, as a person reading the
file sees it.
"""

from __future__ import annotations

import json
from typing import Final

from jobstream.documents.errors import DocumentCorruptError
from jobstream.documents.loaders.blocks import native_page, table_of, text_block
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.text import decode_text
from jobstream.documents.model import Block, Document

_SCALARS: Final = (str, int, float, bool, type(None))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def records_table_rows(value: object) -> list[list[str]] | None:
    """Header and rows when `value` is a non-empty list of objects holding only scalars."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, dict) for item in value):
        return None
    keys: dict[str, None] = {}
    for item in value:
        if not all(isinstance(field, _SCALARS) for field in item.values()):
            return None
        keys.update(dict.fromkeys(item))
    header = list(keys)
    return [header, *([_cell_text(item.get(key)) for key in header] for item in value)]


def json_blocks(value: object) -> list[Block | None]:
    rows = records_table_rows(value)
    if rows is not None:
        return [table_of(rows, header_rows=1)]
    return [text_block(json.dumps(value, indent=2, ensure_ascii=False))]


def parse_json(text: str) -> object:
    """One JSON value, or the list of values of JSON Lines (one value per line)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        error: Exception = exc
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        try:
            return [json.loads(line) for line in lines]
        except (ValueError, RecursionError):
            pass
    raise DocumentCorruptError(f"invalid JSON: {error}") from error


def load_json(data: bytes, *, filename: str, options: LoadOptions) -> Document:
    """A JSON document: one page."""
    text, encoding = decode_text(data)
    value = parse_json(text.lstrip("\ufeff"))
    return Document(
        pages=(native_page(1, json_blocks(value)),), mime_type="application/json",
        filename=filename, format="json", metadata={"encoding": encoding},
    )  # fmt: skip
