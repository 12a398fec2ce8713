"""Observation features for learning impact (``metrics.md`` section 6).

One observation per performance rating: (employee, period end P) with
``P <= T``. For each observation this module builds

* the outcome ``rating``;
* the controls: previous rating (latest rating with ``period_end < P``; a
  missing one is filled with the mean of all observed ratings and flagged by
  ``prev_missing = 1``), role level and ladder of the role held at P, tenure in
  years at P, and team;
* the exposures: per cluster, in the window ``(P - 365 days, P]``, the measure
  that ``LearningImpactConfig.exposure`` names: the number of distinct assets
  of that cluster the employee completed (verb ``completed`` or ``passed``; the
  default), or engaged with (any verb), or the engagement events (the sum of
  ``learning_events.count``, 1 per row when absent), or the minutes (the sum of
  ``duration_s`` / 60, a missing duration counting 0) — so a clickstream with
  only ``launched``/``attempted`` events still has exposures;
* the secondary factors: spacing (mean across clusters of the median days
  between the first dates of consecutive counted assets in the cluster) and
  difficulty (mean difficulty of the distinct counted assets in the window);
  "counted" is "completed" under the default measure, "engaged" otherwise.

Window edges: an event counts by its UTC calendar date ``d``; it is in the
window when ``P - 365 days < d <= P``. So every event on the day P counts
(whatever its time) and an event exactly 365 days before P does not.

Role at P: the ``to_role_id`` of the latest movement with
``effective_date <= P``; before the first movement, that movement's
``from_role_id``; with no movement at all, ``employees.role_id``. Team is the
employee's current team (the contract has no team history).

Everything is lazy polars (joins and group-bys, no Python loop over rows).

Example
-------
>>> import datetime as dt, polars as pl
>>> tables = _example_tables()
>>> feats = build_learning_features(tables)
>>> feats.exposures.select("employee_id", "period_end", "A", "B").rows()
[('e1', datetime.date(2025, 6, 30), 2, 0), ('e1', datetime.date(2025, 12, 31), 1, 1)]
>>> feats.observations.select("prev_rating", "prev_missing", "role_level").rows()
[(3.5, 1, 1), (3.0, 0, 2)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import polars as pl

from metrics.common import default_as_of, require_table
from metrics.config import EXPOSURES, LearningImpactConfig

ERR_MISSING_TABLE = "Learning impact needs the table '{table}', which is not loaded."

#: Verbs that count as completing an asset.
COMPLETION_VERBS: tuple[str, ...] = ("completed", "passed")

#: Plain words for each exposure measure, so pages and outputs can name the one in force.
EXPOSURE_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "completed_assets": "distinct assets completed (completed or passed)",
        "engaged_assets": "distinct assets engaged with (any event)",
        "engagement_events": "engagement events (each event's count, 1 when not given)",
        "minutes": "minutes spent (event durations)",
    }
)
#: What one unit of each exposure measure is, for effects read as "+0.18 per ...".
EXPOSURE_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "completed_assets": "asset",
        "engaged_assets": "asset engaged",
        "engagement_events": "event",
        "minutes": "minute",
    }
)
#: Measures that count distinct assets (whole numbers).
_ASSET_MEASURES = ("completed_assets", "engaged_assets")

#: Keys, outcome and controls of each observation (what ``observation_controls`` returns).
CONTROL_COLUMNS: tuple[str, ...] = (
    "employee_id",
    "period_end",
    "rating",
    "prev_rating",
    "prev_missing",
    "role_level",
    "ladder",
    "tenure_years",
    "team",
)
#: Columns of ``LearningFeatures.observations``, in order.
OBSERVATION_COLUMNS: tuple[str, ...] = (*CONTROL_COLUMNS, "n_completed", "spacing_days", "difficulty")

#: Controls used by the estimator (numeric first, then categorical).
NUMERIC_CONTROLS: tuple[str, ...] = ("prev_rating", "prev_missing", "role_level", "tenure_years")
CATEGORICAL_CONTROLS: tuple[str, ...] = ("team", "ladder")

_KEY = ("employee_id", "period_end")


@dataclass(frozen=True)
class LearningFeatures:
    """Per-observation features, row-aligned.

    Attributes
    ----------
    observations : pl.DataFrame
        ``OBSERVATION_COLUMNS``, one row per (employee_id, period_end), sorted by both;
        ``n_completed`` is the number of distinct assets the measure counts
        (completed ones under the default measure, engaged ones otherwise).
    exposures : pl.DataFrame
        ``employee_id, period_end`` then one column per cluster (named as the
        cluster; Int64 for the distinct-asset measures, Float64 for events and
        minutes), same rows in the same order as ``observations``. An
        observation is exposed to a cluster when its value is above 0.
    clusters : tuple of str
        The clusters of the asset catalogue, sorted.
    as_of : datetime.date
        The as-of date T used.
    """

    observations: pl.DataFrame
    exposures: pl.DataFrame
    clusters: tuple[str, ...]
    as_of: dt.date


def _require(tables: Mapping[str, pl.DataFrame], name: str) -> pl.DataFrame:
    return require_table(tables, name, ERR_MISSING_TABLE)


def role_at_period_end(observations: pl.LazyFrame, employees: pl.LazyFrame, movements: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``role_id``, the role held at each observation's ``period_end``.

    The ``to_role_id`` of the latest movement with ``effective_date <= P``
    (several on one day: the last one listed); before the first movement, the
    first movement's ``from_role_id``; with no movement, ``employees.role_id``.

    Parameters
    ----------
    observations : pl.LazyFrame
        Has ``employee_id`` and ``period_end``.
    employees, movements : pl.LazyFrame
        Canonical tables.

    Returns
    -------
    pl.LazyFrame
        ``observations`` with a ``role_id`` column added.

    Example
    -------
    >>> obs = pl.LazyFrame({"employee_id": ["a", "a", "b"],
    ...     "period_end": [dt.date(2024, 12, 31), dt.date(2025, 12, 31), dt.date(2025, 12, 31)]})
    >>> emp = pl.LazyFrame({"employee_id": ["a", "b"], "role_id": ["R2", "X"]})
    >>> mov = pl.LazyFrame({"employee_id": ["a"], "effective_date": [dt.date(2025, 3, 1)],
    ...     "from_role_id": ["R1"], "to_role_id": ["R2"]})
    >>> role_at_period_end(obs, emp, mov).sort("employee_id", "period_end").collect()["role_id"].to_list()
    ['R1', 'R2', 'X']
    """
    moves = (
        movements.select("employee_id", "effective_date", "from_role_id", "to_role_id")
        .with_row_index("_order")
        .sort("employee_id", "effective_date", "_order")
    )
    last_per_day = moves.group_by("employee_id", "effective_date").agg(pl.col("to_role_id").last())
    first_from = moves.group_by("employee_id").agg(pl.col("from_role_id").first().alias("_first_from"))
    obs_sorted = observations.sort("employee_id", "period_end")
    joined = obs_sorted.join_asof(
        last_per_day.sort("employee_id", "effective_date"),
        left_on="period_end",
        right_on="effective_date",
        by="employee_id",
        strategy="backward",
        check_sortedness=False,
    )
    return (
        joined.join(first_from, on="employee_id", how="left")
        .join(
            employees.select("employee_id", pl.col("role_id").alias("_current")),
            on="employee_id",
            how="left",
        )
        .with_columns(pl.coalesce("to_role_id", "_first_from", "_current").alias("role_id"))
        .drop("to_role_id", "effective_date", "_first_from", "_current")
    )


