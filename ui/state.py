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
from metrics.common import AS_OF_SOURCES, default_as_of
from metrics.config import MetricsConfig, MetricsConfigError, config_in_force
from metrics.engine import EventEngine
from metrics.run import with_equity_attributes

log = logging.getLogger("talent_readiness")

SOURCE_KEY = "tr_source"
ERROR_KEY = "tr_source_error"
FILTERS_KEY = "tr_filters"
#: The operator's source for every session (folder, ``.toml`` or database URL); unset: the bundled sample.
SERVER_SOURCE_ENV = "TR_SOURCE"
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


@st.cache_resource(show_spinner=False, max_entries=MAX_BUNDLES)
def _engine(_source: str | None, version: str) -> EventEngine:
    from metrics.engines import engine_for_source

    return engine_for_source(_source)


def engine_for(bundle: DataBundle) -> EventEngine:
    """Where the event-level metrics of the current source run (its ``[source] engine``; polars by
    default). Raises ``SourceError`` (one line) for an engine the source cannot use."""
    return _engine(current_source(), bundle.version)


def server_source() -> str | None:
    """The source every session opens on: the operator's ``TR_SOURCE`` (a folder, a ``.toml`` source
    configuration or a database URL, as ``cli.py --source`` takes it), else None for the bundled sample.

    Example
    -------
    >>> os.environ.pop(SERVER_SOURCE_ENV, None) and None
    >>> server_source() is None
    True
    """
    return os.environ.get(SERVER_SOURCE_ENV) or None


def current_source() -> str | None:
    """What this session shows: the source the user loaded on the Data page, else the server's
    (``server_source``). A browser on another machine of a server without sign-in gets only the
    bundled sample (``ui.auth.may_serve_sources``). Outside a session (the server's warm-up,
    ``ui.warm``) it is the server's source."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from ui.auth import may_serve_sources

    if get_script_run_ctx(suppress_warning=True) is None:
        return server_source()
    if not may_serve_sources():
        return None
    # a key set to None is a choice (the bundled sample); no key means the server's source
    return st.session_state.get(SOURCE_KEY, server_source())


def _load(source: str | None) -> DataBundle | None:
    """Load (or fetch from the cache) ``source`` and check its configuration; on failure record
    the clear message and return None."""
    try:
        with st.spinner("Loading and validating the source…", show_time=True):
            bundle = load_for_server(source)
    except (SourceError, MetricsConfigError) as exc:
        st.session_state[ERROR_KEY] = MSG_LOAD_FAILED.format(error=exc)
        return None
    except Exception:  # never a traceback on screen
        log.exception("loading a source failed")
        st.session_state[ERROR_KEY] = MSG_UNEXPECTED.format(stage="loading the source")
        return None
    return bundle


def load_for_server(source: str | None = None) -> DataBundle:
    """Load ``source`` into the server's cache (or fetch it from there) with its configuration
    and engine checked; no session needed, so the warm-up and every page load share it. Raises
    ``SourceError`` or ``MetricsConfigError`` (one line) when it cannot be used.

    Example
    -------
    >>> load_for_server().source
    'bundled sample organisation'
    """
    bundle = _load_cached(source, dt.date.today())
    settings_for(bundle)
    _engine(source, bundle.version)
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


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar offers for a bundle: teams, ladders, the default as-of date and the
    range of dates the data covers (evidence, learning events, performance, movements)."""

    teams: tuple[str, ...]
    ladders: tuple[str, ...]
    default_as_of: dt.date
    first_date: dt.date | None
    last_date: dt.date | None


@st.cache_data(show_spinner=False, max_entries=16)
def _filter_options(_bundle: DataBundle, version: str) -> FilterOptions:
    employees = _bundle.tables["employees"]
    roles = _bundle.tables["roles"]
    dates: list[dt.date] = []
    for table, column in AS_OF_SOURCES:
        frame = _bundle.tables.get(table)
        if frame is not None and frame.height and column in frame.columns:
            for value in (frame.get_column(column).min(), frame.get_column(column).max()):
                if isinstance(value, dt.datetime):
                    value = value.date()
                if isinstance(value, dt.date):
                    dates.append(value)
    return FilterOptions(
        teams=tuple(sorted(employees.get_column("team").drop_nulls().unique().to_list())),
        ladders=tuple(sorted(roles.get_column("ladder").drop_nulls().unique().to_list())),
        default_as_of=default_as_of(_bundle.tables),
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
    )


def filter_options(bundle: DataBundle) -> FilterOptions:
    """Teams, ladders, the default as-of date and the data's date range of a bundle."""
    return _filter_options(bundle, bundle.version)


MSG_AS_OF_OUTSIDE = (
    "The data runs from {first:%d %b %Y} to {last:%d %b %Y}; {as_of:%d %b %Y} is {where} it, so most figures "
    "will be empty or zero. Choose a date in that range."
)
MSG_BAD_QUERY_DATE = "The address asked for as-of date {value!r}, which is not a date (YYYY-MM-DD); using the default."


