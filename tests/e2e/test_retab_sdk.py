"""The public `retab` Python SDK (0.0.140, hand-written generation), unmodified, drives our gateway.

The client is pointed at `<gateway>/v1` (the SDK's base URL includes the version prefix and its
paths are `/jobs…`). What each SDK call sends, as read from `retab/resources/jobs/client.py`:

- `jobs.create(endpoint, request, metadata)` → `POST /v1/jobs` JSON `{endpoint, request, metadata?}`
- `jobs.retrieve(id, include_request=False, include_response=False)` →
  `GET /v1/jobs/{id}?include_request=false&include_response=false`
- `jobs.retrieve_full(id)` → the same with both flags `true`
- `jobs.wait_for_completion(id, …)` → lightweight `retrieve` polls until a terminal status, then
  one `retrieve(include_response=True)` (`include_request=false`)
- `jobs.list(…)` → `GET /v1/jobs?limit=20&order=desc&…` (`metadata` as a JSON string,
  `document_type` repeated, booleans `true`/`false`)
- `jobs.cancel(id)` / `jobs.retry(id)` → `POST /v1/jobs/{id}/cancel|retry`, no body but
  `Content-Type: application/json`

Every call sends `Api-Key`; 2xx answers are parsed into `retab.types.jobs.Job` /
`JobListResponse` (pydantic, extra fields ignored); errors become `APIError` subclasses by status
(404 `NotFoundError`, 401 `AuthenticationError`, 422 `ValidationError`, others `APIError`).
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fpdf import FPDF

from tests.e2e.conftest import RunningStack, wait_for

pytest.importorskip("retab", reason="the retab SDK is not installed in this venv")
from retab import APIError, AsyncRetab, AuthenticationError, NotFoundError, Retab
from retab import ValidationError as RetabValidationError
from retab.types.jobs import Job, JobListResponse

pytestmark = pytest.mark.e2e

PARSE = "/v1/documents/parse"
NOOP = "/v1/diagnostics/noop"
PAGE_TEXTS = ("Hello from the retab SDK test", "Second page of the invoice")
NOT_TERMINAL = {"validating", "queued", "in_progress"}
POLL = 0.1  # seconds between the SDK's own wait_for_completion polls


def pdf_data_url(pages: tuple[str, ...] = PAGE_TEXTS) -> str:
    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=14)
        pdf.cell(text=text)
    return "data:application/pdf;base64," + base64.b64encode(bytes(pdf.output())).decode()


def parse_request(filename: str = "x.pdf") -> dict[str, object]:
    return {"document": {"filename": filename, "url": pdf_data_url()}}


def sdk_client(stack: RunningStack, org: str = "org_a") -> AsyncRetab:
    return AsyncRetab(api_key=stack.keys[org], base_url=f"{stack.url}/v1", timeout=60)


@pytest.fixture
async def sdk(running_stack: RunningStack) -> AsyncIterator[AsyncRetab]:
    async with sdk_client(running_stack) as client:
        yield client


async def sdk_job_when(sdk: AsyncRetab, job_id: str, *statuses: str, timeout: float = 30) -> Job:
    """Poll `jobs.retrieve` until the job's status is one of `statuses` (deadline, no sleep)."""

    async def probe() -> Job | None:
        job = await sdk.jobs.retrieve(job_id)
        return job if job.status in statuses else None

    return await wait_for(probe, timeout=timeout, what=f"{job_id} to be {'/'.join(statuses)}")


async def test_parse_job_create_retrieve_wait_and_retrieve_full(sdk: AsyncRetab) -> None:
    tag = uuid.uuid4().hex
    request = parse_request()

    created = await sdk.jobs.create(PARSE, request, metadata={"suite": "retab-sdk", "tag": tag})

    assert isinstance(created, Job)
    assert created.id.startswith("job_")
    assert created.object == "job"
    assert created.status in {"validating", "queued"}
    assert created.endpoint == PARSE
    assert created.metadata == {"suite": "retab-sdk", "tag": tag}
    assert created.request is None
    assert created.response is None
    assert created.expires_at > created.created_at

    fetched = await sdk.jobs.retrieve(created.id)
    assert fetched.id == created.id
    assert fetched.status in {*NOT_TERMINAL, "completed"}
    assert fetched.request is None
    assert fetched.response is None

    done = await sdk.jobs.wait_for_completion(
        created.id, poll_interval_seconds=POLL, timeout_seconds=60
    )
    assert done.status == "completed", done.error
    assert done.error is None
    assert done.started_at is not None
    assert done.completed_at is not None
    assert done.completed_at >= done.started_at >= done.created_at
    assert done.request is None  # wait_for_completion asks for the response only
    assert done.response is not None
    assert done.response.status_code == 200
    assert done.response.body["pages"] == list(PAGE_TEXTS)

    full = await sdk.jobs.retrieve_full(created.id)
    assert full.status == "completed"
    assert full.request == request  # the original shape, data URL included
    assert full.response is not None
    body = full.response.body
    assert body == done.response.body
    assert body["pages"] == list(PAGE_TEXTS)
    assert all(text in body["text"] for text in PAGE_TEXTS)
    assert body["document"]["filename"] == "x.pdf"
    assert body["document"]["mime_type"] == "application/pdf"
    assert body["document"]["id"].startswith("file_")
    assert body["usage"]["credits"] == 2.0


