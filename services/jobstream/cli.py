"""The `jobstream` command: one entry point for every service and the operator tools.

jobstream gateway | worker [SLUG[,SLUG...] | all] | projector [rebuild] | janitor | notifier
jobstream run all
jobstream keys create --org ORG      jobstream topics create      jobstream schemas export
jobstream dev up|down|status|clean|monitor   (the local stack behind `make up`)
jobstream jobs create|get|list|cancel|retry|watch   (the Jobs API from a shell)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

from jobstream import jobs_cli, logs
from jobstream.adapters import tracing
from jobstream.devstack import cli as dev_cli

Service = Callable[[asyncio.Event], Awaitable[None]]


def dump_tasks() -> None:
    """SIGUSR1: log every asyncio task with its stack, to see where a service waits."""
    log = logging.getLogger("jobstream.tasks")
    for task in asyncio.all_tasks():
        frames = io.StringIO()
        task.print_stack(limit=12, file=frames)
        log.warning("task", extra={"task": task.get_name(), "stack": frames.getvalue()})


def run_until_signalled(*services: Service) -> int:
    """Run services until SIGTERM/SIGINT, then let them stop cleanly."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGUSR1, dump_tasks)
        await asyncio.gather(*(service(stop) for service in services))

    tune_gc()
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(main())
    tracing.shutdown()
    return 0


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where installed (a dependency; about twice the event-loop throughput of the
    standard loop), else asyncio's own. uvicorn picks it for the gateway the same way."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a declared dependency
        return None
    return uvloop.new_event_loop


def tune_gc() -> None:
    """Fewer, cheaper cyclic collections for a long-running service: what is alive after start-up
    (modules, models, settings) is frozen out of every later collection, and the youngest
    generation is collected every 20,000 allocations instead of 700 (a busy service allocates
    that many in a few milliseconds; almost all of it is freed by reference counting anyway)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def raise_open_file_limit() -> int:
    """Lift the soft open-file limit to the hard one (as Go's runtime does for every program): a
    gateway holds a socket per event stream, and the usual soft 1,024 stops it short of a
    thousand streams. Returns the soft limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # a container may forbid it; the limit stays what it was
    return soft


def cmd_gateway(args: argparse.Namespace) -> int:
    import uvicorn

    from jobstream.gateway.app import create_app
    from jobstream.settings import GatewaySettings

    settings = GatewaySettings()
    logs.configure("gateway", settings.log_level)
    tracing.configure("gateway", enabled=settings.otel_enabled)
    raise_open_file_limit()
    app = create_app(settings)
    tune_gc()
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
    tracing.shutdown()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from jobstream.settings import WorkerSettings
    from jobstream.workers.app import parse_slugs, run_workers

    settings = WorkerSettings(**({"slug": args.slug} if args.slug else {}))
    slugs = parse_slugs(settings.slug)
    logs.configure(f"worker-{'+'.join(slugs)}", settings.log_level)
    tracing.configure(f"worker-{'+'.join(slugs)}", enabled=settings.otel_enabled)
    return run_until_signalled(lambda stop: run_workers(settings, slugs, stop=stop))


def cmd_projector(args: argparse.Namespace) -> int:
    from jobstream.projector.app import rebuild, run_projector
    from jobstream.settings import ProjectorSettings

    settings = ProjectorSettings()
    logs.configure("projector", settings.log_level)
    tracing.configure("projector", enabled=settings.otel_enabled)
    if args.action == "rebuild":
        count = asyncio.run(rebuild(settings))
        print(f"rebuilt the read model from {count} events")
        return 0
    return run_until_signalled(lambda stop: run_projector(settings, stop=stop))


def cmd_janitor(args: argparse.Namespace) -> int:
    from jobstream.janitor.app import run_janitor
    from jobstream.settings import JanitorSettings

    settings = JanitorSettings()
    logs.configure("janitor", settings.log_level)
    tracing.configure("janitor", enabled=settings.otel_enabled)
    return run_until_signalled(lambda stop: run_janitor(settings, stop=stop))


def cmd_notifier(args: argparse.Namespace) -> int:
    from jobstream.notifier.app import run_notifier
    from jobstream.settings import NotifierSettings

    settings = NotifierSettings()
    logs.configure("notifier", settings.log_level)
    tracing.configure("notifier", enabled=settings.otel_enabled)
    return run_until_signalled(lambda stop: run_notifier(settings, stop=stop))


def cmd_keys(args: argparse.Namespace) -> int:
    from jobstream.bootstrap import create_api_key
    from jobstream.core.principal import endpoint_names_of
    from jobstream.settings import CommonSettings

    settings = CommonSettings()
    key = create_api_key(
        settings.mongo_url, settings.mongo_database, organization_id=args.org, name=args.name,
        endpoint_names=endpoint_names_of(args.endpoint_names) or "as_submitted",
    )  # fmt: skip
    print(asyncio.run(key))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from jobstream.adapters.kafka_topics import ensure_topics, topic_plan
    from jobstream.settings import CommonSettings

    settings = CommonSettings()
    created = asyncio.run(ensure_topics(settings.kafka_bootstrap, topic_plan(settings)))
    print(f"created: {', '.join(created) or 'none (all exist)'}")
    return 0


def cmd_schemas(args: argparse.Namespace) -> int:
    from jobstream.schema_export import export_all

    for path in export_all(check=args.check):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobstream", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("gateway", help="the HTTP API").set_defaults(func=cmd_gateway)
    worker = sub.add_parser("worker", help="a worker service")
    worker.add_argument(
        "slug",
        nargs="?",
        help="endpoint slug, several comma-separated, or `all` (default: JOBSTREAM_WORKER_SLUG)",
    )
    worker.set_defaults(func=cmd_worker)
    projector = sub.add_parser("projector", help="the read-model writer")
    projector.add_argument("action", nargs="?", choices=["run", "rebuild"], default="run")
    projector.set_defaults(func=cmd_projector)
    sub.add_parser("janitor", help="expiry, purge, outbox relay").set_defaults(func=cmd_janitor)
    sub.add_parser("notifier", help="signed webhook deliveries").set_defaults(func=cmd_notifier)
    keys = sub.add_parser("keys", help="API keys")
    keys.add_argument("action", choices=["create"])
    keys.add_argument("--org", required=True)
    keys.add_argument("--name")
    keys.add_argument(
        "--endpoint-names", choices=["as-submitted", "gen-b"], default="as-submitted",
        help="how job endpoint names are shown to this key's client (gen-b: the generated "
        "Retab SDK 0.0.142+, whose endpoint enum rejects legacy names)",
    )  # fmt: skip
    keys.set_defaults(func=cmd_keys)
    topics = sub.add_parser("topics", help="create the Kafka topics")
    topics.add_argument("action", choices=["create"])
    topics.set_defaults(func=cmd_topics)
    schemas = sub.add_parser("schemas", help="export JSON Schema, OpenAPI, AsyncAPI")
    schemas.add_argument("action", choices=["export"])
    schemas.add_argument("--check", action="store_true", help="fail if the files are stale")
    schemas.set_defaults(func=cmd_schemas)
    dev_cli.add_parser(sub)
    jobs_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
