"""The request's JSON Schema: checked against its meta-schema, local `$ref`s resolved, optional
types (`anyOf: [X, null]`, `type: [X, "null"]`) read as X.

An invalid schema is the client's to fix: `InvalidEngineRequestError` (`validation_error`) names
the offending keyword and where it sits.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from jsonschema.exceptions import SchemaError
from jsonschema.validators import Draft202012Validator, validator_for

from jobstream.engines.port import InvalidEngineRequestError


def check_schema(schema: Any) -> None:
    """Raise InvalidEngineRequestError unless `schema` is a valid JSON Schema of an object.

    The meta-schema check costs tens of milliseconds; a schema seen before (by its canonical
    JSON) is not checked again."""
    if isinstance(schema, dict):
        try:
            key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:
            key = None
        if key is not None:
            _check_canonical(key)
            return
    _check(schema)


@functools.lru_cache(maxsize=256)
def _check_canonical(key: str) -> None:
    _check(orjson.loads(key))


def _check(schema: Any) -> None:
    if not isinstance(schema, dict):
        raise InvalidEngineRequestError(
            "invalid JSON Schema: keyword 'type' at $: json_schema must be a JSON object",
            details={"keyword": "type", "path": "$"},
        )
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as error:
        location = [str(part) for part in error.path]
        keyword = next((p for p in reversed(location) if not p.isdigit()), str(error.validator))
        path = "$" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in location)
        raise InvalidEngineRequestError(
            f"invalid JSON Schema: keyword '{keyword}' at {path}: {error.message}",
            details={"keyword": keyword, "path": path, "meta_keyword": str(error.validator)},
        ) from error
    properties = schema.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise InvalidEngineRequestError(
            "invalid JSON Schema: keyword 'properties' must be an object",
            details={"keyword": "properties", "path": "$.properties"},
        )


def resolve(node: Any, root: dict[str, Any], *, depth: int = 0) -> dict[str, Any]:
    """The schema node with local `$ref`s followed and optional types unwrapped."""
    if not isinstance(node, dict):
        return {}
    if "$ref" in node and depth < 32:
        target = _follow(str(node["$ref"]), root)
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return resolve(merged, root, depth=depth + 1)
    for keyword in ("anyOf", "oneOf"):
        branches = node.get(keyword)
        if isinstance(branches, list) and "type" not in node:
            real = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
            if real:
                rest = {k: v for k, v in node.items() if k != keyword}
                return resolve({**real[0], **rest}, root, depth=depth + 1)
    if isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
        rest = {k: v for k, v in node.items() if k != "allOf"}
        return resolve({**node["allOf"][0], **rest}, root, depth=depth + 1)
    return node


def _follow(reference: str, root: dict[str, Any]) -> dict[str, Any]:
    if not reference.startswith("#"):
        raise InvalidEngineRequestError(
            f"invalid JSON Schema: keyword '$ref' {reference!r}: only local references (#/...)",
            details={"keyword": "$ref", "path": reference},
        )
    target: Any = root
    for part in [p for p in reference[1:].split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            raise InvalidEngineRequestError(
                f"invalid JSON Schema: keyword '$ref' {reference!r} points nowhere",
                details={"keyword": "$ref", "path": reference},
            )
        target = target[part]
    return target if isinstance(target, dict) else {}
