"""Every error that ends in an API answer or a failed job has one shape: `code`, `message`,
`details` (`jobstream.core.errors.CodedError`), whichever layer raises it."""

from __future__ import annotations

import pytest

from jobstream.adapters.document_fetch import DocumentFetchFailedError
from jobstream.core.errors import CodedError, InvalidRequestError, JobstreamError
from jobstream.documents.errors import (
    ERRORS_BY_CODE,
    DocumentEncryptedError,
    DocumentError,
    DocumentReadInterruptedError,
)
from jobstream.engines.port import InvalidEngineRequestError, ModelNotAvailableError


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (DocumentEncryptedError("locked"), "document_encrypted"),
        (DocumentFetchFailedError("HTTP 500"), "document_fetch_failed"),
        (DocumentReadInterruptedError("SIGKILL"), "ocr_interrupted"),
        (InvalidEngineRequestError("bad", details={"keyword": "type"}), "validation_error"),
        (ModelNotAvailableError("no such model"), "model_not_available"),
        (InvalidRequestError("bad", code="invalid_query"), "invalid_query"),
    ],
)
def test_every_layer_raises_coded_errors(error: CodedError, code: str) -> None:
    assert isinstance(error, CodedError)
    assert error.code == code
    assert error.message == str(error)


def test_only_domain_errors_are_api_errors_and_interrupted_reads_are_no_document_errors() -> None:
    """The gateway answers JobstreamError with its status; document and engine errors become
    job errors in the worker, and an interrupted read is retried, not a document's fault."""
    assert not issubclass(DocumentError, JobstreamError)
    assert not issubclass(InvalidEngineRequestError, JobstreamError)
    assert not issubclass(DocumentReadInterruptedError, DocumentError)
    assert InvalidEngineRequestError("x", details={"keyword": "type"}).details == {
        "keyword": "type"
    }
    assert {cls.code for cls in ERRORS_BY_CODE.values()} == set(ERRORS_BY_CODE)
