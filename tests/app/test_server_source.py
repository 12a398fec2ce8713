"""An operator's ``TR_SOURCE`` is what every session opens on (and what the server warms)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

import ui.auth
from ui.state import SERVER_SOURCE_ENV, current_source

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "tests" / "fixtures" / "tiny")
TIMEOUT = 120
TINY_TABLES = ["roles", "competencies", "employees", "role_requirements", "evidence"]


def _data_page(session_source: object = ...) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if session_source is not ...:
        at.session_state["tr_source"] = session_source
    return at.switch_page("views/data.py").run()


def _source_caption(at: AppTest) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.startswith("**Source:**"))


def test_a_new_session_opens_on_the_servers_source(monkeypatch):
    monkeypatch.setenv(SERVER_SOURCE_ENV, TINY)
    at = _data_page()
    assert not at.exception
    assert list(at.dataframe[0].value["table"]) == TINY_TABLES
    assert "tiny" in _source_caption(at)


def test_without_it_a_session_opens_on_the_sample(monkeypatch):
    monkeypatch.delenv(SERVER_SOURCE_ENV, raising=False)
    at = _data_page()
    assert not at.exception
    assert "bundled sample" in _source_caption(at)


def test_choosing_the_sample_on_the_data_page_overrides_it(monkeypatch):
    monkeypatch.setenv(SERVER_SOURCE_ENV, TINY)
    at = _data_page(session_source=None)
    assert "bundled sample" in _source_caption(at)


def test_a_remote_browser_without_sign_in_still_gets_only_the_sample(monkeypatch):
    monkeypatch.setenv(SERVER_SOURCE_ENV, TINY)
    monkeypatch.setattr(ui.auth, "may_serve_sources", lambda: False)
    at = _data_page()
    assert not at.exception
    assert "bundled sample" in _source_caption(at)


def test_outside_a_session_the_warm_up_sees_the_servers_source(monkeypatch):
    monkeypatch.setenv(SERVER_SOURCE_ENV, TINY)
    assert current_source() == TINY
    monkeypatch.delenv(SERVER_SOURCE_ENV)
    assert current_source() is None
