# Every target sets up what it needs first: system packages (apt, when missing), the
# project's virtualenv at .venv, and the project installed in it (editable).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run up down status test lint bench clean

$(STAMP): pyproject.toml infra/install-system-deps.sh
	infra/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

run: install  ## everything in the foreground; Ctrl-C stops it all
	$(BIN)/weather-stack run

up: install  ## everything in the background; returns when every process is ready
	$(BIN)/weather-stack up

down: install
	$(BIN)/weather-stack down

status: install
	$(BIN)/weather-stack status

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m tests.bench.engine
	$(BIN)/python -m tests.bench.pipeline

clean:
	-$(BIN)/weather-stack down --clean
	rm -rf $(VENV)
