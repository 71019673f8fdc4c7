"""`Api-Key` authentication: keys are random tokens stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Protocol

KEY_PREFIX = "js_"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyStore(Protocol):
    async def organization_for(self, key_hash: str) -> str | None: ...


class ApiKeyRegistry(Protocol):
    async def add(self, *, key_hash: str, organization_id: str, name: str | None) -> None: ...


async def issue_api_key(
    registry: ApiKeyRegistry, *, organization_id: str, name: str | None = None
) -> str:
    """Create a key for an organization; only its digest is stored, the key is returned once."""
    key = new_api_key()
    await registry.add(key_hash=hash_key(key), organization_id=organization_id, name=name)
    return key


@dataclass
class ApiKeyResolver:
    """Resolves a presented key to its organization, caching hits briefly (keys are immutable)."""

    store: ApiKeyStore
    ttl_seconds: float = 60.0
    max_entries: int = 10_000
    _cache: dict[str, tuple[str, float]] = field(default_factory=dict)

    async def organization(self, presented: str) -> str | None:
        digest = hash_key(presented)
        hit = self._cache.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        org = await self.store.organization_for(digest)
        if org is not None:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[digest] = (org, now + self.ttl_seconds)
        return org
