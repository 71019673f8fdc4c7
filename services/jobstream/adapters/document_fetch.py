"""Fetching a document by its `https://` (or, when allowed, `http://`) URL, SSRF-safe.

The worker fetches, never the gateway. Every hop (the URL and each redirect, followed by hand)
is resolved first, and every address the name resolves to must be public: private, loopback,
link-local, multicast, unspecified, reserved and shared addresses and the cloud metadata
endpoints are refused (`document_url_forbidden`) unless a network is explicitly allowed by a
setting (development fetches from loopback). The connection then goes to the checked address
itself, with the name in the `Host` header and as the TLS server name, so a second DNS answer
cannot rebind the request elsewhere. The body is streamed and aborted past the size cap
(`document_too_large`); anything else that fails is `document_fetch_failed`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx

from jobstream.documents.errors import DocumentError, DocumentTooLargeError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# Cloud metadata endpoints: refused even inside an allowed network.
METADATA_ADDRESSES: Final = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class DocumentFetchFailedError(DocumentError):
    """The document's URL could not be fetched (DNS, connection, TLS, HTTP status, timeout)."""

    code = "document_fetch_failed"


class DocumentUrlForbiddenError(DocumentError):
    """The URL's scheme, or an address its host resolves to, is not allowed."""

    code = "document_url_forbidden"


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched: schemes, extra allowed networks, size, time and redirect limits."""

    allow_http: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()
    max_bytes: int = 64 * 1024 * 1024
    timeout_seconds: float = 30.0
    max_redirects: int = 5
    ca_bundle: str | None = None  # PEM file of CAs to trust instead of the system's


@dataclass(frozen=True)
class FetchedDocument:
    """The body of a fetched URL, its declared media type (parameters stripped) and final URL."""

    data: bytes
    content_type: str | None
    url: str


def parse_networks(spec: str) -> tuple[IPNetwork, ...]:
    """`"127.0.0.0/8, ::1"` → networks; raises ValueError on a malformed entry."""
    return tuple(
        ipaddress.ip_network(p.strip(), strict=False) for p in spec.split(",") if p.strip()
    )


def address_forbidden(address: IPAddress, *, allowed: tuple[IPNetwork, ...] = ()) -> bool:
    """True when a fetch must not connect to `address` (IPv4-mapped IPv6 is judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return True
    if any(address in network for network in allowed):
        return False
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver, off the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass
class DocumentFetcher:
    """Fetches document URLs under a `FetchPolicy`; `resolver` is injectable for tests."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    resolver: Resolver = system_resolver

    async def fetch(self, *, url: str) -> FetchedDocument:
        """The bytes at `url`, following redirects hop by hop, each one checked."""
        try:
            async with asyncio.timeout(self.policy.timeout_seconds):
                return await self._follow(url)
        except TimeoutError as exc:
            raise DocumentFetchFailedError(
                f"fetching {_preview(url)} took longer than {self.policy.timeout_seconds:g}s"
            ) from exc

    async def _follow(self, url: str) -> FetchedDocument:
        timeout = httpx.Timeout(self.policy.timeout_seconds)
        ca_bundle = self.policy.ca_bundle
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True  # True: certifi
        )
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=verify
        ) as c:
            for _ in range(self.policy.max_redirects + 1):
                host, port = self._check_url(url)
                address = await self._checked_address(host, port)
                location, fetched = await self._request(c, url, host=host, port=port, ip=address)
                if fetched is not None:
                    return fetched
                url = location
        raise DocumentFetchFailedError(
            f"too many redirects (more than {self.policy.max_redirects}) fetching the document"
        )

    def _check_url(self, url: str) -> tuple[str, int]:
        parts = urlsplit(url)
        schemes = ("https", "http") if self.policy.allow_http else ("https",)
        if parts.scheme.lower() not in schemes:
            raise DocumentUrlForbiddenError(
                f"document URLs must use {' or '.join(schemes)}, got {_preview(url)}"
            )
        if not parts.hostname:
            raise DocumentFetchFailedError(f"document URL has no host: {_preview(url)}")
        if parts.username or parts.password:
            raise DocumentUrlForbiddenError("document URLs must not carry credentials")
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError as exc:
            raise DocumentFetchFailedError(f"invalid port in {_preview(url)}") from exc
        return parts.hostname, port

    async def _checked_address(self, host: str, port: int) -> IPAddress:
        """The address to connect to: every address of `host` must be allowed."""
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = [
                    ipaddress.ip_address(a.split("%")[0]) for a in await self.resolver(host, port)
                ]
            except OSError as exc:
                raise DocumentFetchFailedError(f"cannot resolve {host!r}: {exc}") from exc
            if not addresses:
                raise DocumentFetchFailedError(f"{host!r} resolves to no address")
        for address in addresses:
            if address_forbidden(address, allowed=self.policy.allowed_networks):
                raise DocumentUrlForbiddenError(
                    f"document URL host {host!r} resolves to {address}, a private, loopback, "
                    "link-local, multicast, reserved or metadata address; only public addresses "
                    "may be fetched"
                )
        return addresses[0]

    async def _request(
        self, client: httpx.AsyncClient, url: str, *, host: str, port: int, ip: IPAddress
    ) -> tuple[str, FetchedDocument | None]:
        """One hop: the redirect's absolute location, or the fetched document."""
        parts = urlsplit(url)
        netloc = f"[{ip}]" if ip.version == 6 else str(ip)
        target = parts._replace(netloc=f"{netloc}:{port}").geturl()
        default_port = 443 if parts.scheme.lower() == "https" else 80
        bracketed = f"[{host}]" if ":" in host else host
        host_header = bracketed if port == default_port else f"{bracketed}:{port}"
        # TLS checks the certificate against the name, not the address we connect to.
        sni = {} if host == str(ip) else {"sni_hostname": host}
        request = client.build_request(
            "GET", target, headers={"Host": host_header, "Accept": "*/*"}, extensions=sni
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise DocumentFetchFailedError(f"cannot fetch {_preview(url)}: {exc}") from exc
        try:
            if response.status_code in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise DocumentFetchFailedError("a redirect without a Location header")
                return urljoin(url, location), None
            if response.status_code != 200:
                raise DocumentFetchFailedError(
                    f"fetching {_preview(url)} answered HTTP {response.status_code}"
                )
            data = await self._read_capped(response)
        finally:
            await response.aclose()
        content_type = response.headers.get("content-type")
        mime = content_type.split(";", 1)[0].strip().lower() if content_type else None
        return url, FetchedDocument(data=data, content_type=mime or None, url=url)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise DocumentTooLargeError(_too_large(int(declared), cap))
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise DocumentTooLargeError(_too_large(size, cap, at_least=True))
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise DocumentFetchFailedError(f"the download broke off: {exc}") from exc
        return b"".join(chunks)


def _too_large(size: int, cap: int, *, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return f"the document at the URL is {more}{size} bytes; the limit is {cap} bytes"


def _preview(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "..."
