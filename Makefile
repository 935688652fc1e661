# Quick start: `make run` (serve the demo on http://127.0.0.1:8000) and `make test`.
# Both honour DATABASE_URL and REDIS_URL from the environment; without DATABASE_URL an embedded
# PostgreSQL runs under var/ (stop it with `make stop-db`). See README.md.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Extra pytest arguments: make test ARGS="-x -q -m 'not browser'"
ARGS   ?=
DEMO_PASSWORD ?= demo-password-2026
# Benchmark size (XS, T, S, M: docs/performance.md) and extra runner arguments.
SIZE ?= T
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint format stop-db migrate demo bench bench-data

help:
	@echo "make run      migrate, load demo data and serve on http://127.0.0.1:$${PORT:-8000}"
	@echo "make test     run the test suite (ARGS=... passes pytest arguments)"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make migrate  apply migrations"
	@echo "make demo     load the demo task forces and accounts (DEMO_PASSWORD=...)"
	@echo "make stop-db  stop the embedded PostgreSQL under var/"
	@echo "make bench-data SIZE=S  generate the benchmark data of a size in its own database"
	@echo "make bench SIZE=S       run the benchmark (BENCH_ARGS=... passes runner arguments)"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml (the pinned dependencies) is newer than the stamp.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install ".[dev]"
	@rm -rf build *.egg-info
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) scripts/dev.py run

test: $(STAMP)
	$(PY) scripts/dev.py test $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: $(STAMP)
	$(PY) manage.py load_demo --password "$(DEMO_PASSWORD)"

stop-db:
	@if [ -x $(PY) ]; then $(PY) scripts/dev.py stop; else echo "no $(VENV); nothing to stop"; fi

# A database per size on DATABASE_URL's server, built by a superuser there (BENCH_ADMIN_URL,
# default postgres on that server). docs/performance.md says what is measured.
bench-data: $(STAMP)
	$(PY) benchmarks/generate.py --size $(SIZE)

bench: $(STAMP)
	$(PY) benchmarks/run.py --size $(SIZE) $(BENCH_ARGS)
