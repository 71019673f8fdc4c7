"""The worker's CPU process pool, whose processes die with the worker.

A worker killed with SIGKILL runs no cleanup, and the forkserver and pool processes that
multiprocessing started would live on (re-parented to init), holding memory and a core until their
job ends. So each of them asks Linux to send it SIGKILL when its parent dies (`PR_SET_PDEATHSIG`):
the forkserver through a module it preloads, each pool process through the pool's initializer.
A process whose parent died before it could ask (it was re-parented already) exits at once: the
forkserver remembers its own pid for that, in memory its forked pool processes inherit.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_forkserver_pid: int | None = None  # set in the forkserver by its preload, inherited on fork


def die_with_parent(*, parent: int | None = None) -> None:
    """Linux only (elsewhere a no-op): SIGKILL this process when `parent` (its parent) dies; exit
    now if that parent is already gone."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not permitted here: multiprocessing's own clean-up is all there is
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def preload_in_forkserver() -> None:
    """Run by the forkserver as it starts: its parent, the worker, is alive at that moment."""
    global _forkserver_pid
    die_with_parent(parent=os.getppid())
    _forkserver_pid = os.getpid()


def _pool_process_initializer() -> None:
    die_with_parent(parent=_forkserver_pid)


def new_cpu_pool(*, max_workers: int = 1) -> concurrent.futures.ProcessPoolExecutor:
    """A forkserver pool (no fork of a threaded event loop) whose processes die with ours."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["jobstream.workers.die_with_parent"])
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=max_workers, mp_context=context, initializer=_pool_process_initializer
    )
