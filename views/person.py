"""Person profile: one employee's strengths and gaps against their own and their next role.

Only people the viewer may see are offered (``metrics.access``); an employee id given in
the URL (``?employee=E000138``) outside that scope is refused. No demographic attribute
appears on this page.
"""

from __future__ import annotations

import streamlit as st

from ui.components import needs_tables, param_choice, remember_param
from ui.compute import active_people
from ui.present import person_label_expr
from ui.profile import render_profile
from ui.state import page_context

bundle, filters = page_context()
st.title("Person profile")
st.caption("One employee's demonstrated proficiency against what their own role and their next role require.")
if needs_tables(bundle, "person"):
    st.stop()

people = active_people(bundle, filters)
if people.height == 0:
    st.info("No active employee you may see matches the team and ladder filters. Clear the filters in the sidebar.")
    st.stop()
ids = people.get_column("employee_id").to_list()
who = people.select(person_label_expr(people)).to_series()
labels = dict(zip(ids, (who + " · " + people["title"].fill_null("") + " · " + people["team"]).to_list(), strict=True))
asked = st.query_params.get("employee")
if asked is not None and asked not in labels:
    render_profile(bundle, filters, asked)  # refuses (AccessDenied) when outside the viewer's scope
    st.stop()
param_choice("employee", "person_employee", ids)
employee_id = st.selectbox("Employee", ids, format_func=labels.get, key="person_employee")
remember_param("employee", "person_employee", employee_id)
render_profile(bundle, filters, employee_id)
