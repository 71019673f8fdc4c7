"""Settings from the environment: a prefix per service on top of the shared `JOBSTREAM_` one.

Every setting is listed with its default in README.md ("Settings").
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DELIVERY_MARGIN_SECONDS = 5.0  # the relay waits this long past the producer's ordinary retries


class CommonSettings(BaseSettings):
    """What every service needs to reach Kafka, MongoDB and S3 (prefix `JOBSTREAM_`)."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """A service's own prefix (e.g. `JOBSTREAM_GATEWAY_PORT`) wins over the shared
        `JOBSTREAM_` one, so `JOBSTREAM_KAFKA_BOOTSTRAP` reaches every service."""
        shared = EnvSettingsSource(settings_cls, env_prefix="JOBSTREAM_")
        return init_settings, env_settings, shared, dotenv_settings, file_secret_settings

    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers")
    kafka_request_timeout_seconds: float = Field(
        15.0, gt=0, description="a produce request unanswered this long fails; the gateway's "
        "outbox relay delay must be at least twice this + 5 s",
    )  # fmt: skip
    topic_prefix: str = Field(
        "jobs", description="topics are <prefix>.events, <prefix>.commands.<slug>, <prefix>.dlq"
    )
    mongo_url: str = Field(
        "mongodb://127.0.0.1:27017/", description="MongoDB (or FerretDB) URL of the read model"
    )
    mongo_database: str = Field("jobstream", description="database holding jobs, outbox, api_keys")
    s3_endpoint: str | None = Field(None, description="S3 endpoint URL; None: AWS S3")
    s3_bucket: str = Field(
        "jobstream-artifacts", description="bucket for offloaded documents and large responses"
    )
    s3_region: str = Field("us-east-1", description="S3 region")
    s3_access_key_id: str | None = Field(None, description="None: the AWS credential chain")
    s3_secret_access_key: str | None = Field(None, description="None: the AWS credential chain")
    retention_seconds: int = Field(7 * 24 * 3600, ge=1, description="created → expires_at")
    events_partitions: int = Field(6, description="partitions of <prefix>.events when created")
    commands_partitions: int = Field(6, description="partitions of each command topic when created")
    expiry_bucket_seconds: int = Field(
        60, ge=1, description="expiry is filed and swept in buckets this long (never change live)"
    )
    worker_slugs: str = Field(
        "parse,extract,classify,split,schema_generate,template_generate,template_fill,agent_fill",
        description="comma-separated worker slugs deployed (other endpoints answer 422)",
    )
    noop_endpoint_enabled: bool = Field(False, description="accept /v1/diagnostics/noop (bench)")
    document_url_allow_http: bool = Field(
        False, description="accept `http://` document URLs (`https://` and `data:` always)"
    )
    log_level: str = Field("INFO", description="JSON log level")
    webhook_allow_loopback: bool = Field(
        False, description="webhook URLs may resolve to loopback addresses (make up: true)"
    )
    webhook_allow_private: bool = Field(
        False, description="webhook URLs may resolve to private, link-local or reserved addresses"
    )
    otel_enabled: bool = Field(
        False, description="export OpenTelemetry traces over OTLP/HTTP (set OTEL_EXPORTER_OTLP_*)"
    )
    idempotency_ttl_seconds: float = Field(
        24 * 3600.0,
        description="an Idempotency-Key's answer is replayed this long (then the janitor drops it)",
    )

    @property
    def events_topic(self) -> str:
        return f"{self.topic_prefix}.events"

    @property
    def dlq_topic(self) -> str:
        return f"{self.topic_prefix}.dlq"

    def commands_topic(self, slug: str) -> str:
        return f"{self.topic_prefix}.commands.{slug}"

    @property
    def deployed_slugs(self) -> list[str]:
        slugs = [s.strip() for s in self.worker_slugs.split(",") if s.strip()]
        if self.noop_endpoint_enabled and "noop" not in slugs:
            slugs.append("noop")
        return slugs


class GatewaySettings(CommonSettings):
    """The HTTP gateway (prefix `JOBSTREAM_GATEWAY_` for its own settings)."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_GATEWAY_", extra="ignore")

    host: str = Field("127.0.0.1", description="bind address (0.0.0.0 in containers)")
    port: int = Field(8000, description="HTTP port")
    max_body_bytes: int = Field(64 * 1024 * 1024, description="larger bodies get 413")
    offload_threshold_bytes: int = Field(64 * 1024, description="data: URLs above go to S3")
    dispatch_timeout_seconds: float = Field(5.0, description="then 202 + dispatch_delayed")
    outbox_relay_delay_seconds: float = Field(
        35.0, ge=0, description="the relay re-sends a create's messages only this long after its "
        "dispatch timed out: past the producer's own retries (2 x request timeout + 5 s)",
    )  # fmt: skip
    confirm_timeout_seconds: float = Field(
        3.0, description="cancel/retry wait this long for the projector to show their effect"
    )
    idempotency_wait_seconds: float = Field(
        10.0, description="a duplicate waits this long for the first request's answer, then 409"
    )
    idempotency_lock_seconds: float = Field(
        60.0, description="a key claimed this long ago and never answered is taken over"
    )
    batch_max_jobs: int = Field(1000, ge=1, description="jobs per POST /v1/jobs/batch")
    failpoint: str = Field(
        "", description="tests only: `crash_after_store:N` SIGKILLs the gateway at its N-th create"
    )
    sse_heartbeat_seconds: float = Field(
        15.0, gt=0, description="an idle event stream gets a `: ping` comment this often"
    )
    list_budget_seconds: float = Field(
        10.0, gt=0, description="a list query still running then answers 503 `list_timeout`"
    )
    max_concurrent_lists: int = Field(
        4, ge=1, description="lists running at once per gateway; more answer 503 `list_timeout`"
    )

    @model_validator(mode="after")
    def _relay_waits_out_late_deliveries(self) -> GatewaySettings:
        """The relay should copy a message only once the gateway's producer has stopped trying
        to deliver it in the ordinary case (a batch in flight through a short outage). A shorter
        delay copies messages that still arrive: duplicates in the log, and a shorter window in
        which consumers take the gateway's copy for the first without reading (first_copy.py)."""
        bound = 2 * self.kafka_request_timeout_seconds + DELIVERY_MARGIN_SECONDS
        if self.outbox_relay_delay_seconds < bound:
            raise ValueError(
                f"outbox_relay_delay_seconds ({self.outbox_relay_delay_seconds:g}) must be at "
                f"least 2 x kafka_request_timeout_seconds + {DELIVERY_MARGIN_SECONDS:g} = {bound:g}"
            )
        return self


