"""Serve the API with and without its `/v1` prefix.

The hand-written Retab SDK (0.0.90-0.0.142) joins its base URL with version-less paths
(`/jobs/{id}`) and documents a base URL ending in `/v1`; the generated one (0.0.142+) strips a
trailing `/v1` and sends `/v1/jobs/{id}`. So `Retab(base_url="http://host:8000")` on the older SDK
sends `/jobs…`: this middleware routes those paths to their `/v1` twins, and either base URL works
with either SDK. Only the API's own resources are rewritten; `/metrics` and `/health` stay put.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

VERSION_PREFIX = "/v1"
RESOURCES = frozenset({"jobs", "webhooks", "events", "edit", "edits"})  # edit(s): form templates


def versioned_path(path: str) -> str | None:
    """`/jobs/x` → `/v1/jobs/x`; None for a path that needs no rewrite."""
    first = path.lstrip("/").split("/", 1)[0]
    if first in RESOURCES:
        return VERSION_PREFIX + path
    return None


class UnversionedPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            rewritten = versioned_path(scope["path"])
            if rewritten is not None:
                scope = {**scope, "path": rewritten, "raw_path": rewritten.encode()}
        await self.app(scope, receive, send)
