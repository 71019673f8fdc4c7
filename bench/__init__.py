"""`make bench`: jobstream measured against Celery + Redis and against raw aiokafka, in one run.

Run `python -m bench --help`. Nothing here is part of `make test`; results land in
`bench/results/<timestamp>.json` and the table in `docs/benchmarks.md`.
"""
