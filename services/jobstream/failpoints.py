"""Failpoints for fault tests: a setting names a point and a count, and the process kills itself
with SIGKILL the count-th time it passes that point. Empty (the default) costs one comparison."""

from __future__ import annotations

import os
import signal

_passes: dict[str, int] = {}


def failpoint(setting: str, point: str) -> None:
    """`setting` is `<point>:<n>`; at the n-th pass of `point` this process dies at once."""
    if not setting:
        return
    name, _, count = setting.partition(":")
    if name != point:
        return
    _passes[point] = _passes.get(point, 0) + 1
    if _passes[point] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
