"""Loaders: the only code that imports format libraries. `load_document` sniffs the bytes and
hands them to the loader of their format; each returns a `Document` (documents/model.py)."""

# Placeholders with the agreed signatures until the format loaders land (helper `office`
# replaces them): every document is unsupported, so nothing reachable depends on them yet.
from jobstream.documents.errors import UnsupportedDocumentTypeError
from jobstream.documents.loaders.options import LoadOptions
from jobstream.documents.model import Document


def load_document(
    data: bytes, *, filename: str, mime_type: str | None, options: LoadOptions
) -> Document:
    """The Document of `data` (placeholder: no loader yet)."""
    raise UnsupportedDocumentTypeError(f"no loader reads {filename!r} ({mime_type}) yet")


def page_count(data: bytes, *, filename: str, mime_type: str | None) -> int:
    """How many pages `data` has (placeholder: one)."""
    return 1
