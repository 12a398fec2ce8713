"""The app's root address: opens the first page the viewer may see (so every other page keeps
its own address, e.g. ``/overview``)."""

from __future__ import annotations

import streamlit as st

first = st.session_state.get("tr_first_page")
if first:
    st.switch_page(first)
st.title("Talent Readiness")
