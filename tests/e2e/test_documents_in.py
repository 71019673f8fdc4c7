"""Documents in, end to end on the real stack: what a new user sends (through the Retab SDK),
documents by URL (fetched by the worker, SSRF-safe), bad input with its stable codes, and a
cancel that stops a long OCR parse."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e import documents as docs
from tests.e2e.conftest import RunningStack

pytest.importorskip("retab", reason="the retab SDK is not installed in this venv")
from retab import Retab

pytestmark = pytest.mark.e2e


PARSE = "/v1/documents/parse"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


def is_terminal(job: dict[str, Any]) -> bool:
    return job["status"] in {"completed", "failed", "cancelled", "expired"}


async def parse_job(
    stack: RunningStack, document: dict[str, str], *, endpoint: str = PARSE, **request: Any
) -> dict[str, Any]:
    async with stack.client() as client:
        created = await client.post(
            "/v1/jobs", json={"endpoint": endpoint, "request": {"document": document, **request}}
        )
        assert created.status_code in (200, 202), created.text
        return await stack.job_when(
            client, created.json()["id"], is_terminal, params={"include_response": "true"},
            timeout=90,
        )  # fmt: skip


def sdk_parse(stack: RunningStack, filename: str, data: bytes, mime_type: str) -> dict[str, Any]:
    """What a new user does with the README: the Retab SDK, a data: URL, wait, read the text."""
    client = Retab(api_key=stack.keys["org_a"], base_url=stack.url, timeout=60)  # as the README
    request = {"document": {"filename": filename, "url": docs.data_url(data, mime_type)}}
    job = client.jobs.create(endpoint=PARSE, request=request)
    done = client.jobs.wait_for_completion(job.id, poll_interval_seconds=0.2, timeout_seconds=90)
    assert done.status == "completed", done.error
    assert done.response is not None
    body: dict[str, Any] = done.response.body
    return body


@pytest.mark.parametrize(
    ("filename", "make", "mime_type"),
    [
        ("invoice.pdf", docs.text_pdf, PDF),
        ("scan.pdf", docs.scanned_pdf, PDF),
        ("photo.jpg", docs.phone_photo, "image/jpeg"),
        ("invoice.docx", docs.docx_file, DOCX),
    ],
)
async def test_the_sdk_parses_what_a_new_user_sends(
    running_stack: RunningStack, filename: str, make: Callable[[], bytes], mime_type: str
) -> None:
    body = await asyncio.to_thread(sdk_parse, running_stack, filename, make(), mime_type)
    text = normalized(body["text"])
    missing = [line for line in docs.LINES if normalized(line) not in text]
    assert not missing, f"{filename}: not found {missing} in {body['text']!r}"
    assert body["document"]["filename"] == filename and body["usage"]["credits"] == 1.0
    assert body["pages"] and body["text"] == "\n\n".join(body["pages"])


async def test_the_sdk_parses_a_spreadsheet_into_a_table(running_stack: RunningStack) -> None:
    data = docs.xlsx_file()
    body = await asyncio.to_thread(sdk_parse, running_stack, "prices.xlsx", data, XLSX)
    page = body["pages"][0]
    assert "<table>" in page
    for row in docs.XLSX_ROWS:
        cells = [f"<t{'h' if row is docs.XLSX_ROWS[0] else 'd'}>{v}</t" for v in row]
        assert all(cell in page for cell in cells), (row, page)


async def test_v1_parses_answers_the_parse_record(running_stack: RunningStack) -> None:
    document = {"filename": "invoice.pdf", "url": docs.data_url(docs.text_pdf(), PDF)}
    done = await parse_job(
        running_stack, document, endpoint="/v1/parses", table_parsing_format="markdown",
        image_resolution_dpi=150,
    )  # fmt: skip
    assert done["status"] == "completed", done["error"]
    record = done["response"]["body"]
    assert record["id"] == "parse_" + done["id"].removeprefix("job_")
    assert record["file"]["id"].startswith("file_") and record["file"]["mime_type"] == PDF
    assert (record["table_parsing_format"], record["image_resolution_dpi"]) == ("markdown", 150)
    assert normalized(docs.LINES[0]) in normalized(record["output"]["text"])
    assert record["usage"] == {"credits": 1.0} and "T" in record["created_at"]


BAD_INPUTS: list[tuple[str, str, Callable[[], bytes], str, str]] = [
    ("encrypted", "secret.pdf", docs.encrypted_pdf, PDF, "document_encrypted"),
    ("truncated", "cut.pdf", lambda: docs.text_pdf()[:700], PDF, "document_corrupt"),
    ("garbage", "junk.pdf", lambda: b"%PDF-1.7\n" + os.urandom(4000), PDF, "document_corrupt"),
    ("unknown", "blob.bin", lambda: bytes(range(256)) * 20, "application/octet-stream",
     "unsupported_document_type"),
    ("pages", "long.pdf", lambda: docs.many_pages_pdf(51), PDF, "document_too_large"),
    ("pixels", "huge.png", lambda: docs.pixel_bomb_png(6000), "image/png", "document_too_large"),
    ("zip", "bomb.docx", lambda: docs.zip_bomb_docx(60_000_000), DOCX, "document_too_large"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "filename", "make", "mime_type", "code"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
async def test_bad_input_fails_with_its_code_and_the_worker_carries_on(
    running_stack: RunningStack, case: str, filename: str, make: Callable[[], bytes],
    mime_type: str, code: str,
) -> None:  # fmt: skip
    done = await parse_job(
        running_stack, {"filename": filename, "url": docs.data_url(make(), mime_type)}
    )
    assert done["status"] == "failed", done
    assert done["error"]["code"] == code, done["error"]
    assert len(done["error"]["message"]) > 10
    after = await parse_job(
        running_stack, {"filename": "ok.pdf", "url": docs.data_url(docs.text_pdf(), PDF)}
    )
    assert after["status"] == "completed", after["error"]


@pytest.fixture(scope="module")
def document_server() -> Iterator[dict[str, str]]:
    """HTTP servers on 127.0.0.2 (allowed to the e2e workers) and 127.0.0.1 (not allowed)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/to/"):
                self.send_response(302)
                self.send_header("Location", self.path.removeprefix("/to/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            found = self.path == "/invoice.pdf"
            body = docs.text_pdf() if found else b"not here"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", PDF if found else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    servers = [ThreadingHTTPServer((host, 0), Handler) for host in ("127.0.0.2", "127.0.0.1")]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {
        str(s.server_address[0]): f"http://{s.server_address[0]}:{s.server_address[1]}"
        for s in servers
    }
    for server in servers:
        server.shutdown()
        server.server_close()


async def test_a_document_by_url_is_fetched_by_the_worker(
    running_stack: RunningStack, document_server: dict[str, str]
) -> None:
    done = await parse_job(
        running_stack, {"filename": "", "url": document_server["127.0.0.2"] + "/invoice.pdf"}
    )
    assert done["status"] == "completed", done["error"]
    body = done["response"]["body"]
    assert body["document"]["filename"] == "invoice.pdf"  # from the URL when none is given
    assert normalized(docs.LINES[-1]) in normalized(body["text"])


async def test_forbidden_and_failing_urls_fail_with_their_codes(
    running_stack: RunningStack, document_server: dict[str, str]
) -> None:
    allowed, loopback = document_server["127.0.0.2"], document_server["127.0.0.1"]
    cases = [
        (loopback + "/invoice.pdf", "document_url_forbidden"),  # loopback is refused by default
        (
            f"{allowed}/to/{loopback}/invoice.pdf",
            "document_url_forbidden",
        ),  # so is a redirect there
        ("http://169.254.169.254/latest/meta-data/", "document_url_forbidden"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "document_url_forbidden"),
        ("http://10.11.12.13/x.pdf", "document_url_forbidden"),
        (allowed + "/missing.pdf", "document_fetch_failed"),
        ("https://does-not-exist.invalid/x.pdf", "document_fetch_failed"),
    ]
    for url, code in cases:
        done = await parse_job(running_stack, {"filename": "x.pdf", "url": url})
        assert (done["status"], done["error"]["code"]) == ("failed", code), (url, done["error"])


async def test_the_gateway_refuses_other_url_schemes(running_stack: RunningStack) -> None:
    async with running_stack.client() as client:
        for url in ("ftp://example.com/x.pdf", "file:///etc/passwd", "s3://bucket/key"):
            answer = await client.post(
                "/v1/jobs",
                json={"endpoint": PARSE, "request": {"document": {"filename": "x", "url": url}}},
            )
            assert answer.status_code == 422, answer.text
            detail = answer.json()["detail"]
            assert (detail["code"], detail["details"]["field"]) == (
                "validation_error",
                "request.document.url",
            )


async def test_cancelling_a_long_ocr_parse_ends_it_and_the_worker_carries_on(
    running_stack: RunningStack,
) -> None:
    scan = docs.scanned_pdf(pages=40)
    async with running_stack.client() as client:
        created = await client.post(
            "/v1/jobs",
            json={
                "endpoint": PARSE,
                "request": {"document": {"filename": "long.pdf", "url": docs.data_url(scan, PDF)}},
            },
        )
        job_id = created.json()["id"]

        def reading(job: dict[str, Any]) -> bool:  # OCR under way: a page or more reported
            progress = job.get("progress") or {}
            return job["status"] == "in_progress" and (progress.get("completed") or 0) >= 1

        running = await running_stack.job_when(client, job_id, reading, timeout=90)
        assert running["progress"]["total"] == 40
        cancelled = await client.post(f"/v1/jobs/{job_id}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        done = await running_stack.job_when(client, job_id, is_terminal, timeout=10)
        assert done["status"] == "cancelled" and done["response"] is None
    after = await parse_job(
        running_stack, {"filename": "ok.pdf", "url": docs.data_url(docs.text_pdf(), PDF)}
    )
    assert after["status"] == "completed", after["error"]


async def test_a_refused_connection_is_a_fetch_failure(running_stack: RunningStack) -> None:
    done = await parse_job(running_stack, {"filename": "x.pdf", "url": "http://127.0.0.2:9/x.pdf"})
    assert (done["status"], done["error"]["code"]) == ("failed", "document_fetch_failed")
