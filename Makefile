# jobstream — every habit is one target. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
JOBSTREAM := $(VENV)/bin/jobstream
# `make test` runs in this many pytest-xdist workers, each on its own infrastructure and stack
TEST_WORKERS ?= 2

.PHONY: help provision up down status monitor clean test lint fmt unit integration e2e schemas bench eval

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

provision:  ## install .venv, the Kafka jars and FerretDB into caches (idempotent)
	@deploy/local/provision.sh

up: provision  ## run the whole stack locally (Kafka, FerretDB, S3, services); writes .run/env
	@$(JOBSTREAM) dev up

down:  ## stop exactly the processes `make up` and `make monitor` started (data kept)
	@if [ -x $(JOBSTREAM) ]; then $(JOBSTREAM) dev down; fi

monitor: provision  ## Prometheus on 127.0.0.1:9090 scraping what `make up` started, alerts loaded
	@deploy/local/provision-ops.sh prometheus
	@$(JOBSTREAM) dev monitor

status:  ## what runs, where
	@$(JOBSTREAM) dev status

clean:  ## stop everything and remove .run (data included)
	@if [ -x $(JOBSTREAM) ]; then $(JOBSTREAM) dev clean; else rm -rf .run; fi

lint: provision  ## ruff (lint + format check) and mypy strict
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

fmt: provision  ## apply ruff's fixes and formatting
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

test: provision lint  ## lint, then every test in TEST_WORKERS (2) workers, each on its own infrastructure
	@deploy/local/provision-ops.sh
	@$(PY) -m pytest -n $(TEST_WORKERS) --dist load tests/unit tests/integration tests/e2e

schemas: provision  ## regenerate schemas/generated (JSON Schema, OpenAPI, AsyncAPI) from the models
	@$(JOBSTREAM) schemas export

bench: provision  ## benchmarks (fresh stack, ~25 min): bench/results/<ts>.json + docs/benchmarks.md; BENCH_ARGS="--help"
	@deploy/local/provision-bench.sh
	@$(PY) -m bench $(BENCH_ARGS)

eval: provision  ## quality figures per operation on the generated corpora → docs/evaluation.md
	@$(PY) -m evaluation $(EVAL_ARGS)

unit: provision  ## unit tests only (about a minute, no infrastructure)
	@deploy/local/provision-ops.sh
	@$(PY) -m pytest tests/unit

integration: provision  ## integration tests (real Kafka, FerretDB, S3 started by the suite)
	@deploy/local/provision-ops.sh
	@$(PY) -m pytest tests/integration

e2e: provision  ## end-to-end tests over HTTP on a stack the suite starts
	@deploy/local/provision-ops.sh
	@$(PY) -m pytest tests/e2e
