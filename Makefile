# taskfit: `make demo` runs the comparison on the bundled data; `make test` runs the tests.
# Both create (or reuse) .venv and install what they need from the package registry only.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# torch: the CPU build, installed first so that sentence-transformers does not pull a
# multi-GB GPU build. A torch already in the venv is kept.
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test lint bench clean help chromium

help:
	@echo "make demo   - set up .venv and run 'taskfit demo --report' (bundled data, embedded models)"
	@echo "make test   - set up .venv with test extras and run the tests"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - benchmarks (needs ../shared/data/banking77), see benchmarks/RESULTS.md"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.torch: | $(PY)
	@$(PY) -c "import torch" 2>/dev/null && echo "keeping the installed torch" \
	  || $(PIP) install "$(TORCH_SPEC)"
	@touch $@

# llama-cpp-python compiles from source the first time (about 5 minutes on 2 cores);
# pip caches the wheel afterwards.
$(VENV)/.models: pyproject.toml $(VENV)/.torch
	$(PIP) install -e ".[models]"
	@touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.models
	$(PIP) install -e ".[models,ray,test]"
	@touch $@

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download is not used). Installed with apt when missing and we may (root or sudo -n).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  command -v apt-get >/dev/null 2>&1 \
	    && $$SUDO apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	} || echo "chromium could not be installed: the browser tests will say so and skip"

demo: $(VENV)/.models
	$(VENV)/bin/taskfit demo --report
	@echo "Browse this and later runs in the web UI: $(VENV)/bin/taskfit ui  (http://127.0.0.1:8765/)"

test: $(VENV)/.test chromium
	$(PY) -m pytest

lint: $(VENV)/.test
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(VENV)/.test
	$(PY) benchmarks/bench_scoring.py
	$(PY) benchmarks/bench_compare.py
	$(PY) benchmarks/bench_duplicates.py
	$(PY) benchmarks/bench_profile.py
	$(PY) benchmarks/bench_curve.py
	$(PY) benchmarks/bench_trust.py
	$(PY) benchmarks/bench_report.py

clean:
	rm -rf $(VENV) .taskfit .pytest_cache .mypy_cache .ruff_cache test-artifacts
