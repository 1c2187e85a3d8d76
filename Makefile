# Two entry points (README): `make reproduce` and `make test`. Each does its own setup.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 TOKENIZERS_PARALLELISM=false MPLBACKEND=Agg PYTHONUNBUFFERED=1
SCALE ?= tiny
PAPERS ?=
SEEDS ?=

.PHONY: setup reproduce test test-fast sync-check bench lab docs check-browser

setup: $(STAMP)

# torch first, from the local CPU wheel (a plain `torch` requirement would pull a multi-GB CUDA build)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev,curation,eval,docs]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name reasonlab --display-name reasonlab >/dev/null
	rm -f $(VENV)/.installed-*; touch $@

# every paper at tiny scale (SCALE=full on GPU boxes; PAPERS="shuffle-r1" for one; SEEDS=3 for a quicker pass with
# seeds 0-2 instead of each paper's own, which writes outputs/ but not the papers' committed results)
reproduce: setup
	$(BIN)/reasonlab-reproduce --scale $(SCALE) $(if $(PAPERS),--papers $(PAPERS)) $(if $(SEEDS),--seeds $(SEEDS))

# notebooks in sync with reasonlab/, the notebooks' own tests, then pytest (exit 5 = no tests is not a failure here);
# two at a time (TEST_WORKERS): most of a test's time is one thread; test files stay whole (a paper runs once per file)
TEST_WORKERS ?= 2
test: setup sync-check
	env -u IN_TEST $(BIN)/nbdev-test --n-workers $(TEST_WORKERS)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --durations=15 tests; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

sync-check: setup
	$(BIN)/python tools/check_sync.py

bench: setup
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

# JupyterLab on the repo, with the notebooks' "reasonlab" kernel (the lab extra: jupyterlab, ipywidgets)
lab: setup
	$(BIN)/python -m pip install -q -e ".[dev,curation,lab]"
	$(BIN)/jupyter lab --notebook-dir=.

# the documentation site from the notebooks (Sphinx + MyST-NB, offline) → _docs/index.html; fails on a broken link
docs: setup
	$(BIN)/python tools/build_docs.py --out _docs

# optional: docs page and JupyterLab opening a paper notebook, in headless Chromium (apt-get install chromium)
check-browser: setup
	$(BIN)/python -m pip install -q -e ".[lab]"
	$(BIN)/python tools/check_browser.py
