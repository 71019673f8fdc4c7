"""Routes of form templates as a resource, under both Retab generations' paths:
`/v1/edit/templates` and `/v1/edits/templates` (create, list, get, update, delete).
Org-scoped: another organization's template is a 404, exactly like one that never existed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from jobstream.gateway.deps import ERRORS, JSON, DepsDep, OrgDep
from jobstream.gateway.http import error_response
from jobstream.gateway.template_service import (
    TemplateNotEditableError,
    TemplateNotFoundHTTPError,
    TemplateService,
)
from jobstream_schemas.forms import (
    TemplateCreate,
    TemplateDeleted,
    TemplateList,
    TemplatePublic,
    TemplateUpdate,
)

PREFIXES = ("/v1/edit/templates", "/v1/edits/templates")
router = APIRouter(tags=["templates"])


def _service(deps: DepsDep) -> TemplateService:
    service = deps.extras.get("templates")
    if not isinstance(service, TemplateService):
        raise RuntimeError("the gateway was built without a template service")
    return service


def _json(model: TemplatePublic | TemplateList | TemplateDeleted) -> Response:
    return Response(model.model_dump_json(), media_type=JSON)


def _not_found(exc: TemplateNotFoundHTTPError) -> Response:
    return error_response(404, exc.code, exc.message)


async def create_template(body: TemplateCreate, deps: DepsDep, org: OrgDep) -> Response:
    """Register a template: a PDF and the fields template generation found (edited or not)."""
    return _json(await _service(deps).create(body, organization_id=org))


async def list_templates(
    deps: DepsDep, org: OrgDep,
    limit: Annotated[int, Query()] = 20, order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    after: Annotated[str | None, Query()] = None, before: Annotated[str | None, Query()] = None,
) -> Response:  # fmt: skip
    """The organization's templates, newest first by default, with cursor paging."""
    page = await _service(deps).list(
        organization_id=org, limit=limit, order=order, after=after, before=before
    )
    return _json(page)


async def get_template(template_id: str, deps: DepsDep, org: OrgDep) -> Response:
    """One template with its fields."""
    try:
        return _json(await _service(deps).get(template_id, organization_id=org))
    except TemplateNotFoundHTTPError as exc:
        return _not_found(exc)


async def update_template(
    template_id: str, body: TemplateUpdate, deps: DepsDep, org: OrgDep
) -> Response:
    """Rename a template or replace its fields (409 `template_not_editable` if it is not)."""
    try:
        return _json(await _service(deps).update(template_id, body, organization_id=org))
    except TemplateNotFoundHTTPError as exc:
        return _not_found(exc)
    except TemplateNotEditableError as exc:
        return error_response(409, exc.code, exc.message)


async def delete_template(template_id: str, deps: DepsDep, org: OrgDep) -> Response:
    """Delete a template and its files; filling it afterwards fails with `template_not_found`."""
    try:
        await _service(deps).delete(template_id, organization_id=org)
    except TemplateNotFoundHTTPError as exc:
        return _not_found(exc)
    return _json(TemplateDeleted(id=template_id))


for _prefix in PREFIXES:
    router.add_api_route(
        _prefix, create_template, methods=["POST"], response_model=TemplatePublic,
        responses=ERRORS, operation_id=f"create_template{_prefix.replace('/', '_')}",
    )  # fmt: skip
    router.add_api_route(
        _prefix, list_templates, methods=["GET"], response_model=TemplateList,
        responses=ERRORS, operation_id=f"list_templates{_prefix.replace('/', '_')}",
    )  # fmt: skip
    router.add_api_route(
        f"{_prefix}/{{template_id}}", get_template, methods=["GET"],
        response_model=TemplatePublic, responses=ERRORS,
        operation_id=f"get_template{_prefix.replace('/', '_')}",
    )  # fmt: skip
    router.add_api_route(
        f"{_prefix}/{{template_id}}", update_template, methods=["PATCH"],
        response_model=TemplatePublic, responses=ERRORS,
        operation_id=f"update_template{_prefix.replace('/', '_')}",
    )  # fmt: skip
    router.add_api_route(
        f"{_prefix}/{{template_id}}", delete_template, methods=["DELETE"],
        response_model=TemplateDeleted, responses=ERRORS,
        operation_id=f"delete_template{_prefix.replace('/', '_')}",
    )  # fmt: skip
