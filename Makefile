# SoulSync developer tasks. Every target creates the virtualenv it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit integration e2e bench clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the sandbox services and the web UI against them (no accounts needed).
demo: $(STAMP)
	$(BIN)/soulsync demo

## Lint, type-check and run every test (unit, integration, browser).
## Installs Chromium for the browser tests when it is missing (scripts/ensure_browser.py),
## and Xvfb with Qt's libraries for the desktop-window test (scripts/ensure_desktop.py).
test: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python scripts/ensure_browser.py
	$(BIN)/python scripts/ensure_desktop.py
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

e2e: $(STAMP)
	$(BIN)/python scripts/ensure_browser.py
	$(BIN)/python scripts/ensure_desktop.py
	$(BIN)/pytest -q tests/e2e

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .demo
