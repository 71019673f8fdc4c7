"""Why a document could not be read: each error carries the stable code a failed job reports."""

from __future__ import annotations

from jobstream.core.errors import CodedError


class DocumentError(CodedError):
    """A document that cannot become a Document; `code` is the job's error code."""

    code = "document_corrupt"


class UnsupportedDocumentTypeError(DocumentError):
    """Bytes of a format no loader reads."""

    code = "unsupported_document_type"


class DocumentCorruptError(DocumentError):
    """Bytes that claim a supported format but cannot be read (truncated, garbage)."""

    code = "document_corrupt"


class DocumentEncryptedError(DocumentError):
    """A password-protected document."""

    code = "document_encrypted"


class DocumentTooLargeError(DocumentError):
    """More pages, pixels or decompressed bytes than the settings allow."""

    code = "document_too_large"


class UnsupportedFormError(DocumentError):
    """A PDF form whose fields cannot be read or written (an XFA-only form)."""

    code = "unsupported_form"


class DocumentReadInterruptedError(CodedError):
    """Reading stopped for a reason outside the document: the OCR process was killed by a signal
    (the kernel's out-of-memory killer, an operator's kill). Not a DocumentError: the document
    may be fine, so the job is retried (a transient failure) and `code` is reported only if
    every try is interrupted."""

    code = "ocr_interrupted"


ERRORS_BY_CODE: dict[str, type[DocumentError]] = {
    cls.code: cls
    for cls in (
        UnsupportedDocumentTypeError, DocumentCorruptError, DocumentEncryptedError,
        DocumentTooLargeError, UnsupportedFormError,
    )
}  # fmt: skip
