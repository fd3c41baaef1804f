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

.PHONY: help venv run demo test lint fmt clean deps-test deps-run deps-package package package-test \
	bench bench-quick

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
ARCH := $(shell uname -m)
RELEASE := deel-intake-$(VERSION)-linux-$(ARCH)

help:
	@echo "make run    set up (first time) and start deel-intake"
	@echo "make demo   start deel-intake against the built-in stand-in of Deel's API"
	@echo "make test   set up (first time) and run every test"
	@echo "make lint   ruff, mypy --strict and the import-linter contracts"
	@echo "make bench         every benchmark (< 10 min); writes docs/benchmarks.md"
	@echo "make bench-quick   smaller runs (< 2 min)"
	@echo "make package       build dist/$(RELEASE).tar.gz (PyInstaller, one folder)"
	@echo "make package-test  build from a clean tree, self-check it, start it offscreen"

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

deps-package:
	@bash .ci/debian-packages package

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

# The Linux bundle: dist/deel-intake/ and dist/$(RELEASE).tar.gz holding it, the .desktop
# file, the icon and install.sh. SRC is the tree to build from (package-test uses a clean one).
SRC ?= .
package: venv deps-package
	$(BIN)/python -m pip install --quiet -e '.[package]'
	rm -rf $(SRC)/build/pyinstaller $(SRC)/dist/deel-intake $(SRC)/dist/$(RELEASE)
	cd $(SRC) && $(abspath $(BIN))/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/deel-intake.spec
	mkdir -p $(SRC)/dist/$(RELEASE)
	cp -R $(SRC)/dist/deel-intake $(SRC)/dist/$(RELEASE)/
	cp $(SRC)/packaging/deel-intake.desktop $(SRC)/packaging/deel-intake.png \
		$(SRC)/packaging/install.sh $(SRC)/dist/$(RELEASE)/
	tar -C $(SRC)/dist -czf $(SRC)/dist/$(RELEASE).tar.gz $(RELEASE)
	rm -rf $(SRC)/dist/$(RELEASE)
	@echo "bundle: $$(du -sb $(SRC)/dist/deel-intake | awk '{printf "%.1f MiB", $$1/1048576}') unpacked," \
		"$$(du -b $(SRC)/dist/$(RELEASE).tar.gz | awk '{printf "%.1f MiB", $$1/1048576}') as $(RELEASE).tar.gz"

# Build from a clean export of HEAD (nothing untracked can leak in), then check the frozen
# app: --self-check under a private D-Bus session with a real gnome-keyring, and a start
# offscreen that shows the window and quits.
package-test: venv deps-package
	@start=$$(date +%s); \
	rm -rf build/clean && mkdir -p build/clean && git archive HEAD | tar -x -C build/clean && \
	$(MAKE) --no-print-directory package SRC=build/clean && \
	frozen=build/clean/dist/deel-intake/deel-intake && data=$$(mktemp -d) && \
	QT_QPA_PLATFORM=offscreen bash tests/with-keychain.sh $$frozen --self-check --data-dir $$data && \
	QT_QPA_PLATFORM=offscreen $$frozen --quit-when-ready --data-dir $$data && \
	xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \
		$$frozen --quit-when-ready --data-dir $$data && \
	$$frozen --data-dir $$data status && \
	rm -rf $$data && \
	echo "package-test passed in $$(( $$(date +%s) - start )) s"

# Benchmarks: never part of `make test`. The full run builds the bundle first (its size and
# its start-up are measured too).
bench: venv deps-package
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python bench/run.py

bench-quick: venv deps-test
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
