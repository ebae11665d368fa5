PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo model test lint

$(BIN)/indicators: pyproject.toml
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(BIN)/indicators

setup: $(BIN)/indicators

demo: setup
	$(BIN)/indicators suggest samples/ --format txt -o out/suggestions.jsonl

DEV_CORPUS ?= $(wildcard ../shared/corpus/dev)

model: setup
	$(BIN)/indicators train $(DEV_CORPUS) tests/data/heldout_like*.jsonl -o models/bundled

test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check src tests scripts
