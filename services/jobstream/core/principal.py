"""Who a request acts for: the organization of its API key and the endpoint-name view its client
expects (`as_submitted`, the contract's default, or `gen_b` for the generated Retab SDK whose
closed endpoint enum rejects legacy names; see docs/decisions.md, "SDK generations")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

EndpointNames = Literal["as_submitted", "gen_b"]
ENDPOINT_NAMES: tuple[str, ...] = get_args(EndpointNames)


def endpoint_names_of(value: object) -> EndpointNames | None:
    """`gen_b` / `gen-b` / `as_submitted` / `as-submitted` (any case) → the view; else None."""
    text = str(value).strip().lower().replace("-", "_")
    if text == "gen_b":
        return "gen_b"
    if text == "as_submitted":
        return "as_submitted"
    return None


@dataclass(frozen=True)
class Principal:
    """Who a key belongs to, and the endpoint-name view its client expects."""

    organization_id: str
    endpoint_names: EndpointNames = "as_submitted"
