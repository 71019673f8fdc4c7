"""Fetching documents by URL against real local HTTP servers: what is refused, what is allowed.

Two servers run the same handler, one on 127.0.0.1 and one on 127.0.0.2, so a test can allow
the one network (as a development deployment allows loopback) and prove that a hop to the
other — the URL itself or any redirect — is still refused.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from jobstream.adapters.document_fetch import (
    DocumentFetcher,
    DocumentFetchFailedError,
    DocumentUrlForbiddenError,
    FetchPolicy,
    address_forbidden,
    parse_networks,
)
from jobstream.documents.errors import DocumentTooLargeError

PDF = b"%PDF-1.4 not really, but bytes to fetch\n" * 10
ALLOW_2 = parse_networks("127.0.0.2/32")
stop_slow = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/doc.pdf":
            self._send(200, PDF, "application/pdf; charset=binary")
        elif parts.path == "/host":
            self._send(200, str(self.headers.get("Host")).encode(), "text/plain")
        elif parts.path == "/redirect":
            self.send_response(int(query.get("status", "302")))
            self.send_header("Location", query["to"])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts.path == "/big":
            self._send(200, b"x" * 5000, "application/pdf")
        elif parts.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif parts.path == "/slow":
            stop_slow.wait(10)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"nope", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """Base URLs by address: {"127.0.0.1": "http://127.0.0.1:p1", "127.0.0.2": ...}."""
    running = [ThreadingHTTPServer((host, 0), Handler) for host in ("127.0.0.1", "127.0.0.2")]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in running]
    for thread in threads:
        thread.start()
    yield {
        s.server_address[0]: f"http://{s.server_address[0]}:{s.server_address[1]}" for s in running
    }  # type: ignore[str-bytes-safe]
    stop_slow.set()
    for server in running:
        server.shutdown()
        server.server_close()


def fetcher(**policy: object) -> DocumentFetcher:
    return DocumentFetcher(policy=FetchPolicy(allow_http=True, **policy))  # type: ignore[arg-type]


async def test_the_allowed_path_fetches_the_bytes_and_type(servers: dict[str, str]) -> None:
    got = await fetcher(allowed_networks=ALLOW_2).fetch(url=servers["127.0.0.2"] + "/doc.pdf")
    assert (got.data, got.content_type) == (PDF, "application/pdf")


async def test_loopback_is_refused_by_default(servers: dict[str, str]) -> None:
    with pytest.raises(DocumentUrlForbiddenError, match=r"127\.0\.0\.1"):
        await fetcher().fetch(url=servers["127.0.0.1"] + "/doc.pdf")
    port = urlsplit(servers["127.0.0.1"]).port
    with pytest.raises(DocumentUrlForbiddenError, match="localhost"):  # after DNS resolution
        await fetcher().fetch(url=f"http://localhost:{port}/doc.pdf")


async def test_a_redirect_is_checked_again(servers: dict[str, str]) -> None:
    inner = servers["127.0.0.1"] + "/doc.pdf"
    ok = await fetcher(allowed_networks=parse_networks("127.0.0.0/8")).fetch(
        url=f"{servers['127.0.0.2']}/redirect?to={inner}"
    )
    assert ok.data == PDF and ok.url == inner  # the redirect itself works
    for status in (301, 302, 303, 307, 308):
        with pytest.raises(DocumentUrlForbiddenError, match=r"127\.0\.0\.1"):
            await fetcher(allowed_networks=ALLOW_2).fetch(
                url=f"{servers['127.0.0.2']}/redirect?status={status}&to={inner}"
            )


@pytest.mark.parametrize("address", ["169.254.169.254", "[fd00:ec2::254]"])
async def test_metadata_addresses_are_refused_even_inside_allowed_networks(
    servers: dict[str, str], address: str
) -> None:
    everything = parse_networks("0.0.0.0/0,::/0")
    with pytest.raises(DocumentUrlForbiddenError):
        await fetcher(allowed_networks=everything).fetch(url=f"http://{address}/latest/meta-data")
    with pytest.raises(DocumentUrlForbiddenError):
        await fetcher(allowed_networks=ALLOW_2).fetch(
            url=f"{servers['127.0.0.2']}/redirect?to=http://{address}/latest/meta-data"
        )


async def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    servers: dict[str, str],
) -> None:
    port = urlsplit(servers["127.0.0.2"]).port
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.2"]  # the system resolver knows no docs.example.test

    fetch = DocumentFetcher(
        policy=FetchPolicy(allow_http=True, allowed_networks=ALLOW_2), resolver=resolver
    )
    got = await fetch.fetch(url=f"http://docs.example.test:{port}/host")
    assert got.data == f"docs.example.test:{port}".encode()
    assert asked == ["docs.example.test"]


async def test_a_name_with_any_forbidden_address_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "10.1.2.3"]

    fetch = DocumentFetcher(policy=FetchPolicy(), resolver=resolver)
    with pytest.raises(DocumentUrlForbiddenError, match=r"10\.1\.2\.3"):
        await fetch.fetch(url="https://mixed.example.test/doc.pdf")


async def test_schemes_and_credentials(servers: dict[str, str]) -> None:
    strict = DocumentFetcher(policy=FetchPolicy(allowed_networks=ALLOW_2))
    with pytest.raises(DocumentUrlForbiddenError, match="https"):
        await strict.fetch(url=servers["127.0.0.2"] + "/doc.pdf")  # http not allowed
    for url in ("ftp://example.com/x.pdf", "file:///etc/passwd", "gopher://x/"):
        with pytest.raises(DocumentUrlForbiddenError):
            await fetcher().fetch(url=url)
    with pytest.raises(DocumentUrlForbiddenError, match="credentials"):
        await fetcher().fetch(url="https://user:pw@example.com/x.pdf")


async def test_the_size_cap_aborts_declared_and_streamed_bodies(servers: dict[str, str]) -> None:
    small = fetcher(allowed_networks=ALLOW_2, max_bytes=4000)
    with pytest.raises(DocumentTooLargeError, match="limit is 4000"):
        await small.fetch(url=servers["127.0.0.2"] + "/big")
    with pytest.raises(DocumentTooLargeError, match="more than"):
        await small.fetch(url=servers["127.0.0.2"] + "/chunked")
    assert (
        len(
            (
                await fetcher(allowed_networks=ALLOW_2).fetch(url=servers["127.0.0.2"] + "/chunked")
            ).data
        )
        == 10_000
    )


async def test_failures_are_fetch_failed(servers: dict[str, str]) -> None:
    allowed = fetcher(allowed_networks=ALLOW_2)
    with pytest.raises(DocumentFetchFailedError, match="404"):
        await allowed.fetch(url=servers["127.0.0.2"] + "/missing")
    loop_url = f"{servers['127.0.0.2']}/redirect?to=/redirect%3Fto%3D/doc.pdf"
    with pytest.raises(DocumentFetchFailedError, match="redirects"):
        await fetcher(allowed_networks=ALLOW_2, max_redirects=1).fetch(url=loop_url)
    with pytest.raises(DocumentFetchFailedError, match="longer than"):
        await fetcher(allowed_networks=ALLOW_2, timeout_seconds=0.3).fetch(
            url=servers["127.0.0.2"] + "/slow"
        )

    async def no_such_host(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(DocumentFetchFailedError, match="resolve"):
        await DocumentFetcher(resolver=no_such_host).fetch(url="https://nowhere.invalid/x")


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("93.184.215.14", False),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", False),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),  # shared address space (carrier-grade NAT)
        ("169.254.169.254", True),
        ("169.254.1.1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("fd00:ec2::254", True),
        ("224.0.0.1", True),
        ("ff02::1", True),
        ("0.0.0.0", True),  # noqa: S104
        ("::", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("::ffff:127.0.0.1", True),  # IPv4-mapped loopback
        ("::ffff:93.184.215.14", False),
    ],
)
def test_which_addresses_are_forbidden(address: str, forbidden: bool) -> None:
    assert address_forbidden(ipaddress.ip_address(address)) is forbidden


def test_allowed_networks_open_only_themselves() -> None:
    allowed = parse_networks("127.0.0.0/8, ::1")
    assert not address_forbidden(ipaddress.ip_address("127.0.0.1"), allowed=allowed)
    assert not address_forbidden(ipaddress.ip_address("::1"), allowed=allowed)
    assert address_forbidden(ipaddress.ip_address("10.0.0.1"), allowed=allowed)
    assert address_forbidden(ipaddress.ip_address("169.254.169.254"), allowed=allowed)
    with pytest.raises(ValueError, match="not-a-network"):
        parse_networks("not-a-network")


def _certificates(tmp: Path, name: str) -> tuple[Path, Path, Path]:
    """A throwaway CA, and a server certificate it signed for `name`: (ca.pem, cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def subject(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(subject("test CA")).issuer_name(subject("test CA"))
        .public_key(ca_key.public_key()).serial_number(1)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(subject(name)).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = (tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )  # fmt: skip
    return paths


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on 127.0.0.2 whose certificate names docs.example.test: (port, ca.pem)."""
    ca, cert, key = _certificates(tmp_path_factory.mktemp("tls"), "docs.example.test")
    server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1]), ca
    server.shutdown()
    server.server_close()


async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    tls_server: tuple[int, Path],
) -> None:
    port, ca = tls_server

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.2"]

    policy = FetchPolicy(allowed_networks=ALLOW_2, ca_bundle=str(ca))  # https only
    got = await DocumentFetcher(policy=policy, resolver=resolver).fetch(
        url=f"https://docs.example.test:{port}/doc.pdf"
    )
    assert got.data == PDF
    with pytest.raises(DocumentFetchFailedError, match="cannot fetch"):  # the name must match
        await DocumentFetcher(policy=policy, resolver=resolver).fetch(
            url=f"https://other.example.test:{port}/doc.pdf"
        )
    with pytest.raises(DocumentFetchFailedError, match="cannot fetch"):  # an unknown CA fails
        await DocumentFetcher(
            policy=FetchPolicy(allowed_networks=ALLOW_2), resolver=resolver
        ).fetch(url=f"https://docs.example.test:{port}/doc.pdf")
