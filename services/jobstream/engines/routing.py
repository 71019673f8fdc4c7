"""Model routing: the request's `model` picks the engine that answers it.

`JOBSTREAM_MODEL_ROUTES` lists `pattern=engine` pairs (shell-style patterns, first match wins,
`*=local` when nothing matches); engines are `local` (deterministic, no network), `openai` (any
OpenAI-compatible chat-completions server) and `none` (the model is refused with
`model_not_available`). Engines are built once per settings and engine name and reused.
"""

from __future__ import annotations

import fnmatch
import importlib
from typing import Any, Final

from jobstream.engines.port import Engine, ModelNotAvailableError
from jobstream.settings import EngineSettings

ENGINE_NAMES: Final = ("local", "openai", "none")
DEFAULT_ROUTE: Final = ("*", "local")

_engines: dict[tuple[str, str], Engine] = {}


def parse_routes(spec: str) -> list[tuple[str, str]]:
    """`a*=local,b*=openai` → [("a*", "local"), ("b*", "openai")]; a bad entry is a ValueError."""
    routes: list[tuple[str, str]] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        pattern, sep, engine = part.rpartition("=")
        pattern, engine = pattern.strip(), engine.strip().lower()
        if not sep or not pattern or engine not in ENGINE_NAMES:
            raise ValueError(
                f"bad model route {part!r}: write pattern=engine, engine one of {ENGINE_NAMES}"
            )
        routes.append((pattern, engine))
    return routes


def route_for(model: str, settings: EngineSettings) -> str:
    """The engine name that serves `model` (first matching route; `local` when none matches)."""
    for pattern, engine in [*parse_routes(settings.model_routes), DEFAULT_ROUTE]:
        if fnmatch.fnmatchcase(model, pattern):
            return engine
    return DEFAULT_ROUTE[1]  # pragma: no cover - "*" matches everything


def matches_any(model: str, patterns: str) -> bool:
    """Whether `model` matches one of the comma-separated shell-style `patterns`."""
    return any(fnmatch.fnmatchcase(model, p.strip()) for p in patterns.split(",") if p.strip())


def engine_for(model: str, settings: EngineSettings) -> Engine:
    """The engine answering `model`; ModelNotAvailableError when it is routed to `none`."""
    name = route_for(model, settings)
    if name == "none":
        raise ModelNotAvailableError(
            f"The model {model!r} is not available on this deployment (JOBSTREAM_MODEL_ROUTES)."
        )
    key = (name, settings.model_dump_json())
    engine = _engines.get(key)
    if engine is None:
        engine = _build(name, settings)
        _engines[key] = engine
    return engine


def _build(name: str, settings: EngineSettings) -> Engine:
    if name == "openai":
        from jobstream.engines.openai_compatible import OpenAICompatibleEngine

        return OpenAICompatibleEngine(settings=settings)
    return _local_engine()


def _local_engine() -> Engine:
    try:
        module: Any = importlib.import_module("jobstream.engines.local")
    except ImportError:
        return _MissingLocalEngine()
    engine: Engine = module.LocalEngine()
    return engine


class _MissingLocalEngine:
    """Stands in while the local engine is not installed: every operation is refused."""

    def __getattr__(self, name: str) -> Any:
        async def refuse(*args: object, **kwargs: object) -> Any:
            raise ModelNotAvailableError("The local engine is not installed in this build.")

        return refuse
