"""`/metrics` and `/health` for the services that have no API of their own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from jobstream.adapters.metrics import render


def ops_app(health: Callable[[], dict[str, object]]) -> Starlette:
    async def metrics(_: Request) -> Response:
        body, content_type = render()
        return Response(body, media_type=content_type)

    async def healthz(_: Request) -> Response:
        state = health()
        return JSONResponse(state, status_code=200 if state.get("status") == "ok" else 503)

    return Starlette(routes=[Route("/metrics", metrics), Route("/health", healthz)])


class OpsServer:
    """Serves the ops app on host:port inside the service's event loop."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
