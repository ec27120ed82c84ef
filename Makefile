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

.PHONY: setup setup-dev run test test-sqlite test-postgres bench quality extract-samples

$(BIN)/relato: pyproject.toml
	$(PY) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

setup: $(BIN)/relato

$(VENV)/.dev: $(BIN)/relato
	$(PIP) install -e ".[dev]"
	@touch $@

setup-dev: $(VENV)/.dev

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
