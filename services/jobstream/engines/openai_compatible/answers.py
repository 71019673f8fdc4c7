"""The JSON Schemas the model answers in, and the checks its answers must pass. Pure.

Structured outputs are `strict` only where the schema allows it (OpenAI's rule: every object
lists all its properties in `required` and sets `additionalProperties: false`); otherwise they are
sent non-strict and the answer is validated here. Extraction schemas are sent with every leaf made
nullable, so that a model can say "not in the document" instead of inventing a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jsonschema import Draft202012Validator

_NAME = re.compile(r"[^a-zA-Z0-9_-]+")


def schema_name(schema: dict[str, Any], default: str) -> str:
    """A response-format name: the schema's title cleaned up (`^[a-zA-Z0-9_-]{1,64}$`)."""
    name = _NAME.sub("_", str(schema.get("title") or default)).strip("_")
    return (name or default)[:64]


def strict_capable(schema: Any) -> bool:
    """Whether every object in `schema` requires all its properties and forbids others."""
    if isinstance(schema, list):
        return all(strict_capable(s) for s in schema)
    if not isinstance(schema, dict):
        return True
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            return False
        if set(schema.get("required", [])) != set(properties):
            return False
    children = [v for k, v in schema.items() if k not in ("enum", "const", "default", "examples")]
    return all(strict_capable(c) for c in children if isinstance(c, dict | list))


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every property (at any depth) also accepting null; the root stays as is."""
    out = dict(schema)
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {k: _or_null(v) for k, v in schema["properties"].items()}
    if isinstance(schema.get("items"), dict):
        out["items"] = nullable(schema["items"])
    for key in ("$defs", "definitions"):
        if isinstance(schema.get(key), dict):
            out[key] = {k: nullable(v) for k, v in schema[key].items()}
    return out


def _or_null(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    inner = nullable(schema)
    kind = inner.get("type")
    if isinstance(kind, str):
        inner["type"] = [kind, "null"] if kind != "null" else kind
    elif isinstance(kind, list):
        inner["type"] = kind if "null" in kind else [*kind, "null"]
    else:
        return {"anyOf": [inner, {"type": "null"}]}
    if isinstance(inner.get("enum"), list) and None not in inner["enum"]:
        inner["enum"] = [*inner["enum"], None]
    return inner


def problems(answer: Any, schema: dict[str, Any]) -> list[str]:
    """Where `answer` breaks `schema` (formats are not asserted), at most five."""
    validator = Draft202012Validator(schema)
    found = sorted(validator.iter_errors(answer), key=lambda e: list(e.absolute_path))
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"[:200]
        for e in found[:5]
    ]


def completed(answer: Any, schema: dict[str, Any]) -> Any:
    """`answer` with every property the schema lists present (missing ones null), recursively."""
    if isinstance(answer, dict) and isinstance(schema.get("properties"), dict):
        out = dict(answer)
        for key, sub in schema["properties"].items():
            out[key] = completed(answer.get(key), sub) if isinstance(sub, dict) else answer.get(key)
        return out
    if isinstance(answer, list) and isinstance(schema.get("items"), dict):
        return [completed(item, schema["items"]) for item in answer]
    return answer


def classify_schema(names: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"reasoning": {"type": "string"}, "category": {"enum": list(names)}},
        "required": ["reasoning", "category"],
        "additionalProperties": False,
    }


def split_schema(names: Sequence[str]) -> dict[str, Any]:
    page = {
        "type": "object",
        "properties": {
            "page": {"type": "integer"},
            "subdocument": {"enum": list(names)},
            "starts_new": {"type": "boolean"},
            "partition_value": {"type": ["string", "null"]},
        },
        "required": ["page", "subdocument", "starts_new", "partition_value"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"pages": {"type": "array", "items": page}},
        "required": ["pages"],
        "additionalProperties": False,
    }


def partition_schema() -> dict[str, Any]:
    group = {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "pages": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["key", "pages"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"partitions": {"type": "array", "items": group}},
        "required": ["partitions"],
        "additionalProperties": False,
    }


GENERATED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"json_schema": {"type": "object"}},
    "required": ["json_schema"],
}


def fill_schema(fields: Sequence[tuple[str, str, str, tuple[str, ...]]]) -> dict[str, Any]:
    """One nullable property per form field: boolean for a checkbox, an enum of its options."""
    properties: dict[str, Any] = {}
    for key, kind, description, options in fields:
        if kind == "checkbox":
            schema: dict[str, Any] = {"type": ["boolean", "null"]}
        elif options:
            schema = {"enum": [*options, None]}
        else:
            schema = {"type": ["string", "null"]}
        properties[key] = {**schema, "description": description}
    return {
        "type": "object", "properties": properties, "required": list(properties),
        "additionalProperties": False,
    }  # fmt: skip
