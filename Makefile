# Two commands on a fresh machine with Python 3.11+:  make run  |  make test
VENV ?= .venv
BIN := $(VENV)/bin
# Every dependency, transitive ones included, pinned with hashes; made from pyproject.toml by `make lock`.
LOCK := requirements/lock.txt
UV_VERSION := 0.13.9
# `make test` fails when the suite covers less of src/todo_app than this (percent, lines and branches).
# Measured: SQLite 93.5-94.4, PostgreSQL 95.0 (browser tests add under 2 points). Keep it a few
# points under the lower leg, so a workstation without Chromium passes too.
COV_FLOOR := 88

.PHONY: run test lint format lock clean

# Re-runs whenever the lock or pyproject.toml changes. `pip check` fails the install when
# pyproject.toml asks for something the lock lacks: run `make lock`.
$(BIN)/todo-app: $(LOCK) pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "$(LOCK) is out of date with pyproject.toml: run make lock" >&2; exit 1; }
	touch $@

run: $(BIN)/todo-app  ## serve the API on the embedded SQLite default
	$(BIN)/todo-app serve

test: $(BIN)/todo-app  ## lint and type-check, then the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=$(COV_FLOOR)

format: $(BIN)/todo-app
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

# Re-resolve $(LOCK) from pyproject.toml: after adding, removing or changing a dependency there.
# Versions already in the lock are kept where they still fit; `make lock UPGRADE=1` moves every
# transitive dependency to its newest release instead. Resolves for Python 3.11+ on every platform.
lock:
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes $(if $(UPGRADE),--upgrade) --custom-compile-command "make lock" \
		--quiet -o $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache src/*.egg-info .coverage .coverage.* htmlcov
