"""What the model reads: the document as text with its layout, page images, and instructions.

Pure. Each page is opened by a `--- page N of M ---` marker (so split and partition answers can
name pages), then rendered as parse renders it (documents/render.py): blocks in reading order,
headings as Markdown headings, tables as Markdown tables where they stand.
Page images (vision models) follow the text as `image_url` parts. The request's
`additional_messages` come after the document, as the Retab API places them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from jobstream.documents.model import Document, Page
from jobstream.documents.render import render_page

NEVER_INVENT = (
    "Use only what the document states. When the document does not give a value, answer null "
    "for it: never guess or invent one."
)


def page_text(page: Page, total: int) -> str:
    label = f" ({page.label})" if page.label else ""
    body = render_page(page, table_format="markdown")
    return f"--- page {page.number} of {total}{label} ---\n{body}".rstrip()


def document_text(document: Document, *, first_n_pages: int | None = None) -> str:
    pages = document.pages[:first_n_pages] if first_n_pages else document.pages
    head = f"Document: {document.filename} ({document.mime_type}, {document.page_count} pages)"
    return "\n\n".join([head, *(page_text(page, document.page_count) for page in pages)])


def user_content(
    document: Document, images: Sequence[bytes], *, first_n_pages: int | None = None
) -> list[dict[str, Any]]:
    """The user message's parts: the document's text, then one image part per page image."""
    parts: list[dict[str, Any]] = [
        {"type": "text", "text": document_text(document, first_n_pages=first_n_pages)}
    ]
    for png in images[:first_n_pages] if first_n_pages else images:
        url = "data:image/png;base64," + base64.b64encode(png).decode()
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts


def messages(
    system: str,
    content: list[dict[str, Any]],
    *,
    additional: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": content},
        *additional,
    ]


def extract_system(instructions: str | None) -> str:
    text = (
        "You extract structured data from a document. Answer with one JSON object that follows "
        "the given JSON Schema. Numbers are plain JSON numbers (no currency signs or thousands "
        "separators); a `format: date` is YYYY-MM-DD; enums take one of their listed values. "
        + NEVER_INVENT
    )
    return text + (f"\n\nInstructions: {instructions}" if instructions else "")


def classify_system(categories: Sequence[tuple[str, str]], context: str | None) -> str:
    listed = "\n".join(f"- {name}: {description}".rstrip(": ") for name, description in categories)
    text = (
        "You classify a document into exactly one of these categories:\n"
        f"{listed}\n"
        "Answer with JSON: `category` (one of the names above, exactly as written) and "
        "`reasoning` (one or two sentences naming the evidence in the document)."
    )
    return text + (f"\n\nContext: {context}" if context else "")


def split_system(
    subdocuments: Sequence[tuple[str, str, str | None]], pages: int, context: str | None
) -> str:
    listed = "\n".join(
        f"- {name}: {description}" + (f" (group its pages by: {key})" if key else "")
        for name, description, key in subdocuments
    )
    text = (
        f"The document is a packet of {pages} pages holding several subdocuments. The types:\n"
        f"{listed}\n"
        "For every page (1 to the last, in order) answer which type it belongs to, in `pages` "
        "as {page, subdocument, starts_new, partition_value}. `starts_new` is true on the first "
        "page of each subdocument (a new title, sender or page numbering starts there). "
        "`partition_value` is the value of the type's grouping key on that page (null when the "
        "type has no key or the page does not show it)."
    )
    return text + (f"\n\nContext: {context}" if context else "")


def partition_system(key: str, pages: int, instructions: str | None) -> str:
    text = (
        f"The document has {pages} pages. Group its pages by the value of `{key}`: answer "
        "`partitions`, one per distinct value, each {key: the value as written, pages: [page "
        "numbers]}. Every page belongs to exactly one partition. " + NEVER_INVENT
    )
    return text + (f"\n\nInstructions: {instructions}" if instructions else "")


def schema_system(count: int, instructions: str | None) -> str:
    text = (
        f"You design a JSON Schema (draft 2020-12) for the data in {count} sample document(s). "
        'Answer with JSON {"json_schema": <schema>}: type object, snake_case properties each '
        "with a description, types and formats inferred from the values (format date for dates), "
        "arrays of objects for tables, and `required` listing the fields present in every "
        "document."
    )
    return text + (f"\n\nInstructions: {instructions}" if instructions else "")


def schema_documents(documents: Sequence[Document]) -> list[dict[str, Any]]:
    texts = [f"=== sample {i} ===\n{document_text(d)}" for i, d in enumerate(documents, 1)]
    return [{"type": "text", "text": "\n\n".join(texts)}]


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def fill_system(fields: Sequence[tuple[str, str, str, tuple[str, ...]]]) -> str:
    listed = "\n".join(f"- {key} ({kind}): {description}" for key, kind, description, _ in fields)
    return (
        "You fill in a form from the user's instructions. The form's fields:\n"
        f"{listed}\n"
        "Answer with JSON: one property per field key, its value as the instructions give it "
        "(true/false for checkboxes, one of the listed options where there are options). Use "
        "only what the instructions state; a field they do not speak of is null: never guess."
    )


def fill_user(instructions: str, document: Document) -> list[dict[str, Any]]:
    text = f"Instructions:\n{instructions}\n\nThe form's text:\n{document_text(document)}"
    return [{"type": "text", "text": text}]
