"""The Jobs API end to end on the real stack: HTTP in, Kafka, workers, projector, MongoDB out."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from fpdf import FPDF

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e
NOOP = "/v1/diagnostics/noop"
TERMINAL = {"completed", "failed", "cancelled", "expired"}


def pdf_data_url(pages: list[str]) -> str:
    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text=text)
    raw = io.BytesIO()
    pdf.output(raw)
    return "data:application/pdf;base64," + base64.b64encode(raw.getvalue()).decode()


def is_terminal(job: dict[str, Any]) -> bool:
    return job["status"] in TERMINAL


async def create(
    client: httpx.AsyncClient, endpoint: str, request: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    resp = await client.post("/v1/jobs", json={"endpoint": endpoint, "request": request, **extra})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_a_pdf_job_goes_from_create_to_completed_with_its_text(
    running_stack: RunningStack,
) -> None:
    async with running_stack.client() as client:
        document = {"filename": "report.pdf", "url": pdf_data_url(["Alpha page", "Beta page"])}
        job = await create(
            client, "/v1/documents/parse", {"document": document}, metadata={"k": "v"}
        )
        assert job["id"].startswith("job_") and len(job["id"]) == 25
        assert (job["status"], job["object"], job["attempt_count"]) == ("queued", "job", 0)
        # Read your writes: a GET right after create never 404s.
        assert (await client.get(f"/v1/jobs/{job['id']}")).status_code == 200
        done = await running_stack.job_when(
            client, job["id"], is_terminal, params={"include_response": "true"}
        )
    assert done["status"] == "completed", done
    body = done["response"]["body"]
    assert body["pages"] == ["Alpha page", "Beta page"]
    assert body["text"] == "Alpha page\n\nBeta page"
    assert body["document"]["filename"] == "report.pdf"
    assert body["document"]["id"].startswith("file_")
    assert done["metadata"] == {"k": "v"}
    assert done["attempt_count"] == 1
    assert done["started_at"] is not None and done["completed_at"] is not None
    assert done["request"] is None  # lightweight unless asked


async def test_the_lightweight_default_and_status_route(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        job = await create(
            client,
            "/v1/documents/parse",
            {"document": {"filename": "a.txt", "url": "data:text/plain,hi"}},
        )
        done = await running_stack.job_when(client, job["id"], is_terminal)
        assert done["response"] is None
        status = (await client.get(f"/v1/jobs/{job['id']}/status")).json()
        full = (
            await client.get(f"/v1/jobs/{job['id']}", params={"include_request": "true"})
        ).json()
    assert status["status"] == "completed" and "request" not in status and "response" not in status
    assert full["request"] == {"document": {"filename": "a.txt", "url": "data:text/plain,hi"}}


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (
            {"filename": "broken.pdf", "url": "data:application/pdf;base64,JVBERi0xLjQKJcfs"},
            "document_corrupt",
        ),
        (
            {"filename": "pic.png", "url": "data:image/png;base64,iVBORw0KGgo="},
            "document_corrupt",
        ),
        ({"filename": "x.pdf", "url": "data:application/pdf;base64,@@@"}, "validation_error"),
        ({"filename": "x.pdf", "url": "https://127.0.0.1/x.pdf"}, "document_url_forbidden"),
    ],
)
async def test_bad_documents_fail_the_job_with_a_clear_code(
    running_stack: RunningStack, document: dict[str, str], code: str
) -> None:
    async with running_stack.client() as client:
        job = await create(client, "/v1/documents/parse", {"document": document})
        done = await running_stack.job_when(client, job["id"], is_terminal)
    assert done["status"] == "failed"
    assert done["error"]["code"] == code and done["error"]["message"]
    assert done["last_failure_code"] == code


async def test_cancel_a_queued_job_then_retry_it_and_it_completes(
    running_stack: RunningStack,
) -> None:
    running_stack.stop("worker-noop-1")  # nothing consumes noop commands: the job stays queued
    async with running_stack.client() as client:
        job = await create(client, NOOP, {})
        cancelled = await client.post(f"/v1/jobs/{job['id']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert (cancelled.json()["status"], cancelled.json()["cancelled"]) == ("cancelled", True)
        await running_stack.job_when(client, job["id"], lambda j: j["status"] == "cancelled")
        again = await client.post(f"/v1/jobs/{job['id']}/cancel", json={})
        assert again.status_code == 400
        assert again.json()["detail"]["code"] == "job_not_cancellable"
        retried = await client.post(f"/v1/jobs/{job['id']}/retry")
        assert retried.status_code == 200, retried.text
        assert (retried.json()["id"], retried.json()["status"]) == (job["id"], "queued")
        assert retried.json()["cancelled"] is False
        await running_stack.start_and_wait([running_stack.noop_worker(1)])
        done = await running_stack.job_when(client, job["id"], is_terminal)
    assert (done["status"], done["attempt_count"], done["cancelled"]) == ("completed", 1, False)


async def test_cancel_a_running_job_aborts_it_and_no_completion_follows(
    noop_worker: RunningStack,
) -> None:
    async with noop_worker.client() as client:
        job = await create(client, NOOP, {"sleep_seconds": 60})
        await noop_worker.job_when(client, job["id"], lambda j: j["status"] == "in_progress")
        resp = await client.post(f"/v1/jobs/{job['id']}/cancel")
        assert resp.status_code == 200
        assert (resp.json()["status"], resp.json()["cancelled"]) == ("cancelled", True)
        done = await noop_worker.job_when(client, job["id"], is_terminal, timeout=10)
    assert (done["status"], done["cancelled"], done["response"]) == ("cancelled", True, None)


async def test_failures_keep_their_code_and_transient_errors_are_retried(
    noop_worker: RunningStack,
) -> None:
    async with noop_worker.client() as client:
        permanent = await create(client, NOOP, {"fail": "permanent"})
        transient = await create(client, NOOP, {"fail": "transient"})
        p = await noop_worker.job_when(client, permanent["id"], is_terminal)
        t = await noop_worker.job_when(client, transient["id"], is_terminal)
        retry_completed = await client.post(f"/v1/jobs/{p['id']}/retry")
    assert (p["status"], p["error"]["code"], p["attempt_count"]) == (
        "failed",
        "diagnostic_failure",
        1,
    )
    assert (t["status"], t["error"]["code"], t["attempt_count"]) == ("failed", "transient_error", 3)
    assert t["last_failure_code"] == "transient_error"
    assert retry_completed.status_code == 200
    assert retry_completed.json()["last_failure_code"] == "diagnostic_failure"  # survives retries


async def test_retry_refusals(noop_worker: RunningStack) -> None:
    async with noop_worker.client() as client:
        job = await create(client, NOOP, {})
        await noop_worker.job_when(client, job["id"], lambda j: j["status"] == "completed")
        completed = await client.post(f"/v1/jobs/{job['id']}/retry")
        running = await create(client, NOOP, {"sleep_seconds": 30})
        await noop_worker.job_when(client, running["id"], lambda j: j["status"] == "in_progress")
        active = await client.post(f"/v1/jobs/{running['id']}/retry")
        await client.post(f"/v1/jobs/{running['id']}/cancel")
    assert (completed.status_code, completed.json()["detail"]["code"]) == (400, "job_not_retryable")
    assert (active.status_code, active.json()["detail"]["code"]) == (409, "job_active")