class WorkerSettings(CommonSettings):
    """A worker service (prefix `JOBSTREAM_WORKER_`)."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_WORKER_", extra="ignore")

    slug: str = Field(
        "parse",
        description="which endpoints this worker runs: a slug, several comma-separated, or `all` "
        "(also `jobstream worker SLUG[,SLUG...]`)",
    )
    instance: str = Field("1", description="instance label, in the worker id and logs")
    concurrency: int = Field(8, ge=1, description="jobs run at once per instance")
    max_buffered: int = Field(
        2000, ge=1, description="commands read ahead of the running ones before fetching pauses"
    )
    job_timeout_seconds: float = Field(
        300.0, description="per-try deadline; then the job fails with `timeout`"
    )
    max_tries: int = Field(3, ge=1, description="executions per attempt on transient errors")
    backoff_base_seconds: float = Field(
        0.5, description="first transient-retry backoff (exponential, full jitter)"
    )
    backoff_max_seconds: float = Field(30.0, description="backoff cap")
    metrics_port: int = Field(8110, description="/metrics and /health port")
    host: str = Field("127.0.0.1", description="bind address (0.0.0.0 in containers)")
    projector_wait_seconds: float = Field(
        600.0,
        description="after a partition assignment, wait this long at most for the projector "
        "(past it, work a dead instance finished may run again)",
    )
    response_inline_bytes: int = Field(256 * 1024, description="bigger response bodies go to S3")
    max_pages: int = Field(2000, ge=1, description="more pages → `document_too_large`")
    max_image_pixels: int = Field(
        120_000_000, ge=1, description="per image or rendered page → `document_too_large`"
    )
    max_unpacked_bytes: int = Field(
        512 * 1024 * 1024, ge=1, description="unzipped office file members → `document_too_large`"
    )
    ocr_languages: str = Field(
        "",
        pattern=r"^\s*([a-z]{3}(_[a-z]+)*\s*(,\s*[a-z]{3}(_[a-z]+)*\s*)*)?$",
        description="Tesseract languages, comma list (e.g. `eng,deu`); empty: detect",
    )
    fetch_max_bytes: int = Field(
        64 * 1024 * 1024, ge=1, description="document URLs: larger bodies → `document_too_large`"
    )
    fetch_timeout_seconds: float = Field(
        30.0, gt=0, description="document URLs: whole fetch, redirects included"
    )
    fetch_ca_bundle: str | None = Field(
        None, description="document URLs: PEM file of CAs to trust; None: the system's"
    )
    fetch_allowed_networks: str = Field(
        "",
        description="CIDRs document URLs may reach although private or loopback (dev: "
        "`127.0.0.0/8,::1/128`); metadata addresses stay refused",
    )

    @field_validator("fetch_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in (p.strip() for p in value.split(",")):
            if part:
                ipaddress.ip_network(part, strict=False)  # ValueError names the bad entry
        return value


class ProjectorSettings(CommonSettings):
    """The projector (prefix `JOBSTREAM_PROJECTOR_`)."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_PROJECTOR_", extra="ignore")

    batch_max_records: int = Field(500, description="events applied per batch (one bulk write)")
    batch_timeout_ms: int = Field(200, description="how long a batch fetch waits for records")
    batch_linger_ms: int = Field(
        25, ge=0, description="a batch also takes what arrives this long after its first records"
    )
    cache_size: int = Field(
        50_000, description="job documents kept in memory (the projector is their only writer)"
    )
    metrics_port: int = Field(8101, description="/metrics and /health port")
    host: str = Field("127.0.0.1", description="bind address (0.0.0.0 in containers)")


