"""The job record: the public Job fields plus the bookkeeping the state machine needs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jobstream.core.listing import encode_metadata_pair
from jobstream_schemas.api import (
    JobError,
    JobProgress,
    JobPublic,
    JobResponse,
    JobStatus,
    JobStatusPublic,
    JobWarning,
)
from jobstream_schemas.events import ArtifactRefModel, JobProgressPayload

WORKFLOW_NODE_KEYS = ("workflow_node_id", "node_id", "workflow_block_id", "block_id")


class JobRecord(BaseModel):
    """One job as the read model stores it. Built and changed only by `state.apply`."""

    model_config = ConfigDict(frozen=True)

    id: str
    organization_id: str
    status: JobStatus
    endpoint: str
    slug: str
    created_at: int
    expires_at: int
    metadata: dict[str, str] | None = None
    request: dict[str, Any] | None = Field(None, description="Stored shape (S3 refs in place)")
    artifacts: tuple[ArtifactRefModel, ...] = ()
    artifacts_purged: bool = False
    response: JobResponse | None = None
    response_artifact: ArtifactRefModel | None = None
    error: JobError | None = None
    warnings: tuple[JobWarning, ...] | None = None
    started_at: int | None = None
    completed_at: int | None = None
    last_attempt_at: int | None = None
    cancelled: bool = False
    attempt: int = 1
    current_try: int = 0
    attempt_count: int = 0
    last_failure_code: str | None = None
    progress: JobProgressPayload | None = None
    filters: dict[str, Any] = Field(default_factory=dict, description="See filter_fields()")

    @property
    def is_terminal(self) -> bool:
        return self.status in ("completed", "failed", "cancelled", "expired")

    def public(self, *, include_request: bool = False, include_response: bool = False) -> JobPublic:
        """The API view; request and response only on request (restored by the caller)."""
        return JobPublic(
            id=self.id,
            status=self.status,
            endpoint=self.endpoint,
            request=self.request if include_request and self.status != "expired" else None,
            response=self.response if include_response and self.status == "completed" else None,
            error=self.error,
            warnings=list(self.warnings) if self.warnings else None,
            created_at=self.created_at,
            expires_at=self.expires_at,
            started_at=self.started_at,
            completed_at=self.completed_at,
            last_attempt_at=self.last_attempt_at,
            organization_id=self.organization_id,
            metadata=self.metadata,
            cancelled=self.cancelled,
            attempt_count=self.attempt_count,
            last_failure_code=self.last_failure_code,
            progress=self._progress(),
        )

    def _progress(self) -> JobProgress | None:
        if self.progress is None or self.status != "in_progress":
            return None
        return JobProgress(**self.progress.model_dump())

    def status_view(self) -> JobStatusPublic:
        return JobStatusPublic(
            id=self.id,
            status=self.status,
            cancelled=self.cancelled,
            attempt_count=self.attempt_count,
            created_at=self.created_at,
            started_at=self.started_at,
            completed_at=self.completed_at,
            last_attempt_at=self.last_attempt_at,
            expires_at=self.expires_at,
            error=self.error,
            last_failure_code=self.last_failure_code,
            progress=self._progress(),
        )


def filter_fields(request: dict[str, Any], metadata: dict[str, str] | None) -> dict[str, Any]:
    """Fields derived from request and metadata that list filters query (see core.listing).

    Computed once at creation, so that a job stays findable after its request is purged.
    """
    metadata = metadata or {}
    docs: list[Any] = []
    if isinstance(request.get("document"), dict):
        docs.append(request["document"])
    if isinstance(request.get("documents"), list):
        docs += [d for d in request["documents"] if isinstance(d, dict)]
    filenames = [str(d["filename"]) for d in docs if isinstance(d.get("filename"), str)]
    types = sorted({name.rsplit(".", 1)[1].lower() for name in filenames if "." in name})
    project_id = request.get("project_id") if isinstance(request.get("project_id"), str) else None
    workflow_id = metadata.get("workflow_id")
    source = "project" if project_id else "workflow" if workflow_id else "api"
    return {
        "filenames": filenames,
        "document_types": types,
        "project_id": project_id,
        "model": request.get("model") if isinstance(request.get("model"), str) else None,
        "workflow_id": workflow_id,
        "workflow_node_ids": [metadata[k] for k in WORKFLOW_NODE_KEYS if k in metadata],
        "source": source,
        "metadata_pairs": [encode_metadata_pair(k, v) for k, v in metadata.items()],
    }
