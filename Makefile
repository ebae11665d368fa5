PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo model test lint

# setup.py compiles these with Cython: a change to one compiles again
COMPILED := $(addprefix src/indicators/rules/,termindex.py match.py fire.py engine.py patterns.py context_values.py)

$(BIN)/indicators: pyproject.toml setup.py $(COMPILED)
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	# deduce (the PII guard of doccano push) builds its lookup cache in the venv on first load
	# (about 80 s): once here, not in the first test run
	ls $(VENV)/lib/python3*/site-packages/deduce/data/lookup/cache/lookup_structs.pickle >/dev/null 2>&1 \
		|| $(BIN)/python -c "from indicators.doccano.pii import _deduce; _deduce()"
	touch $(BIN)/indicators

# doccano 1.8.4 in its own environment (.doccano/venv): coders' server and the server tests
DOCCANO_ENV := .doccano/venv/bin/doccano

$(DOCCANO_ENV): | $(BIN)/indicators
	$(BIN)/python -c "from indicators.doccano.server import ServerLayout, ensure_venv; ensure_venv(ServerLayout.default())"

setup: $(BIN)/indicators $(DOCCANO_ENV)

demo: setup
	$(BIN)/indicators suggest samples/ --format txt -o out/suggestions.jsonl

DEV_CORPUS ?= $(wildcard ../shared/corpus/dev)

# models/bundled: the dev corpus and the codebook-2.0 test sets (sets 1-8 were labelled with
# codebook 1.0 and hold no family-5 code: a model trained on them learns to drop family 5)
model: setup
	$(BIN)/indicators train $(DEV_CORPUS) tests/data/heldout_v2_*.jsonl tests/data/tune_v2_d.jsonl -o models/bundled

test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check src tests scripts
