"""`jobstream jobs create|get|list|cancel|retry|watch`: the Jobs API from a shell.

The API address and key come from `--url`/`--api-key`, else `JOBS_API_URL`/`JOBS_API_KEY`, else
the `.run/env` that `make up` writes. `--json` prints the API's JSON on stdout (one object per
line for several jobs), progress goes to stderr. Exit codes:

  0 done (with --wait/watch: every job completed)   1 a job ended failed, cancelled or expired
  2 bad usage or unreadable file                    3 the API refused the request (4xx)
  4 job not found                                   5 the API is unreachable or answered 5xx
  6 --timeout passed before the jobs finished
"""

from __future__ import annotations

import argparse
import base64
import json
import mimetypes
import os
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from jobstream.client import TERMINAL, JobsAPIError, JobsClient
from jobstream.core.endpoints import ENDPOINT_SLUGS, NOOP_ENDPOINT, NOOP_SLUG
from jobstream.jobs_follow import follow_job
from jobstream_schemas.api import JobPublic
from jobstream_schemas.batch import JobBatchItemError

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_REFUSED, EXIT_NOT_FOUND, EXIT_UNAVAILABLE = range(6)
EXIT_TIMEOUT = 6
err = Console(stderr=True)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = sub.add_parser(
        "jobs",
        help="create, inspect and follow jobs over the API",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    jobs.add_argument("--url", default=None, help="API base URL (JOBS_API_URL)")
    jobs.add_argument("--api-key", default=None, help="API key (JOBS_API_KEY)")
    jobs.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    actions = jobs.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="one job per FILE")
    create.add_argument("files", nargs="+", type=Path, metavar="FILE")
    create.add_argument("--endpoint", required=True, help="e.g. parse or /v1/documents/parse")
    create.add_argument("--schema", type=Path, help="JSON Schema file (request.json_schema)")
    create.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a request field (VALUE parsed as JSON when it is)")  # fmt: skip
    create.add_argument("--metadata", action="append", default=[], metavar="KEY=VALUE")
    create.add_argument("--idempotency-key", help="with several files, suffixed -1, -2, ...")
    create.add_argument("--batch", action="store_true", help="one POST /v1/jobs/batch for all")
    create.add_argument("--wait", action="store_true", help="wait until every job is terminal")
    create.add_argument("--timeout", type=float, default=600.0)
    get = actions.add_parser("get", help="one job")
    get.add_argument("job_id")
    get.add_argument("--response", action="store_true", help="include the response")
    listing = actions.add_parser("list", help="one page of jobs, newest first")
    for name in ("status", "endpoint", "after", "before", "order"):
        listing.add_argument(f"--{name}")
    listing.add_argument("--limit", type=int, default=20)
    for name in ("cancel", "retry"):
        actions.add_parser(name, help=f"{name} a job").add_argument("job_id")
    watch = actions.add_parser("watch", help="follow a job until it ends")
    watch.add_argument("job_id")
    watch.add_argument("--timeout", type=float, default=600.0)
    jobs.set_defaults(func=run)


def endpoint_path(name: str) -> str:
    """`parse` → `/v1/documents/parse` (the first name listed for that slug); paths unchanged."""
    if name.startswith("/"):
        return name
    if name == NOOP_SLUG:
        return NOOP_ENDPOINT
    for path, slug in ENDPOINT_SLUGS.items():
        if slug == name:
            return path
    raise ValueError(f"unknown endpoint {name!r}")


def _settings(args: argparse.Namespace) -> tuple[str, str]:
    env = dict(os.environ)
    run_env = Path(".run/env")
    if ("JOBS_API_URL" not in env or "JOBS_API_KEY" not in env) and run_env.exists():
        lines = [line for line in run_env.read_text().splitlines() if "=" in line]
        env = {**dict(line.split("=", 1) for line in lines), **env}
    url = args.url or env.get("JOBS_API_URL", "http://127.0.0.1:8000")
    key = args.api_key or env.get("JOBS_API_KEY")
    if not key:
        raise ValueError("no API key: pass --api-key or set JOBS_API_KEY (make up writes .run/env)")
    return url, key


def run(args: argparse.Namespace) -> int:
    try:
        url, key = _settings(args)
        with JobsClient(url, key) as client:
            return ACTIONS[args.action](client, args)
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}")
        return EXIT_USAGE
    except JobsAPIError as exc:
        err.print(f"[red]{exc.status} {exc.code}:[/] {exc.message}")
        if exc.status == 404:
            return EXIT_NOT_FOUND
        return EXIT_UNAVAILABLE if exc.status >= 500 or exc.status == 429 else EXIT_REFUSED
    except httpx.TransportError as exc:
        err.print(f"[red]API unreachable:[/] {exc}")
        return EXIT_UNAVAILABLE


