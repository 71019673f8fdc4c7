"""A job's `request` parsed into its endpoint's pydantic model (from `schemas/`), or the job
fails with `validation_error` naming every offending field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jobstream.core.errors import PermanentError

M = TypeVar("M", bound=BaseModel)


def validated_request(model: type[M], request: dict[str, Any]) -> M:
    """`request` as `model`; a `PermanentError("validation_error")` listing the problems."""
    try:
        return model.model_validate(request)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]) or "request", "message": err["msg"]}
            for err in exc.errors(include_url=False)
        ]
        text = "; ".join(f"request.{p['field']}: {p['message']}" for p in problems)
        raise PermanentError("validation_error", text, details={"errors": problems}) from exc
