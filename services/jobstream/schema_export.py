"""Generate the checked-in contracts from the Pydantic models: JSON Schema, OpenAPI and AsyncAPI.

The models in `jobstream_schemas` are the source of truth (DESIGN.md, "Events"); everything under
`schemas/generated/` is derived from them by `export_all()` (`make schemas`, or
`jobstream schemas export`) and CI fails when it is stale (`export_all(check=True)`):

  jsonschema/<Model>.json       the HTTP API models (JobCreate, JobPublic, JobStatusPublic, ...)
  jsonschema/<type>.json        one per event and command type, named by its `type` literal
                                (`job.created.v1.json`, `cmd.job_requested.v1.json`, ...)
  jsonschema/JobEvent.json      the discriminated unions, as consumers decode them
  jsonschema/JobCommand.json
  openapi.json                  the gateway's OpenAPI, from its FastAPI app
  asyncapi.yaml, asyncapi.json  the Kafka topics, from a FastStream (0.7) Kafka broker

Nothing connects to anything: the gateway app is built but its lifespan (which connects to Kafka,
MongoDB and S3) is never run, and the FastStream broker is never started. The settings used are the
defaults, not the environment's, so the output does not depend on where it is generated. Every file
is written byte-for-byte reproducibly: JSON with sorted keys; the AsyncAPI YAML with its channels,
operations and components sorted by name (FastStream's own order varies between processes).

With `faststream[cli]` installed (it is not a dependency),
`faststream docs serve jobstream.schema_export:build_asyncapi_app --factory` serves the AsyncAPI.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel, TypeAdapter

from jobstream.core.endpoints import ENDPOINT_SLUGS, NOOP_SLUG
from jobstream.settings import GatewaySettings
from jobstream_schemas.api import ErrorBody, JobCreate, JobList, JobPublic, JobStatusPublic
from jobstream_schemas.events import JobCommand, JobEvent

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATED_DIR = REPO_ROOT / "schemas" / "generated"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "jobstream"
VERSION = "1.0.0"

JsonSchemaMode = Literal["validation", "serialization"]

# API models and the mode of their schema: requests are validated, answers are serialized.
API_MODELS: tuple[tuple[type[BaseModel], JsonSchemaMode], ...] = (
    (JobCreate, "validation"),
    (JobPublic, "serialization"),
    (JobStatusPublic, "serialization"),
    (JobList, "serialization"),
    (ErrorBody, "serialization"),
)


# ---- helpers -----------------------------------------------------------------------------------


def _settings() -> GatewaySettings:
    """The default settings, ignoring `JOBSTREAM_*` variables (which would make output vary)."""
    return GatewaySettings.model_construct()


def _dump_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def union_members(union: Any) -> list[type[BaseModel]]:
    """The models of an `Annotated[A | B | ..., Field(discriminator=...)]` union, in order."""
    inner = typing.get_args(union)[0] if typing.get_origin(union) is typing.Annotated else union
    members: list[type[BaseModel]] = []
    for member in typing.get_args(inner):
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            raise TypeError(f"{member!r} in {union!r} is not a pydantic model")
        members.append(member)
    return members


def message_type(model: type[BaseModel]) -> str:
    """The `type` literal (discriminator) of an event or command model, e.g. `job.created.v1`."""
    default = model.model_fields["type"].default
    if not isinstance(default, str):
        raise TypeError(f"{model.__name__}.type has no string default")
    return default


def _with_dialect(schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


# ---- JSON Schema -------------------------------------------------------------------------------


def json_schemas() -> dict[str, str]:
    """`jsonschema/<name>.json` → content, for the API models, every message type and the unions.

    Events and commands are described as they go on the wire (serialization mode).
    """
    files: dict[str, str] = {}
    for model, mode in API_MODELS:
        schema = model.model_json_schema(mode=mode)
        files[f"jsonschema/{model.__name__}.json"] = _dump_json(_with_dialect(schema))
    for union in (JobEvent, JobCommand):
        for model in union_members(union):
            schema = model.model_json_schema(mode="serialization")
            files[f"jsonschema/{message_type(model)}.json"] = _dump_json(_with_dialect(schema))
    unions: tuple[tuple[str, Any], ...] = (("JobEvent", JobEvent), ("JobCommand", JobCommand))
    for name, union in unions:
        schema = TypeAdapter(union).json_schema(mode="serialization")
        files[f"jsonschema/{name}.json"] = _dump_json(_with_dialect({"title": name, **schema}))
    return files


# ---- OpenAPI -----------------------------------------------------------------------------------


def openapi_document() -> dict[str, Any]:
    """The gateway's OpenAPI. `app.openapi()` does not run the lifespan, so nothing connects."""
    from jobstream.gateway.app import create_app

    app = create_app(_settings(), deps=None)
    return app.openapi()


