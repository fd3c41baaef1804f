# deel-intake: every target sets itself up. On a fresh machine `make run` and `make test`
# are all a user needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv run demo test test-fast lint fmt clean deps-test deps-run

help:
	@echo "make run    set up (first time) and start deel-intake"
	@echo "make demo   start deel-intake against the built-in stand-in of Deel's API"
	@echo "make test   set up (first time) and run every test"
	@echo "make lint   ruff, mypy --strict and the import-linter contracts"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "deel-intake needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	@touch $@

venv: $(STAMP)

deps-run:
	@bash .ci/debian-packages run

deps-test:
	@bash .ci/debian-packages test

run: venv deps-run
	$(BIN)/deel-intake

demo: venv deps-run
	$(BIN)/deel-intake --demo

# The whole suite runs inside a private D-Bus session with an unlocked, throwaway
# gnome-keyring, so the keychain tests talk to a real Secret Service.
test: venv deps-test
	QT_QPA_PLATFORM=offscreen bash tests/with-keychain.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
