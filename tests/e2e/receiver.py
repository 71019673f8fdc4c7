"""A webhook receiver for the tests: a real HTTP server in the test process that records every
request and answers as told per path (fail the first N, stall, act first, or accept)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jobstream.devstack.infra import free_port
from tests.e2e.conftest import wait_for


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    fail_first: int = 0  # answer 500 to this many requests first
    stall_seconds: float = 0.0  # then wait this long before answering 200
    before_answer: Callable[[], Awaitable[None]] | None = None  # run, then answer


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    behaviour: dict[str, Behaviour] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        self.received.append(Received(path, dict(request.headers), await request.body()))
        count = self.seen[path] = self.seen.get(path, 0) + 1
        behaviour = self.behaviour.get(path, Behaviour())
        if count <= behaviour.fail_first:
            return Response("not yet", status_code=500)
        if behaviour.stall_seconds:
            await asyncio.sleep(behaviour.stall_seconds)
        if behaviour.before_answer is not None:
            await behaviour.before_answer()
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def serving(port: int | None = None) -> AsyncIterator[Receiver]:
    receiver = Receiver(port or free_port())
    app = Starlette(routes=[Route("/{path:path}", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=receiver.port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await wait_for(started, timeout=10, what="the webhook receiver to listen", interval=0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
