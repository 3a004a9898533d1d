# ResolutionFlow: `make run` serves the product with a seeded demo pilot; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and command output point at the address the server runs on.
export SITE_URL ?= http://$(HOST):$(PORT)
# pytest-xdist workers; CI and developers use all cores.
WORKERS ?= auto

# Django 6.1 needs Python 3.12+ (scripts/find-python looks on PATH, then under pyenv).
PYTHON ?= $(shell scripts/find-python)

UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: help install run serve migrate seed test test-changed fuzz lint lint-js lint-schema bench eval example-client example-client-run clean

help:
	@echo "make run    - install, migrate SQLite, seed the demo pilot, serve on http://$(HOST):$(PORT) with the worker and sweep"
	@echo "make test   - the whole suite in parallel, browser tests included"
	@echo "make lint   - ruff, ESLint over static/js and Redocly over the OpenAPI schema (npm installs them on first use)"
	@echo "make test-changed - only the tests affected by the working tree's changes (pytest-testmon)"
	@echo "make fuzz   - the schema fuzzing module with many examples per operation and role"
	@echo "make serve  - production serving: WEB_CONCURRENCY Daphne processes on one socket (docs/deploy.md)"
	@echo "make bench  - the quick version of every benchmark in bench/ (README, Benchmarks)"
	@echo "make eval   - the assistant on the ticket sets, through the API, on a fresh database"
	@echo "make example-client     - regenerate examples/typescript's schema and types, type-check and lint it"
	@echo "make example-client-run - run the example client's workflow against http://$(HOST):$(PORT) (make run)"

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
	DEBUG=true $(PY) manage.py seed_demo

# web (Daphne), worker (db_worker: emails and webhooks) and sweep (unclaimed alerts) from the
# Procfile; honcho gives web the port and stops all three together on Ctrl+C.
run: seed
	@echo "Serving ResolutionFlow on http://$(HOST):$(PORT)/ with its worker and sweep (Ctrl+C stops all three)"
	DEBUG=true HOST=$(HOST) $(VENV)/bin/honcho start -f Procfile -p $(PORT)

test: install
	$(PY) -m pytest -n $(WORKERS) --ignore=tests/e2e -q
	$(PY) -m pytest -n $(WORKERS) tests/e2e -q

lint: install lint-js lint-schema
	$(VENV)/bin/ruff check .

# CASES=path.jsonl to run other ticket files (default: the shared dev set and evals/assistant/cases.jsonl).
eval: install
	$(PY) scripts/eval_assistant.py $(CASES)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

lint-js: node_modules/.installed
	npx --no-install eslint static/js examples/browser

# The example TypeScript client (examples/typescript/README.md): its own npm project.
EXAMPLE_TS := examples/typescript

$(EXAMPLE_TS)/node_modules/.make-installed: $(EXAMPLE_TS)/package.json $(EXAMPLE_TS)/package-lock.json
	cd $(EXAMPLE_TS) && npm ci --no-audit --no-fund --silent
	@touch $@

# After an API change: openapi.yaml and src/schema.d.ts from the current code (commit both).
example-client: install $(EXAMPLE_TS)/node_modules/.make-installed
	cd $(EXAMPLE_TS) && PYTHON=$(abspath $(PY)) npm run --silent generate && npm run --silent typecheck && npm run --silent lint

example-client-run: $(EXAMPLE_TS)/node_modules/.make-installed
	cd $(EXAMPLE_TS) && RF_BASE_URL=$${RF_BASE_URL:-http://$(HOST):$(PORT)} npm run --silent workflow

# The schema as /api/v1/schema/ serves it, linted by Redocly's recommended rules (redocly.yaml).
lint-schema: install node_modules/.installed
	@mkdir -p var
	DEBUG=true $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install redocly lint var/openapi.yaml

# The first run records which tests touch which code (.testmondata); later runs pick the
# tests affected by what changed since. Serial: testmon's records need one process.
test-changed: install
	$(PY) -m pytest --testmon -p no:randomly -n 0 --ignore=tests/e2e -q

fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FUZZ_STEPS=$${FUZZ_STEPS:-200} $(PY) -m pytest -n $(WORKERS) tests/api/test_fuzz_schema.py -q

serve: install
	$(PY) scripts/serve --host $(HOST) --port $(PORT)

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .tools db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
