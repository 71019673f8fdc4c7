"""A small OpenAI-compatible chat-completions server for the provider's tests (real HTTP).

It runs in a thread of the test process on 127.0.0.1, checks the shape of every request
(`model`, `messages`, `response_format` with a `json_schema` of a valid name and an object schema,
image parts as data URLs) and answers on cue, per model name: a scripted reply, a failure (429
with `Retry-After`, 500), a stall (until the client hangs up, which it counts) or garbage. Tests
read what it received from `requests` and the shape problems from `shape_errors`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jobstream.devstack.infra import free_port

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass
class Reply:
    """One answer: a chat completion whose message content is `content`, or a failure."""

    content: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False
    finish_reason: str = "stop"
    prompt_tokens: int = 11
    completion_tokens: int = 7


def answer(value: Any, **kwargs: Any) -> Reply:
    """A reply whose content is `value` as JSON."""
    return Reply(content=json.dumps(value), **kwargs)


@dataclass
class FakeOpenAI:
    port: int
    requests: list[dict[str, Any]] = field(default_factory=list)
    shape_errors: list[str] = field(default_factory=list)
    disconnects: int = 0
    # per model: replies used in order, the last one again once the others are used up
    replies: dict[str, list[Reply]] = field(default_factory=dict)
    # when a model has no scripted replies: a reply built from the request
    default: Callable[[dict[str, Any]], Reply] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, model: str, *replies: Reply) -> None:
        with self._lock:
            self.replies[model] = list(replies)

    def received(self, model: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r.get("model") == model]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.shape_errors.clear()
            self.replies.clear()
            self.disconnects = 0
            self.default = None

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.shape_errors.extend(shape_problems(body))
            queue = self.replies.get(str(body.get("model")))
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        if self.default is not None:
            return self.default(body)
        return Reply(status=404, content=None)

    async def chat(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            self.shape_errors.append("body is not JSON")
            return JSONResponse({"error": {"message": "bad JSON"}}, status_code=400)
        reply = self._next(body)
        if reply.stall:
            while (await request.receive())["type"] != "http.disconnect":
                pass  # the body is read: the next message is the client hanging up
            with self._lock:
                self.disconnects += 1
            return Response(status_code=499)
        if reply.status != 200:
            error = {"error": {"message": f"fake failure {reply.status}", "type": "fake"}}
            return JSONResponse(error, status_code=reply.status, headers=reply.headers)
        return JSONResponse(completion(body, reply), headers=reply.headers)


def completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "finish_reason": reply.finish_reason,
                "message": {"role": "assistant", "content": reply.content},
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def shape_problems(body: dict[str, Any]) -> list[str]:
    """What is wrong with a chat-completions request for structured outputs."""
    found = []
    if not isinstance(body.get("model"), str) or not body["model"]:
        found.append("model missing")
    messages = body.get("messages")
    if not isinstance(messages, list) or len(messages) < 2:
        found.append("messages must hold at least a system and a user message")
    else:
        for message in messages:
            if message.get("role") not in {"system", "user", "assistant", "developer", "tool"}:
                found.append(f"bad role {message.get('role')!r}")
            content = message.get("content")
            if isinstance(content, list):
                found.extend(_part_problems(content))
            elif not isinstance(content, str):
                found.append("content must be text or a list of parts")
    fmt = body.get("response_format") or {}
    spec = fmt.get("json_schema") or {}
    if fmt.get("type") != "json_schema":
        found.append("response_format.type must be json_schema")
    if not _NAME.match(str(spec.get("name", ""))):
        found.append(f"json_schema.name invalid: {spec.get('name')!r}")
    if not isinstance(spec.get("schema"), dict):
        found.append("json_schema.schema must be an object")
    if not isinstance(spec.get("strict"), bool):
        found.append("json_schema.strict must be a boolean")
    return found


def _part_problems(parts: list[Any]) -> list[str]:
    found = []
    for part in parts:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            continue
        url = (part.get("image_url") or {}).get("url", "") if kind == "image_url" else ""
        if not url.startswith("data:image/png;base64,"):
            found.append(f"bad content part {str(part)[:80]}")
    return found


@dataclass
class FakeOpenAIServer:
    """The fake served over HTTP; `stop()` then `start()` makes it unreachable for a while."""

    fake: FakeOpenAI
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> None:
        app = Starlette(routes=[Route("/v1/chat/completions", self.fake.chat, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.fake.port, log_level="warning", ws="none"
        )
        self._server = server = uvicorn.Server(config)
        self._thread = threading.Thread(target=server.run, name="fake-openai", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None


@pytest.fixture(scope="session")
def fake_openai_http() -> Iterator[FakeOpenAIServer]:
    served = FakeOpenAIServer(FakeOpenAI(port=free_port()))
    served.start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def fake_openai_server(fake_openai_http: FakeOpenAIServer) -> FakeOpenAI:
    return fake_openai_http.fake


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    fake_openai_server.reset()
    yield fake_openai_server
    fake_openai_server.reset()
