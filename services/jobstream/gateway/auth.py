"""`Api-Key` authentication: keys are random tokens stored only as SHA-256 digests; a key
resolves to a `Principal` (its organization and the endpoint-name view of its client)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Protocol

from jobstream.core.principal import EndpointNames, Principal

KEY_PREFIX = "js_"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyStore(Protocol):
    async def principal_for(self, key_hash: str) -> Principal | None: ...


class ApiKeyRegistry(Protocol):
    async def add(
        self, *, key_hash: str, organization_id: str, name: str | None,
        endpoint_names: EndpointNames = "as_submitted",
    ) -> None: ...  # fmt: skip


async def issue_api_key(
    registry: ApiKeyRegistry, *, organization_id: str, name: str | None = None,
    endpoint_names: EndpointNames = "as_submitted",
) -> str:  # fmt: skip
    """Create a key for an organization; only its digest is stored, the key is returned once."""
    key = new_api_key()
    await registry.add(
        key_hash=hash_key(key), organization_id=organization_id, name=name,
        endpoint_names=endpoint_names,
    )  # fmt: skip
    return key


@dataclass
class ApiKeyResolver:
    """Resolves a presented key to its principal, caching hits briefly (keys are immutable)."""

    store: ApiKeyStore
    ttl_seconds: float = 60.0
    max_entries: int = 10_000
    _cache: dict[str, tuple[Principal, float]] = field(default_factory=dict)

    async def principal(self, presented: str) -> Principal | None:
        digest = hash_key(presented)
        hit = self._cache.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        principal = await self.store.principal_for(digest)
        if principal is not None:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[digest] = (principal, now + self.ttl_seconds)
        return principal

    async def organization(self, presented: str) -> str | None:
        principal = await self.principal(presented)
        return None if principal is None else principal.organization_id
