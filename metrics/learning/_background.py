"""Learning-impact fits in the background, so that no page waits for one.

``FitRunner`` runs fits in a bounded thread pool (``concurrent.futures``): at
most one fit per key at a time (asking again for a key that is queued or
running returns its status), at most ``max_queued`` fits waiting, and the
status of each key (queued, running, done, failed with a one-line message;
when it was submitted, started and finished) kept for the last
``max_statuses`` keys. A finished result is handed to ``on_done`` (e.g. saved
in the store). Pure Python: the app holds one runner per server (e.g. in
``st.cache_resource``) and polls ``status``.

``request_learning_fit`` is what a page calls: the stored result if there is
one, otherwise a background fit that saves its result in the store.

Example
-------
>>> runner = FitRunner()
>>> key = FitKey("v1", dt.date(2025, 12, 31), "cfg")
>>> status = runner.submit(key, lambda: 42)
>>> runner.wait(key, timeout=10).state, runner.status(key).result
('done', 42)
>>> runner.shutdown()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
import sqlalchemy as sa

from metrics.config import LearningImpactConfig

STATE_QUEUED = "queued"
STATE_RUNNING = "running"
STATE_DONE = "done"
STATE_FAILED = "failed"
STATE_REFUSED = "refused"

ERR_QUEUE_FULL = "{n} learning-impact fits are already waiting; try again when one has finished."
ERR_FIT_FAILED = "The learning-impact fit failed: {detail}"
ERR_SHUT_DOWN = "The background runner has been shut down."


@dataclass(frozen=True)
class FitKey:
    """What a fit is for: dataset version, as-of date and configuration hash."""

    dataset_version: str
    as_of: dt.date
    config_hash: str


@dataclass(frozen=True)
class FitStatus:
    """Where one key's fit stands.

    Attributes
    ----------
    key : FitKey
    state : str
        ``queued``, ``running``, ``done``, ``failed`` or ``refused`` (queue full).
    submitted, started, finished : datetime.datetime or None
        UTC times.
    message : str
        Empty, or one line saying why it failed or was refused.
    result : Any
        The fit's result once ``done``.
    from_store : bool
        True when the result was read from the store rather than fitted now.
    """

    key: FitKey
    state: str
    submitted: dt.datetime | None = None
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    message: str = ""
    result: Any = None
    from_store: bool = False

    @property
    def pending(self) -> bool:
        """True while queued or running."""
        return self.state in (STATE_QUEUED, STATE_RUNNING)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FitRunner:
    """A bounded, thread-safe background runner of fits, one per key at a time.

    Parameters
    ----------
    workers : int
        Fits running at once (1: a fit already uses the cores it is given).
    max_queued : int
        Fits waiting beyond the running ones; more are refused.
    max_statuses : int
        Keys whose status (and result) is remembered, most recent first.
    on_done : callable, optional
        ``on_done(key, result)`` after a successful fit, in the worker thread
        (e.g. save it); an exception there marks the fit failed.
    """

    def __init__(
        self,
        workers: int = 1,
        max_queued: int = 4,
        max_statuses: int = 32,
        on_done: Callable[[FitKey, Any], None] | None = None,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tr-fit")
        self._workers = workers
        self._max_queued = max_queued
        self._max_statuses = max_statuses
        self._on_done = on_done
        self._lock = threading.Lock()
        self._statuses: OrderedDict[FitKey, FitStatus] = OrderedDict()
        self._futures: dict[FitKey, Future] = {}
        self._closed = False

    def _set(self, status: FitStatus) -> FitStatus:
        # caller holds the lock
        self._statuses[status.key] = status
        self._statuses.move_to_end(status.key)
        while len(self._statuses) > self._max_statuses:
            oldest = next(iter(self._statuses))
            if self._statuses[oldest].pending:  # never forget a fit that is still going
                self._statuses.move_to_end(oldest)
                if all(s.pending for s in self._statuses.values()):
                    break
                continue
            del self._statuses[oldest]
        return status

    def status(self, key: FitKey) -> FitStatus | None:
        """The key's status, or None when it was never submitted (or long forgotten)."""
        with self._lock:
            return self._statuses.get(key)

    def record(self, key: FitKey, result: Any, from_store: bool = True) -> FitStatus:
        """Remember a result obtained elsewhere (e.g. read from the store) as ``done``."""
        now = _now()
        with self._lock:
            return self._set(FitStatus(key, STATE_DONE, now, now, now, "", result, from_store))

    def submit(self, key: FitKey, fit: Callable[[], Any]) -> FitStatus:
        """Start ``fit()`` in the background unless the key is queued, running or done.

        Returns the key's status: the existing one when the key is pending or
        done, ``refused`` when ``workers + max_queued`` fits are already
        queued or running,
        otherwise the new ``queued`` (or ``running``) status. A failed key is
        tried again.
        """
        with self._lock:
            current = self._statuses.get(key)
            if current is not None and (current.pending or current.state == STATE_DONE):
                return current
            if self._closed:
                return FitStatus(key, STATE_REFUSED, message=ERR_SHUT_DOWN)
            pending = sum(1 for s in self._statuses.values() if s.pending)
            if pending >= self._workers + self._max_queued:
                waiting = max(pending - self._workers, 0)
                return FitStatus(key, STATE_REFUSED, _now(), message=ERR_QUEUE_FULL.format(n=waiting))
            status = self._set(FitStatus(key, STATE_QUEUED, _now()))
            self._futures[key] = self._pool.submit(self._run, key, fit)
            return status

    def _run(self, key: FitKey, fit: Callable[[], Any]) -> None:
        with self._lock:
            submitted = self._statuses[key].submitted if key in self._statuses else _now()
            self._set(FitStatus(key, STATE_RUNNING, submitted, _now()))
        try:
            result = fit()
            if self._on_done is not None:
                self._on_done(key, result)
        except Exception as exc:  # reported in the status, never raised into the page
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            with self._lock:
                started = self._statuses[key].started if key in self._statuses else None
                self._set(
                    FitStatus(key, STATE_FAILED, submitted, started, _now(), ERR_FIT_FAILED.format(detail=detail))
                )
                self._futures.pop(key, None)
            return
        with self._lock:
            current = self._statuses.get(key) or FitStatus(key, STATE_RUNNING, submitted)
            self._set(replace(current, state=STATE_DONE, finished=_now(), result=result))
            self._futures.pop(key, None)

    def wait(self, key: FitKey, timeout: float | None = None) -> FitStatus | None:
        """Block until the key's fit ends (for scripts and tests; pages poll ``status``)."""
        with self._lock:
            future = self._futures.get(key)
        if future is not None:
            with contextlib.suppress(TimeoutError):
                future.result(timeout=timeout)
        return self.status(key)

    def wait_all(self, timeout: float | None = None) -> None:
        """Block until every queued and running fit has ended (for scripts and tests)."""
        with self._lock:
            futures = list(self._futures.values())
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout=timeout)

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new fits; with ``wait``, let the queued and running ones finish."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def request_learning_fit(
    runner: FitRunner,
    dataset_version: str,
    as_of: dt.date,
    tables: Callable[[], Mapping[str, pl.DataFrame]],
    config: LearningImpactConfig | None = None,
    engine: sa.Engine | None = None,
) -> FitStatus:
    """The learning-impact result for the key if it is known or stored, else start its fit.

    Looks in the runner first, then in the product's store (``load_fit``);
    when neither has it, submits a background fit of
    ``learning_impact(tables(), as_of, config)`` that saves the result with
    ``save_fit`` before it is reported ``done``. Never blocks on a fit.

    Parameters
    ----------
    runner : FitRunner
    dataset_version : str
        The bundle's content hash.
    as_of : datetime.date
    tables : callable
        Returns the canonical tables (called in the background thread).
    config : LearningImpactConfig, optional
    engine : sqlalchemy.Engine, optional
        The store (default ``data_sources.store.store_engine()``).

    Returns
    -------
    FitStatus
    """
    from metrics.learning._impact import learning_impact
    from metrics.learning._stored import config_hash, load_fit, save_fit

    cfg = config or LearningImpactConfig()
    key = FitKey(dataset_version, as_of, config_hash(cfg))
    known = runner.status(key)
    if known is not None and (known.pending or known.state == STATE_DONE):
        return known
    stored = load_fit(dataset_version, as_of, cfg, engine=engine)
    if stored is not None:
        return runner.record(key, stored)

    def fit():
        result = learning_impact(tables(), as_of, cfg)
        save_fit(result, dataset_version, as_of, cfg, engine=engine)
        return result

    return runner.submit(key, fit)
