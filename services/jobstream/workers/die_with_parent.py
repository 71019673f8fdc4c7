"""Imported by the CPU pool's forkserver when it starts (a preload): it dies with the worker."""

from jobstream.workers.cpu_pool import die_with_parent

die_with_parent()