def _pairs(items: list[str], *, parse_json: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"expected KEY=VALUE, got {item!r}")
        if parse_json:
            try:
                out[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        out[key] = value
    return out


def _document(path: Path) -> dict[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"filename": path.name, "url": f"data:{mime};base64,{base64.b64encode(data).decode()}"}


def _request(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    request: dict[str, Any] = {**_pairs(args.param, parse_json=True), "document": _document(path)}
    if args.schema is not None:
        try:
            request["json_schema"] = json.loads(args.schema.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read the schema {args.schema}: {exc}") from exc
    return request


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(), console=err, transient=False,
    )  # fmt: skip


def cmd_create(client: JobsClient, args: argparse.Namespace) -> int:
    endpoint = endpoint_path(args.endpoint)
    metadata = _pairs(args.metadata, parse_json=False) or None
    requests = [(path, _request(args, path)) for path in args.files]
    with _progress() as progress:
        answers = _submit(client, args, progress, endpoint, metadata, requests)
        jobs = [a for a in answers if isinstance(a, JobPublic)]
        if args.wait:
            jobs = _wait_all(client, progress, jobs, timeout=args.timeout)
    waited = iter(jobs)
    for path, answer in zip(args.files, answers, strict=True):
        if isinstance(answer, JobBatchItemError):
            err.print(f"[red]{path}: {answer.error.code}:[/] {answer.error.message}")
        else:
            _show(args, next(waited), label=str(path))
    if any(job.status not in TERMINAL for job in jobs) and args.wait:
        return EXIT_TIMEOUT
    if args.wait and any(job.status != "completed" for job in jobs):
        return EXIT_JOB_FAILED
    return EXIT_REFUSED if len(jobs) < len(answers) else EXIT_OK


def _submit(
    client: JobsClient, args: argparse.Namespace, progress: Progress, endpoint: str,
    metadata: dict[str, Any] | None, requests: list[tuple[Path, dict[str, Any]]],
) -> list[JobPublic | JobBatchItemError]:  # fmt: skip
    """One create per file (a progress step each), or one batch."""
    task = progress.add_task("upload", total=len(requests), state="")
    if args.batch:
        items = [{"endpoint": endpoint, "request": request, "metadata": metadata}
                 for _, request in requests]  # fmt: skip
        result = client.create_batch(items, idempotency_key=args.idempotency_key)
        progress.update(task, completed=len(requests), state="batch")
        return list(result.data)
    answers: list[JobPublic | JobBatchItemError] = []
    for n, (path, request) in enumerate(requests, 1):
        key = args.idempotency_key and (
            args.idempotency_key if len(requests) == 1 else f"{args.idempotency_key}-{n}"
        )
        progress.update(task, state=path.name)
        answers.append(client.create(endpoint, request, metadata=metadata, idempotency_key=key))
        progress.advance(task)
    return answers


def _wait_all(
    client: JobsClient, progress: Progress, jobs: list[JobPublic], *, timeout: float
) -> list[JobPublic]:
    tasks: dict[str, TaskID] = {
        job.id: progress.add_task(job.id, total=None, state=job.status) for job in jobs
    }
    done: dict[str, JobPublic] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(jobs) and time.monotonic() < deadline:
        for job in jobs:
            if job.id in done:
                continue
            current = client.get(job.id, include_response=True)
            step = current.progress
            completed, total = (step.completed, step.total) if step is not None else (0, None)
            progress.update(tasks[job.id], state=current.status, completed=completed, total=total)
            if current.status in TERMINAL:
                progress.update(tasks[job.id], total=max(total or 1, 1), completed=total or 1)
                done[job.id] = current
        time.sleep(0.3 if len(done) < len(jobs) else 0)
    return [done.get(job.id, job) for job in jobs]


def _show(args: argparse.Namespace, job: JobPublic, *, label: str = "") -> None:
    if args.json:
        print(job.model_dump_json(exclude_none=True))
        return
    error = f"  {job.error.code}: {job.error.message}" if job.error is not None else ""
    print(f"{job.id}  {job.status:<9}  {job.endpoint}  {label}{error}".rstrip())


def cmd_get(client: JobsClient, args: argparse.Namespace) -> int:
    _show(args, client.get(args.job_id, include_response=args.response))
    return EXIT_OK


def cmd_list(client: JobsClient, args: argparse.Namespace) -> int:
    page = client.list(status=args.status, endpoint=args.endpoint, after=args.after,
                       before=args.before, order=args.order, limit=args.limit)  # fmt: skip
    if args.json:
        print(page.model_dump_json(exclude_none=True))
        return EXIT_OK
    for job in page.data:
        _show(args, job)
    if page.has_more:
        err.print(f"more: --after {page.last_id}")
    return EXIT_OK


def cmd_cancel(client: JobsClient, args: argparse.Namespace) -> int:
    _show(args, client.cancel(args.job_id))
    return EXIT_OK


def cmd_retry(client: JobsClient, args: argparse.Namespace) -> int:
    _show(args, client.retry_job(args.job_id))
    return EXIT_OK


def cmd_watch(client: JobsClient, args: argparse.Namespace) -> int:
    """Print each event until the job ends: its event stream, or polling where not served."""

    def say(what: str, data: object, at: float | None) -> None:
        if args.json:
            print(json.dumps({"id": args.job_id, "event": what, "data": data}), flush=True)
        else:  # the event's own time, else now
            print(f"{time.strftime('%H:%M:%S', time.localtime(at))}  {what}", flush=True)

    final = follow_job(client, args.job_id, timeout=args.timeout, say=say)
    if final is None:
        return EXIT_TIMEOUT
    return EXIT_OK if final == "completed" else EXIT_JOB_FAILED


ACTIONS = {"create": cmd_create, "get": cmd_get, "list": cmd_list, "cancel": cmd_cancel,
           "retry": cmd_retry, "watch": cmd_watch}  # fmt: skip
