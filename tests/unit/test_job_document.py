"""A job's stored document leaves out its empty filter fields and reads back as the same record."""

from __future__ import annotations

from jobstream.adapters.mongo import FILTER_KEYS, from_document, to_document
from jobstream.core.record import JobRecord
from jobstream.core.state import apply
from tests.unit.test_state import created


def record_with(request: dict[str, object], metadata: dict[str, str] | None) -> JobRecord:
    event = created()
    payload = event.payload.model_copy(update={"request": request, "metadata": metadata})
    job = apply(None, event.model_copy(update={"payload": payload})).job
    assert job is not None
    return job


def test_empty_filter_fields_are_left_out_and_read_back_empty() -> None:
    job = record_with({"n": 1}, None)
    doc = to_document(job, offset=3)
    assert set(FILTER_KEYS) & set(doc) == {"source"}  # the only one never empty
    assert from_document(doc) == job


def test_filled_filter_fields_are_stored_and_read_back() -> None:
    request = {"document": {"filename": "a.pdf", "url": "https://x/a.pdf"}, "model": "local"}
    job = record_with(request, {"workflow_id": "wf_1", "team": "docs"})
    doc = to_document(job, offset=None)
    assert doc["filenames"] == ["a.pdf"] and doc["document_types"] == ["pdf"]
    assert doc["model"] == "local" and doc["workflow_id"] == "wf_1"
    assert from_document(doc) == job
