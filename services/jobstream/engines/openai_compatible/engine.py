"""The OpenAI-compatible engine: every operation as structured outputs on chat completions.

Any server speaking `POST /chat/completions` with `response_format: json_schema` works (OpenAI,
Azure OpenAI, vLLM, Ollama, llama.cpp server, LM Studio); configure it with
`JOBSTREAM_OPENAI_BASE_URL` / `_API_KEY`. `n_consensus` > 1 asks N times concurrently and votes
(engines/consensus.py). Splits are asked page by page and grouped here, so part boundaries and
page ranges are always consistent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import openai
from jsonschema import Draft202012Validator, SchemaError

from jobstream.documents.model import Document
from jobstream.engines.consensus import majority, normalized, vote
from jobstream.engines.openai_compatible import answers, prompts
from jobstream.engines.openai_compatible.calls import Answer, Question, ask_many
from jobstream.engines.openai_compatible.pages import page_votes, parts_from_pages
from jobstream.engines.port import (
    ClassifyRequest,
    ClassifyResult,
    EngineError,
    ExtractRequest,
    ExtractResult,
    FillRequest,
    FillResult,
    Partition,
    PartitionRequest,
    PartitionResult,
    SchemaRequest,
    SchemaResult,
    SplitRequest,
    SplitResult,
    Usage,
)
from jobstream.settings import EngineSettings


class OpenAICompatibleEngine:
    """The Engine port on an OpenAI-compatible chat-completions server."""

    def __init__(self, *, settings: EngineSettings) -> None:
        self.settings = settings
        self._clients: dict[int, openai.AsyncOpenAI] = {}
        pairs = (p.partition("=") for p in settings.openai_model_map.split(","))
        self._model_map = {a.strip(): b.strip() for a, _, b in pairs if a.strip() and b.strip()}

    def client(self) -> openai.AsyncOpenAI:
        """One client (one connection pool) per event loop."""
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            self._clients[loop] = openai.AsyncOpenAI(
                base_url=self.settings.openai_base_url or None,
                api_key=self.settings.openai_api_key or "not-needed",
                timeout=self.settings.openai_timeout_seconds,
                max_retries=self.settings.openai_max_retries,
            )
        return self._clients[loop]

    def provider_model(self, model: str) -> str:
        return self._model_map.get(model, model)

    async def _ask(self, question: Question, count: int) -> list[Answer]:
        return await ask_many(
            self.client(), question, count=max(count, 1),
            invalid_retries=self.settings.openai_invalid_answer_retries,
        )  # fmt: skip

    def _question(self, model: str, messages: list[dict[str, Any]], schema: dict[str, Any],
                  *, name: str, n: int, **extra: Any) -> Question:  # fmt: skip
        return Question(
            model=self.provider_model(model), messages=messages, schema=schema, name=name,
            temperature=0.0 if n <= 1 else 0.7, **extra,
        )  # fmt: skip

    async def extract(self, document: Document, request: ExtractRequest) -> ExtractResult:
        schema = request.json_schema
        messages = prompts.messages(
            prompts.extract_system(request.instructions),
            prompts.user_content(document, request.page_images),
            additional=request.additional_messages,
        )
        question = self._question(
            request.model, messages, answers.nullable(schema), name="extraction",
            n=request.n_consensus, strict=answers.strict_capable(schema),
        )  # fmt: skip
        replies = await self._ask(question, request.n_consensus)
        values = [answers.completed(r.value, schema) for r in replies]
        data, likelihoods = vote(values)
        if not isinstance(data, dict):
            raise EngineError(f"The model {request.model!r} did not answer with an object.")
        choices = tuple(values) if len(values) > 1 else ()
        usage = _usage(replies, document.page_count)
        return ExtractResult(data=data, likelihoods=likelihoods, usage=usage, choices=choices)

    async def classify(self, document: Document, request: ClassifyRequest) -> ClassifyResult:
        names = [c.name for c in request.categories]
        system = prompts.classify_system(
            [(c.name, c.description) for c in request.categories], request.context
        )
        content = prompts.user_content(
            document, request.page_images, first_n_pages=request.first_n_pages
        )
        question = self._question(
            request.model, prompts.messages(system, content), answers.classify_schema(names),
            name="classification", n=request.n_consensus, strict=True,
        )  # fmt: skip
        replies = await self._ask(question, request.n_consensus)
        picked = [str(r.value["category"]) for r in replies]
        winner, count = majority(picked)
        reasoning = next(
            str(r.value["reasoning"]) for r in replies if r.value["category"] == winner
        )
        return ClassifyResult(
            category=winner, reasoning=reasoning, likelihood=round(count / len(picked), 6),
            usage=_usage(replies, document.page_count),
            choices=tuple(picked) if len(picked) > 1 else (),
        )  # fmt: skip

    async def split(self, document: Document, request: SplitRequest) -> SplitResult:
        subdocuments = request.subdocuments
        system = prompts.split_system(
            [(s.name, s.description, s.partition_key) for s in subdocuments],
            document.page_count,
            request.context,
        )
        content = prompts.user_content(document, request.page_images)
        question = self._question(
            request.model, prompts.messages(system, content),
            answers.split_schema([s.name for s in subdocuments]), name="split",
            n=request.n_consensus, strict=True,
        )  # fmt: skip
        replies = await self._ask(question, request.n_consensus)
        keyed = {s.name for s in subdocuments if s.partition_key}
        per_answer = [page_votes([r.value], document.page_count) for r in replies]
        merged = page_votes([r.value for r in replies], document.page_count)
        choices = tuple(parts_from_pages(p, keyed) for p in per_answer) if len(replies) > 1 else ()
        return SplitResult(
            splits=parts_from_pages(merged, keyed),
            usage=_usage(replies, document.page_count),
            choices=choices,
        )

    async def partition(self, document: Document, request: PartitionRequest) -> PartitionResult:
        system = prompts.partition_system(request.key, document.page_count, request.instructions)
        content = prompts.user_content(document, request.page_images)
        question = self._question(
            request.model, prompts.messages(system, content), answers.partition_schema(),
            name="partition", n=request.n_consensus, strict=True,
        )  # fmt: skip
        replies = await self._ask(question, request.n_consensus)
        maps = [_page_keys(r.value) for r in replies]
        choices = tuple(_group(m) for m in maps) if len(maps) > 1 else ()
        merged: dict[int, str] = {}
        for page in sorted({p for m in maps for p in m}):
            spellings = [m[page] for m in maps if page in m]
            winner, _ = majority([normalized(s) for s in spellings])
            merged[page] = next(s for s in spellings if normalized(s) == winner)
        return PartitionResult(
            partitions=_group(merged), usage=_usage(replies, document.page_count), choices=choices
        )

    async def generate_schema(
        self, documents: tuple[Document, ...], request: SchemaRequest
    ) -> SchemaResult:
        system = prompts.schema_system(len(documents), request.instructions)
        question = self._question(
            request.model, prompts.messages(system, prompts.schema_documents(documents)),
            answers.GENERATED_SCHEMA, name="json_schema", n=1, check=_schema_problems,
        )  # fmt: skip
        (reply,) = await self._ask(question, 1)
        pages = sum(d.page_count for d in documents)
        return SchemaResult(json_schema=reply.value["json_schema"], usage=_usage([reply], pages))

    async def fill_form(self, document: Document, request: FillRequest) -> FillResult:
        """One structured answer with a property per field key (boolean for checkboxes, the
        options as an enum); the caller checks each value against its field anyway."""
        fields = [(f.key, f.type, f.description, f.options) for f in request.fields]
        content = prompts.fill_user(request.instructions, document)
        question = self._question(
            request.model, prompts.messages(prompts.fill_system(fields), content),
            answers.fill_schema(fields), name="form_values", n=1, strict=True,
        )  # fmt: skip
        (reply,) = await self._ask(question, 1)
        values = {f.key: reply.value.get(f.key) for f in request.fields}
        likelihoods = {key: 0.0 if value is None else 1.0 for key, value in values.items()}
        return FillResult(
            values=values, likelihoods=likelihoods, usage=_usage([reply], document.page_count)
        )


def _schema_problems(value: Any) -> list[str]:
    schema = value.get("json_schema") if isinstance(value, dict) else None
    if not isinstance(schema, dict):
        return ["json_schema must be an object"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"json_schema is not a valid JSON Schema: {exc.message}"[:200]]
    if not isinstance(schema.get("properties"), dict):
        return ["json_schema must describe an object with properties"]
    return []


def _page_keys(value: dict[str, Any]) -> dict[int, str]:
    keys: dict[int, str] = {}
    for group in value.get("partitions", []):
        for page in group.get("pages", []):
            keys.setdefault(int(page), str(group.get("key", "")))
    return keys


def _group(page_keys: dict[int, str]) -> tuple[Partition, ...]:
    order: dict[Any, tuple[str, list[int]]] = {}
    for page in sorted(page_keys):
        spelling = page_keys[page]
        order.setdefault(normalized(spelling), (spelling, []))[1].append(page)
    return tuple(Partition(key=key, pages=tuple(pages)) for key, pages in order.values())


def _usage(replies: Sequence[Answer], pages: int) -> Usage:
    return Usage(
        credits=float(pages),
        prompt_tokens=sum(r.prompt_tokens for r in replies),
        completion_tokens=sum(r.completion_tokens for r in replies),
    )
