"""Damaged input never crashes a loader: truncated and bit-flipped copies of every native corpus
sample either load or fail with a DocumentError (a stable code), nothing else."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial

import pytest
from evaluation.corpus.labeled import NativeSample
from evaluation.corpus.office import corpus

from jobstream.documents.errors import DocumentError
from jobstream.documents.loaders import LoadOptions, load_document, page_count

SAMPLES = [sample for sample in corpus() if sample.format != "eml"]  # eml: its parts are here


def damaged(sample: NativeSample, *, count: int) -> list[bytes]:
    rng = random.Random(sample.name)  # the same damage every run
    data = sample.data
    copies = [data[: len(data) * k // 8] for k in range(1, 8)]
    for _ in range(count):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        copies.append(bytes(flipped))
    return copies


CODES = {
    "document_corrupt",
    "unsupported_document_type",
    "document_too_large",
    "document_encrypted",
}


def outcome(call: Callable[[], object]) -> str:
    """Either "ok" or the code of the DocumentError raised; anything else propagates (a crash)."""
    try:
        call()
    except DocumentError as exc:
        return exc.code
    return "ok"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_damaged_copies_load_or_fail_with_a_document_error(sample: NativeSample) -> None:
    name, mime = sample.filename, sample.mime_type
    for data in damaged(sample, count=60):
        loaded = outcome(
            partial(load_document, data, filename=name, mime_type=mime, options=LoadOptions())
        )
        counted = outcome(partial(page_count, data, filename=name, mime_type=mime))
        assert {loaded, counted} <= CODES | {"ok"}


PREFIXES = [b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-1.7\n",
            b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"GIF89a", b"BM", b"{", b"<html>",
            b"From: a@b.c\nTo: d@e.f\n\n", b"a,b\n"]  # fmt: skip


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_random_bytes_behind_any_magic_number_never_crash(prefix: bytes) -> None:
    rng = random.Random(prefix)
    for size in (0, 1, 7, 64, 512, 4096):
        data = prefix + rng.randbytes(size)
        got = outcome(
            partial(load_document, data, filename="x", mime_type=None, options=LoadOptions())
        )
        assert got in CODES | {"ok"}
