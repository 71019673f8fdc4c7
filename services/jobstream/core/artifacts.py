"""Offloading of large embedded `data:` URLs out of job requests, and their byte-exact restore.

A job request is an arbitrary JSON object that may embed whole documents as `data:` URL strings.
Kafka messages and MongoDB documents must stay small, so the gateway swaps every large `data:`
string for a short placeholder and stores the original string's UTF-8 bytes as a blob. Each swap is
recorded as an `ArtifactRef` holding the RFC 6901 JSON pointer of the swapped string, which is the
only place the restore looks: a user string that merely resembles a placeholder is never touched.

Everything here is pure: no I/O, and inputs are never mutated (callers get fresh containers).
Strings are encoded with the `surrogatepass` handler so that even lone surrogates, which `json`
happily decodes from `\\ud800` escapes, round-trip exactly instead of failing the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

DATA_URL_PREFIX: Final = "data:"
PLACEHOLDER_PREFIX: Final = "jobstream-artifact:"
BLOB_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
_ENCODING: Final = "utf-8"
_ERRORS: Final = "surrogatepass"


@dataclass(frozen=True)
class ArtifactRef:
    """Where an offloaded string sat in the request, and what its stored bytes must be."""

    key: str
    pointer: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, str | int]:
        """A plain JSON-ready mapping, for the job document and event payloads."""
        return {"key": self.key, "pointer": self.pointer, "size": self.size, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArtifactRef:
        """The inverse of `to_dict`; raises `ValueError` on a malformed mapping."""
        key, pointer, size, sha = (data.get(f) for f in ("key", "pointer", "size", "sha256"))
        if not (isinstance(key, str) and isinstance(pointer, str) and isinstance(sha, str)):
            raise ValueError(f"malformed artifact ref: {dict(data)!r}")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"malformed artifact ref size: {size!r}")
        return cls(key=key, pointer=pointer, size=size, sha256=sha)


@dataclass(frozen=True)
class Blob:
    """Bytes to store under `key` before the request that references them is persisted."""

    key: str
    data: bytes
    content_type: str


class ArtifactError(Exception):
    """A request's artifacts cannot be restored."""

    def __init__(self, key: str, reason: str = "") -> None:
        super().__init__(f"{key}: {reason}" if reason else key)
        self.key = key
        self.reason = reason


class ArtifactMissingError(ArtifactError):
    """An artifact's content is absent (purged, never stored, or not fetched)."""


class ArtifactIntegrityError(ArtifactError):
    """An artifact's content, or the place it goes back to, is not what was recorded."""


def placeholder_for(key: str) -> str:
    """The short string that stands in for an offloaded value in the stored request."""
    return f"{PLACEHOLDER_PREFIX}{key}"


def escape_pointer_token(token: str) -> str:
    """Escape one reference token per RFC 6901 (`~` first, then `/`)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    """Undo `escape_pointer_token` (`~1` first, then `~0`, as RFC 6901 requires)."""
    return token.replace("~1", "/").replace("~0", "~")


def parse_pointer(pointer: str) -> list[str]:
    """Split an RFC 6901 pointer into unescaped tokens; `""` is the whole document."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [unescape_pointer_token(t) for t in pointer[1:].split("/")]


@dataclass
class _Offloader:
    key_prefix: str
    threshold_bytes: int
    refs: list[ArtifactRef] = field(default_factory=list)
    blobs: list[Blob] = field(default_factory=list)

    def walk(self, value: Any, pointer: str) -> Any:
        """A copy of `value` with large `data:` strings replaced, in depth-first document order."""
        if isinstance(value, dict):
            return {
                k: self.walk(v, f"{pointer}/{escape_pointer_token(str(k))}")
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.walk(v, f"{pointer}/{i}") for i, v in enumerate(value)]
        if isinstance(value, str) and value.startswith(DATA_URL_PREFIX):
            data = value.encode(_ENCODING, _ERRORS)
            if len(data) > self.threshold_bytes:
                return self._offload(data, pointer)
        return value

    def _offload(self, data: bytes, pointer: str) -> str:
        key = f"{self.key_prefix}/{len(self.blobs)}"
        digest = hashlib.sha256(data).hexdigest()
        self.refs.append(ArtifactRef(key=key, pointer=pointer, size=len(data), sha256=digest))
        self.blobs.append(Blob(key=key, data=data, content_type=BLOB_CONTENT_TYPE))
        return placeholder_for(key)


