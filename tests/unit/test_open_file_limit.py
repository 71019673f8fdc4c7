"""The gateway lifts its soft open-file limit to the hard one (a socket per event stream)."""

from __future__ import annotations

import resource
import subprocess
import sys


def test_the_soft_limit_is_raised_to_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(soft, 256)
    # In a child with a low soft limit (as on a default login), so this process keeps its own.
    code = (
        "import resource; from jobstream.cli import raise_open_file_limit as r; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({low}, {hard})); "
        "print(r(), resource.getrlimit(resource.RLIMIT_NOFILE)[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    reported, now = (int(v) for v in out.stdout.split())
    assert reported == now
    assert now == (hard if hard != resource.RLIM_INFINITY else max(low, 1 << 20)) > low
