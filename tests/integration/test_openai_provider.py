"""The OpenAI-compatible engine against a real HTTP server speaking the protocol (tests/fake_openai).

Each test checks what the engine sent (model, messages, response_format, images) and what it made
of the answer, of failures (429 with Retry-After, 500, timeouts, unknown model), of stalls
(cancellation closes the request) and of garbage (bounded retries, then provider_error).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import pytest

from jobstream.documents.model import Cell, Document, Line, Page, Table, TextBlock, Word
from jobstream.engines.openai_compatible import OpenAICompatibleEngine
from jobstream.engines.port import (
    Category,
    ClassifyRequest,
    EngineError,
    ExtractRequest,
    ModelNotAvailableError,
    PartitionRequest,
    ProviderUnavailableError,
    SchemaRequest,
    SplitRequest,
    Subdocument,
)
from jobstream.settings import EngineSettings
from tests.fake_openai import (
    FakeOpenAI,
    Reply,
    answer,
    fake_openai,
    fake_openai_http,
    fake_openai_server,
)

__all__ = ["fake_openai", "fake_openai_http", "fake_openai_server"]  # fixtures

STRICT_SCHEMA: dict[str, Any] = {
    "title": "Invoice data",
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "total": {"type": "number"},
        "currency": {"type": "string", "enum": ["EUR", "USD"]},
    },
    "required": ["invoice_number", "total", "currency"],
    "additionalProperties": False,
}
LOOSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"invoice_number": {"type": "string"}, "due_date": {"type": "string"}},
}


def line(text: str) -> Line:
    return Line(words=tuple(Word(text=w) for w in text.split()))


def page(number: int, *texts: str, table: Table | None = None) -> Page:
    blocks: list[TextBlock | Table] = [TextBlock(lines=tuple(line(t) for t in texts))]
    if table is not None:
        blocks.append(table)
    return Page(number=number, source="text_layer", blocks=tuple(blocks))


ITEMS = Table(rows=((Cell("Item"), Cell("Amount")), (Cell("Widget"), Cell("1.234,56 €"))))
INVOICE = Document(
    pages=(page(1, "ACME GmbH", "Invoice INV-7", "Total 1.234,56 €", table=ITEMS),),
    mime_type="application/pdf",
    filename="invoice.pdf",
)
PACKET = Document(
    pages=tuple(page(n, f"text of page {n}") for n in (1, 2, 3, 4)),
    mime_type="application/pdf",
    filename="packet.pdf",
)


def engine(fake: FakeOpenAI, **overrides: Any) -> OpenAICompatibleEngine:
    values = {"openai_base_url": fake.url, "openai_api_key": "sk-test", **overrides}
    return OpenAICompatibleEngine(settings=EngineSettings.model_validate(values))


def sent_format(request: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = request["response_format"]["json_schema"]
    return spec


async def until(check: Any, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def test_extract_sends_structured_outputs_and_reads_the_object(
    fake_openai: FakeOpenAI,
) -> None:
    reply = {"invoice_number": "INV-7", "total": 1234.56, "currency": "EUR"}
    fake_openai.script("gpt-4o-mini", answer(reply, prompt_tokens=120, completion_tokens=30))
    request = ExtractRequest(
        json_schema=STRICT_SCHEMA, model="retab-small", instructions="Amounts are gross.",
        additional_messages=({"role": "user", "content": "The vendor is ACME."},),
    )  # fmt: skip

    result = await engine(fake_openai, openai_model_map="retab-small=gpt-4o-mini").extract(
        INVOICE, request
    )

    assert result.data == reply
    assert result.likelihoods == {"invoice_number": 1.0, "total": 1.0, "currency": 1.0}
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (120, 30)
    assert result.usage.credits == 1.0
    assert fake_openai.shape_errors == []
    (sent,) = fake_openai.received("gpt-4o-mini")
    spec = sent_format(sent)
    assert spec["name"] == "Invoice_data"
    assert spec["strict"] is True
    assert spec["schema"]["properties"]["total"]["type"] == ["number", "null"]
    assert spec["schema"]["properties"]["currency"]["enum"] == ["EUR", "USD", None]
    system, user, extra = sent["messages"]
    assert system["role"] == "system"
    assert "never guess or invent" in system["content"]
    assert "Instructions: Amounts are gross." in system["content"]
    text = user["content"][0]["text"]
    assert "--- page 1 of 1 ---" in text
    assert "Invoice INV-7" in text
    assert "| Widget | 1.234,56 € |" in text
    assert [p["type"] for p in user["content"]] == ["text"]  # no images unless given
    assert extra == {"role": "user", "content": "The vendor is ACME."}
    assert sent["temperature"] == 0.0


async def test_schema_that_is_not_strict_capable_is_sent_non_strict(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("gpt-4o", answer({"invoice_number": "INV-7"}))

    result = await engine(fake_openai).extract(
        INVOICE, ExtractRequest(json_schema=LOOSE_SCHEMA, model="gpt-4o")
    )

    assert sent_format(fake_openai.received("gpt-4o")[0])["strict"] is False
    assert result.data == {"invoice_number": "INV-7", "due_date": None}  # missing → null
    assert result.likelihoods == {"invoice_number": 1.0, "due_date": 0.0}


async def test_page_images_go_as_image_parts(fake_openai: FakeOpenAI) -> None:
    fake_openai.script("gpt-4o", answer({"invoice_number": "INV-7"}))
    png = b"\x89PNG\r\n\x1a\nfake"
    request = ExtractRequest(json_schema=LOOSE_SCHEMA, model="gpt-4o", page_images=(png,))

    await engine(fake_openai).extract(INVOICE, request)

    parts = fake_openai.received("gpt-4o")[0]["messages"][1]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url"]
    assert parts[1]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(png).decode()
    assert fake_openai.shape_errors == []


async def test_consensus_runs_n_calls_and_votes(fake_openai: FakeOpenAI) -> None:
    base = {"invoice_number": "INV-7", "currency": "EUR"}
    fake_openai.script(
        "gpt-4o",
        answer({**base, "total": 100.0}),
        answer({**base, "total": 100.0}),
        answer({**base, "total": 90.0}),
    )

    result = await engine(fake_openai).extract(
        INVOICE, ExtractRequest(json_schema=STRICT_SCHEMA, model="gpt-4o", n_consensus=3)
    )

    assert len(fake_openai.received("gpt-4o")) == 3
    assert all(r["temperature"] > 0 for r in fake_openai.received("gpt-4o"))
    assert result.data == {**base, "total": 100.0}
    assert result.likelihoods["total"] == round(2 / 3, 6)
    assert result.likelihoods["invoice_number"] == 1.0
    assert sorted(c["total"] for c in result.choices) == [90.0, 100.0, 100.0]
    assert result.usage.prompt_tokens == 3 * 11


async def test_throttled_then_answered_honours_retry_after(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        "gpt-4o",
        Reply(status=429, headers={"Retry-After": "0.2"}),
        answer({"invoice_number": "INV-7"}),
    )

    result = await engine(fake_openai, openai_max_retries=2).extract(
        INVOICE, ExtractRequest(json_schema=LOOSE_SCHEMA, model="gpt-4o")
    )

    assert result.data["invoice_number"] == "INV-7"
    assert len(fake_openai.received("gpt-4o")) == 2


async def test_persistent_throttling_surfaces_the_servers_retry_after(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("gpt-4o", Reply(status=429, headers={"Retry-After": "7"}))

    with pytest.raises(ProviderUnavailableError) as unavailable:
        await engine(fake_openai, openai_max_retries=0).extract(
            INVOICE, ExtractRequest(json_schema=LOOSE_SCHEMA, model="gpt-4o")
        )

    assert unavailable.value.code == "provider_error"
    assert unavailable.value.retry_after == 7.0
    assert "429" in unavailable.value.message


async def test_server_errors_are_retried_then_surface_as_unavailable(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("gpt-4o", Reply(status=500))

    with pytest.raises(ProviderUnavailableError):
        await engine(fake_openai, openai_max_retries=2).extract(
            INVOICE, ExtractRequest(json_schema=LOOSE_SCHEMA, model="gpt-4o")
        )

    assert len(fake_openai.received("gpt-4o")) == 3  # the call and two retries


async def test_unknown_model_is_not_available(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(ModelNotAvailableError) as missing:
        await engine(fake_openai).extract(
            INVOICE, ExtractRequest(json_schema=LOOSE_SCHEMA, model="no-such-model")
        )
    assert missing.value.code == "model_not_available"


async def test_unreachable_server_is_unavailable() -> None:
    from jobstream.devstack.infra import free_port

    settings = EngineSettings.model_validate(
        {"openai_base_url": f"http://127.0.0.1:{free_port()}/v1", "openai_max_retries": 0}
    )
    with pytest.raises(ProviderUnavailableError, match="unreachable"):
        await OpenAICompatibleEngine(settings=settings).extract(
            INVOICE, ExtractRequest(json_schema=LOOSE_SCHEMA, model="gpt-4o")
        )


async def test_garbage_is_asked_again_then_fails_with_provider_error(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("recovers", Reply(content="Sure! Here is the JSON: {"), answer({}))
    fake_openai.script("garbage", Reply(content="not json at all"))
    fake_openai.script("off-schema", answer({"invoice_number": 7}))
    fake_openai.script("cut-short", Reply(content='{"invoice_number": "IN', finish_reason="length"))
    provider = engine(fake_openai, openai_invalid_answer_retries=1)

    recovered = await provider.extract(INVOICE, ExtractRequest(LOOSE_SCHEMA, model="recovers"))
    assert recovered.data == {"invoice_number": None, "due_date": None}
    for model, why in (("garbage", "not JSON"), ("off-schema", "is not of type"),
                       ("cut-short", "cut short")):  # fmt: skip
        with pytest.raises(EngineError) as failed:
            await provider.extract(INVOICE, ExtractRequest(LOOSE_SCHEMA, model=model))
        assert failed.value.code == "provider_error"
        assert why in failed.value.message
        assert len(fake_openai.received(model)) == 2  # one retry, then it gives up


async def test_strict_schema_refused_by_the_server_is_asked_non_strict(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("picky", Reply(status=400), answer({"invoice_number": "INV-7",
                       "total": 1.0, "currency": "USD"}))  # fmt: skip

    result = await engine(fake_openai).extract(
        INVOICE, ExtractRequest(STRICT_SCHEMA, model="picky")
    )

    assert result.data["currency"] == "USD"
    first, second = fake_openai.received("picky")
    assert sent_format(first)["strict"] is True
    assert sent_format(second)["strict"] is False


async def test_cancel_aborts_the_call_in_flight(fake_openai: FakeOpenAI) -> None:
    fake_openai.script("slow", Reply(stall=True))
    task = asyncio.create_task(
        engine(fake_openai).extract(
            INVOICE, ExtractRequest(LOOSE_SCHEMA, model="slow", n_consensus=2)
        )
    )
    await until(lambda: len(fake_openai.received("slow")) == 2)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await until(lambda: fake_openai.disconnects == 2)  # both HTTP requests were closed


async def test_request_timeout_is_unavailable(fake_openai: FakeOpenAI) -> None:
    fake_openai.script("slow", Reply(stall=True))
    provider = engine(fake_openai, openai_timeout_seconds=0.3, openai_max_retries=0)

    with pytest.raises(ProviderUnavailableError):
        await provider.extract(INVOICE, ExtractRequest(LOOSE_SCHEMA, model="slow"))


async def test_classify_asks_for_one_of_the_categories(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        "gpt-4o",
        answer({"reasoning": "It says Invoice and has a total.", "category": "invoice"}),
        answer({"reasoning": "A bill.", "category": "invoice"}),
        answer({"reasoning": "Looks like a receipt.", "category": "receipt"}),
    )
    categories = (Category("invoice", "a bill to pay"), Category("receipt"), Category("other"))

    result = await engine(fake_openai).classify(
        INVOICE, ClassifyRequest(categories, model="gpt-4o", n_consensus=3, context="Q3 batch")
    )

    assert (result.category, result.likelihood) == ("invoice", round(2 / 3, 6))
    # The three calls run at once: which one gets which scripted answer is the server's order.
    assert result.reasoning in {"It says Invoice and has a total.", "A bill."}
    assert sorted(result.choices) == ["invoice", "invoice", "receipt"]
    sent = fake_openai.received("gpt-4o")[0]
    spec = sent_format(sent)
    assert spec["strict"] is True
    assert spec["schema"]["properties"]["category"]["enum"] == ["invoice", "receipt", "other"]
    assert "- invoice: a bill to pay" in sent["messages"][0]["content"]
    assert "Context: Q3 batch" in sent["messages"][0]["content"]
    assert fake_openai.shape_errors == []


async def test_split_groups_pages_into_parts_and_partitions(fake_openai: FakeOpenAI) -> None:
    pages = [
        {"page": 1, "subdocument": "invoice", "starts_new": True, "partition_value": "INV-1"},
        {"page": 2, "subdocument": "invoice", "starts_new": False, "partition_value": "INV-1"},
        {"page": 3, "subdocument": "invoice", "starts_new": True, "partition_value": "INV-2"},
        {"page": 4, "subdocument": "contract", "starts_new": True, "partition_value": None},
    ]
    fake_openai.script("gpt-4o", answer({"pages": pages}))
    subdocuments = (Subdocument("invoice", partition_key="invoice number"), Subdocument("contract"))

    result = await engine(fake_openai).split(PACKET, SplitRequest(subdocuments, model="gpt-4o"))

    assert [(p.name, p.pages) for p in result.splits] == [
        ("invoice", (1, 2)), ("invoice", (3,)), ("contract", (4,)),
    ]  # fmt: skip
    assert [(q.key, q.pages) for q in result.splits[0].partitions] == [("INV-1", (1, 2))]
    assert result.splits[2].partitions == ()
    text = fake_openai.received("gpt-4o")[0]["messages"][1]["content"][0]["text"]
    assert "--- page 4 of 4 ---" in text
    assert sent_format(fake_openai.received("gpt-4o")[0])["strict"] is True


async def test_partition_groups_pages_by_key(fake_openai: FakeOpenAI) -> None:
    groups = [{"key": "INV-1", "pages": [1, 2]}, {"key": "INV-2", "pages": [3, 4]}]
    fake_openai.script("gpt-4o", answer({"partitions": groups}))

    result = await engine(fake_openai).partition(
        PACKET, PartitionRequest(key="invoice number", model="gpt-4o")
    )

    assert [(p.key, p.pages) for p in result.partitions] == [("INV-1", (1, 2)), ("INV-2", (3, 4))]


async def test_generated_schema_must_be_a_valid_object_schema(fake_openai: FakeOpenAI) -> None:
    good = {"type": "object", "properties": {"invoice_number": {"type": "string"}}}
    fake_openai.script("gpt-4o", answer({"json_schema": {"type": "objekt"}}), answer(
        {"json_schema": good}))  # fmt: skip

    result = await engine(fake_openai).generate_schema(
        (INVOICE, INVOICE), SchemaRequest(model="gpt-4o")
    )

    assert result.json_schema == good
    assert len(fake_openai.received("gpt-4o")) == 2  # the invalid schema was asked again
    text = fake_openai.received("gpt-4o")[0]["messages"][1]["content"][0]["text"]
    assert "=== sample 2 ===" in text
    assert json.loads(json.dumps(result.json_schema)) == good
