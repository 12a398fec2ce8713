"""The app's shared state: which source is loaded, the configuration in force, the sidebar filters.

Caching happens only here and in ui/compute.py, at the edge: the loaded bundle is
a bounded cached resource keyed by the source, and metric results are bounded
cached data keyed by small values (dataset version, configuration key, as-of,
filters); the bundle itself is passed to them as an unhashed argument. There is
no module-level registry. The full source string may hold a database password;
it lives in session state only and is never displayed: what the user sees is
``bundle.source`` (password masked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass

import streamlit as st

from data_sources.bundle import DataBundle
from data_sources.errors import SourceError
from data_sources.loader import load_source
from metrics.common import default_as_of
from metrics.config import MetricsConfig, MetricsConfigError, config_in_force
from metrics.run import with_equity_attributes

log = logging.getLogger("talent_readiness")

SOURCE_KEY = "tr_source"
ERROR_KEY = "tr_source_error"
FILTERS_KEY = "tr_filters"
#: An operator's separate metrics configuration file (the app's ``--config``).
METRICS_CONFIG_ENV = "TR_METRICS_CONFIG"
#: How many loaded sources the server keeps in memory at once (each holds its tables).
MAX_BUNDLES = 4
MSG_LOAD_FAILED = "The source could not be loaded: {error}"
MSG_UNEXPECTED = "Something went wrong while {stage}. Nothing was changed; the details are in the server log."
MSG_NO_SOURCE = "No data is loaded. Open the **Data** page to load a source."


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; every page honours them."""

    as_of: dt.date
    teams: tuple[str, ...] = ()
    ladders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The metric configuration in force for a bundle, where it came from, and its cache key."""

    config: MetricsConfig
    origin: str
    key: str


@st.cache_resource(show_spinner=False, max_entries=MAX_BUNDLES)
def _load_cached(source: str | None, today: dt.date) -> DataBundle:
    """``today`` is only a cache key (a source is re-read each day); the loader takes the
    configuration's as-of date, else today's, exactly as the CLI does."""
    return load_source(source)


def settings_for(bundle: DataBundle) -> Settings:
    """The configuration in force for ``bundle``: spec defaults, the source configuration's
    ``[metrics]``, then the operator's ``TR_METRICS_CONFIG`` file, with the source's equity
    attributes. Raises ``MetricsConfigError`` (one line) for a bad value."""
    return _settings(
        bundle.version,
        bundle.metrics_overrides,
        bundle.config_origin,
        bundle.equity_attributes,
        os.environ.get(METRICS_CONFIG_ENV) or None,
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _settings(_version: str, _overrides, origin: str, attributes: tuple[str, ...], config_file: str | None) -> Settings:
    in_force = config_in_force(_overrides, origin, config_file)
    config = with_equity_attributes(in_force.config, attributes)
    key = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:12]
    return Settings(config=config, origin=in_force.origin, key=key)


def current_source() -> str | None:
    """What the user chose to load (None: the bundled sample). A browser on another machine
    of a server without sign-in gets only the bundled sample (``ui.auth.may_serve_sources``)."""
    from ui.auth import may_serve_sources

    return st.session_state.get(SOURCE_KEY) if may_serve_sources() else None


def _load(source: str | None) -> DataBundle | None:
    """Load (or fetch from the cache) ``source`` and check its configuration; on failure record
    the clear message and return None."""
    try:
        with st.spinner("Loading and validating the source…", show_time=True):
            bundle = _load_cached(source, dt.date.today())
            settings_for(bundle)
    except (SourceError, MetricsConfigError) as exc:
        st.session_state[ERROR_KEY] = MSG_LOAD_FAILED.format(error=exc)
        return None
    except Exception:  # never a traceback on screen
        log.exception("loading a source failed")
        st.session_state[ERROR_KEY] = MSG_UNEXPECTED.format(stage="loading the source")
        return None
    return bundle


def try_load(source: str | None) -> DataBundle | None:
    """Load ``source``; on success make it the current source, on failure show why.

    Returns the bundle, or None (and the clear message is shown) when it cannot be used.
    """
    from data_sources.audit import SOURCE_LOAD
    from ui.auth import audit, session_viewer

    bundle = _load(source)
    if bundle is not None:
        st.session_state[SOURCE_KEY] = source
        st.session_state.pop(ERROR_KEY, None)
        audit(session_viewer(), SOURCE_LOAD, f"{bundle.source} (version {bundle.version})")
    return bundle


def get_bundle() -> DataBundle | None:
    """The current bundle (loading it on first use); None when it cannot be loaded."""
    return _load(current_source())


def load_error() -> str | None:
    """The last load failure's message, if the last attempt failed."""
    return st.session_state.get(ERROR_KEY)


@st.cache_data(show_spinner=False, max_entries=16)
def _filter_options(_bundle: DataBundle, version: str) -> tuple[tuple[str, ...], tuple[str, ...], dt.date]:
    employees = _bundle.tables["employees"]
    roles = _bundle.tables["roles"]
    teams = tuple(sorted(employees.get_column("team").drop_nulls().unique().to_list()))
    ladders = tuple(sorted(roles.get_column("ladder").drop_nulls().unique().to_list()))
    return teams, ladders, default_as_of(_bundle.tables)


def filter_options(bundle: DataBundle) -> tuple[tuple[str, ...], tuple[str, ...], dt.date]:
    """Teams, ladders and the default as-of date of a bundle."""
    return _filter_options(bundle, bundle.version)


def sidebar(bundle: DataBundle) -> Filters:
    """Draw the shared sidebar (source, as-of date, team and ladder filters)."""
    teams, ladders, as_of_default = filter_options(bundle)
    settings = settings_for(bundle)
    with st.sidebar:
        st.caption(f"**Source:** {bundle.source}")
        st.caption(f"Dataset version `{bundle.version}` · parameters: {settings.origin}")
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


def page_context() -> tuple[DataBundle, Filters]:
    """The loaded bundle and the sidebar's filters, or stop the page with a clear message."""
    bundle = get_bundle()
    filters = st.session_state.get(FILTERS_KEY)
    if bundle is None or filters is None:
        st.error(load_error() or MSG_NO_SOURCE, icon=":material/error:")
        st.page_link("views/data.py", label="Go to the Data page", icon=":material/database:")
        st.stop()
    return bundle, filters


def page_settings() -> Settings:
    """The configuration in force for the current page's bundle (after ``page_context``)."""
    bundle, _ = page_context()
    return settings_for(bundle)