# ---- AsyncAPI ----------------------------------------------------------------------------------

KEY_AND_HEADERS = (
    "Key: `job_id` (a job's whole history sits on one partition, in order). "
    "Headers: `type` and `event_id` (repeating the body's) and `traceparent` (W3C trace context)."
)


def command_slugs() -> list[str]:
    """Every worker slug that has a command topic: the endpoints' slugs plus `noop`, sorted."""
    return sorted({*ENDPOINT_SLUGS.values(), NOOP_SLUG})


def _add_worker_stub(broker: KafkaBroker, settings: GatewaySettings, slug: str) -> None:
    topic = settings.commands_topic(slug)

    async def worker(command: JobCommand) -> None:
        """Documentation stub, never run (the real consumer is `jobstream.workers`)."""

    broker.subscriber(
        topic,
        group_id=f"worker-{slug}",
        title=f"worker-{slug}",
        description=(
            f"The `{slug}` worker (consumer group `worker-{slug}`): runs each job requested on "
            f"`{topic}` and publishes its lifecycle events to `{settings.events_topic}`; "
            f"undecodable commands go to `{settings.dlq_topic}`."
        ),
    )(worker)


def build_asyncapi_broker(settings: GatewaySettings | None = None) -> KafkaBroker:
    """A Kafka broker declaring every topic, publisher and consumer group; never connected."""
    settings = settings or _settings()
    broker = KafkaBroker(
        settings.kafka_bootstrap,
        description="The Kafka cluster; topic names use the default prefix `jobs`.",
    )

    events, dlq = settings.events_topic, settings.dlq_topic
    broker.publisher(
        events,
        title=f"{events}:publish",
        description=(
            "The public event stream: every job's whole life, from `job.created.v1` on, so a "
            "downstream consumer can follow jobs from it alone. Published by the gateway (via its "
            "outbox), the workers and the janitor. Retained forever; the projector rebuilds the "
            "read model from it. A released type is never edited: a breaking change is a new `.v2`."
            f" {KEY_AND_HEADERS}"
        ),
        schema=JobEvent,
    )
    for slug in command_slugs():
        topic = settings.commands_topic(slug)
        broker.publisher(
            topic,
            title=f"{topic}:publish",
            description=(
                f"Commands for the `{slug}` worker, published by the gateway (via its outbox) when "
                f"a job is created, retried or cancelled. {KEY_AND_HEADERS}"
            ),
            schema=JobCommand,
        )
    broker.publisher(
        dlq,
        title=f"{dlq}:publish",
        description=(
            "Dead letters: the original record, unchanged (key and value bytes), of a message a "
            "consumer could not decode. Headers `dlq.source.topic`, `dlq.source.partition`, "
            "`dlq.source.offset` and `dlq.error` say where it came from and why."
        ),
        schema=bytes,
    )

    async def projector(event: JobEvent) -> None:
        """Documentation stub, never run (the real consumer is `jobstream.projector`)."""

    broker.subscriber(
        events,
        group_id="projector",
        title="projector",
        description=(
            f"The projector (consumer group `projector`): applies every event of `{events}` to "
            f"the read model (MongoDB) that the gateway answers from; undecodable events go to "
            f"`{dlq}`."
        ),
    )(projector)
    for slug in command_slugs():
        _add_worker_stub(broker, settings, slug)
    return broker


