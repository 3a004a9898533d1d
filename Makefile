# ResolutionFlow: `make run` serves the product with a seeded demo pilot; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; CI and developers use all cores.
WORKERS ?= auto

# Django 6.1 needs Python 3.12+ (scripts/find-python looks on PATH, then under pyenv).
PYTHON ?= $(shell scripts/find-python)

UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: help install run serve migrate seed test test-changed fuzz lint lint-js bench clean

help:
	@echo "make run    - install, migrate SQLite, seed the demo pilot, serve on http://$(HOST):$(PORT)"
	@echo "make test   - the whole suite in parallel, browser tests included"
	@echo "make lint   - ruff, and ESLint over static/js (npm installs it on first use)"
	@echo "make test-changed - only the tests affected by the working tree's changes (pytest-testmon)"
	@echo "make fuzz   - the schema fuzzing module with many examples per operation and role"
	@echo "make serve  - production serving: WEB_CONCURRENCY Daphne processes on one socket (docs/deploy.md)"
	@echo "make bench  - the quick version of every benchmark in bench/ (README, Benchmarks)"

$(UV):
	@test -n "$(PYTHON)" || { echo "ResolutionFlow needs Python 3.12 or newer (on PATH or under pyenv's versions folder); set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced

migrate: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py collectstatic --noinput -v 0

seed: migrate
	DEBUG=true SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py seed_demo

run: seed
	@echo "Serving ResolutionFlow on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	DEBUG=true $(VENV)/bin/daphne -b $(HOST) -p $(PORT) resolutionflow.asgi:application

test: install
	$(PY) -m pytest -n $(WORKERS) --ignore=tests/e2e -q
	$(PY) -m pytest -n $(WORKERS) tests/e2e -q

lint: install lint-js
	$(VENV)/bin/ruff check .

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

lint-js: node_modules/.installed
	npx --no-install eslint static/js

# The first run records which tests touch which code (.testmondata); later runs pick the
# tests affected by what changed since. Serial: testmon's records need one process.
test-changed: install
	$(PY) -m pytest --testmon -p no:randomly -n 0 --ignore=tests/e2e -q

fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest -n $(WORKERS) tests/api/test_fuzz_schema.py -q

serve: install
	$(PY) scripts/serve --host $(HOST) --port $(PORT)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .tools db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
