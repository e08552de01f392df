# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint typecheck pytest bench clean

venv: $(STAMP)

# Rebuilt only when a requirements file or the install script changes, so `make venv` is
# idempotent. scripts/install is also the Dockerfile's install step (runtime only there).
$(STAMP): requirements.txt requirements-dev.txt requirements-camel.txt scripts/install
	PYTHON=$(PYTHON) scripts/install --dev --venv $(VENV)
	touch $(STAMP)

run: venv
	$(BIN)/python -m bot

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	scripts/postgres-up
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