class JanitorSettings(CommonSettings):
    """The janitor: expiry, artifact purge and the outbox relay (prefix `JOBSTREAM_JANITOR_`)."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_JANITOR_", extra="ignore")

    interval_seconds: float = Field(5.0, description="time between outbox relay passes")
    sweep_interval_seconds: float = Field(
        60.0, description="how often an idempotency-record purge is considered (see the next)"
    )
    idempotency_purge_min_interval_seconds: float = Field(
        3600.0,
        description="idempotency records are purged (a query over that collection) at most this "
        "often, and only once the oldest can have expired",
    )
    first_sweep_lookback_buckets: int = Field(
        1440, ge=0, description="a janitor with no stored cursor starts this many buckets back"
    )
    purge_grace_seconds: int = Field(0, description="keep artifacts after expiry (retry window)")
    outbox_min_age_seconds: float = Field(2.0, description="leave fresh entries to the gateway")
    metrics_port: int = Field(8102, description="/metrics and /health port")
    host: str = Field("127.0.0.1", description="bind address (0.0.0.0 in containers)")


class EngineSettings(BaseSettings):
    """Which engine answers which model, and the OpenAI-compatible provider (prefix `JOBSTREAM_`).

    Read by every worker that runs a document operation (extract, classify, split, schemas).
    """

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_", extra="ignore")

    model_routes: str = Field(
        "*=local",
        description="model-name patterns to engines, first match wins, e.g. "
        "`retab-*=local,gpt-*=openai,*=local`; engines: local, openai, none (refused)",
    )
    openai_base_url: str | None = Field(
        None, description="chat-completions server (vLLM, Ollama, ...); None: api.openai.com"
    )
    openai_api_key: str | None = Field(
        None, description="the provider's key; None: none sent (local servers)"
    )
    openai_timeout_seconds: float = Field(120.0, gt=0, description="per HTTP request to it")
    openai_max_retries: int = Field(
        3, ge=0, description="retries of 429/5xx/connection errors (honouring Retry-After)"
    )
    openai_invalid_answer_retries: int = Field(
        1, ge=0, description="new calls after an answer that is not JSON or breaks the schema"
    )
    openai_vision_models: str = Field(
        "gpt-4o*,gpt-4.1*,gpt-5*",
        description="model patterns that also get page images (PDF and image documents)",
    )
    openai_max_image_pages: int = Field(8, ge=0, description="pages sent as images at most")
    openai_model_map: str = Field(
        "", description="request model to provider model, e.g. `retab-small=gpt-4o-mini`"
    )


class NotifierSettings(CommonSettings):
    """The notifier: signed webhook deliveries with retries (prefix `JOBSTREAM_NOTIFIER_`)."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_NOTIFIER_", extra="ignore")

    timeout_seconds: float = Field(10.0, description="per delivery attempt; then it is retried")
    concurrency_per_endpoint: int = Field(4, ge=1, description="attempts in flight per endpoint")
    backoff_base_seconds: float = Field(5.0, description="first retry delay (doubling, jittered)")
    backoff_max_seconds: float = Field(3600.0, description="retry delay cap")
    retry_for_seconds: float = Field(
        3 * 24 * 3600.0, description="a delivery is retried this long after its event, then failed"
    )
    poll_interval_seconds: float = Field(
        0.5, description="how often the re-send inbox is read (due deliveries wake the notifier)"
    )
    schedule_per_endpoint: int = Field(
        10_000, ge=1, description="deliveries held in memory per endpoint; more wait in the store"
    )
    metrics_port: int = Field(8103, description="/metrics and /health port")
    host: str = Field("127.0.0.1", description="bind address (0.0.0.0 in containers)")
