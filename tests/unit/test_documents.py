"""Unit tests for jobstream.core.documents: data URLs, MIME guessing, file ids, extensions."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobstream.core.documents import (
    DecodedDocument,
    InvalidDocumentError,
    decode_data_url,
    extension_of,
    file_id,
    guess_mime_type,
    url_scheme_problem,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- decode_data_url: the happy paths --------------------------------------------------------


def test_base64_data_url_decodes_bytes_and_keeps_mime_and_filename() -> None:
    url = f"data:application/pdf;base64,{b64(b'%PDF-1.7 hello')}"
    doc = decode_data_url(url, filename="report.pdf")
    assert doc == DecodedDocument(
        filename="report.pdf", mime_type="application/pdf", data=b"%PDF-1.7 hello"
    )


def test_base64_tolerates_whitespace_and_newlines() -> None:
    encoded = b64(b"a longer payload that spans several base64 lines" * 3)
    wrapped = "\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))
    doc = decode_data_url(f"data:text/plain;base64,  {wrapped}\r\n\t", filename="a.txt")
    assert doc.data == b"a longer payload that spans several base64 lines" * 3


def test_percent_encoded_data_url() -> None:
    doc = decode_data_url("data:text/plain,Hello%2C%20World%21%0A%C3%A9", filename="a.txt")
    assert doc.data == "Hello, World!\né".encode()
    assert doc.mime_type == "text/plain"


def test_unencoded_payload_is_taken_as_is() -> None:
    doc = decode_data_url("data:text/csv,a,b,c", filename="t.csv")
    assert doc.data == b"a,b,c"  # only the first comma ends the header


def test_percent_escapes_inside_base64_are_decoded() -> None:
    payload = b"\xfb\xff\xfe"  # base64 "+//+" uses '+' and '/', which some clients escape
    escaped = quote_from_bytes(b64(payload).encode(), safe="")
    assert "%2B" in escaped
    assert decode_data_url(f"data:image/png;base64,{escaped}", filename="x.png").data == payload


def test_mime_type_is_lowercased_and_stripped_of_parameters() -> None:
    url = f"data:Text/HTML;charset=UTF-8;base64,{b64(b'<p>hi</p>')}"
    doc = decode_data_url(url, filename="page.html")
    assert doc.mime_type == "text/html"
    assert doc.data == b"<p>hi</p>"


def test_scheme_is_case_insensitive() -> None:
    assert decode_data_url("DATA:text/plain,x", filename="a").data == b"x"


def test_empty_payload_is_an_empty_document() -> None:
    assert decode_data_url("data:text/plain;base64,", filename="a.txt").data == b""


# --- decode_data_url: MIME type guessing -----------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("notes.md", "text/markdown"),
        ("NOTES.MD", "text/markdown"),
        ("scan.pdf", "application/pdf"),
        ("table.csv", "text/csv"),
        ("data.json", "application/json"),
        ("page.html", "text/html"),
        ("readme.txt", "text/plain"),
        ("photo.png", "image/png"),
        (
            "dir/sub.dir/letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
@pytest.mark.parametrize("header", ["data:;base64", "data:application/octet-stream;base64"])
def test_missing_or_generic_mime_is_guessed_from_filename(
    header: str, filename: str, expected: str
) -> None:
    doc = decode_data_url(f"{header},{b64(b'x')}", filename=filename)
    assert doc.mime_type == expected


def test_explicit_mime_wins_over_filename() -> None:
    doc = decode_data_url(f"data:text/plain;base64,{b64(b'x')}", filename="scan.pdf")
    assert doc.mime_type == "text/plain"


def test_octet_stream_with_unknown_extension_stays_octet_stream() -> None:
    doc = decode_data_url(f"data:application/octet-stream;base64,{b64(b'x')}", filename="blob")
    assert doc.mime_type == "application/octet-stream"


def test_missing_mime_with_unknown_extension_defaults_to_text_plain() -> None:
    # RFC 2397: a data URL without a media type is text/plain.
    assert decode_data_url("data:,hello", filename="noext").mime_type == "text/plain"


def test_compressed_files_are_octet_stream() -> None:
    assert guess_mime_type("archive.tar.gz") == "application/octet-stream"
    assert guess_mime_type("no_extension") is None


# --- decode_data_url: errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("https://example.com/doc.pdf", "data: URL"),
        ("", "data: URL"),
        ("just some text", "data: URL"),
        ("file:///etc/passwd", "data: URL"),
        ("data:text/plain;base64SGVsbG8=", "no ','"),
        ("data:application/pdf", "no ','"),
        ("data:base64,SGVsbG8=", "invalid media type"),  # ";base64" needs its semicolon
        ("data:application/pdf;base64,SGVsbG8*", "invalid base64"),
        ("data:application/pdf;base64,SGVsbG8", "invalid base64"),  # missing padding
        ("data:application/pdf;base64,SGV=sbG8=", "invalid base64"),
        ("data:application/pdf;base64,SGVsbG8=é", "invalid base64"),
        ("data:not a mime;base64,SGVsbG8=", "invalid media type"),
        ("data:text/plain;charset,hello", "invalid parameter"),
    ],
)
def test_invalid_data_urls_are_rejected_with_a_clear_message(url: str, fragment: str) -> None:
    with pytest.raises(InvalidDocumentError, match=re.escape(fragment)) as info:
        decode_data_url(url, filename="doc.pdf")
    assert info.value.code == "invalid_document"
    assert fragment in info.value.message
    assert isinstance(info.value, ValueError)


def test_error_message_does_not_echo_a_huge_url() -> None:
    url = "https://example.com/" + "x" * 100_000
    with pytest.raises(InvalidDocumentError) as info:
        decode_data_url(url, filename="doc.pdf")
    assert len(info.value.message) < 200


# --- decode_data_url: properties -------------------------------------------------------------


@given(st.binary(max_size=4096))
def test_base64_round_trip(data: bytes) -> None:
    doc = decode_data_url(f"data:application/octet-stream;base64,{b64(data)}", filename="blob.bin")
    assert doc.data == data


@given(st.binary(max_size=1024))
def test_percent_encoded_round_trip(data: bytes) -> None:
    doc = decode_data_url(f"data:text/plain,{quote_from_bytes(data, safe='')}", filename="a")
    assert doc.data == data


# --- file_id and extension_of ----------------------------------------------------------------


def test_file_id_is_stable_and_well_formed() -> None:
    first = file_id(b"hello world")
    assert first == file_id(b"hello world")
    assert re.fullmatch(r"file_[0-9a-f]{16}", first)
    assert len(first) == 21
    assert file_id(b"hello world!") != first
    assert len(file_id(b"")) == 21


def test_file_id_is_pinned_blake2b_of_the_content() -> None:
    # Pinned so that a change of algorithm (which would re-key every stored file) is noticed.
    assert file_id(b"hello world") == "file_878633aa32a3b150"
    assert file_id(b"abc") == "file_" + hashlib.blake2b(b"abc", digest_size=8).hexdigest()


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.pdf", "pdf"),
        ("REPORT.PDF", "pdf"),
        ("archive.tar.gz", "gz"),
        ("notes.Md", "md"),
        ("dir.with.dots/file", None),
        ("C:\\docs\\scan.TIFF", "tiff"),
        ("noextension", None),
        (".bashrc", None),
        ("trailingdot.", None),
        ("", None),
    ],
)
def test_extension_of(filename: str, expected: str | None) -> None:
    assert extension_of(filename) == expected


@pytest.mark.parametrize(
    ("request_body", "allow_http", "field"),
    [
        ({"document": {"url": "data:,x"}}, False, None),
        ({"document": {"url": "https://example.com/a.pdf"}}, False, None),
        ({"document": {"url": "HTTPS://example.com/a.pdf"}}, False, None),
        ({"document": {"url": "http://example.com/a.pdf"}}, False, "request.document.url"),
        ({"document": {"url": "http://example.com/a.pdf"}}, True, None),
        ({"document": {"url": "ftp://example.com/a.pdf"}}, True, "request.document.url"),
        ({"document": {"url": "file:///etc/passwd"}}, True, "request.document.url"),
        ({"document": {"url": "no scheme"}}, False, "request.document.url"),
        (
            {"documents": [{"url": "data:,x"}, {"url": "s3://b/k"}]},
            False,
            "request.documents.1.url",
        ),
        ({"document": "not an object", "documents": "nor a list"}, False, None),
        ({}, False, None),
    ],
)
def test_the_gateway_accepts_data_and_https_document_urls(
    request_body: dict[str, object], allow_http: bool, field: str | None
) -> None:
    problem = url_scheme_problem(request_body, allow_http=allow_http)
    assert (problem[0] if problem else None) == field
    if problem:
        assert "https:" in problem[1]
