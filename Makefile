# gongji — two commands: `make run` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-sqlite test-pg test-pg-serializable test-mysql test-miniprogram lint schema migrate demo serve clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

## make run: migrate a SQLite file, load the demo data, serve GraphiQL at :8000/graphql
## (development mode: the mock WeChat login and face verification are refused without it)
run: export GONGJI_ENV ?= development
run: export GONGJI_LOG_FORMAT ?= text
run: $(STAMP)
	$(BIN)/gongji migrate
	$(BIN)/gongji demo
	$(BIN)/gongji serve

## make test: lint, types, the whole suite on SQLite, the mini-program's headless tests, and
## the whole suite again on PostgreSQL when GONGJI_TEST_POSTGRES_URL is set and on MariaDB/MySQL
## when GONGJI_TEST_MYSQL_URL is set (CI sets both; an unreachable server fails the run).
## Each of those databases is wiped. One engine alone: make test-pg / make test-mysql.
test: lint test-sqlite test-miniprogram
	@if [ -n "$$GONGJI_TEST_POSTGRES_URL" ]; then $(MAKE) test-pg; \
	else echo "PostgreSQL run skipped: set GONGJI_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"; fi
	@if [ -n "$$GONGJI_TEST_MYSQL_URL" ]; then $(MAKE) test-mysql; \
	else echo "MariaDB run skipped: set GONGJI_TEST_MYSQL_URL=mysql://root:@127.0.0.1:3306/gongji_test"; fi

test-sqlite: $(STAMP)
	env -u GONGJI_TEST_DATABASE_URL $(BIN)/pytest -q

test-pg: $(STAMP)
	GONGJI_TEST_DATABASE_URL=$${GONGJI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q

## make test-pg-serializable: the suite with the PostgreSQL test database at SERIALIZABLE (as
## CockroachDB runs every transaction); the run sets default_transaction_isolation and resets it
test-pg-serializable: $(STAMP)
	GONGJI_TEST_ISOLATION=serializable GONGJI_TEST_DATABASE_URL=$${GONGJI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q

test-mysql: $(STAMP)
	GONGJI_TEST_DATABASE_URL=$${GONGJI_TEST_MYSQL_URL:-mysql://root:@127.0.0.1:3306/gongji_test} $(BIN)/pytest -q

MP_STAMP := miniprogram_mock/node_modules/.installed-stamp

$(MP_STAMP): miniprogram_mock/package-lock.json
	@command -v npm >/dev/null || { echo "Node 20 and npm are required for the mini-program tests"; exit 1; }
	cd miniprogram_mock && npm ci --no-audit --no-fund
	@touch $@

test-miniprogram: $(STAMP) $(MP_STAMP)
	cd miniprogram_mock && GONGJI_BIN=$(CURDIR)/$(BIN)/gongji npx jest --runInBand

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## make schema: regenerate the committed contract
schema: $(STAMP)
	$(BIN)/gongji export-schema --output schema.graphql

clean:
	rm -rf $(VENV) gongji.sqlite3 .pytest_cache .mypy_cache .ruff_cache miniprogram_mock/node_modules
