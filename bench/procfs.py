"""Readings of live processes from /proc: peak resident memory and CPU time."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (the kernel's high-water mark of resident memory) in MiB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)  # reported in kB
    return None


def children(pid: int) -> list[int]:
    """Live direct children of `pid`."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return sorted(found)


def peak_rss_with_children_mib(pid: int) -> float | None:
    """The process's peak plus its live children's (a worker's CPU pool, a prefork pool)."""
    own = peak_rss_mib(pid)
    if own is None:
        return None
    return round(own + sum(peak_rss_mib(c) or 0.0 for c in children(pid)), 1)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of the process and its reaped children."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
    ticks = os.sysconf("SC_CLK_TCK")
    return round(sum(int(v) for v in fields[11:15]) / ticks, 2)  # utime stime cutime cstime
