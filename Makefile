# relato — the two commands of the README quickstart, and their parts.
#   make run   set up, load the sample corpus, start the service on SQLite
#   make test  set up, run the whole test suite on SQLite and on PostgreSQL
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= $(or $(RELATO_PG_URL),postgresql+psycopg://postgres@127.0.0.1:5432/test)
# pip: no version nag, errors only (-qq also hides a note per package when the machine's
# pip configuration names extra indexes that are not there)
PIP := PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/pip --quiet --quiet

.PHONY: setup setup-dev bytecode run test test-sqlite test-postgres bench bench-ocr quality extract-samples ocr-deps

$(BIN)/relato: pyproject.toml
	$(PY) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

setup: $(BIN)/relato ocr-deps bytecode

# The package's bytecode, written once: where PYTHONDONTWRITEBYTECODE is set, every
# `relato extract` would otherwise compile the extractor's sources again (~0.1 s).
bytecode: $(BIN)/relato
	@$(BIN)/python -m compileall -q extractor

# Tesseract with its Portuguese data reads scanned PDFs (OCR). Installed with apt-get
# when missing and we are root; otherwise a note says what to install (relato still
# runs, and refuses scans with the same note).
OCR_PACKAGES := tesseract-ocr tesseract-ocr-por
ocr-deps:
	@if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx por; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing $(OCR_PACKAGES) (OCR for scanned PDFs)" >&2; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null) \
	    || echo "could not install $(OCR_PACKAGES): scanned PDFs will be refused" >&2; \
	else echo "note: scanned PDFs need OCR: sudo apt-get install $(OCR_PACKAGES)" >&2; fi

$(VENV)/.dev: $(BIN)/relato
	$(PIP) install -e ".[dev]"
	@touch $@

setup-dev: $(VENV)/.dev ocr-deps bytecode

extract-samples: setup
	@for f in corpus/*.pdf; do echo "== $$f" >&2; $(BIN)/relato extract "$$f" --indent 0 | head -c 300; echo; done

run: setup
	$(BIN)/relato serve --demo

test: setup-dev
	bash .ci/test

test-sqlite: setup-dev
	env -u RELATO_TEST_DATABASE_URL $(BIN)/pytest -q

test-postgres: setup-dev
	RELATO_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q tests/service tests/hostile

bench: setup-dev
	$(BIN)/python bench/extract.py

quality: setup-dev
	$(BIN)/python bench/quality.py

bench-ocr: setup-dev
	$(BIN)/python bench/ocr.py