def as_of_outside(options: FilterOptions, as_of: dt.date) -> str | None:
    """A warning when ``as_of`` lies outside the dates the data covers, else None."""
    if options.first_date is None or options.last_date is None:
        return None
    if as_of < options.first_date:
        where = "before"
    elif as_of > options.last_date:
        where = "after"
    else:
        return None
    return MSG_AS_OF_OUTSIDE.format(first=options.first_date, last=options.last_date, as_of=as_of, where=where)


def _initial_widget_state(key: str, value: object) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def sidebar(bundle: DataBundle) -> Filters:
    """Draw the shared sidebar (source, as-of date, team and ladder filters).

    The filters are written to the address (``?as_of=…&team=…&ladder=…``), so a reload or a
    shared link opens the same view; values in the address that the data does not have are
    ignored.
    """
    options = filter_options(bundle)
    settings = settings_for(bundle)
    params = st.query_params
    as_of_key, teams_key, ladders_key = (f"{name}_{bundle.version}" for name in ("as_of", "teams", "ladders"))
    asked = params.get("as_of")
    as_of_value = options.default_as_of
    if asked:
        try:
            as_of_value = dt.date.fromisoformat(asked)
        except ValueError:
            st.sidebar.warning(MSG_BAD_QUERY_DATE.format(value=asked))
    _initial_widget_state(as_of_key, as_of_value)
    _initial_widget_state(teams_key, [t for t in params.get_all("team") if t in options.teams])
    _initial_widget_state(ladders_key, [x for x in params.get_all("ladder") if x in options.ladders])
    with st.sidebar:
        st.caption(f"**Source:** {bundle.source}")
        st.caption(f"Dataset version `{bundle.version}` · parameters: {settings.origin}")
        span = (
            f" The data runs from {options.first_date:%d %b %Y} to {options.last_date:%d %b %Y}."
            if options.first_date and options.last_date
            else ""
        )
        as_of = st.date_input(
            "As of",
            key=as_of_key,
            help="Metrics count only records dated on or before this day. "
            "Default: the latest date in evidence, learning events, performance and movements." + span,
        )
        warning = as_of_outside(options, as_of)
        if warning:
            st.warning(warning, icon=":material/event_busy:")
        chosen_teams = st.multiselect("Teams", options.teams, key=teams_key, placeholder="All teams")
        chosen_ladders = st.multiselect("Ladders", options.ladders, key=ladders_key, placeholder="All ladders")
    # Only what differs is written: rewriting the address drops its #fragment (a definition link's heading).
    if (as_of != options.default_as_of or "as_of" in params) and params.get("as_of") != as_of.isoformat():
        params["as_of"] = as_of.isoformat()
    for name, values in (("team", list(chosen_teams)), ("ladder", list(chosen_ladders))):
        if params.get_all(name) != values:
            params[name] = values
    return Filters(as_of=as_of, teams=tuple(chosen_teams), ladders=tuple(chosen_ladders))


def scope_caption(filters: Filters) -> str:
    """The scope of figures that follow the sidebar's filters, in words.

    Example
    -------
    >>> scope_caption(Filters(dt.date(2026, 9, 30), ("Data Science",), ()))
    'Scope: team Data Science · as of 30 Sep 2026'
    """
    parts = []
    if filters.teams:
        parts.append(("team " if len(filters.teams) == 1 else "teams ") + ", ".join(filters.teams))
    if filters.ladders:
        parts.append(("ladder " if len(filters.ladders) == 1 else "ladders ") + ", ".join(filters.ladders))
    return f"Scope: {' · '.join(parts) or 'whole organisation'} · as of {filters.as_of:%d %b %Y}"


LOADED_AT_KEY = "tr_loaded_at"


def banner(bundle: DataBundle | None) -> None:
    """The persistent line on every page: which source is shown, when it was loaded, its rejects,
    and, after a failed load, that the previous source is still shown."""
    error = load_error()
    if bundle is None:
        return
    loaded = st.session_state.setdefault(LOADED_AT_KEY, {}).setdefault(bundle.version, dt.datetime.now())
    rejected = sum(t.rejected for t in bundle.report.tables)
    text = f"Showing **{bundle.source}**, loaded {loaded:%d %b %Y %H:%M} · " + (
        f"{rejected:,} rejected rows (see Data)" if rejected else "every row accepted"
    )
    if error:
        why = error.removeprefix("The source could not be loaded: ").rstrip()
        why = why if why.endswith((".", "!", "?")) else why + "."
        st.warning(
            f"The last load failed: {why} The previous source is still shown. {text}",
            icon=":material/warning:",
        )
    else:
        st.caption(text)


def page_context() -> tuple[DataBundle, Filters]:
    """The loaded bundle and the sidebar's filters, or stop the page with a clear message."""
    bundle = get_bundle()
    filters = st.session_state.get(FILTERS_KEY)
    if bundle is None or filters is None:
        st.error(load_error() or MSG_NO_SOURCE, icon=":material/error:")
        st.page_link("views/data.py", label="Go to the Data page", icon=":material/database:")
        st.stop()
    outside = as_of_outside(filter_options(bundle), filters.as_of)
    if outside:  # in the main area too: the sidebar's copy is below the fold at 1024 px
        st.warning(outside, icon=":material/event_busy:")
    return bundle, filters
