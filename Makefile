# The two commands: `make run` (a full local stack) and `make test` (lint + the whole suite).
# Every target builds what it needs itself, so a fresh clone needs nothing but Python 3.11+,
# make and Node/npm (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; re-install only when pyproject.toml is newer.
VENV_STAMP := $(VENV)/.threshold-installed
NPM_STAMP := node_modules/.threshold-installed
VENDOR := web/static/vendor
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/htmx-ext-sse.js $(VENDOR)/htmx-ext-response-targets.js

PYTEST_ARGS ?= -n 2
DEV_ARGS ?=

.PHONY: run test lint vendor venv clean

run: venv vendor
	$(BIN)/threshold dev $(DEV_ARGS)

test: lint vendor
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

vendor: $(VENDOR_FILES)

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/htmx.min.js: $(NPM_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/htmx-ext-sse.js: $(NPM_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/htmx-ext-sse/dist/sse.min.js $@

$(VENDOR)/htmx-ext-response-targets.js: $(NPM_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/htmx-ext-response-targets/dist/response-targets.min.js $@

# Removes everything the targets above build; the dev data in .threshold/ is kept on purpose.
clean:
	rm -rf $(VENV) node_modules $(VENDOR) .mypy_cache .ruff_cache .pytest_cache test-results
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
