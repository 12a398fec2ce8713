"""Learning events (xAPI-like statements), expanded from the simulated completion
counts one chunk of employees at a time.

Each counted completion becomes ``launched`` (+ ``attempted`` for graded formats)
followed by ``completed`` (video, podcast, job aid) or ``passed`` (quiz,
scenario). Some graded completions are preceded by a ``failed`` attempt the same
day; a few completions are repeated later the same day (a repeat never counts
twice). On top come abandoned launches and failed attempts that are not
completions; *legacy* assets only get those, and only before the equity window,
so they look inactive. The j-th completion of an employee in a cluster takes the
j-th asset of a per-employee random order of the cluster's assets, so counted
completions are always distinct assets, and every completion is dated inside the
quarter it was counted in (two days' margin), so the 365-day exposure windows of
the metric see exactly the simulated exposure.

Example
-------
>>> import polars as pl
>>> from sample_data.structure import build_assets
>>> cat = LearningCatalog.from_assets(build_assets(np.random.default_rng(1)),
...                                   np.random.default_rng(2))
>>> counts = np.zeros((1, 12, 12), dtype=np.int16); counts[0, 5, 0] = 1
>>> ev = learning_events_chunk(counts, np.array([0]), np.array([10**7]),
...                            np.array(["E1"], dtype=object), cat,
...                            np.random.default_rng(3), abandon_rate=0.0)
>>> ev.filter(pl.col("verb").is_in(["completed", "passed"])).height >= 1
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from data_sources.contract import CONTRACT
from sample_data.structure import CLUSTERS, GRADED_FORMATS
from sample_data.timeline import WINDOW_FIRST_QUARTER, active_span

_DAY_US = 86_400 * 1_000_000
_S = 1_000_000  # microseconds per second
#: Share of assets that many learners abandon (low completion rate), and how much more.
HARD_SHARE, HARD_FACTOR = 0.2, 20.0


@dataclass(frozen=True)
class LearningCatalog:
    """Asset attributes as arrays, the completable pool of each cluster
    (``pool[k, :pool_sizes[k]]`` are asset row indices) and per-asset weights of
    abandoned launches (about a fifth of the assets are abandoned far more often,
    so completion rates range from about 0.2 to 0.99)."""

    asset_id: np.ndarray
    graded: np.ndarray
    duration_s: np.ndarray
    legacy: np.ndarray
    pool: np.ndarray
    pool_sizes: np.ndarray
    abandon_weight: np.ndarray

    @classmethod
    def from_assets(cls, assets: pl.DataFrame, rng: np.random.Generator) -> LearningCatalog:
        """Build from :func:`sample_data.structure.build_assets` output.

        Example
        -------
        >>> from sample_data.structure import build_assets
        >>> c = LearningCatalog.from_assets(build_assets(np.random.default_rng(1)),
        ...                                 np.random.default_rng(2))
        >>> int(c.pool_sizes.min()) >= 7
        True
        """
        names = [c[0] for c in CLUSTERS]
        cluster = np.array([names.index(x) for x in assets["cluster"].to_list()])
        legacy = assets["legacy"].to_numpy()
        sizes = np.array([int(((cluster == k) & ~legacy).sum()) for k in range(len(names))])
        pool = np.full((len(names), int(sizes.max())), -1, dtype=np.int64)
        for k in range(len(names)):
            rows = np.flatnonzero((cluster == k) & ~legacy)
            pool[k, : len(rows)] = rows
        return cls(
            asset_id=np.asarray(assets["asset_id"].to_list(), dtype=object),
            graded=assets["format"].is_in(list(GRADED_FORMATS)).to_numpy(),
            duration_s=assets["duration_min"].to_numpy() * 60.0,
            legacy=legacy,
            pool=pool,
            pool_sizes=sizes,
            abandon_weight=np.where(
                legacy,
                4.0,
                rng.lognormal(0.0, 0.5, assets.height)
                * np.where(rng.random(assets.height) < HARD_SHARE, HARD_FACTOR, 1.0),
            ),
        )


def _events(emp, asset, verb, t_us, score, dur) -> dict[str, np.ndarray]:
    return {"emp": emp, "asset": asset, "verb": verb, "t": t_us, "score": score, "dur": dur}


def learning_events_chunk(
    counts: np.ndarray,
    hire: np.ndarray,
    exit_: np.ndarray,
    employee_ids: np.ndarray,
    catalog: LearningCatalog,
    rng: np.random.Generator,
    abandon_rate: float = 0.8,
    fail_first_share: float = 0.22,
    repeat_share: float = 0.04,
) -> pl.DataFrame:
    """The learning events of one chunk of employees.

    Parameters
    ----------
    counts : numpy.ndarray
        ``(m, quarters, clusters)`` new distinct completions (from the simulation).
    hire, exit_ : numpy.ndarray
        Day numbers of hire and exit (exit a large number when active).
    employee_ids : numpy.ndarray
        The chunk's employee ids.
    catalog : LearningCatalog
        Assets.
    rng : numpy.random.Generator
        The chunk's own random stream.
    abandon_rate : float
        Abandoned launches per active employee and quarter.
    fail_first_share, repeat_share : float
        Share of graded completions preceded by a failed attempt; share of
        completions repeated.

    Returns
    -------
    polars.DataFrame
        Contract columns of ``learning_events``, sorted by employee and time.

    Example
    -------
    >>> from sample_data.structure import build_assets
    >>> cat = LearningCatalog.from_assets(build_assets(np.random.default_rng(1)),
    ...                                   np.random.default_rng(2))
    >>> c = np.zeros((2, 12, 12), dtype=np.int16); c[1, 3, 4] = 2
    >>> ev = learning_events_chunk(c, np.array([0, 0]), np.array([10**7, 10**7]),
    ...                            np.array(["E1", "E2"], dtype=object), cat,
    ...                            np.random.default_rng(0), abandon_rate=0.0)
    >>> ev.filter(pl.col("verb").is_in(["completed", "passed"]))["asset_id"].n_unique()
    2
    """
    m, n_q, n_k = counts.shape
    parts: list[dict[str, np.ndarray]] = []

    # ---- counted completions ----------------------------------------------------------
    i_nz, q_nz, k_nz = np.nonzero(counts)
    vals = counts[i_nz, q_nz, k_nz].astype(np.int64)
    rep = np.repeat(np.arange(len(vals)), vals)
    i_r, q_r, k_r = i_nz[rep], q_nz[rep], k_nz[rep]
    before = (np.cumsum(counts, axis=1) - counts)[i_r, q_r, k_r].astype(np.int64)
    first = np.repeat(np.cumsum(vals) - vals, vals)
    j = before + np.arange(len(rep)) - first
    keys = rng.random((m, n_k, catalog.pool.shape[1]))
    keys[:, np.arange(catalog.pool.shape[1])[None, :] >= catalog.pool_sizes[:, None]] = np.inf
    order = np.argsort(keys, axis=2)
    asset = catalog.pool[k_r, order[i_r, k_r, j]]

    lo = np.empty((m, n_q), dtype=np.int64)
    hi = np.empty((m, n_q), dtype=np.int64)
    for q in range(n_q):
        lo[:, q], hi[:, q] = active_span(q, hire, exit_)
    n_c = len(rep)
    span = hi[i_r, q_r] - lo[i_r, q_r] + 1
    d = lo[i_r, q_r] + np.floor(rng.random(n_c) * span).astype(np.int64)
    t0 = d * _DAY_US + ((7 + 12 * rng.random(n_c)) * 3600).astype(np.int64) * _S
    graded = catalog.graded[asset]
    dur = np.round(catalog.duration_s[asset] * rng.uniform(0.6, 1.5, n_c))
    fail_first = graded & (rng.random(n_c) < fail_first_share)
    dur_f = np.round(catalog.duration_s[asset] * rng.uniform(0.3, 1.2, n_c))
    nan = np.full(n_c, np.nan)
    # a failed attempt first (graded only), then the retry after a break
    tf_end = t0 + (dur_f * _S).astype(np.int64)
    sel = fail_first
    parts.append(_events(i_r[sel], asset[sel], "launched", t0[sel], nan[sel], nan[sel]))
    parts.append(_events(i_r[sel], asset[sel], "attempted", t0[sel] + 20 * _S, nan[sel], nan[sel]))
    parts.append(
        _events(i_r[sel], asset[sel], "failed", tf_end[sel], np.round(rng.uniform(0.2, 0.69, n_c), 2)[sel], dur_f[sel])
    )
    t1 = np.where(fail_first, tf_end + (600 + 6600 * rng.random(n_c)).astype(np.int64) * _S, t0)
    t_done = t1 + (dur * _S).astype(np.int64)
    parts.append(_events(i_r, asset, "launched", t1, nan, nan))
    parts.append(_events(i_r[graded], asset[graded], "attempted", t1[graded] + 20 * _S, nan[graded], nan[graded]))
    score = np.where(graded, np.round(rng.uniform(0.7, 1.0, n_c), 2), np.nan)
    verb_done = np.where(graded, "passed", "completed")
    parts.append(_events(i_r, asset, verb_done, t_done, score, dur))
    again = rng.random(n_c) < repeat_share
    t_again = t_done + (1800 + 3600 * rng.random(n_c)).astype(np.int64) * _S
    parts.append(_events(i_r[again], asset[again], "launched", t_again[again], nan[again], nan[again]))
    parts.append(
        _events(
            i_r[again],
            asset[again],
            verb_done[again],
            t_again[again] + (dur[again] * _S).astype(np.int64),
            score[again],
            dur[again],
        )
    )

    # ---- abandoned launches and failed attempts (never exposure) ------------------------
    if abandon_rate > 0:
        frac = np.clip((hi - lo + 1) / 87.0, 0, 1)
        n_ab = rng.poisson(abandon_rate * frac)
        i_a, q_a = np.nonzero(n_ab)
        rep_a = np.repeat(np.arange(len(i_a)), n_ab[i_a, q_a])
        i_a, q_a = i_a[rep_a], q_a[rep_a]
        n_a = len(i_a)
        w_early = catalog.abandon_weight
        w_late = np.where(catalog.legacy, 0.0, catalog.abandon_weight)
        early = q_a < WINDOW_FIRST_QUARTER
        u = rng.random(n_a)
        a_early = np.searchsorted(np.cumsum(w_early) / w_early.sum(), u, "right")
        a_late = np.searchsorted(np.cumsum(w_late) / w_late.sum(), u, "right")
        asset_a = np.minimum(np.where(early, a_early, a_late), len(w_early) - 1)
        span_a = hi[i_a, q_a] - lo[i_a, q_a] + 1
        d_a = lo[i_a, q_a] + np.floor(rng.random(n_a) * span_a).astype(np.int64)
        ta = d_a * _DAY_US + ((7 + 14 * rng.random(n_a)) * 3600).astype(np.int64) * _S
        nan_a = np.full(n_a, np.nan)
        parts.append(_events(i_a, asset_a, "launched", ta, nan_a, nan_a))
        tried = catalog.graded[asset_a] & (rng.random(n_a) < 0.5)
        dur_a = np.round(catalog.duration_s[asset_a] * rng.uniform(0.2, 1.0, n_a))
        parts.append(_events(i_a[tried], asset_a[tried], "attempted", ta[tried] + 20 * _S, nan_a[tried], nan_a[tried]))
        parts.append(
            _events(
                i_a[tried],
                asset_a[tried],
                "failed",
                ta[tried] + (dur_a[tried] * _S).astype(np.int64),
                np.round(rng.uniform(0.1, 0.69, n_a), 2)[tried],
                dur_a[tried],
            )
        )

    cols = {k: np.concatenate([np.broadcast_to(p[k], len(p["emp"])) for p in parts]) for k in parts[0]}
    frame = pl.DataFrame(
        {
            "employee_id": employee_ids[cols["emp"]].astype(str),
            "asset_id": catalog.asset_id[cols["asset"]].astype(str),
            "verb": cols["verb"].astype(str),
            "timestamp": pl.Series(cols["t"].astype(np.int64)).cast(pl.Datetime("us", "UTC")),
            "score": pl.Series(cols["score"], nan_to_null=True),
            "duration_s": pl.Series(cols["dur"], nan_to_null=True),
        }
    ).with_columns(pl.lit(1.0).alias("count"))
    return frame.sort("employee_id", "timestamp", maintain_order=True).select(
        [pl.col(c).cast(t) for c, t in CONTRACT["learning_events"].schema().items()]
    )


__all__ = ["LearningCatalog", "learning_events_chunk"]
