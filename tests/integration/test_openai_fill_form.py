"""The OpenAI-compatible engine's `fill_form` against the protocol server (tests/fake_openai):
one strict structured output with a property per field, values read back by key."""

from __future__ import annotations

from typing import Any

from jobstream.documents.model import Box, Document
from jobstream.engines.openai_compatible import OpenAICompatibleEngine
from jobstream.engines.port import FillRequest, FormFieldSpec
from jobstream.settings import EngineSettings
from tests.fake_openai import (
    FakeOpenAI,
    answer,
    fake_openai,
    fake_openai_http,
    fake_openai_server,
)

__all__ = ["fake_openai", "fake_openai_http", "fake_openai_server"]  # fixtures
BOX = Box(0.1, 0.1, 0.3, 0.02)
FIELDS = (
    FormFieldSpec("applicant.name", "text", "Full name", BOX, 1),
    FormFieldSpec("married", "checkbox", "Married", BOX, 1),
    FormFieldSpec("gender", "text", "Gender (one of: Male, Female)", BOX, 1,
                  options=("Male", "Female")),
)  # fmt: skip


async def test_fill_form_asks_one_strict_answer_over_the_fields(fake_openai: FakeOpenAI) -> None:
    fake_openai.script("gpt-4o", answer({"applicant.name": "Maria Lopez", "married": True,
                                         "gender": None}))  # fmt: skip
    engine = OpenAICompatibleEngine(
        settings=EngineSettings(openai_base_url=fake_openai.url, openai_api_key="k")
    )
    request = FillRequest(fields=FIELDS, instructions="Maria Lopez, married.", model="gpt-4o")
    result = await engine.fill_form(Document(pages=(), mime_type="application/pdf"), request)
    assert result.values == {"applicant.name": "Maria Lopez", "married": True, "gender": None}
    assert result.likelihoods["gender"] == 0.0 and fake_openai.shape_errors == []
    (sent,) = fake_openai.received("gpt-4o")
    schema: dict[str, Any] = sent["response_format"]["json_schema"]
    assert schema["strict"] is True
    properties = schema["schema"]["properties"]
    assert properties["married"]["type"] == ["boolean", "null"]
    assert properties["gender"]["enum"] == ["Male", "Female", None]
    assert "Maria Lopez, married." in sent["messages"][1]["content"][0]["text"]
