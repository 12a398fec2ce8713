"""Shared fixtures: the sample organisation through the whole pipeline, computed once per session."""

from __future__ import annotations

import json

import pytest

from data_sources.loader import DEFAULT_SAMPLE, load_source


@pytest.fixture(scope="session")
def sample_run():
    """(truth.json, RunResult) for the bundled sample organisation."""
    if not (DEFAULT_SAMPLE / "truth.json").is_file():
        pytest.skip("sample organisation not generated (python -m sample_data)")
    from metrics.run import run_metrics

    truth = json.loads((DEFAULT_SAMPLE / "truth.json").read_text())
    return truth, run_metrics(load_source(DEFAULT_SAMPLE).tables)
