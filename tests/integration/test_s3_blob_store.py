"""`S3BlobStore` on the suite's moto S3: byte-exact blobs, batches, errors, offload round trip."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from jobstream.adapters.blobs import (
    BlobNotFoundError,
    BlobStoreUnavailableError,
    S3BlobStore,
    TransientError,
    fetch_refs,
    put_blobs,
)
from jobstream.core.artifacts import offload_large_strings, restore_strings
from jobstream.devstack import infra
from jobstream.devstack.stack import StackLayout

pytestmark = pytest.mark.integration

MB = 1024 * 1024


async def connect(layout: StackLayout, **kwargs: object) -> S3BlobStore:
    options: dict[str, object] = {"bucket": layout.bucket, **kwargs}
    return await S3BlobStore.connect(
        endpoint_url=layout.ports.s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
async def store(infra_stack: StackLayout) -> AsyncIterator[S3BlobStore]:
    # A small batch size makes pagination and chunked deletes observable with a few objects.
    blob_store = await connect(infra_stack, batch_size=2)
    try:
        yield blob_store
    finally:
        await blob_store.close()


@pytest.fixture
def prefix() -> str:
    return f"it-blobs/{uuid.uuid4().hex}"


async def test_20mb_random_payload_round_trips_byte_exact(store: S3BlobStore, prefix: str) -> None:
    payload = os.urandom(20 * MB)
    key = f"{prefix}/big"
    started = time.perf_counter()
    await store.put(key=key, data=payload, content_type="application/octet-stream")
    stored_at = time.perf_counter()
    got = await store.get(key=key)
    fetched_at = time.perf_counter()
    assert len(got) == len(payload)
    assert got == payload
    print(f"20 MiB put {stored_at - started:.2f}s get {fetched_at - stored_at:.2f}s")


async def test_get_many_fetches_each_key_once(store: S3BlobStore, prefix: str) -> None:
    blobs = {f"{prefix}/{i}": f"blob {i}".encode() * (i + 1) for i in range(12)}
    for key, data in blobs.items():
        await store.put(key=key, data=data, content_type="text/plain")
    keys = [*blobs, next(iter(blobs))]  # a duplicate is fetched once
    assert await store.get_many(keys=keys) == blobs
    assert await store.get_many(keys=[]) == {}


async def test_get_many_raises_for_a_missing_key(store: S3BlobStore, prefix: str) -> None:
    await store.put(key=f"{prefix}/here", data=b"x", content_type="text/plain")
    with pytest.raises(BlobNotFoundError) as missing:
        await store.get_many(keys=[f"{prefix}/here", f"{prefix}/gone"])
    assert missing.value.key == f"{prefix}/gone"


async def test_missing_key_is_blob_not_found(store: S3BlobStore, prefix: str) -> None:
    with pytest.raises(BlobNotFoundError) as missing:
        await store.get(key=f"{prefix}/never-stored")
    assert missing.value.key == f"{prefix}/never-stored"
    assert not isinstance(missing.value, TransientError)


async def test_delete_many_in_batches_tolerates_missing_keys(
    store: S3BlobStore, prefix: str
) -> None:
    keys = [f"{prefix}/{i}" for i in range(5)]
    for key in keys:
        await store.put(key=key, data=b"d", content_type="text/plain")
    await store.put(key=f"{prefix}-keep", data=b"k", content_type="text/plain")
    await store.delete_many(keys=[*keys, f"{prefix}/missing"])
    await store.delete_many(keys=keys)  # again: idempotent
    await store.delete_many(keys=[])
    for key in keys:
        with pytest.raises(BlobNotFoundError):
            await store.get(key=key)
    assert await store.get(key=f"{prefix}-keep") == b"k"


async def test_delete_prefix_pages_and_counts(store: S3BlobStore, prefix: str) -> None:
    for i in range(7):
        await store.put(key=f"{prefix}/job/{i}", data=b"x", content_type="text/plain")
    await store.put(key=f"{prefix}/other/0", data=b"y", content_type="text/plain")
    assert await store.delete_prefix(prefix=f"{prefix}/job/") == 7
    assert await store.delete_prefix(prefix=f"{prefix}/job/") == 0
    assert await store.get(key=f"{prefix}/other/0") == b"y"
    with pytest.raises(ValueError, match="empty prefix"):
        await store.delete_prefix(prefix="")


async def test_create_bucket_when_asked(infra_stack: StackLayout) -> None:
    bucket = f"it-{uuid.uuid4().hex[:12]}"
    async with await connect(infra_stack, bucket=bucket, create_bucket=True) as fresh:
        await fresh.put(key="k", data=b"v", content_type="text/plain")
        assert await fresh.get(key="k") == b"v"
    async with await connect(infra_stack, bucket=bucket, create_bucket=True) as again:
        assert await again.delete_prefix(prefix="k") == 1


async def test_unreachable_endpoint_is_transient() -> None:
    closed_port = infra.free_port()
    store = await S3BlobStore.connect(
        endpoint_url=f"http://127.0.0.1:{closed_port}",
        bucket="nowhere",
        access_key_id="testing",
        secret_access_key="testing",
        max_attempts=1,  # botocore's own retries would only add jittered backoff here
    )
    try:
        with pytest.raises(BlobStoreUnavailableError) as unavailable:
            await store.get(key="k")
    finally:
        await store.close()
    assert isinstance(unavailable.value, TransientError)


async def test_offload_store_fetch_restore_20mb_document(store: S3BlobStore, prefix: str) -> None:
    pdf = b"%PDF-1.7\n" + os.urandom(15 * MB) + b"\n%%EOF\n"
    url = "data:application/pdf;base64," + base64.b64encode(pdf).decode()
    assert len(url) > 20 * MB
    request = {
        "documents": [
            {"filename": "big.pdf", "url": url},
            {"filename": "small.txt", "url": "data:text/plain;base64,aGk="},
        ],
        "model": "x",
        "json_schema": {"type": "object"},
    }
    started = time.perf_counter()
    stored, refs, blobs = offload_large_strings(
        request, key_prefix=f"{prefix}/request", threshold_bytes=256 * 1024
    )
    await put_blobs(store, blobs)
    offloaded_at = time.perf_counter()
    contents = await fetch_refs(store, refs)
    restored = restore_strings(stored, refs, contents)
    restored_at = time.perf_counter()
    assert restored == request
    assert restored["documents"][0]["url"] == url
    assert len(refs) == 1
    assert len(json.dumps(stored).encode()) < 4 * 1024
    assert len(json.dumps([r.to_dict() for r in refs]).encode()) < 1024
    print(
        f"20 MB data URL offload+put {offloaded_at - started:.2f}s "
        f"fetch+restore {restored_at - offloaded_at:.2f}s"
    )
