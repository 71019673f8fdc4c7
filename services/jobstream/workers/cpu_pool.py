"""The worker's CPU process pool, whose processes die with the worker.

A worker killed with SIGKILL runs no cleanup, and the forkserver and pool processes that
multiprocessing started would live on (re-parented to init), holding memory and sometimes a core.
So each of them asks Linux to send it SIGKILL when its parent dies (`PR_SET_PDEATHSIG`): the
forkserver through a module it preloads, each pool process through the pool's initializer. A
process whose parent died before it could ask exits at once.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux only (elsewhere a no-op): SIGKILL this process when the thread that forked it ends."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not permitted here: fall back to multiprocessing's own clean-up
    if os.getppid() != parent:  # the parent died between fork and prctl
        os._exit(1)


def new_cpu_pool(*, max_workers: int = 1) -> concurrent.futures.ProcessPoolExecutor:
    """A forkserver pool (no fork of a threaded event loop) whose processes die with ours."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["jobstream.workers.die_with_parent"])
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=max_workers, mp_context=context, initializer=die_with_parent
    )
