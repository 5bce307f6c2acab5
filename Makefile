# tieuchuan — `make run` and `make test` are the whole Quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA_DIR ?= ./var
AXE    := tests/.npm/node_modules/axe-core/axe.min.js

.PHONY: run test lint format bench eval bundle clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## create .venv, build store and index if missing, serve on :8000
	$(BIN)/tieuchuan index --data-dir $(DATA_DIR)
	$(BIN)/tieuchuan serve --data-dir $(DATA_DIR) --host 127.0.0.1 --port 8000

$(AXE):  # accessibility checker for the browser tests, from npm
	mkdir -p tests/.npm
	cd tests/.npm && npm install --no-save --no-audit --no-fund --prefix . axe-core@4

test: $(STAMP) $(AXE)  ## the whole suite
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check catalogue indexer tests
	$(BIN)/ruff format --check catalogue indexer tests

format: $(STAMP)
	$(BIN)/ruff format catalogue indexer tests
	$(BIN)/ruff check --fix catalogue indexer tests

bench: $(STAMP)  ## speed and memory (search and crawl on a synthetic catalogue labelled as such; recommendations on the bundled one)
	$(BIN)/python tests/bench/search.py
	$(BIN)/python tests/bench/crawl.py
	$(BIN)/python tests/bench/recommend.py
	$(BIN)/python tests/bench/load.py

eval: $(STAMP)  ## relevance: search vs SQLite FTS5, and the recommender (success@k, MRR, wrong mandatory), dev and heldout
	$(BIN)/python tests/eval/search_eval.py
	$(BIN)/python tests/eval/recommend_eval.py

bundle: $(STAMP)  ## rebuild catalogue/data from ../shared/data (developers only)
	$(BIN)/python -m catalogue.bundle --from ../shared/data --out catalogue/data

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .ruff_cache