def observation_controls(tables: Mapping[str, pl.DataFrame], as_of: dt.date) -> pl.LazyFrame:
    """Observations (ratings with ``period_end <= T``) with outcome and controls.

    Columns: ``employee_id, period_end, rating, prev_rating, prev_missing,
    role_level, ladder, tenure_years, team``, sorted by employee and period.
    ``prev_missing`` is 1 when the employee has no earlier rating; then
    ``prev_rating`` holds the mean rating of all observations.

    Example
    -------
    >>> out = observation_controls(_example_tables(), dt.date(2025, 12, 31)).collect()
    >>> out.select("tenure_years", "team", "ladder").rows()[0]
    (1.4948665297741273, 'T1', 'eng')
    """
    perf = _require(tables, "performance").lazy()
    employees = _require(tables, "employees").lazy()
    roles = _require(tables, "roles").lazy()
    movements = tables.get("movements")
    moves = (
        movements.lazy()
        if movements is not None
        else pl.LazyFrame(
            schema={
                "employee_id": pl.String,
                "effective_date": pl.Date,
                "from_role_id": pl.String,
                "to_role_id": pl.String,
            }
        )
    )
    obs = (
        perf.filter(pl.col("period_end") <= pl.lit(as_of, dtype=pl.Date))
        .select("employee_id", "period_end", "rating")
        .sort("employee_id", "period_end")
        .with_columns(pl.col("rating").shift(1).over("employee_id").alias("prev_rating"))
        .with_columns(
            pl.col("prev_rating").is_null().cast(pl.Int64).alias("prev_missing"),
            pl.col("prev_rating").fill_null(pl.col("rating").mean()),
        )
    )
    with_role = role_at_period_end(obs, employees, moves)
    return (
        with_role.join(
            roles.select("role_id", pl.col("level").alias("role_level"), "ladder"),
            on="role_id",
            how="left",
        )
        .join(employees.select("employee_id", "team", "hire_date"), on="employee_id", how="left")
        .with_columns(((pl.col("period_end") - pl.col("hire_date")).dt.total_days() / 365.25).alias("tenure_years"))
        .select(CONTROL_COLUMNS)
        .sort("employee_id", "period_end")
    )