async def test_list_filters_and_envelope(sdk: AsyncRetab) -> None:
    tag = uuid.uuid4().hex
    job = await sdk.jobs.create(PARSE, parse_request("sdk-listing.pdf"), metadata={"tag": tag})
    done = await sdk.jobs.wait_for_completion(
        job.id, poll_interval_seconds=POLL, timeout_seconds=60
    )
    assert done.status == "completed", done.error
    day = datetime.fromtimestamp(job.created_at, UTC).date().isoformat()

    page = await sdk.jobs.list(
        limit=5,
        order="desc",
        status="completed",
        endpoint=PARSE,
        source="api",
        filename_contains="sdk-listing",
        document_type=["pdf"],
        from_date=day,
        to_date=day,
        metadata={"tag": tag},
    )

    assert isinstance(page, JobListResponse)
    assert page.object == "list"
    assert [j.id for j in page.data] == [job.id]
    assert page.first_id == page.last_id == job.id
    assert page.has_more is False
    listed = page.data[0]
    assert listed.status == "completed"
    assert listed.endpoint == PARSE
    assert listed.metadata == {"tag": tag}
    assert listed.request is None  # lightweight unless asked for
    assert listed.response is None

    by_id = await sdk.jobs.list(id=job.id, include_request=True, include_response=True)
    assert [j.id for j in by_id.data] == [job.id]
    assert by_id.data[0].request is not None
    assert by_id.data[0].request["document"]["filename"] == "sdk-listing.pdf"
    assert by_id.data[0].response is not None
    assert by_id.data[0].response.body["pages"] == list(PAGE_TEXTS)

    other = await sdk.jobs.list(metadata={"tag": tag}, status="failed")
    assert other.data == []
    assert other.first_id is None
    assert other.last_id is None
    assert other.has_more is False


async def test_list_pages_with_after_and_before(sdk: AsyncRetab) -> None:
    tag = uuid.uuid4().hex
    ids = [(await sdk.jobs.create(NOOP, {}, metadata={"tag": tag})).id for _ in range(3)]

    newest_first = await sdk.jobs.list(limit=2, metadata={"tag": tag})
    assert newest_first.has_more is True
    assert len(newest_first.data) == 2
    assert newest_first.last_id is not None
    rest = await sdk.jobs.list(limit=2, after=newest_first.last_id, metadata={"tag": tag})
    assert rest.has_more is False
    assert len(rest.data) == 1
    desc_ids = [j.id for j in newest_first.data + rest.data]
    assert sorted(desc_ids) == sorted(ids)

    assert rest.first_id is not None
    back = await sdk.jobs.list(limit=2, before=rest.first_id, metadata={"tag": tag})
    assert [j.id for j in back.data] == desc_ids[:2]

    oldest_first = await sdk.jobs.list(limit=10, order="asc", metadata={"tag": tag})
    assert [j.id for j in oldest_first.data] == desc_ids[::-1]


async def test_cancel_running_job(noop_worker: RunningStack, sdk: AsyncRetab) -> None:
    job = await sdk.jobs.create(NOOP, {"sleep_seconds": 30})
    await sdk_job_when(sdk, job.id, "in_progress")

    cancelled = await sdk.jobs.cancel(job.id)

    assert cancelled.id == job.id
    assert cancelled.status == "cancelled"
    assert cancelled.completed_at is not None
    settled = await sdk_job_when(sdk, job.id, "cancelled", "completed", "failed")
    assert settled.status == "cancelled"
    assert settled.response is None

    with pytest.raises(APIError) as refused:
        await sdk.jobs.cancel(job.id)
    assert type(refused.value) is APIError  # 400 has no dedicated subclass in the SDK
    assert refused.value.status_code == 400
    assert refused.value.code == "job_not_cancellable"
    assert refused.value.details == {"status": "cancelled"}


async def test_cancel_then_retry_runs_to_completion(
    noop_worker: RunningStack, sdk: AsyncRetab
) -> None:
    job = await sdk.jobs.create(NOOP, {"sleep_seconds": 2})

    cancelled = await sdk.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    await sdk_job_when(sdk, job.id, "cancelled")

    retried = await sdk.jobs.retry(job.id)

    assert retried.id == job.id
    assert retried.status == "queued"
    assert retried.error is None
    await sdk_job_when(sdk, job.id, "queued", "in_progress", "completed")
    done = await sdk.jobs.wait_for_completion(
        job.id, poll_interval_seconds=POLL, timeout_seconds=60
    )
    assert done.status == "completed", done.error
    assert done.response is not None
    assert done.response.body == {"ok": True, "job_id": job.id}

    with pytest.raises(APIError) as refused:
        await sdk.jobs.retry(job.id)
    assert refused.value.status_code == 400
    assert refused.value.code == "job_not_retryable"


