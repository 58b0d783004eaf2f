# 公示通 — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench reliability clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gongshi demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy domain storage handlers notices bot documents

test: $(STAMP) lint typecheck
	$(BIN)/pytest -q

# Every benchmark once; the figures and goals go to bench/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# The reliability suites in their long form (1,000 kills, more examples, more users).
reliability: $(STAMP)
	GONGSHI_RELIABILITY=long $(BIN)/pytest -q tests/reliability

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
