"""`jobstream jobs ...` and `jobstream.client` against the running stack: create with --wait
(one file, several, a batch), the exit codes a shell sees, get/list/cancel/retry/watch, the
async client with an idempotency key, and both clients managing webhooks and their deliveries."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

from jobstream.client import AsyncJobsClient, JobsAPIError, JobsClient
from jobstream_schemas.webhooks import WebhookDelivery
from tests.e2e.conftest import RunningStack, wait_for
from tests.e2e.receiver import serving

pytestmark = pytest.mark.e2e
JOBSTREAM = str(Path(sys.executable).parent / "jobstream")


async def cli(
    stack: RunningStack, cwd: Path, *args: str, key: str | None = None
) -> tuple[int, str]:
    """Run `jobstream jobs ARGS` as a shell would; (exit code, stdout)."""
    proc = await asyncio.create_subprocess_exec(
        JOBSTREAM, "jobs", *args, cwd=cwd, env=_env(stack, key),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return int(proc.returncode or 0), out.decode()


def _env(stack: RunningStack, key: str | None = None) -> dict[str, str]:
    return {"JOBS_API_URL": stack.url, "JOBS_API_KEY": key or stack.keys["org_a"],
            "PATH": "/usr/bin"}  # fmt: skip


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def write_pdf(path: Path, text: str) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    pdf.output(str(path))
    return path


async def test_create_two_files_and_wait_prints_both_completed_jobs(
    running_stack: RunningStack, tmp_path: Path
) -> None:
    pdf = write_pdf(tmp_path / "a.pdf", "CLI alpha")
    (tmp_path / "b.txt").write_text("CLI beta text")
    code, out = await cli(running_stack, tmp_path, "--json", "create", "a.pdf", "b.txt",
                          "--endpoint", "parse", "--metadata", "via=cli", "--wait")  # fmt: skip
    jobs = lines(out)
    assert code == 0, out
    assert [j["status"] for j in jobs] == ["completed", "completed"]
    assert "CLI alpha" in jobs[0]["response"]["body"]["text"]
    assert "CLI beta text" in jobs[1]["response"]["body"]["text"]
    assert jobs[0]["metadata"] == {"via": "cli"}
    assert pdf.exists()


async def test_a_batch_creates_every_file_in_one_call(
    running_stack: RunningStack, tmp_path: Path
) -> None:
    for name in ("x.txt", "y.txt"):
        (tmp_path / name).write_text(f"batch {name}")
    code, out = await cli(running_stack, tmp_path, "--json", "create", "x.txt", "y.txt",
                          "--endpoint", "/v1/documents/parse", "--batch", "--wait")  # fmt: skip
    assert code == 0, out
    assert [j["status"] for j in lines(out)] == ["completed", "completed"]


async def test_exit_codes_say_what_went_wrong(noop_worker: RunningStack, tmp_path: Path) -> None:
    stack = noop_worker
    (tmp_path / "n.txt").write_text("noop")
    failed = await cli(stack, tmp_path, "create", "n.txt", "--endpoint", "noop",
                       "--param", 'fail="permanent"', "--wait")  # fmt: skip
    assert failed[0] == 1 and "failed" in failed[1] and "diagnostic_failure" in failed[1]
    assert (await cli(stack, tmp_path, "create", "missing.pdf", "--endpoint", "parse"))[0] == 2
    assert (await cli(stack, tmp_path, "get", "job_doesnotexist00000000"))[0] == 4
    assert (await cli(stack, tmp_path, "list", key="js_not_a_key"))[0] == 3
    assert (await cli(stack, tmp_path, "create", "n.txt", "--endpoint", "nope"))[0] == 2
    unreachable = {"JOBS_API_URL": "http://127.0.0.1:9"}
    proc = await asyncio.create_subprocess_exec(
        JOBSTREAM, "jobs", "list", cwd=tmp_path,
        env={**unreachable, "JOBS_API_KEY": "k", "PATH": "/usr/bin"},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert await proc.wait() == 5


async def test_get_list_cancel_retry_and_watch(noop_worker: RunningStack, tmp_path: Path) -> None:
    stack = noop_worker
    (tmp_path / "slow.txt").write_text("slow")
    code, out = await cli(stack, tmp_path, "--json", "create", "slow.txt", "--endpoint", "noop",
                          "--param", "sleep_seconds=60")  # fmt: skip
    assert code == 0, out
    job_id = lines(out)[0]["id"]
    code, out = await cli(stack, tmp_path, "--json", "list", "--limit", "50")
    assert code == 0 and job_id in {j["id"] for j in json.loads(out)["data"]}
    # watch follows the job's event stream while it runs, and ends with the cancel.
    watch = await asyncio.create_subprocess_exec(
        JOBSTREAM, "jobs", "watch", job_id, cwd=tmp_path, env=_env(stack),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert watch.stdout is not None
    # Its first line is the status it read; only then is the job cancelled under its eyes.
    first = await asyncio.wait_for(watch.stdout.readline(), timeout=60)
    assert b"cancelled" not in first, first
    await wait_for(lambda: _started(stack, job_id), what=f"{job_id} started", timeout=60)
    assert (await cli(stack, tmp_path, "cancel", job_id))[0] == 0
    rest, _ = await asyncio.wait_for(watch.communicate(), timeout=60)
    out = (first + rest).decode()
    assert watch.returncode == 1 and "job.started" in out and "job.cancelled" in out, out

    async def cancelled() -> bool:
        code, out = await cli(stack, tmp_path, "--json", "get", job_id)
        return code == 0 and lines(out)[0]["status"] == "cancelled"

    await wait_for(cancelled, what=f"{job_id} cancelled", timeout=60)
    watched = await cli(stack, tmp_path, "watch", job_id)
    assert watched[0] == 1 and "cancelled" in watched[1]  # a job that ended: said at once
    code, out = await cli(stack, tmp_path, "--json", "retry", job_id)
    assert code == 0 and lines(out)[0]["id"] == job_id


async def test_the_async_client_with_an_idempotency_key(running_stack: RunningStack) -> None:
    document = {"filename": "i.txt", "url": "data:text/plain,idempotent"}
    async with AsyncJobsClient(running_stack.url, running_stack.keys["org_a"]) as client:
        first = await client.create("/v1/documents/parse", {"document": document},
                                    idempotency_key="ops-cli-idem-1")  # fmt: skip
        again = await client.create("/v1/documents/parse", {"document": document},
                                    idempotency_key="ops-cli-idem-1")  # fmt: skip
        done = await client.wait(first.id, timeout=60)
        page = await client.list(limit=100)
    assert again.id == first.id
    assert done.status == "completed" and done.response is not None
    assert first.id in {job.id for job in page.data}


async def _started(stack: RunningStack, job_id: str) -> bool:
    async with stack.client() as client:
        return bool((await client.get(f"/v1/jobs/{job_id}")).json()["status"] == "in_progress")


async def test_the_clients_manage_webhooks_and_their_deliveries(
    running_stack: RunningStack,
) -> None:
    url, key = running_stack.url, running_stack.keys["org_b"]
    document = {"filename": "w.txt", "url": "data:text/plain,client webhook"}
    async with serving() as receiver, AsyncJobsClient(url, key) as client:
        hook = await client.create_webhook(
            receiver.url("/client"), events=["job.completed"], description="client test"
        )
        assert hook.secret and hook.events == ["job.completed"]
        assert hook.id in {h.id for h in (await client.list_webhooks()).data}
        assert (await client.get_webhook(hook.id)).secret is None  # shown once
        job = await client.create("/v1/documents/parse", {"document": document})
        await client.wait(job.id, timeout=60)

        async def succeeded() -> list[WebhookDelivery]:
            return (await client.deliveries(hook.id, status="succeeded")).data

        (delivery,) = await wait_for(succeeded, what="the delivery", timeout=60)
        assert (delivery.job_id, delivery.event_type) == (job.id, "job.completed")
        assert (await client.retry_delivery(hook.id, delivery.id)).id == delivery.id

        async def twice() -> bool:
            return len(receiver.at("/client")) >= 2

        await wait_for(twice, what="the re-sent delivery", timeout=60)
        assert {r.headers["webhook-id"] for r in receiver.at("/client")} == {delivery.id}
        with JobsClient(url, key) as blocking:  # the blocking client, off the event loop
            deleted = await asyncio.to_thread(blocking.delete_webhook, hook.id)
            assert deleted.deleted and deleted.id == hook.id
            with pytest.raises(JobsAPIError) as caught:
                await asyncio.to_thread(blocking.get_webhook, hook.id)
        assert caught.value.status == 404
