"""The server's warm-up (``ui.warm``) fills the very caches a first page reads, and never stops a start."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit.delta_generator

import ui.compute
import ui.state
from data_sources.errors import SourceError
from data_sources.loader import load_source
from ui.state import Filters, filter_options, load_for_server
from ui.warm import MSG_WARM_FAILED, warm_up


def test_a_warmed_server_loads_and_computes_nothing_for_its_first_page(cold_caches, monkeypatch):
    asked: list[dt.date] = []
    monkeypatch.setattr(ui.compute, "learning_status", lambda bundle, as_of: asked.append(as_of))
    monkeypatch.setattr(streamlit.delta_generator, "_use_warning_has_been_displayed", False)
    result = warm_up()
    # Streamlit's one-time call-stack inspection (0.4 s) on the first element drawn is done
    assert streamlit.delta_generator._use_warning_has_been_displayed
    assert result.error is None
    assert result.source == "bundled sample organisation"

    def refuse(*_args, **_kwargs):
        raise AssertionError("recomputed after the warm-up")

    monkeypatch.setattr(ui.state, "load_source", refuse)
    monkeypatch.setattr(ui.compute, "run_metrics", refuse)
    bundle = load_for_server()
    assert result.as_of == filter_options(bundle).default_as_of
    ui.compute.core(bundle, result.as_of)
    ui.compute.role_summary(bundle, Filters(as_of=result.as_of))
    # the learning fit of the default date was asked for (it runs in the background)
    assert asked == [result.as_of]


def test_a_cold_cache_does_compute(cold_caches, monkeypatch):
    """The check above can fail: without a warm-up the same calls load and compute."""
    calls: list[str] = []
    real = ui.compute.run_metrics
    monkeypatch.setattr(ui.compute, "run_metrics", lambda *a, **k: calls.append("run") or real(*a, **k))
    bundle = load_for_server()
    ui.compute.core(bundle, filter_options(bundle).default_as_of)
    assert calls == ["run"]


def test_a_source_that_cannot_load_is_reported_and_the_server_still_starts(cold_caches, tmp_path, caplog):
    missing = str(tmp_path / "no-such-folder")
    with pytest.raises(SourceError) as refused:
        load_source(missing)
    with caplog.at_level("WARNING", logger="talent_readiness"):
        result = warm_up(missing)
    assert result.source == "" and result.as_of is None
    assert result.error == str(refused.value)
    assert MSG_WARM_FAILED.format(error=result.error) in caplog.text