def completion_events(
    tables: Mapping[str, pl.DataFrame | pl.LazyFrame], first_day: dt.date, last_day: dt.date
) -> pl.LazyFrame:
    """The learning events that count towards an exposure, dated ``first_day..last_day``.

    One row per event (not yet distinct): ``employee_id, asset_id, date``
    (the UTC calendar date of the timestamp), for the verbs ``completed`` and
    ``passed``. ``learning_events`` may be a ``pl.LazyFrame`` (e.g.
    ``pl.scan_parquet``), so that only these three columns of these rows are
    ever read.

    Example
    -------
    >>> out = completion_events(_example_tables(), dt.date(2025, 1, 1), dt.date(2025, 12, 31)).collect()
    >>> out.sort("date").select("asset_id", "date").rows()[0]
    ('a2', datetime.date(2025, 4, 10))
    """
    events = tables.get("learning_events")
    if events is None:
        raise ValueError(ERR_MISSING_TABLE.format(table="learning_events"))
    return (
        events.lazy()
        .filter(pl.col("verb").is_in(COMPLETION_VERBS))
        .select("employee_id", "asset_id", pl.col("timestamp").dt.date().alias("date"))
        .filter(pl.col("date").is_between(pl.lit(first_day, dtype=pl.Date), pl.lit(last_day, dtype=pl.Date)))
    )


