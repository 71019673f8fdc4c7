"""Blob storage for offloaded artifacts: the `BlobStore` port, an in-memory fake and S3.

`S3BlobStore` speaks to AWS S3, MinIO or moto through aiobotocore with path-style addressing.
Errors come out as `BlobNotFoundError` (absent key), `BlobStoreUnavailableError` (worth retrying:
network trouble, timeouts, throttling, 5xx) or `BlobStoreError` (anything else, permanent).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Final, Protocol, TypeVar

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore import exceptions as boto_errors
from botocore.exceptions import ClientError

from jobstream.core.artifacts import ArtifactMissingError, ArtifactRef, Blob
from jobstream.core.errors import TransientError as TransientError  # re-exported

DEFAULT_CONCURRENCY: Final = 8
S3_BATCH_LIMIT: Final = 1000  # DeleteObjects accepts at most 1000 keys; ListObjectsV2 pages too

_T = TypeVar("_T")
_R = TypeVar("_R")


class BlobStoreError(Exception):
    """A blob store operation failed for good."""

    def __init__(self, key: str, reason: str = "") -> None:
        super().__init__(f"{key}: {reason}" if reason else key)
        self.key = key
        self.reason = reason


class BlobNotFoundError(BlobStoreError):
    """No blob is stored under the key."""


class BlobStoreUnavailableError(BlobStoreError, TransientError):
    """The blob store could not be reached or asked us to back off; retry later."""


class BlobStore(Protocol):
    """Stores opaque byte blobs by key: the artifacts offloaded from job requests and results."""

    async def put(self, *, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing any previous blob."""

    async def get(self, *, key: str) -> bytes:
        """The blob under `key`; raises `BlobNotFoundError` if there is none."""

    async def get_many(self, *, keys: Sequence[str]) -> dict[str, bytes]:
        """Every blob of `keys`, fetched concurrently; `BlobNotFoundError` if one is missing."""

    async def delete_many(self, *, keys: Sequence[str]) -> None:
        """Delete the blobs of `keys`; keys that do not exist are fine."""

    async def delete_prefix(self, *, prefix: str) -> int:
        """Delete every blob whose key starts with a non-empty `prefix`; returns how many."""

    async def close(self) -> None:
        """Release connections; idempotent."""


async def bounded_map(
    fn: Callable[[_T], Awaitable[_R]], items: Sequence[_T], *, limit: int = DEFAULT_CONCURRENCY
) -> list[_R]:
    """`[await fn(x) for x in items]`, `limit` at a time; the first error cancels the rest."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: _T) -> _R:
        async with semaphore:
            return await fn(item)

    tasks = [asyncio.ensure_future(one(item)) for item in items]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _require_prefix(prefix: str) -> None:
    if not prefix:
        raise ValueError("refusing to delete an empty prefix (that is the whole bucket)")


class InMemoryBlobStore:
    """A `BlobStore` in a dict, for unit tests; `content_types` records what `put` was told."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.content_types: dict[str, str] = {}
        self.closed = False

    async def put(self, *, key: str, data: bytes, content_type: str) -> None:
        self.blobs[key] = bytes(data)
        self.content_types[key] = content_type

    async def get(self, *, key: str) -> bytes:
        try:
            return self.blobs[key]
        except KeyError:
            raise BlobNotFoundError(key, "no such key") from None

    async def get_many(self, *, keys: Sequence[str]) -> dict[str, bytes]:
        return {key: await self.get(key=key) for key in dict.fromkeys(keys)}

    async def delete_many(self, *, keys: Sequence[str]) -> None:
        for key in keys:
            self.blobs.pop(key, None)
            self.content_types.pop(key, None)

    async def delete_prefix(self, *, prefix: str) -> int:
        _require_prefix(prefix)
        doomed = [key for key in self.blobs if key.startswith(prefix)]
        await self.delete_many(keys=doomed)
        return len(doomed)

    async def close(self) -> None:
        self.closed = True


_NOT_FOUND_CODES: Final = frozenset({"NoSuchKey", "NotFound", "404"})
# Also matched on DeleteObjects' per-key errors, which carry a code but no HTTP status.
_BACK_OFF: Final = frozenset({"SlowDown", "Throttling", "ThrottlingException"})
_TRANSIENT_CODES: Final = _BACK_OFF | {"InternalError", "RequestTimeout", "ServiceUnavailable"}
# Connection refused/closed, connect or read timeouts, a broken or corrupted response stream.
_TRANSIENT_EXCEPTIONS: Final = (
    boto_errors.ConnectionError,
    boto_errors.HTTPClientError,
    boto_errors.IncompleteReadError,
    boto_errors.ChecksumError,
    aiohttp.ClientError,
    TimeoutError,
)


def _client_error_to_blob_error(exc: ClientError, key: str) -> BlobStoreError:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    message = f"{code or status}: {exc}"
    if code in _NOT_FOUND_CODES or (status == 404 and code != "NoSuchBucket"):
        return BlobNotFoundError(key, message)
    if code in _TRANSIENT_CODES or status == 429 or status >= 500:
        return BlobStoreUnavailableError(key, message)
    return BlobStoreError(key, message)


@contextlib.contextmanager
def _s3_errors(key: str) -> Iterator[None]:
    """Translate botocore/aiohttp failures into this module's error types."""
    try:
        yield
    except ClientError as exc:
        raise _client_error_to_blob_error(exc, key) from exc
    except _TRANSIENT_EXCEPTIONS as exc:
        raise BlobStoreUnavailableError(key, f"{type(exc).__name__}: {exc}") from exc