def build_asyncapi_app() -> FastStream:
    """The FastStream app whose `schema` is the AsyncAPI (`faststream docs ... --factory`)."""
    spec = AsyncAPI(
        title=f"{TITLE} events and commands",
        version=VERSION,
        description=(
            "Kafka topics of jobstream, the Kafka-native asynchronous Jobs API. Every message has "
            "one envelope: `type` (versioned discriminator), `event_id` (uuid, for dedup), "
            "`job_id`, `organization_id`, `attempt`, `occurred_at` and a typed `payload`."
        ),
        schema_version="3.0.0",
    )
    return FastStream(build_asyncapi_broker(), specification=spec)


def _canonical_asyncapi(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its named maps sorted, `asyncapi` first.

    FastStream keeps a broker's subscribers and publishers in a `WeakSet`, so the order of
    channels, operations, messages and schemas changes from one process to the next; inside each
    entry the order is the models' and stable, so only these maps are sorted (field order kept).
    """

    def by_key(mapping: dict[str, Any]) -> dict[str, Any]:
        return dict(sorted(mapping.items()))

    document = {"asyncapi": document["asyncapi"], **document}
    for name in ("channels", "operations"):
        if name in document:
            document[name] = by_key(document[name])
    if "components" in document:
        document["components"] = {
            kind: by_key(entries) if isinstance(entries, dict) else entries
            for kind, entries in document["components"].items()
        }
    return document


def asyncapi_files() -> dict[str, str]:
    """`asyncapi.yaml` and `asyncapi.json`, from FastStream's AsyncAPI 3.0 generator."""
    try:
        import yaml  # a runtime dependency now (tables rendered as YAML)
    except ImportError as exc:
        raise SystemExit("Exporting schemas needs PyYAML: pip install -e '.[dev]'") from exc

    document = _canonical_asyncapi(build_asyncapi_app().schema.to_specification().to_jsonable())
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return {"asyncapi.yaml": text, "asyncapi.json": _dump_json(document)}


# ---- export ------------------------------------------------------------------------------------


def generate() -> dict[str, str]:
    """Every generated file: path relative to `schemas/generated/` → content."""
    files = json_schemas()
    files["openapi.json"] = _dump_json(openapi_document())
    files.update(asyncapi_files())
    return dict(sorted(files.items()))


def _orphans(root: Path, expected: Iterable[str]) -> list[Path]:
    """Files left in `jsonschema/` that nothing generates any more (e.g. a removed model)."""
    wanted = {root / name for name in expected}
    return sorted(p for p in (root / "jsonschema").glob("*.json") if p not in wanted)


def export_all(*, check: bool = False) -> list[Path]:
    """Write every generated file under `schemas/generated/` and return their paths.

    With `check=True` nothing is written: raise `SystemExit` listing every file that is missing,
    differs from what would be generated, or is no longer generated.
    """
    root = GENERATED_DIR
    files = generate()
    paths = [root / name for name in files]
    orphans = _orphans(root, files)

    if check:
        problems = [
            f"  {path.relative_to(REPO_ROOT)} ({'missing' if not path.exists() else 'stale'})"
            for path, content in zip(paths, files.values(), strict=True)
            if not path.is_file() or path.read_text(encoding="utf-8") != content
        ]
        problems += [f"  {path.relative_to(REPO_ROOT)} (no longer generated)" for path in orphans]
        if problems:
            raise SystemExit(
                "Generated schemas are out of date with the models:\n"
                + "\n".join(problems)
                + "\nRun `make schemas` (or `jobstream schemas export`) and commit the result."
            )
        return paths

    for path, content in zip(paths, files.values(), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
    for orphan in orphans:
        orphan.unlink()
    return paths