def _window_pairs(observations: pl.DataFrame, done: pl.DataFrame, window_days: int) -> pl.DataFrame:
    """Distinct (observation, asset) completions inside each observation's window.

    Parameters
    ----------
    observations : pl.DataFrame
        ``_emp`` (employee code), ``period_end`` and ``_obs`` (observation number).
    done : pl.DataFrame
        ``_emp, _asset, date``: completions (duplicates allowed).
    window_days : int
        A completion on UTC date ``d`` is in the window of ``P`` when ``P - window_days < d <= P``.

    Returns
    -------
    pl.DataFrame
        One row per ``_obs, _asset`` with ``first_date`` (its first completion date in the window).

    Example
    -------
    >>> obs = pl.DataFrame({"_emp": [0, 0], "period_end": [dt.date(2025, 6, 30), dt.date(2025, 12, 31)],
    ...     "_obs": [0, 1]})
    >>> done = pl.DataFrame({"_emp": [0, 0, 0], "_asset": [5, 5, 6],
    ...     "date": [dt.date(2024, 12, 31), dt.date(2025, 7, 1), dt.date(2025, 12, 31)]})
    >>> _window_pairs(obs, done, 365).sort("_obs", "_asset").rows()
    [(0, 5, datetime.date(2024, 12, 31)), (1, 5, datetime.date(2025, 7, 1)), (1, 6, datetime.date(2025, 12, 31))]
    """
    return (
        observations.lazy()
        .join(done.lazy(), on="_emp", how="inner")
        .filter(
            (pl.col("date") <= pl.col("period_end"))
            & (pl.col("date") > pl.col("period_end") - pl.duration(days=window_days))
        )
        .group_by("_obs", "_asset")
        .agg(pl.col("date").min().alias("first_date"))
        .collect()
    )


def _window_features(
    observations: pl.DataFrame, done: pl.DataFrame, assets: pl.DataFrame, n_clusters: int, window_days: int
) -> pl.DataFrame:
    """Per observation of one chunk: exposure per cluster code, completions, spacing, difficulty."""
    pairs = _window_pairs(observations, done, window_days).join(assets, on="_asset", how="inner")
    # gaps between consecutive first completions in one (observation, cluster): one sort of the whole
    # chunk, then a difference with the previous row of the same group (4x faster than sorting per group)
    ordered = pairs.sort("_obs", "_cluster", "first_date")
    same_group = (pl.col("_obs") == pl.col("_obs").shift(1)) & (pl.col("_cluster") == pl.col("_cluster").shift(1))
    gaps = ordered.with_columns(
        pl.when(same_group).then((pl.col("first_date") - pl.col("first_date").shift(1)).dt.total_days()).alias("gap")
    )
    per_cluster = gaps.group_by("_obs", "_cluster").agg(pl.len().alias("n"), pl.col("gap").median())
    wide = per_cluster.group_by("_obs").agg(
        *[pl.col("n").filter(pl.col("_cluster") == k).sum().alias(f"\x00{k}") for k in range(n_clusters)],
        pl.col("gap").mean().alias("spacing_days"),
    )
    overall = pairs.group_by("_obs").agg(
        pl.len().alias("n_completed"),
        pl.col("difficulty").cast(pl.Float64).mean().alias("difficulty"),
    )
    return wide.join(overall, on="_obs", how="full", coalesce=True)


#: Rows of the (observation x completion) join built at once; bounds the features' memory.
JOIN_ROWS_PER_CHUNK = 8_000_000


