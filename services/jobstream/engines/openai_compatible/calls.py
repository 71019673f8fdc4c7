"""One structured-output question to an OpenAI-compatible server, answered as checked JSON.

- Throttling (429), 5xx, 408/409 and connection failures are retried by the `openai` client
  (`JOBSTREAM_OPENAI_MAX_RETRIES`, exponential backoff, honouring `Retry-After` up to 2 min);
  when they persist, `ProviderUnavailableError` (with the server's `Retry-After`) lets the worker
  retry the job later. 404 (unknown model) is `model_not_available`; other 4xx `provider_error`.
  A strict schema the server refuses (400) is asked once more non-strict.
- An answer that is not JSON, is cut short, is a refusal or breaks the schema is asked again up to
  `JOBSTREAM_OPENAI_INVALID_ANSWER_RETRIES` times, then fails with `provider_error`.
- `ask_many` asks N times concurrently (consensus); cancelling the caller cancels every call in
  flight, which closes their HTTP requests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import openai

from jobstream.engines.openai_compatible.answers import problems, schema_name
from jobstream.engines.port import EngineError, ModelNotAvailableError, ProviderUnavailableError


@dataclass(frozen=True, slots=True)
class Answer:
    value: Any
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Question:
    model: str
    messages: list[dict[str, Any]]
    schema: dict[str, Any]  # what the answer is validated against
    name: str = "answer"
    strict: bool = False
    temperature: float = 0.0
    check: Callable[[Any], list[str]] | None = None  # further problems with a valid answer

    def response_format(self, *, strict: bool) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": schema_name(self.schema, self.name), "schema": self.schema}
        spec["strict"] = strict
        return {"type": "json_schema", "json_schema": spec}


class InvalidAnswerError(Exception):
    """The model answered, but not with JSON that fits the schema."""


async def ask_many(
    client: openai.AsyncOpenAI, question: Question, *, count: int, invalid_retries: int
) -> list[Answer]:
    """`count` answers to `question`, asked concurrently (all cancelled if one fails)."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(ask(client, question, invalid_retries=invalid_retries))
                for _ in range(count)
            ]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None  # the first failure, as a single call raises it
    return [task.result() for task in tasks]


async def ask(client: openai.AsyncOpenAI, question: Question, *, invalid_retries: int) -> Answer:
    prompt = completion = 0
    last_problem = ""
    for _ in range(invalid_retries + 1):
        try:
            answer = await _ask_once(client, question)
        except InvalidAnswerError as exc:
            last_problem = str(exc)
            continue
        return Answer(
            answer.value, prompt + answer.prompt_tokens, completion + answer.completion_tokens
        )
    raise EngineError(
        f"The model {question.model!r} did not answer with valid JSON for the schema after "
        f"{invalid_retries + 1} tries: {last_problem}"
    )


async def _ask_once(client: openai.AsyncOpenAI, question: Question) -> Answer:
    strict = question.strict
    create: Any = client.chat.completions.create  # messages and formats are plain dicts here
    while True:
        try:
            response = await create(
                model=question.model,
                messages=question.messages,
                response_format=question.response_format(strict=strict),
                temperature=question.temperature,
            )
        except openai.BadRequestError as exc:
            if strict:
                strict = False  # the server refused the strict schema: ask non-strict
                continue
            raise EngineError(_refused(question.model, exc)) from exc
        except openai.APIError as exc:
            raise _mapped(question.model, exc) from exc
        return _checked(question, response)


def _checked(question: Question, response: Any) -> Answer:
    usage = getattr(response, "usage", None)
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion = int(getattr(usage, "completion_tokens", 0) or 0)
    choices: Sequence[Any] = getattr(response, "choices", None) or []
    if not choices:
        raise InvalidAnswerError("the answer had no choices")
    message = choices[0].message
    if getattr(message, "refusal", None):
        raise InvalidAnswerError(f"the model refused: {str(message.refusal)[:200]}")
    if choices[0].finish_reason == "length":
        raise InvalidAnswerError("the answer was cut short (finish_reason length)")
    try:
        value = json.loads(message.content or "")
    except ValueError as exc:
        raise InvalidAnswerError(f"not JSON: {(message.content or '')[:80]!r}") from exc
    found = problems(value, question.schema)
    if not found and question.check is not None:
        found = question.check(value)
    if found:
        raise InvalidAnswerError("; ".join(found))
    return Answer(value, prompt, completion)


def _refused(model: str, exc: openai.APIStatusError) -> str:
    return f"The provider refused the request for {model!r} ({exc.status_code}): {exc.message}"[
        :500
    ]


def _mapped(model: str, exc: openai.APIError) -> EngineError:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return ProviderUnavailableError(f"The model server is unreachable for {model!r}: {exc}")
    if isinstance(exc, openai.NotFoundError):
        return ModelNotAvailableError(f"The provider does not serve the model {model!r}.")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status in (408, 409, 429) or status >= 500:
            return ProviderUnavailableError(
                f"The model server answered {status} for {model!r} (after retries).",
                retry_after=_retry_after(exc.response.headers.get("retry-after")),
            )
        return EngineError(_refused(model, exc))
    return EngineError(f"The provider failed for {model!r}: {exc}"[:500])


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
