"""My profile: the signed-in employee's own strengths and gaps, with the weight each piece of
evidence carries, recommended micro-lessons, and a snapshot to download."""

from __future__ import annotations

import streamlit as st

from ui.auth import session_viewer
from ui.components import needs_tables
from ui.profile import render_profile
from ui.state import page_context

bundle, filters = page_context()
viewer = session_viewer()
st.title("My profile")
st.caption("Your demonstrated proficiency against what your role and your next role require, and what would help.")
if needs_tables(bundle, "person"):
    st.stop()
if viewer.employee_id is None:
    st.info("Your sign-in is not linked to an employee record. Ask your administrator to add your employee id.")
    st.stop()
if viewer.employee_id not in set(bundle.tables["employees"].get_column("employee_id").to_list()):
    st.info(f"No employee record {viewer.employee_id} in the loaded source.")
    st.stop()
render_profile(bundle, filters, viewer.employee_id, snapshot=True)
