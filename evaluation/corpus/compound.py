"""Minimal OLE compound files (MS-CFB version 3, 512-byte sectors) with the streams an encrypted
OOXML file or a legacy Office file has, for the loaders' refusal tests. Streams are padded to
4 KiB so every one lives in regular sectors (no mini stream); the directory is a flat list under
the root entry. Deterministic: the same streams give the same bytes.
"""

from __future__ import annotations

import struct

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NO_STREAM = 0xFFFFFFFF


def _entry(name: str, *, kind: int, start: int, size: int, child: int, right: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIII", encoded, len(encoded), kind, 1, _NO_STREAM, right, child,
        b"\x00" * 16, 0, 0, 0, start, size, 0,
    )  # fmt: skip


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams` (name -> content) under its root."""
    contents = [
        content.ljust(max(4096, -(-len(content) // SECTOR) * SECTOR), b"\x00")
        for content in streams.values()
    ]
    directory_sectors = (len(streams) + 1 + 3) // 4  # four 128-byte entries a sector
    fat = [_FAT]  # sector 0 holds the FAT itself
    chains: list[int] = []
    for length in [directory_sectors, *(len(content) // SECTOR for content in contents)]:
        chains.append(len(fat))
        fat += [len(fat) + index + 1 for index in range(length - 1)] + [_END]
    if len(fat) > SECTOR // 4:
        raise ValueError("streams too large for a one-sector FAT")
    fat += [_FREE] * (SECTOR // 4 - len(fat))
    entries = [_entry("Root Entry", kind=5, start=_END, size=0, child=1, right=_NO_STREAM)]
    for number, (name, start, content) in enumerate(
        zip(streams, chains[1:], contents, strict=True), start=1
    ):
        right = number + 1 if number < len(streams) else _NO_STREAM
        entries.append(_entry(name, kind=2, start=start, size=len(content), child=_NO_STREAM,
                              right=right))  # fmt: skip
    directory = b"".join(entries).ljust(directory_sectors * SECTOR, b"\x00")
    header = MAGIC + b"\x00" * 16 + struct.pack(
        "<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, chains[0], 0, 4096, _END, 0, _END, 0,
    )  # fmt: skip
    header = header[:0x4C] + struct.pack("<109I", 0, *[_FREE] * 108)
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + b"".join(contents)
