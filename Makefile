# Two commands on a fresh machine with Python 3.11+:  make run  |  make test
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint format clean

$(BIN)/todo-app: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(BIN)/todo-app  ## serve the API on the embedded SQLite default
	$(BIN)/todo-app serve

test: $(BIN)/todo-app  ## lint, then the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/pytest

format: $(BIN)/todo-app
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache src/*.egg-info
