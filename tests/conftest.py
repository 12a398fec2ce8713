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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under ``pytest -n 2 --dist loadgroup`` (``make test``), the tests of one file share a worker, so a
    file's module fixtures (a streamlit server, a database schema) start once; a test marked with its own
    ``xdist_group`` (a shard of a long test) goes wherever a worker is free."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
