"""Talent Readiness: the router. Page config, sign-in, the shared sidebar, navigation.

Run with ``streamlit run app.py`` (or ``make run``). Pages render only; every
number comes from metrics/ through ui/. Which pages a visitor sees depends on
their role (``metrics.access``); without sign-in configured the app runs in
local mode for one local user.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui.preload import preload

# Before any page runs: every module a page needs, imported once, one session at a time
# (concurrent first sessions otherwise met half-imported modules: "partially initialized
# module 'pandas'"). See ui/preload.py and tests/browser/test_cold_start.py.
preload()

from metrics.access import ROLE_LABELS, AccessDenied, allowed_pages  # noqa: E402
from ui.auth import (  # noqa: E402
    MSG_LOCAL_MODE,
    MSG_REMOTE_SAMPLE_ONLY,
    VIEWER_KEY,
    auth_configured,
    current_viewer,
    may_serve_sources,
)
from ui.state import MSG_UNEXPECTED, banner, current_source, get_bundle, load_error, sidebar  # noqa: E402

st.set_page_config(page_title="Talent Readiness", page_icon=":material/groups:", layout="wide")
# Metric labels wrap instead of being cut off on narrow screens (1024 px and below).
st.html(
    "<style>[data-testid='stMetricLabel'] div, [data-testid='stMetricLabel'] p "
    "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}</style>"
)
logging.basicConfig(level=logging.INFO)
# fpdf's font subsetting logs some 40 INFO lines per committee pack; keep its warnings only
logging.getLogger("fontTools").setLevel(logging.WARNING)

#: Every page: (section, file, title, icon, url path).
PAGES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Dashboard", "views/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("Dashboard", "views/readiness.py", "Readiness by role", ":material/trending_up:", "readiness"),
    ("Dashboard", "views/bench.py", "Bench strength", ":material/event_seat:", "bench"),
    ("Dashboard", "views/capability_risk.py", "Capability risk", ":material/warning:", "capability_risk"),
    ("Dashboard", "views/learning_impact.py", "Learning impact", ":material/school:", "learning_impact"),
    ("Dashboard", "views/assets.py", "Asset portfolio", ":material/inventory_2:", "assets"),
    ("Dashboard", "views/equity.py", "Progression equity", ":material/balance:", "equity"),
    ("People", "views/team.py", "My team", ":material/groups:", "team"),
    ("People", "views/person.py", "Person profile", ":material/person:", "person"),
    ("People", "views/my_profile.py", "My profile", ":material/badge:", "my_profile"),
    ("People", "views/talent_review.py", "Talent review", ":material/groups_3:", "talent_review"),
    ("People", "views/succession.py", "Succession", ":material/account_tree:", "succession"),
    ("Administration", "views/data.py", "Data", ":material/database:", "data"),
    ("Administration", "views/audit.py", "Audit log", ":material/policy:", "audit"),
    ("Reference", "views/definitions.py", "Definitions", ":material/menu_book:", "definitions"),
    ("Reference", "views/framework.py", "Competency framework", ":material/account_tree:", "framework"),
)

viewer = current_viewer(current_source())
st.session_state[VIEWER_KEY] = viewer
allowed = allowed_pages(viewer.role)
shown = [
    (section, st.Page(file, title=title, icon=icon, url_path=url))
    for section, file, title, icon, url in PAGES
    if url in allowed
]
st.session_state["tr_first_page"] = shown[0][1]
# The root address is its own page that opens the first allowed one, so that every page,
# the first included, also opens by its own URL; the navigation is drawn below.
home = st.Page("views/home.py", title="Home", url_path="home", default=True)
page = st.navigation([home, *[p for _, p in shown]], position="hidden")

with st.sidebar:
    current = None
    for section, nav_page in shown:
        if section != current:
            st.caption(section)
            current = section
        st.page_link(nav_page)
    st.divider()
    if viewer.local:
        st.caption(MSG_LOCAL_MODE)
    else:
        st.caption(f"Signed in as **{viewer.name}** · {ROLE_LABELS[viewer.role]}")
        if auth_configured():
            st.button("Sign out", on_click=st.logout, key="sign_out", icon=":material/logout:")
    if not may_serve_sources():
        st.warning(MSG_REMOTE_SAMPLE_ONLY, icon=":material/lock:")

bundle = get_bundle()
if bundle is not None:
    st.session_state["tr_filters"] = sidebar(bundle)
elif load_error():
    st.sidebar.error("No source loaded: see the Data page.")

banner(bundle)
try:
    page.run()
except AccessDenied as exc:
    st.error(str(exc), icon=":material/lock:")
except Exception:  # st.stop()/st.rerun() are BaseExceptions and pass through
    logging.getLogger("talent_readiness").exception("page %s failed", page.title)
    st.error(MSG_UNEXPECTED.format(stage=f"drawing the {page.title} page"), icon=":material/error:")
