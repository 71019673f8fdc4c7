"""Start, track and stop child processes by pid file, so `down` stops exactly what `up` started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ManagedProcess:
    """A process the stack started: its name, its pid file and its log."""

    name: str
    pid_file: Path
    log_file: Path

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def is_running(self) -> bool:
        pid = self.pid()
        return pid is not None and _alive(pid) and self._same_start_marker(pid)

    def _same_start_marker(self, pid: int) -> bool:
        """Guards against pid reuse: the pid file also records the process start time."""
        parts = self.pid_file.read_text().split()
        return len(parts) < 2 or parts[1] == _start_time(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        # A zombie is dead for our purposes.
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def start_process(
    proc: ManagedProcess,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start argv in its own session with output to the log file and record its pid."""
    proc.pid_file.parent.mkdir(parents=True, exist_ok=True)
    proc.log_file.parent.mkdir(parents=True, exist_ok=True)
    with proc.log_file.open("ab") as log:
        child = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
    proc.pid_file.write_text(f"{child.pid} {_start_time(child.pid)}\n")
    return child


def stop_process(proc: ManagedProcess, *, timeout: float = 15.0, hard: bool = False) -> bool:
    """Stop the process group recorded in the pid file; SIGKILL after the timeout.

    Returns True when something was stopped. The pid file is removed either way.
    """
    pid = proc.pid()
    stopped = False
    if pid is not None and proc.is_running():
        _signal_group(pid, signal.SIGKILL if hard else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.05)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
            while _alive(pid) and time.monotonic() < deadline + 5:
                _reap(pid)
                time.sleep(0.05)
        stopped = True
    proc.pid_file.unlink(missing_ok=True)
    return stopped


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