def _chunks(obs_per_employee: np.ndarray, done_per_employee: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Employee-code ranges whose (observations x completions) join stays near ``budget`` rows.

    Example
    -------
    >>> _chunks(np.array([2, 2, 2]), np.array([3, 0, 4]), 8)
    [(0, 2), (2, 3)]
    """
    pairs = np.cumsum(obs_per_employee.astype(np.int64) * done_per_employee.astype(np.int64))
    bounds, start = [], 0
    n = len(pairs)
    while start < n:
        base = pairs[start - 1] if start else 0
        stop = int(np.searchsorted(pairs, base + budget, side="right"))
        stop = max(stop, start + 1)
        bounds.append((start, min(stop, n)))
        start = stop
    return bounds


def exposure_description(config: LearningImpactConfig | None = None) -> str:
    """The exposure measure in force, in plain words (for page captions and outputs).

    Example
    -------
    >>> exposure_description()
    'distinct assets completed (completed or passed) in the 365 days up to each rating'
    >>> exposure_description(LearningImpactConfig(exposure="minutes", exposure_window_days=180))
    'minutes spent (event durations) in the 180 days up to each rating'
    """
    cfg = config or LearningImpactConfig()
    return f"{EXPOSURE_DESCRIPTIONS[cfg.exposure]} in the {cfg.exposure_window_days} days up to each rating"


def exposure_in_window(
    tables: Mapping[str, pl.DataFrame],
    observations: pl.LazyFrame,
    window_days: int,
    exposure: str = "completed_assets",
) -> pl.LazyFrame:
    """Per (observation, asset) inside each observation's window: what the exposure measure counts.

    One row per ``employee_id, period_end, asset_id`` with the asset's
    ``cluster``, ``difficulty``, ``first_date`` (its first counted event in the
    window) and ``amount``: 1 for ``completed_assets`` (completion events only)
    and ``engaged_assets`` (any event), the sum of ``count`` (1 when absent) for
    ``engagement_events``, the sum of ``duration_s`` / 60 (missing = 0) for
    ``minutes``. An event is in the window when its UTC date ``d`` satisfies
    ``P - window_days < d <= P``.

    Example
    -------
    >>> tabs = _example_tables()
    >>> obs = tabs["performance"].lazy().select("employee_id", "period_end")
    >>> out = exposure_in_window(tabs, obs, 365, "engagement_events").sort("period_end", "asset_id").collect()
    >>> out.select("period_end", "asset_id", "amount").rows()
    [(datetime.date(2025, 6, 30), 'a1', 1.0), (datetime.date(2025, 6, 30), 'a2', 1.0), (datetime.date(2025, 12, 31), 'a1', 1.0), (datetime.date(2025, 12, 31), 'a2', 2.0), (datetime.date(2025, 12, 31), 'b1', 1.0)]
    """
    if exposure not in EXPOSURES:
        raise ValueError(f"unknown exposure measure {exposure!r}; expected one of {', '.join(EXPOSURES)}")
    events = _require(tables, "learning_events").lazy()
    assets = _require(tables, "assets").lazy()
    names = events.collect_schema().names()
    count = pl.col("count").fill_null(1.0) if "count" in names else pl.lit(1.0)
    minutes = pl.col("duration_s").fill_null(0.0) / 60.0 if "duration_s" in names else pl.lit(0.0)
    if exposure == "completed_assets":
        events = events.filter(pl.col("verb").is_in(COMPLETION_VERBS))
    amount = {"engagement_events": count, "minutes": minutes}.get(exposure, pl.lit(1.0))
    counted = events.select(
        "employee_id",
        "asset_id",
        pl.col("timestamp").dt.date().alias("date"),
        amount.cast(pl.Float64).alias("_amount"),
    )
    per_asset = (
        observations.select("employee_id", "period_end")
        .join(counted, on="employee_id", how="inner")
        .filter(
            (pl.col("date") <= pl.col("period_end"))
            & (pl.col("date") > pl.col("period_end") - pl.duration(days=window_days))
        )
        .group_by("employee_id", "period_end", "asset_id")
        .agg(pl.col("date").min().alias("first_date"), pl.col("_amount").sum().alias("amount"))
    )
    if exposure in _ASSET_MEASURES:
        per_asset = per_asset.with_columns(pl.lit(1.0).alias("amount"))
    return per_asset.join(assets.select("asset_id", "cluster", "difficulty"), on="asset_id", how="inner")


def completions_in_window(
    tables: Mapping[str, pl.DataFrame],
    observations: pl.LazyFrame,
    window_days: int,
) -> pl.LazyFrame:
    """Distinct (observation, asset) completions inside each observation's window.

    One row per ``employee_id, period_end, asset_id`` with the asset's
    ``cluster``, ``difficulty`` and ``first_date`` (its first completion date
    in the window). A completion is a ``completed`` or ``passed`` event whose
    UTC date ``d`` satisfies ``P - window_days < d <= P``.

    Example
    -------
    >>> tabs = _example_tables()
    >>> obs = tabs["performance"].lazy().select("employee_id", "period_end")
    >>> out = completions_in_window(tabs, obs, 365).sort("period_end", "asset_id").collect()
    >>> out.select("period_end", "asset_id").rows()[:3]
    [(datetime.date(2025, 6, 30), 'a1'), (datetime.date(2025, 6, 30), 'a2'), (datetime.date(2025, 12, 31), 'a2')]
    """
    return exposure_in_window(tables, observations, window_days, "completed_assets").drop("amount")


def build_learning_features(
    tables: Mapping[str, pl.DataFrame],
    as_of: dt.date | None = None,
    config: LearningImpactConfig | None = None,
) -> LearningFeatures:
    """All learning-impact features, one row per (employee, period_end <= T).

    The completions are read once (only three columns; ``learning_events``
    may be a ``pl.LazyFrame`` scanning Parquet, collected with the streaming
    engine), reduced to distinct integer-coded (employee, asset, date) rows,
    and joined to the observations' windows one chunk of employees at a time,
    so that memory grows with the completions, not with completions times
    ratings.

    Parameters
    ----------
    tables : mapping of str to pl.DataFrame
        Canonical tables; needs employees, roles, assets, learning_events,
        performance (movements optional).
    as_of : datetime.date, optional
        T; default ``default_as_of(tables)``.
    config : LearningImpactConfig, optional
        Uses ``exposure_window_days`` and ``exposure`` (the measure).

    Returns
    -------
    LearningFeatures

    Example
    -------
    >>> f = build_learning_features(_example_tables())
    >>> f.clusters, f.observations["n_completed"].to_list()
    (('A', 'B'), [2, 2])
    >>> f.observations["spacing_days"].to_list(), f.observations["difficulty"].to_list()
    ([100.0, None], [2.0, 2.5])
    """
    cfg = config or LearningImpactConfig()
    for name in ("assets", "learning_events", "performance", "employees", "roles"):
        _require(tables, name)
    t = as_of or default_as_of(tables)
    if cfg.exposure != "completed_assets":
        # other exposure measures (engagement, minutes): one lazy window join over every event
        lazy_controls = observation_controls(tables, t)
        counted = exposure_in_window(tables, lazy_controls, cfg.exposure_window_days, cfg.exposure)
        measured = catalogue_clusters(tables)
        return assemble_features(lazy_controls, exposure_aggregates(counted, measured), measured, t, cfg.exposure)
    # the default measure (distinct assets completed): completions read once, joined one chunk at a time
    controls = observation_controls(tables, t).collect().with_row_index("_obs")
    asset_table = _require(tables, "assets").lazy().collect()
    clusters = tuple(sorted(asset_table.get_column("cluster").unique().drop_nulls().to_list()))
    employees = controls.select(pl.col("employee_id").unique(maintain_order=True)).with_row_index("_emp")
    obs = controls.join(employees, on="employee_id", how="left", maintain_order="left").select(
        pl.col("_emp").cast(pl.Int64), "period_end", pl.col("_obs").cast(pl.Int64)
    )
    assets = asset_table.select(
        "asset_id",
        pl.col("cluster").replace_strict(clusters, list(range(len(clusters))), default=None).alias("_cluster"),
        "difficulty",
    ).with_row_index("_asset")
    frames = []
    if controls.height:
        period_ends = controls.get_column("period_end")
        last: dt.date = period_ends.max()  # type: ignore[assignment]
        first: dt.date = period_ends.min() - dt.timedelta(days=cfg.exposure_window_days)  # type: ignore[operator,assignment]
        done = (
            completion_events(tables, first, last)
            .join(employees.lazy(), on="employee_id", how="inner")
            .join(assets.lazy().select("asset_id", "_asset"), on="asset_id", how="inner")
            .select(pl.col("_emp").cast(pl.Int64), pl.col("_asset").cast(pl.Int64), "date")
            .unique()
            .collect(engine="streaming")
            .sort("_emp", "date")
        )
        emp_obs = np.bincount(obs.get_column("_emp").to_numpy(), minlength=employees.height)
        emp_done = np.bincount(done.get_column("_emp").to_numpy(), minlength=employees.height)
        done_start = np.concatenate([[0], np.cumsum(emp_done)])
        obs_start = np.concatenate([[0], np.cumsum(emp_obs)])
        attrs = assets.select(pl.col("_asset").cast(pl.Int64), "_cluster", "difficulty")
        for lo, hi in _chunks(emp_obs, emp_done, JOIN_ROWS_PER_CHUNK):
            chunk_obs = obs.slice(int(obs_start[lo]), int(obs_start[hi] - obs_start[lo]))
            chunk_done = done.slice(int(done_start[lo]), int(done_start[hi] - done_start[lo]))
            frames.append(_window_features(chunk_obs, chunk_done, attrs, len(clusters), cfg.exposure_window_days))
    cols = [f"\x00{k}" for k in range(len(clusters))]
    schema: dict[str, pl.DataType] = {
        "_obs": pl.UInt32(),
        **dict.fromkeys(cols, pl.UInt32()),
        "spacing_days": pl.Float64(),
    }
    schema |= {"n_completed": pl.UInt32(), "difficulty": pl.Float64()}
    empty = pl.DataFrame(schema=schema)
    per_obs = pl.concat([empty, *[f.cast(pl.Schema(schema)) for f in frames]], how="vertical") if frames else empty
    full = controls.join(per_obs, on="_obs", how="left", maintain_order="left").with_columns(
        pl.col("n_completed").fill_null(0).cast(pl.Int64), *[pl.col(c).fill_null(0).cast(pl.Int64) for c in cols]
    )
    observations = full.select(OBSERVATION_COLUMNS)
    exposures = full.select(*_KEY, *[pl.col(f"\x00{k}").alias(c) for k, c in enumerate(clusters)])
    return LearningFeatures(observations, exposures, clusters, t)


def catalogue_clusters(tables: Mapping[str, pl.DataFrame]) -> tuple[str, ...]:
    """The clusters of the asset catalogue, sorted (nulls left out).

    Example
    -------
    >>> catalogue_clusters(_example_tables())
    ('A', 'B')
    """
    return tuple(sorted(_require(tables, "assets").get_column("cluster").unique().drop_nulls().to_list()))


def exposure_aggregates(done: pl.LazyFrame, clusters: tuple[str, ...]) -> pl.LazyFrame:
    """Per observation with a completion: exposures per cluster, spacing, count and difficulty.

    ``done`` is :func:`completions_in_window`'s output. Columns: ``employee_id,
    period_end``, one column per cluster named ``"\\x00" + cluster`` (null when
    none), ``spacing_days``, ``n_completed`` and ``difficulty``. An engine that
    computes the same aggregates elsewhere hands them to :func:`assemble_features`.

    Example
    -------
    >>> tabs = _example_tables()
    >>> obs = tabs["performance"].lazy().select("employee_id", "period_end")
    >>> agg = exposure_aggregates(completions_in_window(tabs, obs, 365), ("A", "B")).sort("period_end").collect()
    >>> agg.select("n_completed", "difficulty").rows()
    [(2, 2.0), (2, 2.5)]
    """
    per_cluster = (
        done.sort("first_date")
        .group_by("employee_id", "period_end", "cluster")
        .agg(
            (pl.col("amount").sum() if "amount" in done.collect_schema().names() else pl.len()).alias("n"),
            pl.col("first_date").diff().dt.total_days().median().alias("gap"),
        )
    )
    wide = per_cluster.group_by(*_KEY).agg(
        *[pl.col("n").filter(pl.col("cluster") == c).sum().alias(f"\x00{c}") for c in clusters],
        pl.col("gap").mean().alias("spacing_days"),
    )
    overall = done.group_by(*_KEY).agg(
        pl.len().alias("n_completed"),
        pl.col("difficulty").cast(pl.Float64).mean().alias("difficulty"),
    )
    return wide.join(overall, on=list(_KEY), how="inner")


def assemble_features(
    controls: pl.LazyFrame,
    aggregates: pl.LazyFrame,
    clusters: tuple[str, ...],
    as_of: dt.date,
    exposure: str = "completed_assets",
) -> LearningFeatures:
    """``LearningFeatures`` from the observation controls and the per-observation aggregates.

    ``exposure`` (the measure the aggregates count) sets the exposure columns' type:
    Int64 for the distinct-asset measures, Float64 for events and minutes.

    Observations without a completion get 0 exposures and null spacing and difficulty.

    Example
    -------
    >>> tabs = _example_tables()
    >>> controls = observation_controls(tabs, dt.date(2025, 12, 31))
    >>> empty = exposure_aggregates(completions_in_window(tabs, controls, 1).filter(pl.lit(False)), ("A", "B"))
    >>> assemble_features(controls, empty, ("A", "B"), dt.date(2025, 12, 31)).exposures.rows()
    [('e1', datetime.date(2025, 6, 30), 0, 0), ('e1', datetime.date(2025, 12, 31), 0, 0)]
    """
    exposure_type = pl.Int64 if exposure in _ASSET_MEASURES else pl.Float64
    full = (
        controls.join(aggregates, on=list(_KEY), how="left")
        .with_columns(
            pl.col("n_completed").fill_null(0).cast(pl.Int64),
            *[pl.col(f"\x00{c}").fill_null(0).cast(exposure_type) for c in clusters],
        )
        .sort(*_KEY)
        .collect()
    )
    observations = full.select(OBSERVATION_COLUMNS)
    exposures = full.select(*_KEY, *[pl.col(f"\x00{c}").alias(c) for c in clusters])
    return LearningFeatures(observations, exposures, clusters, as_of)


def _example_tables() -> dict[str, pl.DataFrame]:
    """A tiny hand-made organisation used by the docstring examples."""
    utc = dt.UTC
    return {
        "employees": pl.DataFrame(
            {
                "employee_id": ["e1"],
                "role_id": ["r2"],
                "team": ["T1"],
                "hire_date": [dt.date(2024, 1, 1)],
            }
        ),
        "roles": pl.DataFrame({"role_id": ["r1", "r2"], "ladder": ["eng", "eng"], "level": [1, 2]}),
        "movements": pl.DataFrame(
            {
                "employee_id": ["e1"],
                "effective_date": [dt.date(2025, 9, 1)],
                "from_role_id": ["r1"],
                "to_role_id": ["r2"],
            }
        ),
        "assets": pl.DataFrame({"asset_id": ["a1", "a2", "b1"], "cluster": ["A", "A", "B"], "difficulty": [1, 3, 2]}),
        "learning_events": pl.DataFrame(
            {
                "employee_id": ["e1"] * 5,
                "asset_id": ["a1", "a2", "a2", "b1", "a1"],
                "verb": ["completed", "passed", "completed", "completed", "failed"],
                "timestamp": [
                    dt.datetime(2024, 12, 31, 9, tzinfo=utc),
                    dt.datetime(2025, 4, 10, 9, tzinfo=utc),
                    dt.datetime(2025, 7, 1, 9, tzinfo=utc),
                    dt.datetime(2025, 12, 31, 23, tzinfo=utc),
                    dt.datetime(2025, 10, 1, 9, tzinfo=utc),
                ],
            }
        ).with_columns(pl.col("timestamp").dt.cast_time_unit("us")),
        "performance": pl.DataFrame(
            {
                "employee_id": ["e1", "e1"],
                "period_end": [dt.date(2025, 6, 30), dt.date(2025, 12, 31)],
                "rating": [3.0, 4.0],
            }
        ),
    }
