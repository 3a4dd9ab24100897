# Clerk: `make run` serves the app, `make test` runs every test. Both create .venv when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# The shared dev set and our own sets (eval/questions/): follow-ups, columns, item numbers.
DEV_QUESTIONS ?= $(SHARED_DEV)/*.jsonl eval/questions/*.jsonl

# Questions written blind (by helpers who never read Clerk's code) over the default papers; each
# file splits into tune and held-out by paper (eval/split.py).
BLIND_QUESTIONS ?= eval/blind/b[0-9]*.jsonl
# ... and over the other councils' papers (../shared/external-papers), scored on var/index-external.
BLIND_EXTERNAL ?= eval/blind/b[kx]*.jsonl

.PHONY: run test index bench clean gate gate-external gate-heldout gate-heldout-external eval eval-external fit

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

# Regression gate (eval/README.md): fails when a question type's Recall@5 or answer accuracy drops
# more than 2 points below eval/baseline.json, or the median latency rises more than 50 %.
# A clone with no ../shared beside it (the dev set is not the project's) skips this gate, as
# gate-external does without the external papers; the held-out gates use the project's own sets.
SHARED_DEV ?= ../shared/dev
gate: index
	@if [ ! -d "$(SHARED_DEV)" ]; then echo "gate: no $(SHARED_DEV) folder, the dev gate is skipped"; exit 0; fi; \
	$(PY) -m eval gate --questions $(DEV_QUESTIONS) --baseline eval/baseline.json

# The full report with charts, every preset side by side: var/eval/report.md
eval: index
	$(PY) -m eval run --questions $(DEV_QUESTIONS) --configs hybrid,bm25,dense,rrf,eval/configs/rules.toml --out var/eval

# The gate on the held-out part of the blind sets: a rule that helps tune but hurts these fails.
# Both answerers are gated: the fitted selector (the default) and the rules.
gate-heldout: index
	$(PY) -m eval gate --questions $(BLIND_QUESTIONS) --split heldout --baseline eval/baseline-heldout.json && \
	$(PY) -m eval gate --questions $(BLIND_QUESTIONS) --split heldout --config eval/configs/rules.toml \
		--baseline eval/baseline-heldout-rules.json

# Refit the chunk reranker and the answer selector (qa/selector.json) on the tune part of every set, both indexes.
fit: index
	$(PY) -m qa ingest $(EXTERNAL_PAPERS) --index var/index-external
	$(PY) -m eval fit --questions $(DEV_QUESTIONS) eval/external/*.jsonl $(BLIND_QUESTIONS) $(BLIND_EXTERNAL) --split tune \
		--index var/index --index var/index-external

# Papers from other councils (../shared/external-papers), which Clerk was not tuned on, with their own
# questions (eval/external/): their own index, hybrid/bm25/dense, report in var/eval-external/report.md.
# A paper that fails to ingest is reported and the rest are still scored.
EXTERNAL_PAPERS ?= ../shared/external-papers
eval-external: $(STAMP)
	@if [ ! -d "$(EXTERNAL_PAPERS)" ]; then echo "eval-external: no $(EXTERNAL_PAPERS) folder, nothing to evaluate"; exit 0; fi; \
	$(PY) -m qa ingest $(EXTERNAL_PAPERS) --index var/index-external || echo "eval-external: some papers failed to ingest; scoring the rest"; \
	$(PY) -m eval run --questions eval/external/*.jsonl --index var/index-external --configs hybrid,bm25,dense --out var/eval-external

# The same gate over the other councils' papers, against eval/baseline-external.json.
gate-external: $(STAMP)
	@if [ ! -d "$(EXTERNAL_PAPERS)" ]; then echo "gate-external: no $(EXTERNAL_PAPERS) folder, nothing to gate"; exit 0; fi; \
	$(PY) -m qa ingest $(EXTERNAL_PAPERS) --index var/index-external && \
	$(PY) -m eval gate --questions eval/external/*.jsonl --index var/index-external --baseline eval/baseline-external.json

# The held-out gate over the other councils' papers, against eval/baseline-heldout-external.json.
gate-heldout-external: $(STAMP)
	@if [ ! -d "$(EXTERNAL_PAPERS)" ]; then echo "gate-heldout-external: no $(EXTERNAL_PAPERS) folder, nothing to gate"; exit 0; fi; \
	$(PY) -m qa ingest $(EXTERNAL_PAPERS) --index var/index-external && \
	$(PY) -m eval gate --questions $(BLIND_EXTERNAL) --split heldout --index var/index-external --baseline eval/baseline-heldout-external.json && \
	$(PY) -m eval gate --questions $(BLIND_EXTERNAL) --split heldout --index var/index-external \
		--config eval/configs/rules.toml --baseline eval/baseline-heldout-external-rules.json

clean:
	rm -rf $(VENV) var
