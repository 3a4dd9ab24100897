# Clerk: `make run` serves the app, `make test` runs every test. Both create .venv when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test index bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

index: $(STAMP)
	$(PY) -m qa ingest corpus/papers

run: index
	$(PY) -m qa serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(PY) -m pytest

bench: index
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
