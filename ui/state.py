"""The app's shared state: which source is loaded, the sidebar filters, cached loading.

Caching happens only here, at the edge: the loaded bundle is a cached resource
keyed by the source, and metric results are cached data keyed by small values
(dataset version, as-of date, filters). The full source string may hold a
database password; it lives in session state only and is never displayed: what
the user sees is ``bundle.source`` (password masked).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import streamlit as st

from data_sources.bundle import DataBundle
from data_sources.errors import SourceError
from data_sources.loader import load_source
from metrics.common import default_as_of

log = logging.getLogger("talent_readiness")

SOURCE_KEY = "tr_source"
ERROR_KEY = "tr_source_error"
MSG_LOAD_FAILED = "The source could not be loaded: {error}"
MSG_UNEXPECTED = "Something went wrong while {stage}. Nothing was changed; the details are in the server log."

#: Registry of loaded bundles by version, so cached computations keyed by the
#: version (a small string) can find their inputs.
_BUNDLES: dict[str, DataBundle] = {}


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; every page honours them."""

    as_of: dt.date
    teams: tuple[str, ...] = ()
    ladders: tuple[str, ...] = ()


@st.cache_resource(show_spinner=False, max_entries=6)
def _load_cached(source: str | None, today: dt.date) -> DataBundle:
    return load_source(source, as_of=today)


def bundle_for(version: str) -> DataBundle:
    """The loaded bundle with this version (for cached computations)."""
    return _BUNDLES[version]


def current_source() -> str | None:
    """What the user chose to load (None: the bundled sample)."""
    return st.session_state.get(SOURCE_KEY)


def _load(source: str | None) -> DataBundle | None:
    """Load (or fetch from the cache) ``source``; on failure record the clear message and return None."""
    try:
        with st.spinner("Loading and validating the source…", show_time=True):
            bundle = _load_cached(source, dt.date.today())
    except SourceError as exc:
        st.session_state[ERROR_KEY] = MSG_LOAD_FAILED.format(error=exc)
        return None
    except Exception:  # never a traceback on screen
        log.exception("loading a source failed")
        st.session_state[ERROR_KEY] = MSG_UNEXPECTED.format(stage="loading the source")
        return None
    _BUNDLES[bundle.version] = bundle  # also on a cache hit, for cached computations keyed by version
    return bundle


def try_load(source: str | None) -> DataBundle | None:
    """Load ``source``; on success make it the current source, on failure show why.

    Returns the bundle, or None (and the clear message is shown) when it cannot be used.
    """
    bundle = _load(source)
    if bundle is not None:
        st.session_state[SOURCE_KEY] = source
        st.session_state.pop(ERROR_KEY, None)
    return bundle


def get_bundle() -> DataBundle | None:
    """The current bundle (loading it on first use); None when it cannot be loaded."""
    return _load(current_source())


def load_error() -> str | None:
    """The last load failure's message, if the last attempt failed."""
    return st.session_state.get(ERROR_KEY)


@st.cache_data(show_spinner=False, max_entries=32)
def filter_options(version: str) -> tuple[tuple[str, ...], tuple[str, ...], dt.date]:
    """Teams, ladders and the default as-of date of a dataset version."""
    bundle = bundle_for(version)
    employees = bundle.get("employees")
    roles = bundle.get("roles")
    teams = tuple(sorted(employees.get_column("team").unique().to_list()))
    ladders = tuple(sorted(roles.get_column("ladder").unique().to_list()))
    return teams, ladders, default_as_of(bundle.tables)


def sidebar(bundle: DataBundle) -> Filters:
    """Draw the shared sidebar (source, as-of date, team and ladder filters)."""
    teams, ladders, as_of_default = filter_options(bundle.version)
    with st.sidebar:
        st.caption(f"**Source:** {bundle.source}")
        st.caption(f"Dataset version `{bundle.version}`")
        as_of = st.date_input(
            "As of",
            value=as_of_default,
            key=f"as_of_{bundle.version}",
            help="Metrics count only records dated on or before this day. "
            "Default: the latest date in evidence, learning events, performance and movements.",
        )
        chosen_teams = st.multiselect("Teams", teams, key=f"teams_{bundle.version}", placeholder="All teams")
        chosen_ladders = st.multiselect("Ladders", ladders, key=f"ladders_{bundle.version}", placeholder="All ladders")
    return Filters(as_of=as_of, teams=tuple(chosen_teams), ladders=tuple(chosen_ladders))


MSG_NO_SOURCE = "No data is loaded. Open the **Data** page to load a source."


def page_context() -> tuple[DataBundle, Filters]:
    """The loaded bundle and the sidebar's filters, or stop the page with a clear message."""
    bundle = get_bundle()
    filters = st.session_state.get("tr_filters")
    if bundle is None or filters is None:
        st.error(load_error() or MSG_NO_SOURCE, icon=":material/error:")
        st.page_link("views/data.py", label="Go to the Data page", icon=":material/database:")
        st.stop()
    return bundle, filters
