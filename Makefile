# 公示通 — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Exact versions with their hashes, resolved from pyproject.toml's ranges for Python 3.11 on
# Linux: requirements.lock for a deployment, requirements-dev.lock (the same pins plus the dev
# extra) for this checkout. `make lock` resolves them again.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
LOCK_TOOLS := $(VENV)/lock-tools
COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: demo test lint typecheck bench reliability lock clean

# One progress line, then pip's errors only (-qq): a newcomer reads the demo's address, not
# a hundred lines of resolver and build-backend output. `make PIP_QUIET=` shows everything.
PIP_QUIET ?= --quiet --quiet --disable-pip-version-check
PIP := $(BIN)/python -m pip install $(PIP_QUIET)

$(STAMP): pyproject.toml $(DEV_LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON))"; exit 1; }
	@echo "正在安装依赖… / installing… ($(VENV))"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@$(PIP) --require-hashes -r $(DEV_LOCK)
	@$(PIP) --no-deps -e .
	@touch $(STAMP)
	@echo "依赖已安装 / installed"

# After changing a dependency in pyproject.toml (pins that still fit are kept; `make lock
# UPGRADE=--upgrade` moves every pin to the newest release in its range). Needs PyPI.
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools; }
	$(COMPILE) $(UPGRADE) --output-file $(LOCK) pyproject.toml
	$(COMPILE) $(UPGRADE) --extra dev --constraint $(LOCK) --output-file $(DEV_LOCK) pyproject.toml

demo: $(STAMP)
	@$(BIN)/gongshi demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy messages domain storage services handlers notices bot documents

# The tests in TEST_WORKERS processes (pytest-xdist; each starts its own PostgreSQL server on a
# free port), then the timing-sensitive suites marked `serial` alone; both always run, and
# `make test` fails if either did. `make test TEST_WORKERS=0` runs everything in one process.
TEST_WORKERS ?= 2
test: $(STAMP) lint typecheck
	@status=0; \
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not serial" || status=$$?; \
	$(BIN)/pytest -q -m serial || status=$$?; \
	exit $$status

# Every benchmark once; the figures and goals go to bench/RESULTS.md.
bench: $(STAMP)
	@$(BIN)/python -c "import pandas" 2>/dev/null || $(PIP) -e '.[bench]'
	$(BIN)/python bench/run_all.py

# The reliability suites in their long form (1,000 kills, more examples, more users).
reliability: $(STAMP)
	GONGSHI_RELIABILITY=long $(BIN)/pytest -q tests/reliability

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
