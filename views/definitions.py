"""Definitions: every metric in plain words, its parameters and a worked example (docs/metrics.md)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

st.markdown(DOC.read_text(encoding="utf-8"))