async def test_unknown_job_raises_not_found(sdk: AsyncRetab) -> None:
    missing = "job_" + "A" * 21

    with pytest.raises(NotFoundError) as not_found:
        await sdk.jobs.retrieve(missing)

    err = not_found.value
    assert err.status_code == 404
    assert err.code == "job_not_found"
    assert missing in err.message
    assert err.request_id  # the gateway's x-request-id, surfaced by the SDK
    assert err.method == "GET"
    assert err.url is not None
    assert err.url.endswith(f"/v1/jobs/{missing}?include_request=false&include_response=false")
    for call in (sdk.jobs.retrieve_full, sdk.jobs.cancel, sdk.jobs.retry):
        with pytest.raises(NotFoundError):
            await call(missing)


async def test_other_organizations_job_is_not_found(
    running_stack: RunningStack, sdk: AsyncRetab
) -> None:
    job = await sdk.jobs.create(NOOP, {})
    async with sdk_client(running_stack, "org_b") as other:
        with pytest.raises(NotFoundError):
            await other.jobs.retrieve(job.id)
        assert job.id not in [j.id for j in (await other.jobs.list(limit=100)).data]


async def test_bad_api_key_and_invalid_create_map_to_sdk_errors(
    running_stack: RunningStack, sdk: AsyncRetab
) -> None:
    async with AsyncRetab(api_key="rtb_wrong", base_url=f"{running_stack.url}/v1") as wrong:
        with pytest.raises(AuthenticationError) as unauthorized:
            await wrong.jobs.list()
    assert unauthorized.value.status_code == 401
    assert unauthorized.value.code == "invalid_api_key"

    with pytest.raises(RetabValidationError) as invalid:
        await sdk.jobs.create("/v1/unknown/endpoint", {})
    assert invalid.value.status_code == 422
    assert invalid.value.code

    with pytest.raises(RetabValidationError):
        await sdk.jobs.create(NOOP, {}, metadata={"k" * 65: "v"})


async def test_sync_client_configured_from_environment(
    running_stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAB_API_KEY", running_stack.keys["org_a"])
    monkeypatch.setenv("RETAB_API_BASE_URL", f"{running_stack.url}/v1")

    def round_trip() -> Job:
        client = Retab()
        try:
            job = client.jobs.create(PARSE, parse_request(), metadata={"client": "sync"})
            return client.jobs.wait_for_completion(
                job.id, poll_interval_seconds=POLL, timeout_seconds=60
            )
        finally:
            client.close()

    done = await asyncio.to_thread(round_trip)

    assert done.status == "completed", done.error
    assert done.metadata == {"client": "sync"}
    assert done.response is not None
    assert done.response.body["pages"] == list(PAGE_TEXTS)


# Consistency right after cancel and retry, as an SDK user chains the calls. Each race shows up
# only on some attempts, so each test repeats the sequence.


async def test_retrieve_right_after_cancel_shows_cancelled(
    noop_worker: RunningStack, sdk: AsyncRetab
) -> None:
    for _ in range(20):
        job = await sdk.jobs.create(NOOP, {"sleep_seconds": 5})
        assert (await sdk.jobs.cancel(job.id)).status == "cancelled"
        seen = await sdk.jobs.retrieve(job.id)
        assert seen.status == "cancelled", f"{job.id}: GET after cancel shows {seen.status}"


async def test_retry_right_after_cancel_is_accepted(
    noop_worker: RunningStack, sdk: AsyncRetab
) -> None:
    for _ in range(30):
        job = await sdk.jobs.create(NOOP, {"sleep_seconds": 1})
        assert (await sdk.jobs.cancel(job.id)).status == "cancelled"
        try:
            retried = await sdk.jobs.retry(job.id)
        except APIError as exc:
            raise AssertionError(f"{job.id}: retry after cancel refused: {exc!r}") from exc
        assert retried.status == "queued"


async def test_wait_for_completion_right_after_retry(
    noop_worker: RunningStack, sdk: AsyncRetab
) -> None:
    for _ in range(20):
        job = await sdk.jobs.create(NOOP, {"sleep_seconds": 0.5})
        assert (await sdk.jobs.cancel(job.id)).status == "cancelled"
        await sdk_job_when(sdk, job.id, "cancelled")
        assert (await sdk.jobs.retry(job.id)).status == "queued"
        done = await sdk.jobs.wait_for_completion(
            job.id, poll_interval_seconds=POLL, timeout_seconds=60
        )
        assert done.status == "completed", f"{job.id}: wait_for_completion returned {done.status}"


async def test_accepted_cancel_is_final(noop_worker: RunningStack, sdk: AsyncRetab) -> None:
    for _ in range(40):
        job = await sdk.jobs.create(NOOP, {})
        try:
            answer = await sdk.jobs.cancel(job.id)
        except APIError as exc:
            if exc.status_code in (400, 409):  # refused honestly: it had already ended
                continue
            raise
        assert answer.status == "cancelled"
        end = await sdk_job_when(sdk, job.id, "cancelled", "completed", "failed")
        assert end.status == "cancelled", f"{job.id}: cancel answered 200 but it ended {end.status}"
