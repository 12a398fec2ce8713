"""Warm a server before its first visitor: the imports, the default source and its core metrics.

On a cold server the first page waited some 4 s for imports (pandas, scikit-learn,
statsmodels, the metric packages: ``ui.preload``), 0.6 s for loading and validating
the bundled sample, the core metrics, and 0.4 s for Streamlit's one-time look at the
call stack on the first element drawn, before it could draw its heading.
``serve.py`` runs ``warm_up`` in the server's start-up (its ASGI lifespan), before
the server answers any request, so that work is done once, before anybody waits
for it. What it fills are the same bounded, process-wide caches the pages read
(``ui.state``, ``ui.compute``); this module holds no state of its own. It also
asks for the learning-impact fit of the default as-of date, which then runs in the
background (or is read from the store) while the server starts taking visitors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import streamlit as st

from ui.preload import preload

log = logging.getLogger("talent_readiness")

MSG_WARMED = "Warm-up: {source}, as of {as_of}, ready in {seconds:.1f} s"
MSG_WARM_FAILED = "Warm-up: the default source could not be loaded ({error}); pages will say why"
MSG_WARM_UNEXPECTED = "Warm-up failed; pages will compute on first use"


@dataclass(frozen=True)
class WarmUp:
    """What a server prepared before its first visitor.

    Attributes
    ----------
    source : str
        The warmed source as shown to users (password masked); "" when it could not be loaded.
    as_of : datetime.date or None
        The default as-of date whose metrics are cached.
    seconds : float
        Time the warm-up took.
    error : str or None
        One line when the default source could not be loaded (the server starts anyway).
    """

    source: str
    as_of: dt.date | None
    seconds: float
    error: str | None = None


def warm_up(source: str | None = None) -> WarmUp:
    """Import every page's modules, load ``source`` (default: the bundled sample) and compute
    its organisation-wide core metrics at the default as-of date; start its learning fit.

    Never raises: a source that cannot be loaded is reported in ``WarmUp.error`` and logged in
    one line, and the pages then show the same clear message as without a warm-up.

    Parameters
    ----------
    source : str, optional
        What to warm, as a user would type it; None for the bundled sample. ``serve.py`` passes
        the server's source (``ui.state.server_source``: ``TR_SOURCE``), what a new session shows.

    Returns
    -------
    WarmUp

    Example
    -------
    >>> result = warm_up("/no/such/folder")
    >>> result.source, result.as_of, result.error is not None
    ('', None, True)
    """
    started = time.perf_counter()
    with _without_session_warnings():
        return _warm_up(source, started)


#: Streamlit's logger that warns of every cached call made outside a session (here, all of them).
SESSION_WARNING_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


@contextlib.contextmanager
def _without_session_warnings() -> Iterator[None]:
    logger = logging.getLogger(SESSION_WARNING_LOGGER)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _warm_up(source: str | None, started: float) -> WarmUp:
    from data_sources.errors import SourceError
    from metrics.config import MetricsConfigError

    preload()
    # The first element drawn in a process makes Streamlit inspect the whole call stack once (is it a
    # REPL?), 0.4 s with every module loaded. One element drawn here, outside any session, goes
    # nowhere and pays that before the first visitor.
    st.empty()
    from ui.compute import core, learning_status, role_summary
    from ui.state import Filters, filter_options, load_for_server

    try:
        bundle = load_for_server(source)
        as_of = filter_options(bundle).default_as_of
        if not bundle.missing_for("readiness"):
            core(bundle, as_of)
            role_summary(bundle, Filters(as_of=as_of))
        if not bundle.missing_for("learning_impact"):
            learning_status(bundle, as_of)
    except (SourceError, MetricsConfigError) as exc:
        log.warning(MSG_WARM_FAILED.format(error=exc))
        return WarmUp(source="", as_of=None, seconds=time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # the server must start whatever the data holds
        log.exception(MSG_WARM_UNEXPECTED)
        return WarmUp(source="", as_of=None, seconds=time.perf_counter() - started, error=type(exc).__name__)
    result = WarmUp(source=bundle.source, as_of=as_of, seconds=time.perf_counter() - started)
    log.info(MSG_WARMED.format(source=result.source, as_of=as_of, seconds=result.seconds))
    return result
