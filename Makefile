# Two commands on a fresh machine: `make run` serves the data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test lint validate bench bench-load bench-faults build mutate clean

$(BIN)/regiold: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/regiold
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# jsonld.js, the JavaScript JSON-LD client tests/test_clients_live.py runs (needs node and npm)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

run: $(BIN)/regiold
	$(BIN)/regiold serve --host $(HOST) --port $(PORT)

validate: $(BIN)/regiold
	$(BIN)/regiold validate

test: $(VENV)/.test-deps node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

build: $(BIN)/regiold
	$(BIN)/regiold build --out _site

bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py

bench-load: $(VENV)/.test-deps  # 64 clients, mixed traffic, 100k requests (docs/OPERATIONS.md)
	$(BIN)/python bench/load.py --duration 300 --requests 100000

mutate: $(VENV)/.test-deps  # one-line bugs in the security code; every one must fail a test (README.md)
	$(BIN)/python tests/mutate.py

bench-faults: $(VENV)/.test-deps  # kill a worker, reload valid/invalid, stop the remote store
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) _site .pytest_cache node_modules
