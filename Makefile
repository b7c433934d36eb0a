# TicketBridge: `make run` for the sandbox, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: install run test test-sqlite test-postgres lint format bench postgres clean sdk

$(STAMP): pyproject.toml clients/python/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ./clients/python -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/ticketbridge demo $(ARGS)

lint: install
	$(VENV)/bin/ruff format --check src tests bench clients/python examples
	$(VENV)/bin/ruff check src tests bench clients/python examples
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format src tests bench clients/python examples
	$(VENV)/bin/ruff check --fix src tests bench clients/python examples

# Regenerates the SDK's generated layer (clients/python/ticketbridge_client/_generated) from
# the app's OpenAPI document; the drift test (tests/clients/test_drift.py) fails until it is.
sdk: install
	$(PY) clients/python/regenerate.py

postgres:
	@bash .ci/ensure-postgres

test-sqlite: install
	TICKETBRIDGE_TEST_STORE=sqlite $(PY) -m pytest

test-postgres: install postgres
	TICKETBRIDGE_TEST_STORE=postgres $(PY) -m pytest -m "not store_independent"

test: lint test-sqlite test-postgres

bench: install postgres
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .ticketbridge-demo .mypy_cache .ruff_cache .hypothesis
