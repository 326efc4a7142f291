# Smart WhatsApp Agent. The two commands a new user needs:
#   make run    service in embedded mode (SQLite, no Redis), prints an API key and the /docs URL
#   make test   import-linter contracts, the whole suite on PostgreSQL + Redis, then ruff (what CI runs)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_DATABASE_URL TEST_REDIS_URL
# Hard ceiling so a hung test can never hold CI forever (the suite itself takes minutes).
TEST_TIMEOUT ?= 1500
PYTEST_ARGS ?=
RUN_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench eval migration clean-data

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes (or the venv is new).
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(STAMP) ## create .venv and install the package with dev extras

run: $(STAMP) ## embedded mode: API + worker + beat on SQLite (Ctrl-C stops all)
	$(BIN)/agent run $(RUN_ARGS)

test: $(STAMP) ## package rules (import-linter), the whole suite on PostgreSQL and Redis, then ruff
	@status=0; \
	$(BIN)/lint-imports --no-cache || status=$$?; \
	timeout --kill-after=30 $(TEST_TIMEOUT) $(PY) -m pytest $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/ruff check . || { [ $$status -ne 0 ] || status=1; }; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (exit $$status)"; fi; \
	exit $$status

lint: $(STAMP) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## ruff format and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## run every bench/bench_*.py (results go to docs/benchmarks.md)
	@set -e; for f in bench/bench_*.py; do \
	  [ -e "$$f" ] || continue; \
	  m=$$(basename "$$f" .py); echo "== python -m bench.$$m"; \
	  $(PY) -m bench.$$m $(BENCH_ARGS); \
	done

eval: $(STAMP) ## AI quality on held-out data (rewrites docs/ai-evaluation*.md)
	$(PY) -m bench.eval_intents
	$(PY) -m bench.eval_risk

migration: $(STAMP) ## regenerate the initial migration from the models (pre-release only)
	./scripts/regen_migration.sh

clean-data: ## delete the embedded-mode data (.data/: SQLite database, broker, demo key)
	rm -rf .data
