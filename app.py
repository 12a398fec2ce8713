"""Talent Readiness: the router. Page config, the shared sidebar, navigation.

Run with ``streamlit run app.py`` (or ``make run``). Pages render only; every
number comes from metrics/ through ui/.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui.state import MSG_UNEXPECTED, get_bundle, load_error, sidebar

st.set_page_config(page_title="Talent Readiness", page_icon=":material/groups:", layout="wide")
logging.basicConfig(level=logging.INFO)

PAGES = {
    "Dashboard": [
        st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("views/readiness.py", title="Readiness by role", icon=":material/trending_up:", url_path="readiness"),
        st.Page("views/bench.py", title="Bench strength", icon=":material/event_seat:", url_path="bench"),
        st.Page(
            "views/capability_risk.py", title="Capability risk", icon=":material/warning:", url_path="capability_risk"
        ),
        st.Page(
            "views/learning_impact.py", title="Learning impact", icon=":material/school:", url_path="learning_impact"
        ),
        st.Page("views/assets.py", title="Asset portfolio", icon=":material/inventory_2:", url_path="assets"),
        st.Page("views/person.py", title="Person profile", icon=":material/person:", url_path="person"),
        st.Page("views/equity.py", title="Progression equity", icon=":material/balance:", url_path="equity"),
        st.Page("views/data.py", title="Data", icon=":material/database:", url_path="data"),
    ],
    "Reference": [
        st.Page("views/definitions.py", title="Definitions", icon=":material/menu_book:", url_path="definitions"),
    ],
}

page = st.navigation(PAGES)
bundle = get_bundle()
if bundle is not None:
    st.session_state["tr_filters"] = sidebar(bundle)
elif load_error():
    st.sidebar.error("No source loaded: see the Data page.")

try:
    page.run()
except Exception:  # st.stop()/st.rerun() are BaseExceptions and pass through
    logging.getLogger("talent_readiness").exception("page %s failed", page.title)
    st.error(MSG_UNEXPECTED.format(stage=f"drawing the {page.title} page"), icon=":material/error:")
