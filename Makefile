# Talent Readiness: `make run` starts the app on the bundled sample, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test setup sample compute clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: setup
	$(PY) -m pytest

sample: setup
	$(PY) -m sample_data --employees 2000 --seed 7 --out sample_data/default

compute: setup
	$(PY) cli.py compute --out out

clean:
	rm -rf $(VENV) .pytest_cache out artifacts