def _client_config(*, max_concurrency: int, max_attempts: int) -> AioConfig:
    # Read timeout bounds one socket read, not a whole 20 MB body, so 60 s is generous.
    return AioConfig(
        s3={"addressing_style": "path"},
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=max(10, 2 * max_concurrency),
    )


class S3BlobStore:
    """A `BlobStore` on one S3 bucket (AWS, MinIO, moto). Build it with `connect`."""

    def __init__(
        self,
        *,
        client: Any,
        bucket: str,
        exit_stack: contextlib.AsyncExitStack | None = None,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = S3_BATCH_LIMIT,
    ) -> None:
        if not 1 <= batch_size <= S3_BATCH_LIMIT:
            raise ValueError(f"batch_size must be within 1..{S3_BATCH_LIMIT}")
        self._client = client
        self._bucket = bucket
        self._exit_stack = exit_stack or contextlib.AsyncExitStack()
        self._concurrency = max_concurrency
        self._batch_size = batch_size

    @classmethod
    async def connect(
        cls,
        *,
        endpoint_url: str | None,
        bucket: str,
        region: str = "us-east-1",
        access_key_id: str | None,
        secret_access_key: str | None,
        create_bucket: bool = False,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = S3_BATCH_LIMIT,
        max_attempts: int = 3,
    ) -> S3BlobStore:
        """Open a client (None credentials → the default AWS chain); create the bucket if asked.

        botocore retries each call up to `max_attempts` with jittered backoff (about 3.5 s in all
        for 3 attempts against a dead endpoint) before `BlobStoreUnavailableError` surfaces.
        """
        config = _client_config(max_concurrency=max_concurrency, max_attempts=max_attempts)
        stack = contextlib.AsyncExitStack()
        try:
            client = await stack.enter_async_context(
                get_session().create_client(
                    "s3",
                    endpoint_url=endpoint_url,
                    region_name=region,
                    aws_access_key_id=access_key_id,
                    aws_secret_access_key=secret_access_key,
                    config=config,
                )
            )
            store = cls(
                client=client,
                bucket=bucket,
                exit_stack=stack,
                max_concurrency=max_concurrency,
                batch_size=batch_size,
            )
            if create_bucket:
                await store._ensure_bucket(region=region)
        except BaseException:
            await stack.aclose()
            raise
        return store

    async def __aenter__(self) -> S3BlobStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _ensure_bucket(self, *, region: str) -> None:
        with _s3_errors(self._bucket):
            try:
                await self._client.head_bucket(Bucket=self._bucket)
                return
            except ClientError as exc:
                if not isinstance(_client_error_to_blob_error(exc, ""), BlobNotFoundError):
                    raise
            extra: dict[str, Any] = {}
            if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
                extra["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                await self._client.create_bucket(Bucket=self._bucket, **extra)
            except ClientError as exc:  # lost a creation race against another process
                if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                    raise

    async def put(self, *, key: str, data: bytes, content_type: str) -> None:
        with _s3_errors(key):
            await self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=content_type
            )

    async def get(self, *, key: str) -> bytes:
        with _s3_errors(key):
            response = await self._client.get_object(Bucket=self._bucket, Key=key)
            async with response["Body"] as stream:
                data = await stream.read()
        return bytes(data)

    async def get_many(self, *, keys: Sequence[str]) -> dict[str, bytes]:
        unique = list(dict.fromkeys(keys))

        async def fetch(key: str) -> bytes:
            return await self.get(key=key)

        values = await bounded_map(fetch, unique, limit=self._concurrency)
        return dict(zip(unique, values, strict=True))

    async def delete_many(self, *, keys: Sequence[str]) -> None:
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._batch_size):
            await self._delete_batch(unique[start : start + self._batch_size])

    async def _delete_batch(self, keys: Sequence[str]) -> None:
        with _s3_errors(keys[0]):
            response = await self._client.delete_objects(
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
            )
        failures: list[Mapping[str, Any]] = [
            err for err in response.get("Errors", []) if err.get("Code") != "NoSuchKey"
        ]
        if failures:
            first = failures[0]
            code = str(first.get("Code", ""))
            error_cls = BlobStoreUnavailableError if code in _TRANSIENT_CODES else BlobStoreError
            raise error_cls(str(first.get("Key", "")), f"{code}: {first.get('Message', '')}")

    async def delete_prefix(self, *, prefix: str) -> int:
        _require_prefix(prefix)
        deleted = 0
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self._bucket, Prefix=prefix, PaginationConfig={"PageSize": self._batch_size}
        )
        # Deleting a page before fetching the next is safe: continuation is by key order.
        with _s3_errors(prefix):
            async for page in pages:
                keys = [str(item["Key"]) for item in page.get("Contents", [])]
                if keys:
                    await self._delete_batch(keys)
                    deleted += len(keys)
        return deleted

    async def close(self) -> None:
        await self._exit_stack.aclose()


async def put_blobs(
    store: BlobStore, blobs: Sequence[Blob], *, concurrency: int = DEFAULT_CONCURRENCY
) -> None:
    """Store every blob, at most `concurrency` at a time."""

    async def put(blob: Blob) -> None:
        await store.put(key=blob.key, data=blob.data, content_type=blob.content_type)

    await bounded_map(put, blobs, limit=concurrency)


async def fetch_refs(store: BlobStore, refs: Sequence[ArtifactRef]) -> dict[str, bytes]:
    """The contents of `refs` by key, ready for `restore_strings`.

    A blob that is gone raises `ArtifactMissingError`; integrity is checked by `restore_strings`.
    """
    try:
        return await store.get_many(keys=[ref.key for ref in refs])
    except BlobNotFoundError as exc:
        raise ArtifactMissingError(exc.key, "blob not found") from exc
