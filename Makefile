# Hunkwise: `make run` opens the app, `make test` runs every check. Both set up .venv first.
# See README.md. Everything here works on a fresh Debian machine with Python 3.11.

VENV    := .venv
PY      := $(VENV)/bin/python
FILE    ?=
# CI runs from a clean clone: keep it from writing .pytest_cache there.
PYTEST_FLAGS ?= -q $(if $(CI),-p no:cacheprovider)

.PHONY: help setup run test lint bundle demo icons clean

help:
	@echo "make run [FILE=x.mbox]   open the app (the bundled demo mailbox without FILE)"
	@echo "make test                the whole test suite, headless, and ruff"
	@echo "make bundle              a one-folder PyInstaller bundle in dist/hunkwise/"
	@echo "make demo                regenerate resources/demo.mbox"
	@echo "make icons               re-render the PNG icons from resources/icons/hunkwise.svg"

setup:
	@scripts/bootstrap.sh test

run:
	@scripts/bootstrap.sh run
	$(PY) -m viewer $(FILE)

# pytest and ruff both run even when the first fails; the target fails if either did.
test:
	@scripts/bootstrap.sh test
	@status=0; \
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_FLAGS) || status=$$?; \
	$(VENV)/bin/ruff check viewer tests bench || status=$$?; \
	exit $$status

lint:
	@scripts/bootstrap.sh test
	$(VENV)/bin/ruff check viewer tests bench

bundle:
	@scripts/bootstrap.sh bundle
	packaging/build_bundle.sh

demo:
	python3 resources/demo/make_demo.py

icons:
	@scripts/bootstrap.sh test
	QT_QPA_PLATFORM=offscreen $(PY) resources/icons/render_icons.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache
