# Talent Readiness: `make run` starts the app on the bundled sample, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint setup sample compute clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint
	$(PY) -m pytest -n 2 --dist loadgroup

sample: setup
	$(PY) -m sample_data --employees 2000 --seed 7 --out sample_data/default

compute: setup
	$(PY) cli.py compute --out out

clean:
	rm -rf $(VENV) .pytest_cache out artifacts

METRIC_DOCS := docs/metrics_header.md docs/metrics/proficiency.md docs/metrics/readiness.md docs/metrics/bench.md \
	docs/metrics/capability_risk.md docs/metrics/equity.md docs/metrics/learning_impact.md docs/metrics/assets.md \
	docs/metrics/talent.md

docs/metrics.md: $(METRIC_DOCS)
	for f in $(METRIC_DOCS); do cat $$f; echo; done > $@
