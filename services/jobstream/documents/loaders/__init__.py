"""Loaders: the only code that imports format libraries. `load_document` sniffs the bytes
(sniff.py) and hands them to the loader of their format; each returns a `Document`
(documents/model.py). Loader modules are imported on first use, so a worker that never sees a
spreadsheet never imports openpyxl.

Every loader takes `(data, *, filename, options)`; PDFs and images are read by `pdf.load_pdf` and
`images.load_image`, which take `(data, *, options)`. Pages outside `options.first_page` ..
`options.last_page` are dropped here for native formats (keeping their numbers), and a document
with more than `options.max_pages` pages is refused as too large.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Final, Protocol, cast

from jobstream.documents.errors import DocumentTooLargeError, UnsupportedDocumentTypeError
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.loaders.sniff import IMAGE_FORMATS, Sniffed, sniff
from jobstream.documents.model import Document

__all__ = ["LoadOptions", "Sniffed", "load_document", "page_count", "sniff"]

_PACKAGE: Final = "jobstream.documents.loaders"
_NATIVE_LOADERS: Final = {
    "text": ("text", "load_text"),
    "markdown": ("markdown", "load_markdown"),
    "html": ("html", "load_html"),
    "csv": ("csv", "load_csv"),
    "json": ("json", "load_json"),
    "docx": ("docx", "load_docx"),
    "xlsx": ("xlsx", "load_xlsx"),
    "pptx": ("pptx", "load_pptx"),
    "eml": ("eml", "load_eml"),
}


class _NativeLoader(Protocol):
    def __call__(self, data: bytes, *, filename: str, options: LoadOptions) -> Document: ...


class _BinaryLoader(Protocol):
    def __call__(self, data: bytes, *, options: LoadOptions) -> Document: ...


class _PageCounter(Protocol):
    def __call__(self, data: bytes) -> int: ...


def _attribute(module: str, name: str) -> object | None:
    """`name` in the loader module `module`, None when absent; a module this build lacks means
    the format is unsupported here (not a crash)."""
    qualified = f"{_PACKAGE}.{module}"
    try:
        return getattr(importlib.import_module(qualified), name, None)
    except ModuleNotFoundError as exc:
        if exc.name != qualified:
            raise
        raise UnsupportedDocumentTypeError(
            f"unsupported document type: this build has no {module} loader"
        ) from exc


def load_document(
    data: bytes, *, filename: str, mime_type: str | None, options: LoadOptions
) -> Document:
    """The Document in `data`, read by the loader of its sniffed format.

    Raises a DocumentError: UnsupportedDocumentTypeError (naming what was detected),
    DocumentCorruptError, DocumentEncryptedError or DocumentTooLargeError.
    """
    sniffed = sniff(data, filename=filename, mime_type=mime_type)
    if sniffed.format == "pdf" or sniffed.format in IMAGE_FORMATS:
        module, name = ("pdf", "load_pdf") if sniffed.format == "pdf" else ("images", "load_image")
        read = cast(_BinaryLoader, _attribute(module, name))
        return dataclasses.replace(read(data, options=options), filename=filename)
    module, name = _NATIVE_LOADERS[sniffed.format]
    load = cast(_NativeLoader, _attribute(module, name))
    return select_pages(load(data, filename=filename, options=options), options=options)


def select_pages(document: Document, *, options: LoadOptions) -> Document:
    """The document refused when over `max_pages`, and cut to the requested page range."""
    if document.page_count > options.max_pages:
        raise DocumentTooLargeError(
            f"the document has {document.page_count} pages, more than the limit of "
            f"{options.max_pages}"
        )
    last = options.last_page
    pages = tuple(
        page
        for page in document.pages
        if options.first_page <= page.number and (last is None or page.number <= last)
    )
    if len(pages) == document.page_count:
        return document
    return dataclasses.replace(document, pages=pages)


def page_count(data: bytes, *, filename: str, mime_type: str | None) -> int:
    """How many pages `data` holds, cheaply where the format allows (1 for single-page formats).

    Raises the same DocumentErrors as load_document for bytes no loader reads.
    """
    sniffed = sniff(data, filename=filename, mime_type=mime_type)
    if sniffed.format == "pdf" or sniffed.format in IMAGE_FORMATS:
        module = "pdf" if sniffed.format == "pdf" else "images"
        counter = _attribute(module, "page_count") or _attribute("pagecount", f"{module}_pages")
        return cast(_PageCounter, counter)(data)
    module, name = _NATIVE_LOADERS[sniffed.format]
    counter = _attribute(module, "page_count")
    if counter is not None:
        return cast(_PageCounter, counter)(data)
    load = cast(_NativeLoader, _attribute(module, name))
    return load(data, filename=filename, options=LoadOptions()).page_count
