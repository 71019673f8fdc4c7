"""The truth a generated native-format document carries: its bytes and, per page, the lines and
table cells a reader sees there. Shared by the office and text corpora (office.py, texts.py)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_TIMESTAMP = "2026-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


@dataclass(frozen=True, slots=True)
class NativePage:
    """One page's truth: its text lines in reading order (tables apart), its tables' rows, its
    label, and text that must not appear on it (scripts, hidden elements)."""

    lines: tuple[str, ...]
    tables: tuple[tuple[tuple[str, ...], ...], ...] = ()
    label: str | None = None
    absent: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NativeSample:
    """A generated document: its name, the format a loader must sniff, bytes and page truths."""

    name: str
    format: str
    filename: str
    mime_type: str | None
    data: bytes
    pages: tuple[NativePage, ...]
    metadata: dict[str, str] = field(default_factory=dict)


def deterministic_zip(
    data: bytes, *, patches: dict[str, list[tuple[bytes, bytes]]] | None = None
) -> bytes:
    """The same package with fixed member times and creation dates (and byte patches applied), so
    a generator gives the same bytes on every run."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = _CORE_DATES.sub(
                rb"\g<1>" + FIXED_TIMESTAMP.encode() + rb"\g<3>", source.read(info.filename)
            )
            for old, new in (patches or {}).get(info.filename, []):
                if old not in content:
                    raise ValueError(f"{info.filename}: {old!r} not found to patch")
                content = content.replace(old, new)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content)
    return out.getvalue()
