"""Extract, classify, split and schema generation on the running stack, through the Retab SDK.

The documents are PDFs made here with reportlab; the jobs go through the gateway, Kafka, the
shared understanding worker (local engine by default, the fake OpenAI-compatible server for
models named `fake-*`) and the projector, and the SDK reads the answers back.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from jobstream.core.documents import file_id
from tests.e2e.conftest import RunningStack, wait_for
from tests.fake_openai import FakeOpenAI, FakeOpenAIServer, Reply, answer

pytest.importorskip("retab", reason="the retab SDK is not installed in this venv")
from retab import AsyncRetab
from retab.types.jobs import Job

pytestmark = pytest.mark.e2e

INVOICE = [
    "ACME Supplies GmbH",
    "Hauptstrasse 1, 10115 Berlin",
    "",
    "INVOICE",
    "Invoice number: INV-2026-0042",
    "Invoice date: 13 October 2026",
    "Due date: 12 November 2026",
    "Bill to: Globex Corporation",
    "",
    "Subtotal: 1,000.00 EUR",
    "VAT 19%: 190.00 EUR",
    "Total: 1,190.00 EUR",
]
INVOICE_TERMS = [
    "Page 2 of 2 - INV-2026-0042",
    "Terms: payable within 30 days of the invoice date.",
]
CONTRACT = [
    "SERVICE AGREEMENT",
    "This agreement is made between Globex Corporation and ACME Supplies GmbH.",
    "1. Term. The term of this agreement is twelve months.",
    "2. Termination. Either party may terminate with 30 days notice.",
    "Signed by both parties.",
]
RECEIPT = ["Corner Cafe", "RECEIPT", "Cappuccino 3.50", "Croissant 2.20", "TOTAL 5.70",
           "Paid by card", "Thank you for your visit!"]  # fmt: skip
NOTES = ["Meeting notes", "We talked about the weather and the lunch plans."]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "the invoice's number"},
        "invoice_date": {"type": "string", "format": "date"},
        "due_date": {"type": "string", "format": "date"},
        "subtotal": {"type": "number"},
        "total": {"type": "number", "description": "the amount due, tax included"},
    },
    "required": ["invoice_number", "total"],
}
EXPECTED = {
    "invoice_number": "INV-2026-0042",
    "invoice_date": "2026-10-13",
    "due_date": "2026-11-12",
    "subtotal": 1000.0,
    "total": 1190.0,
}
CATEGORIES = [
    {"name": "invoice", "description": "a bill asking for payment"},
    {"name": "receipt", "description": "proof of a payment made at a shop"},
    {"name": "contract", "description": "an agreement between parties"},
    {"name": "bank_statement", "description": "an account's transactions over a period"},
    {"name": "identity_document", "description": "a passport or an identity card"},
    {"name": "other", "description": "anything else"},
]


def pdf(*pages: list[str]) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    for lines in pages:
        page.setFont("Helvetica", 11)
        for row, text in enumerate(lines):
            page.drawString(60, 800 - 18 * row, text)
        page.showPage()
    page.save()
    return out.getvalue()


def document(data: bytes, filename: str) -> dict[str, str]:
    return {
        "filename": filename,
        "url": "data:application/pdf;base64," + base64.b64encode(data).decode(),
    }


@pytest.fixture
async def sdk(running_stack: RunningStack) -> AsyncIterator[AsyncRetab]:
    client = AsyncRetab(api_key=running_stack.keys["org_a"], base_url=f"{running_stack.url}/v1")
    async with client:
        yield client


async def run(sdk: AsyncRetab, endpoint: str, request: dict[str, Any]) -> Job:
    job = await sdk.jobs.create(endpoint, request)
    return await sdk.jobs.wait_for_completion(job.id, poll_interval_seconds=0.1, timeout_seconds=90)


def body(job: Job) -> dict[str, Any]:
    assert job.status == "completed", job.error
    assert job.response is not None
    assert job.response.status_code == 200
    result: dict[str, Any] = job.response.body
    return result


def failed(job: Job) -> tuple[str, str]:
    assert job.status == "failed", job.response
    assert job.error is not None
    return job.error.code, job.error.message


async def test_invoice_extracted_with_its_json_schema(sdk: AsyncRetab) -> None:
    data = pdf(INVOICE)
    request = {"document": document(data, "invoice.pdf"), "json_schema": SCHEMA,
               "model": "retab-small"}  # fmt: skip

    legacy = body(await run(sdk, "/v1/documents/extract", request))
    record = body(await run(sdk, "/v1/extractions", request))

    message = legacy["choices"][0]["message"]
    assert message["parsed"] == EXPECTED
    assert json.loads(message["content"]) == EXPECTED
    assert all(0 < legacy["likelihoods"][k] <= 1 for k in EXPECTED)
    assert legacy["usage"]["credits"] == 1.0
    assert record["output"] == EXPECTED
    assert record["file"] == {"id": file_id(data), "filename": "invoice.pdf",
                              "mime_type": "application/pdf"}  # fmt: skip


async def test_document_classified_into_six_categories(sdk: AsyncRetab) -> None:
    for lines, category in ((INVOICE, "invoice"), (CONTRACT, "contract"), (RECEIPT, "receipt")):
        request = {"document": document(pdf(lines), f"{category}.pdf"), "categories": CATEGORIES}
        legacy = body(await run(sdk, "/v1/documents/classify", request))
        assert legacy["result"]["classification"] == category, legacy["result"]["reasoning"]
    record = body(await run(sdk, "/v1/classifications", request))
    assert record["output"]["category"] == "receipt"
    assert record["file"]["id"] == file_id(pdf(RECEIPT))


async def test_packet_split_into_its_parts(sdk: AsyncRetab) -> None:
    packet = document(pdf(INVOICE, INVOICE_TERMS, CONTRACT, RECEIPT), "packet.pdf")
    subdocuments = [
        {"name": "invoice", "description": "a bill asking for payment"},
        {"name": "contract", "description": "an agreement between parties"},
        {"name": "receipt", "description": "proof of a payment made at a shop"},
    ]
    expected = [("invoice", [1, 2]), ("contract", [3]), ("receipt", [4])]

    legacy = body(
        await run(sdk, "/v1/documents/split", {"document": packet, "subdocuments": subdocuments})
    )
    record = body(await run(sdk, "/v1/splits", {"document": packet, "subdocuments": subdocuments}))

    assert [(s["name"], s["pages"]) for s in legacy["splits"]] == expected
    assert [(s["name"], s["pages"]) for s in record["output"]] == expected
    assert record["usage"]["credits"] == 4.0


async def test_schema_generated_and_used_for_an_extraction(sdk: AsyncRetab) -> None:
    second = [line.replace("0042", "0043").replace("1,190.00", "595.00") for line in INVOICE]
    request = {"documents": [document(pdf(INVOICE), "a.pdf"), document(pdf(second), "b.pdf")]}

    generated = body(await run(sdk, "/v1/schemas/generate", request))

    schema = generated["json_schema"]
    assert generated["object"] == "schema"
    assert {"invoice_number", "invoice_date", "total_amount"} <= set(schema["properties"])
    assert schema["properties"]["invoice_date"]["format"] == "date"
    extracted = body(await run(sdk, "/v1/extractions", {"document": document(pdf(second), "b.pdf"),
                                                        "json_schema": schema}))  # fmt: skip
    assert extracted["output"]["invoice_number"] == "INV-2026-0043"
    assert extracted["output"]["total_amount"] == 595.0


async def test_eval_scores_the_extraction(sdk: AsyncRetab) -> None:
    expected = {**EXPECTED, "total": 999.0}
    request = {"document": document(pdf(INVOICE), "invoice.pdf"), "json_schema": SCHEMA,
               "expected": expected}  # fmt: skip

    evaluation = body(await run(sdk, "/v1/evals/extract/process", request))["evaluation"]

    assert evaluation["score"] == 0.8
    assert evaluation["fields"]["total"] == {"expected": 999.0, "predicted": 1190.0,
                                             "match": False}  # fmt: skip


async def test_bad_schema_fails_with_validation_error(sdk: AsyncRetab) -> None:
    bad = {"type": "object", "properties": {"total": {"type": "money"}}}
    job = await run(sdk, "/v1/documents/extract", {"document": document(pdf(INVOICE), "i.pdf"),
                                                   "json_schema": bad})  # fmt: skip
    code, message = failed(job)
    assert code == "validation_error"
    assert "keyword 'type'" in message


async def test_document_with_none_of_the_fields_completes_with_nulls(sdk: AsyncRetab) -> None:
    request = {"document": document(pdf(NOTES), "notes.pdf"), "json_schema": SCHEMA}

    record = body(await run(sdk, "/v1/extractions", request))

    assert record["output"] == dict.fromkeys(SCHEMA["properties"])
    assert all(value == 0.0 for value in record["consensus"]["likelihoods"].values())


async def test_extract_through_an_openai_compatible_server(
    sdk: AsyncRetab, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script("fake-vision-1", answer({**EXPECTED, "total": 1190}))
    request = {"document": document(pdf(INVOICE), "invoice.pdf"), "json_schema": SCHEMA,
               "model": "fake-vision-1", "additional_messages": [
                   {"role": "user", "content": "Amounts are in EUR."}]}  # fmt: skip

    legacy = body(await run(sdk, "/v1/documents/extract", request))

    assert legacy["choices"][0]["message"]["parsed"] == {**EXPECTED, "total": 1190}
    assert legacy["usage"]["prompt_tokens"] == 11
    assert fake_openai.shape_errors == []
    (sent,) = fake_openai.received("fake-vision-1")
    spec = sent["response_format"]["json_schema"]
    assert spec["strict"] is False  # the schema does not require every property
    assert spec["schema"]["properties"]["total"]["type"] == ["number", "null"]
    parts = sent["messages"][1]["content"]
    assert "Invoice number: INV-2026-0042" in parts[0]["text"]
    assert [p["type"] for p in parts] == ["text", "image_url"]  # a vision model gets the page
    png = base64.b64decode(parts[1]["image_url"]["url"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    assert sent["messages"][2] == {"role": "user", "content": "Amounts are in EUR."}


async def test_garbage_answers_fail_with_provider_error(
    sdk: AsyncRetab, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script("fake-garbage", Reply(content="I cannot answer in JSON, sorry."))
    request = {"document": document(pdf(INVOICE), "invoice.pdf"), "json_schema": SCHEMA,
               "model": "fake-garbage"}  # fmt: skip

    code, message = failed(await run(sdk, "/v1/documents/extract", request))

    assert code == "provider_error"
    assert "valid JSON" in message
    assert len(fake_openai.received("fake-garbage")) == 2  # asked once more, then given up


async def test_failing_model_server_fails_with_provider_error_after_retries(
    sdk: AsyncRetab, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script("fake-down", Reply(status=503, headers={"Retry-After": "0"}))
    request = {"document": document(pdf(INVOICE), "invoice.pdf"), "categories": CATEGORIES,
               "model": "fake-down"}  # fmt: skip

    job = await run(sdk, "/v1/documents/classify", request)

    code, _ = failed(job)
    assert code == "provider_error"
    # 3 tries of the job (JOBSTREAM_WORKER_MAX_TRIES) x (1 call + 1 client retry)
    assert len(fake_openai.received("fake-down")) == 6


async def test_unreachable_model_server_fails_with_provider_error(
    sdk: AsyncRetab, fake_openai_http: FakeOpenAIServer
) -> None:
    request = {"document": document(pdf(INVOICE), "invoice.pdf"), "json_schema": SCHEMA,
               "model": "fake-anything"}  # fmt: skip
    fake_openai_http.stop()
    try:
        code, message = failed(await run(sdk, "/v1/documents/extract", request))
    finally:
        fake_openai_http.start()
    assert code == "provider_error"
    assert "unreachable" in message


async def test_cancel_aborts_the_model_call_in_flight(
    sdk: AsyncRetab, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script("fake-slow", Reply(stall=True))
    request = {"document": document(pdf(INVOICE), "invoice.pdf"), "json_schema": SCHEMA,
               "model": "fake-slow"}  # fmt: skip
    job = await sdk.jobs.create("/v1/documents/extract", request)
    await wait_for(lambda: _async(len(fake_openai.received("fake-slow")) == 1), timeout=60,
                   what="the model call to start")  # fmt: skip

    cancelled = await sdk.jobs.cancel(job.id)

    assert cancelled.status == "cancelled"
    await wait_for(lambda: _async(fake_openai.disconnects == 1), timeout=30,
                   what="the worker to hang up on the model server")  # fmt: skip
    assert len(fake_openai.received("fake-slow")) == 1


async def _async(value: bool) -> bool:
    return value
