# Two commands for a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= var

.PHONY: install demo test lint bench docs dev clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/plan-indicators demo --dir $(DEMO)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/plan-indicators bench --events 1000000 --events 10000000 --events 50000000 --out bench/results.md
	$(BIN)/plan-indicators bench --end-to-end --plan-copies 1 --plan-copies 8 --rounds 2 --out bench/results.md

docs: $(STAMP)
	$(BIN)/python -m plan_indicators.docgen
	$(BIN)/python -m expectations.suites

dev: $(STAMP)
	mkdir -p $(DEMO)/dagster_home
	DAGSTER_HOME=$(CURDIR)/$(DEMO)/dagster_home \
	PLAN_INDICATORS_PSEUDONYM_KEY=$$(cat $(DEMO)/pseudonym.key 2>/dev/null) \
	PLAN_INDICATORS_PLANS_DIR=$$(test -d $(DEMO)/plans && echo $(CURDIR)/$(DEMO)/plans) \
	$(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) $(DEMO)
