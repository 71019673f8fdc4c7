"""Imported by the CPU pool's forkserver when it starts (a preload): it dies with the worker."""

from jobstream.workers.cpu_pool import preload_in_forkserver

preload_in_forkserver()
