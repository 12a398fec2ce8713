"""app.py with the two talent pages registered, for tests run before the router lists them.

Once app.py has the Talent review and Succession pages, the tests use app.py itself.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.state import get_bundle, sidebar

ROOT = Path(__file__).resolve().parents[2]
st.set_page_config(page_title="Talent Readiness", layout="wide")
page = st.navigation(
    [
        st.Page(ROOT / "views/data.py", title="Data", url_path="data", default=True),
        st.Page(ROOT / "views/talent_review.py", title="Talent review", url_path="talent_review"),
        st.Page(ROOT / "views/succession.py", title="Succession", url_path="succession"),
    ]
)
bundle = get_bundle()
if bundle is not None:
    st.session_state["tr_filters"] = sidebar(bundle)
page.run()
