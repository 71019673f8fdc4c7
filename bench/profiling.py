"""`--profile`: py-spy flame graphs of the services while the end-to-end workload runs.

py-spy samples a running process from outside (ptrace), so the services run unmodified; the
SVGs land next to the results JSON. Idle time (waiting on the network) is not sampled, so a
flame graph shows where CPU goes, not where latency comes from.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


def py_spy() -> str | None:
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def flame_graphs(pids: dict[str, int], out_dir: Path, *, rate: int = 50) -> Iterator[list[Path]]:
    """Record each pid until the block ends; yields the SVG paths, filled in at the end."""
    binary = py_spy()
    written: list[Path] = []
    if binary is None or not pids:
        yield written
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    recorders: dict[Path, subprocess.Popen[bytes]] = {}
    for name, pid in pids.items():
        svg = out_dir / f"{name}.svg"
        argv = [binary, "record", "--pid", str(pid), "--rate", str(rate), "--nonblocking"]
        recorders[svg] = subprocess.Popen(
            [*argv, "--output", str(svg), "--format", "flamegraph"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        yield written
    finally:
        for recorder in recorders.values():
            recorder.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for path, recorder in recorders.items():
            try:
                recorder.wait(timeout=60)
            except subprocess.TimeoutExpired:
                recorder.kill()
            if path.exists():
                written.append(path)
