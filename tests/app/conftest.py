"""Fixtures shared by the app-level tests."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture()
def cold_caches(tmp_path, monkeypatch):
    """Empty Streamlit caches and a store of this test's own."""
    monkeypatch.setenv("TR_STATE_DIR", str(tmp_path / "state"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
