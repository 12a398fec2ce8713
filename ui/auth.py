"""Sign-in and the viewer: who is looking, with which role, and what they may see.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` (Streamlit's own OpenID Connect
sign-in, ``st.login``), every visitor signs in and gets a role from the operator's access
file (``TR_ACCESS_FILE``, or ``access.toml`` beside the source configuration). Without it the
app runs in local mode for one local user (an administrator) and says so; it then serves
only the bundled sample to a browser that is not on this machine, unless the operator sets
``TR_ALLOW_NO_SIGNIN=1``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

import streamlit as st

from data_sources.access_file import ACCESS_FILE_ENV, ACCESS_FILE_NAME, AccessRules
from data_sources.audit import SIGN_IN, record
from data_sources.bundle import DataBundle
from data_sources.errors import SourceError
from data_sources.store import store_engine
from metrics.access import ADMIN, Scope, Viewer, scope_for

log = logging.getLogger("talent_readiness")

VIEWER_KEY = "tr_viewer"
#: The viewer a deferred build runs as (see ``as_viewer``). A context variable, so each thread and
#: task sees only the value its own caller set; nothing is shared between sessions.
DEFERRED_VIEWER: ContextVar[Viewer | None] = ContextVar("tr_deferred_viewer", default=None)
T = TypeVar("T")
SIGNED_IN_KEY = "tr_signed_in_logged"
ALLOW_NO_SIGNIN_ENV = "TR_ALLOW_NO_SIGNIN"
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1", "localhost"})
LOCAL_IDENTITY = "local user"
MSG_LOCAL_MODE = "Local mode, no sign-in: you are the only user and see everything."
MSG_REMOTE_SAMPLE_ONLY = (
    "This server has no sign-in configured, so it shows only the bundled sample organisation to browsers on "
    "other machines. The operator can configure sign-in (see docs/access.md) or set TR_ALLOW_NO_SIGNIN=1."
)
MSG_SIGN_IN = "Sign in with your organisation's account to see Talent Readiness."
MSG_NO_ROLE = (
    "You are signed in as {who}, but you have no role in Talent Readiness. Ask your administrator to add you to the "
    "access file."
)
MSG_ACCESS_FILE = "The access file could not be read, so nobody can be given a role: {error}"


def auth_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section (sign-in required)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def is_local_request() -> bool:
    """True when the browser is on this machine (Streamlit reports no address for localhost; a
    test harness without a connection reports no text address either)."""
    address = st.context.ip_address
    return not isinstance(address, str) or not address or address in LOCAL_ADDRESSES


def may_serve_sources() -> bool:
    """Whether this request may see a source other than the bundled sample."""
    return auth_configured() or is_local_request() or os.environ.get(ALLOW_NO_SIGNIN_ENV) == "1"


def access_rules(source: str | None) -> AccessRules:
    """The operator's access file: ``TR_ACCESS_FILE``, else ``access.toml`` beside a ``.toml``
    source configuration; no file means nobody has a role."""
    path = os.environ.get(ACCESS_FILE_ENV)
    if not path and source and source.endswith(".toml"):
        candidate = Path(source).parent / ACCESS_FILE_NAME
        path = str(candidate) if candidate.is_file() else None
    return AccessRules.from_toml(path) if path else AccessRules()


def current_viewer(source: str | None) -> Viewer:
    """The viewer of this session; draws the sign-in screen and stops the page when needed."""
    if not auth_configured():
        return Viewer(LOCAL_IDENTITY, ADMIN, name=LOCAL_IDENTITY, local=True)
    if not st.user.is_logged_in:
        st.title("Talent Readiness")
        st.info(MSG_SIGN_IN, icon=":material/login:")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    claims = {k: v for k, v in st.user.to_dict().items() if isinstance(v, str | list | bool)}
    who = str(claims.get("email") or claims.get("sub") or "unknown")
    try:
        resolved = access_rules(source).resolve(claims)
    except SourceError as exc:
        st.error(MSG_ACCESS_FILE.format(error=exc), icon=":material/error:")
        st.stop()
    if resolved is None:
        st.warning(MSG_NO_ROLE.format(who=who), icon=":material/lock:")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    role, employee_id = resolved
    viewer = Viewer(who, role, employee_id=employee_id, name=str(claims.get("name") or who))
    if st.session_state.get(SIGNED_IN_KEY) != who:
        audit(viewer, SIGN_IN, f"signed in as {role}")
        st.session_state[SIGNED_IN_KEY] = who
    return viewer


def session_viewer() -> Viewer:
    """The viewer the router resolved for this run (local administrator when none yet), or the
    viewer a deferred build was given by ``as_viewer``."""
    deferred = DEFERRED_VIEWER.get()
    if deferred is not None:
        return deferred
    viewer = st.session_state.get(VIEWER_KEY)
    return viewer if isinstance(viewer, Viewer) else Viewer(LOCAL_IDENTITY, ADMIN, local=True)


def as_viewer(viewer: Viewer, build: Callable[[], T]) -> Callable[[], T]:
    """``build``, to be run later as ``viewer``.

    Streamlit runs a download button's deferred data callable in a worker thread without the
    session, where ``st.session_state`` is empty: ``session_viewer()`` would fall back to the local
    administrator, and a pack built there would carry person-level parts the viewer may not see.
    Resolve the viewer in the script run and wrap the builder with it.

    Example
    -------
    >>> from metrics.access import ANALYST
    >>> as_viewer(Viewer("ana@example.com", ANALYST), lambda: session_viewer().role)()
    'analyst'
    """

    def run() -> T:
        token = DEFERRED_VIEWER.set(viewer)
        try:
            return build()
        finally:
            DEFERRED_VIEWER.reset(token)

    return run


def current_scope(bundle: DataBundle, as_of: dt.date) -> Scope:
    """The people the session's viewer may see in ``bundle`` at ``as_of``."""
    return scope_for(session_viewer(), bundle.tables["employees"], as_of)


def audit(viewer: Viewer, action: str, detail: str) -> None:
    """Append to the audit log; a store that cannot be written is logged, never shown as a crash."""
    try:
        record(store_engine(), viewer.identity, viewer.role, action, detail)
    except Exception:
        log.exception("the audit log could not be written (%s %s)", action, detail)