def offload_large_strings(
    request: dict[str, Any], *, key_prefix: str, threshold_bytes: int
) -> tuple[dict[str, Any], list[ArtifactRef], list[Blob]]:
    """Replace every `data:` string longer than `threshold_bytes` (UTF-8) by a placeholder.

    Returns the stored request (a fresh copy), one ref per replaced string and the blobs to store,
    keyed `f"{key_prefix}/{n}"` with n counting replacements in depth-first document order.
    """
    if threshold_bytes < 0:
        raise ValueError("threshold_bytes must be >= 0")
    offloader = _Offloader(key_prefix=key_prefix.rstrip("/"), threshold_bytes=threshold_bytes)
    stored: dict[str, Any] = offloader.walk(request, "")
    return stored, offloader.refs, offloader.blobs


def copy_json(value: Any) -> Any:
    """A structural copy of a JSON-like value: fresh dicts and lists, shared immutable leaves."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def apply_pointer_replacements(document: Any, replacements: Mapping[str, tuple[str, str]]) -> Any:
    """A copy of `document` where, at each pointer, the string `expected` is swapped for `new`.

    `replacements` maps pointer → (expected, new). Raises `LookupError` when a pointer does not
    resolve to a string equal to `expected`; the input is left untouched either way.
    """
    result = copy_json(document)
    for pointer, (expected, new) in replacements.items():
        result = _replace_at(result, pointer, expected, new)
    return result


def _replace_at(document: Any, pointer: str, expected: str, new: str) -> Any:
    """Swap in place (inside `document`) and return the possibly new root."""
    try:
        tokens = parse_pointer(pointer)
    except ValueError as exc:
        raise LookupError(str(exc)) from exc
    if not tokens:
        if document != expected:
            raise LookupError(f"{pointer!r} does not hold the expected value")
        return new
    parent = _resolve(document, tokens[:-1], pointer)
    _replace_child(parent, tokens[-1], expected, new, pointer)
    return document


def _resolve(document: Any, tokens: Sequence[str], pointer: str) -> Any:
    node = document
    for token in tokens:
        node = _child(node, token, pointer)
    return node


def _child(node: Any, token: str, pointer: str) -> Any:
    if isinstance(node, dict):
        if token in node:
            return node[token]
    elif isinstance(node, list) and token.isascii() and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    raise LookupError(f"{pointer!r} does not resolve at {token!r}")


def _replace_child(parent: Any, token: str, expected: str, new: str, pointer: str) -> None:
    current = _child(parent, token, pointer)
    if not isinstance(current, str) or current != expected:
        raise LookupError(f"{pointer!r} does not hold the expected value")
    if isinstance(parent, list):
        parent[int(token)] = new
    else:
        parent[token] = new


def verify_content(ref: ArtifactRef, data: bytes) -> str:
    """The original string of `ref`, after checking its size and sha256."""
    if len(data) != ref.size:
        raise ArtifactIntegrityError(ref.key, f"size {len(data)} != recorded {ref.size}")
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise ArtifactIntegrityError(ref.key, "sha256 does not match the recorded digest")
    try:
        return data.decode(_ENCODING, _ERRORS)
    except UnicodeDecodeError as exc:
        raise ArtifactIntegrityError(ref.key, "content is not UTF-8") from exc


def restore_strings(
    stored: dict[str, Any], refs: Sequence[ArtifactRef], contents: Mapping[str, bytes]
) -> dict[str, Any]:
    """The original request: each ref's placeholder, at its pointer only, gets its string back.

    Raises `ArtifactMissingError` when a ref's key is absent from `contents`, and
    `ArtifactIntegrityError` when the content's size or sha256 differ from the ref or the pointer
    does not hold the ref's placeholder. Never mutates `stored`.
    """
    originals: list[tuple[ArtifactRef, str]] = []
    for ref in refs:
        if ref.key not in contents:
            raise ArtifactMissingError(ref.key, "content not available")
        originals.append((ref, verify_content(ref, contents[ref.key])))
    restored = copy_json(stored)
    for ref, original in originals:
        try:
            restored = _replace_at(restored, ref.pointer, placeholder_for(ref.key), original)
        except LookupError as exc:
            raise ArtifactIntegrityError(ref.key, str(exc)) from exc
    if not isinstance(restored, dict):
        raise ArtifactIntegrityError(refs[0].key, "restored request is not an object")
    return restored
