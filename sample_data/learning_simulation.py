"""A small simulated organisation with known learning effects (for tests and benches).

Strong performers take more courses: in every half-year, the number of assets
an employee completes in each cluster is Poisson with a rate that grows with
the employee's previous rating (``exp(confounding * (prev - 3))``), and the
rating is autocorrelated (``rating = 1.2 + 0.6 * prev + 0.1 * level +
sum_k effect_k * exposure_k + noise``). So the raw "exposed minus unexposed"
difference is far from the planted effect, while the previous rating, as a
control, removes the confounding. Exposure is the learning-impact definition
(distinct assets completed in the 365 days up to the period end); every
completion is of an asset the employee has not completed before.

Example
-------
>>> sim = simulate_learning_tables(n_employees=50, seed=1)
>>> sorted(sim.tables)
['assets', 'employees', 'learning_events', 'movements', 'performance', 'roles']
>>> sim.effects["alpha"]
0.15
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

#: Planted effects (rating points per completed asset) of the default simulation.
DEFAULT_EFFECTS: Mapping[str, float] = {"alpha": 0.15, "beta": 0.0, "gamma": -0.12}

#: Period ends: half-years, so the 365-day window holds exactly two of them.
PERIOD_ENDS: tuple[dt.date, ...] = (
    dt.date(2023, 12, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 12, 31),
    dt.date(2025, 6, 30),
    dt.date(2025, 12, 31),
)


@dataclass(frozen=True)
class SimulatedLearning:
    """Canonical tables plus the planted per-cluster effects."""

    tables: dict[str, pl.DataFrame]
    effects: Mapping[str, float] = field(default_factory=dict)


def simulate_learning_tables(
    n_employees: int = 600,
    seed: int = 0,
    effects: Mapping[str, float] = DEFAULT_EFFECTS,
    base_rate: float = 0.6,
    confounding: float = 0.7,
    assets_per_cluster: int = 40,
    rating_scale: float = 1.0,
) -> SimulatedLearning:
    """Simulate employees, roles, assets, learning events, performance, movements.

    Parameters
    ----------
    n_employees : int
        Number of employees (each rated at every period end in ``PERIOD_ENDS``).
    seed : int
        numpy seed; the output is a pure function of the arguments.
    effects : mapping of str to float
        Planted effect of each cluster, per completed asset.
    base_rate : float
        Completions per cluster per half-year at a previous rating of 3.
    confounding : float
        How strongly the previous rating drives the completion rate.
    assets_per_cluster : int
        Catalogue size per cluster.
    rating_scale : float
        The recorded ratings are the simulated ones (about 1 to 5) times this
        factor, and so are the returned effects (rating points per asset on
        the recorded scale); the confounding acts on the unscaled rating.

    Returns
    -------
    SimulatedLearning
    """
    rng = np.random.default_rng(seed)
    clusters = list(effects)
    n, k_n = n_employees, len(clusters)
    emp_ids = np.array([f"E{i:06d}" for i in range(n)])
    teams = np.array([f"T{t}" for t in range(5)])[rng.integers(0, 5, n)]
    ladder = np.where(rng.random(n) < 0.5, "eng", "ops")
    level0 = rng.integers(1, 3, n)
    promoted = rng.random(n) < 0.3
    promo_day = dt.date(2024, 9, 1)
    hire = np.datetime64("2015-01-01", "D") + rng.integers(0, 3000, n)
    roles = pl.DataFrame(
        {
            "role_id": [f"{lad}-{lv}" for lad in ("eng", "ops") for lv in (1, 2, 3)],
            "title": [f"{lad} level {lv}" for lad in ("eng", "ops") for lv in (1, 2, 3)],
            "ladder": [lad for lad in ("eng", "ops") for _ in (1, 2, 3)],
            "level": [lv for _ in ("eng", "ops") for lv in (1, 2, 3)],
        }
    )
    role_before = np.char.add(np.char.add(ladder.astype(str), "-"), level0.astype(str))
    role_after = np.char.add(np.char.add(ladder.astype(str), "-"), (level0 + 1).astype(str))
    employees = pl.DataFrame(
        {
            "employee_id": emp_ids,
            "role_id": np.where(promoted, role_after, role_before),
            "team": teams,
            "hire_date": hire,
        }
    )
    movements = pl.DataFrame(
        {
            "employee_id": emp_ids[promoted],
            "effective_date": np.full(int(promoted.sum()), promo_day, dtype="datetime64[D]"),
            "from_role_id": role_before[promoted],
            "to_role_id": role_after[promoted],
            "movement_type": ["promotion"] * int(promoted.sum()),
        },
        schema_overrides={"effective_date": pl.Date},
    )
    theta = np.array([effects[c] for c in clusters])
    # completions per (employee, cluster, half-year); half-year h ends at PERIOD_ENDS[h],
    # half-year -1 is the one before the first period end.
    starts = [PERIOD_ENDS[0] - dt.timedelta(days=183)] + list(PERIOD_ENDS[:-1])
    counts = {-1: rng.poisson(base_rate, (n, k_n))}
    done_so_far = counts[-1].copy()
    ratings: list[np.ndarray] = []
    prev = None
    for h, end in enumerate(PERIOD_ENDS):
        rate = base_rate * (np.exp(confounding * (prev - 3.0))[:, None] if prev is not None else 1.0)
        c = rng.poisson(np.broadcast_to(rate, (n, k_n)))
        c = np.minimum(c, assets_per_cluster - done_so_far)
        counts[h] = c
        done_so_far += c
        exposure = counts[h] + counts[h - 1]
        level = level0 + (promoted & (end >= promo_day))
        base = 1.2 + 0.6 * prev if prev is not None else rng.normal(3.0, 0.6, n)
        y = base + 0.1 * level + exposure @ theta + rng.normal(0, 0.35, n)
        ratings.append(y)
        prev = y
    performance = pl.DataFrame(
        {
            "employee_id": np.tile(emp_ids, len(PERIOD_ENDS)),
            "period_end": np.repeat(np.array(PERIOD_ENDS, dtype="datetime64[D]"), n),
            "rating": np.concatenate(ratings) * rating_scale,
        },
        schema_overrides={"period_end": pl.Date},
    )
    events = _events(rng, emp_ids, clusters, counts, starts, assets_per_cluster)
    assets = pl.DataFrame(
        {
            "asset_id": [f"{c}-{j:02d}" for c in clusters for j in range(assets_per_cluster)],
            "title": [f"{c} asset {j}" for c in clusters for j in range(assets_per_cluster)],
            "cluster": [c for c in clusters for _ in range(assets_per_cluster)],
            "difficulty": [1 + j % 5 for _ in clusters for j in range(assets_per_cluster)],
        }
    )
    tables = {
        "employees": employees,
        "roles": roles,
        "assets": assets,
        "learning_events": events,
        "performance": performance,
        "movements": movements,
    }
    return SimulatedLearning(tables, {c: effects[c] * rating_scale for c in clusters})


def simulate_clickstream_tables(
    n_employees: int = 600,
    seed: int = 0,
    effects: Mapping[str, float] = DEFAULT_EFFECTS,
    mean_clicks: float = 3.0,
    **kwargs: float,
) -> SimulatedLearning:
    """The same simulated organisation seen through an LMS clickstream: no completions at all.

    Every asset an employee takes shows as one ``launched`` event and, on the
    same day, one ``attempted`` row standing for that day's clicks (``count`` =
    1 + Poisson(``mean_clicks``), ``duration_s`` uniform in 2–30 minutes), like
    an LMS's clicks-per-day export (OULAD's VLE table). The planted effects are
    per distinct asset engaged with in the 365 days up to the rating, so
    ``exposure = "engaged_assets"`` is the measure they are planted on; the
    default measure (distinct assets completed) sees no exposure at all.

    Parameters
    ----------
    n_employees, seed, effects
        As in ``simulate_learning_tables``.
    mean_clicks : float
        Mean extra clicks per attempted row.
    **kwargs
        Passed on to ``simulate_learning_tables`` (``base_rate``, ``confounding``, ...).

    Returns
    -------
    SimulatedLearning

    Example
    -------
    >>> sim = simulate_clickstream_tables(n_employees=20, seed=1)
    >>> sorted(set(sim.tables["learning_events"]["verb"]))
    ['attempted', 'launched']
    >>> sim.tables["learning_events"].columns[-1], sim.tables["learning_events"]["count"].min() >= 1
    ('count', True)
    """
    sim = simulate_learning_tables(n_employees, seed, effects, **kwargs)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed + 10_007)
    events = sim.tables["learning_events"]
    launched = events.filter(pl.col("verb") == "launched").with_columns(
        pl.lit(None, dtype=pl.Float64).alias("duration_s"), pl.lit(1.0).alias("count")
    )
    done = events.filter(pl.col("verb") == "completed")
    attempted = done.with_columns(
        pl.lit("attempted").alias("verb"),
        pl.lit(None, dtype=pl.Float64).alias("score"),
        pl.Series("duration_s", np.round(rng.uniform(120, 1800, done.height))),
        pl.Series("count", 1.0 + rng.poisson(mean_clicks, done.height)),
    )
    clicks = pl.concat([launched, attempted]).sort("timestamp", "employee_id", "verb", "asset_id")
    return SimulatedLearning({**sim.tables, "learning_events": clicks}, sim.effects)


def _events(
    rng: np.random.Generator,
    emp_ids: np.ndarray,
    clusters: list[str],
    counts: dict[int, np.ndarray],
    starts: list[dt.date],
    assets_per_cluster: int,
) -> pl.DataFrame:
    """One ``launched`` and one ``completed`` event per completion, distinct assets."""
    n = len(emp_ids)
    offset = rng.integers(0, assets_per_cluster, (n, len(clusters)))
    cumulative = np.zeros((n, len(clusters)), dtype=np.int64)
    frames = []
    for h in sorted(counts):
        c = counts[h]
        start = starts[h] if h >= 0 else starts[0] - dt.timedelta(days=183)
        end = PERIOD_ENDS[h] if h >= 0 else starts[0]
        days = (end - start).days
        emp_idx, clu_idx = np.nonzero(c)
        reps = c[emp_idx, clu_idx]
        e = np.repeat(emp_idx, reps)
        k = np.repeat(clu_idx, reps)
        # j-th completion of (employee, cluster): cumulative count before + rank within this batch
        rank = np.arange(len(e)) - np.repeat(np.cumsum(reps) - reps, reps)
        j = cumulative[e, k] + rank
        cumulative += c
        asset = (offset[e, k] + j) % assets_per_cluster
        day = rng.integers(2, days + 1, len(e))  # in (start + 1 day, end]: inside both windows
        frames.append(
            pl.DataFrame(
                {
                    "employee_id": emp_ids[e],
                    "asset_id": [f"{clusters[a]}-{b:02d}" for a, b in zip(k, asset)],
                    "date": np.array(start, dtype="datetime64[D]") + day,
                    "hour": rng.integers(0, 24, len(e)),
                    "score": rng.uniform(0.5, 1.0, len(e)),
                }
            )
        )
    done = pl.concat(frames).with_columns(
        (pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=pl.col("hour")))
        .dt.replace_time_zone("UTC")
        .alias("timestamp")
    )
    launched = done.with_columns(pl.lit("launched").alias("verb"), pl.lit(None, dtype=pl.Float64).alias("score"))
    completed = done.with_columns(pl.lit("completed").alias("verb"))
    return (
        pl.concat([launched, completed])
        .select(
            "employee_id",
            "asset_id",
            "verb",
            "timestamp",
            "score",
            pl.lit(None, dtype=pl.Float64).alias("duration_s"),
        )
        .sort("timestamp", "employee_id", "verb", "asset_id")
    )
