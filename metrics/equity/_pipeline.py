"""Pipeline equity (``metrics.md`` §5): readiness for the next role by group, at the
window start, and how many of those ready were not promoted by the window end.

Same eligible population, groups and suppression as promotion equity (the
suppression mask is computed from the eligible counts, so the two tables hide
the same groups).

Per group:

- ``eligible``: employees active at S;
- ``assessed``: eligible employees with a readiness row for their next role at S
  (employees at the top of their ladder have none);
- ``mean_readiness``: mean readiness for the next role over ``assessed``;
- ``ready_now``: assessed employees in band ``ready_now`` for their next role;
- ``share_ready_now`` = ``ready_now / assessed``;
- ``ready_not_promoted``: among the group's ``ready_now`` employees, the share
  NOT promoted in (S, E]; null when the group has no one ready now.

Example
-------
>>> PIPELINE_COLUMNS[-3:]
('share_ready_now', 'ready_not_promoted', 'suppressed')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from metrics.config import EquityConfig, MetricsConfig
from metrics.equity._core import configured_attributes, equity_config, suppressed_counts
from metrics.equity._population import (
    PROMOTED,
    attribute_label,
    check_attribute,
    eligible_population,
    equity_window,
    group_expr,
)
from metrics.equity._suppression import blank_suppressed

ERR_READINESS_COLUMNS = "Pipeline equity needs the readiness frame with columns {needed}; missing: {missing}."

PIPELINE_SCHEMA: dict[str, pl.DataType] = {
    "attribute": pl.String(),
    "group": pl.String(),
    "eligible": pl.Int64(),
    "assessed": pl.Int64(),
    "mean_readiness": pl.Float64(),
    "ready_now": pl.Int64(),
    "share_ready_now": pl.Float64(),
    "ready_not_promoted": pl.Float64(),
    "suppressed": pl.Boolean(),
}
#: Output columns of ``pipeline_equity``, in order.
PIPELINE_COLUMNS = tuple(PIPELINE_SCHEMA)
_READINESS_NEEDED = ("employee_id", "relation", "readiness", "band")


def _next_role_readiness(readiness: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    names = readiness.collect_schema().names()
    missing = [c for c in _READINESS_NEEDED if c not in names]
    if missing:
        raise ValueError(ERR_READINESS_COLUMNS.format(needed=", ".join(_READINESS_NEEDED), missing=", ".join(missing)))
    return (
        readiness.lazy()
        .filter(pl.col("relation") == "next")
        .group_by("employee_id")
        .agg(
            pl.col("readiness").mean().alias("__readiness"),
            (pl.col("band") == "ready_now").any().alias("__ready_now"),
        )
    )


def population_pipeline(
    population: pl.DataFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    attribute: str | Sequence[str],
    config: MetricsConfig | EquityConfig | None = None,
) -> pl.DataFrame:
    """Pipeline equity for an eligible population (``eligible_population`` output).

    Parameters
    ----------
    population : polars.DataFrame
        Eligible employees with ``promoted``.
    readiness_at_start : polars.DataFrame or polars.LazyFrame
        Readiness at S (``employee_id, target_role_id, relation, readiness, band, ...``).
    attribute : str or pair of str
        Attribute column, or two for their intersection.
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.

    Returns
    -------
    polars.DataFrame
        Exactly ``PIPELINE_COLUMNS``, sorted by group; suppressed rows carry no numbers.

    Example
    -------
    >>> pop = pl.DataFrame({"employee_id": [f"e{i}" for i in range(20)],
    ...                     "g": ["A"] * 10 + ["B"] * 10,
    ...                     "promoted": [True] + [False] * 19})
    >>> ready = pl.DataFrame({"employee_id": ["e0", "e1", "e10"], "relation": ["next"] * 3,
    ...                       "readiness": [0.95, 0.5, 0.92],
    ...                       "band": ["ready_now", "developing", "ready_now"]})
    >>> population_pipeline(pop, ready, "g").select(
    ...     "group", "assessed", "mean_readiness", "ready_now", "ready_not_promoted").rows()
    [('A', 2, 0.725, 1, 0.0), ('B', 1, 0.92, 1, 1.0)]
    """
    cfg = equity_config(config)
    check_attribute(population, attribute)
    if population.height == 0:
        return pl.DataFrame(schema=PIPELINE_SCHEMA)
    mask = suppressed_counts(population, attribute, cfg.min_group_size).select("group", "suppressed")
    ready_now = pl.col("__ready_now").fill_null(False)
    stats = (
        population.lazy()
        .select("employee_id", group_expr(attribute), pl.col(PROMOTED))
        .join(_next_role_readiness(readiness_at_start), on="employee_id", how="left")
        .group_by("group")
        .agg(
            pl.len().alias("eligible"),
            pl.col("__readiness").count().alias("assessed"),
            pl.col("__readiness").mean().alias("mean_readiness"),
            ready_now.sum().alias("ready_now"),
            (ready_now & ~pl.col(PROMOTED)).sum().alias("__ready_not_promoted"),
        )
        .collect()
    )
    table = (
        mask.join(stats, on="group", how="left")  # the mask lists empty intersection cells too
        .sort("group")
        .select(
            pl.lit(attribute_label(attribute), dtype=pl.String).alias("attribute"),
            "group",
            "eligible",
            "assessed",
            "mean_readiness",
            "ready_now",
            pl.when(pl.col("assessed") > 0).then(pl.col("ready_now") / pl.col("assessed")).alias("share_ready_now"),
            pl.when(pl.col("ready_now") > 0)
            .then(pl.col("__ready_not_promoted") / pl.col("ready_now"))
            .alias("ready_not_promoted"),
            "suppressed",
        )
        .cast(PIPELINE_SCHEMA)
    )
    return blank_suppressed(table, PIPELINE_COLUMNS[2:-1])


def pipeline_equity(
    employees: pl.DataFrame | pl.LazyFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    attribute: str | Sequence[str],
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
) -> pl.DataFrame:
    """Pipeline equity per group of one attribute (or pair) over the window (S, E].

    Parameters
    ----------
    employees, movements, roles : polars.DataFrame or polars.LazyFrame
        Canonical tables.
    readiness_at_start : polars.DataFrame or polars.LazyFrame
        The readiness frame (``metrics.md`` §2) computed as of S, the window start.
    as_of : datetime.date
        The as-of date T.
    attribute : str or pair of str
        Attribute column, or two for their intersection.
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.
    window_start, window_end : datetime.date, optional
        Default E = T, S = 12 months before E.

    Returns
    -------
    polars.DataFrame
        Exactly ``PIPELINE_COLUMNS``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "hire_date": [dt.date(2020, 1, 1)],
    ...                     "exit_date": pl.Series([None], dtype=pl.Date), "g": ["A"]})
    >>> moves = pl.DataFrame(schema={"employee_id": pl.String, "effective_date": pl.Date,
    ...     "from_role_id": pl.String, "to_role_id": pl.String, "movement_type": pl.String})
    >>> ready = pl.DataFrame(schema={"employee_id": pl.String, "relation": pl.String,
    ...                              "readiness": pl.Float64, "band": pl.String})
    >>> pipeline_equity(emp, ready, moves, pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...                 dt.date(2025, 12, 31), "g").select("group", "suppressed").rows()
    [('A', True)]
    """
    cfg = equity_config(config)
    check_attribute(employees, attribute)
    window = equity_window(as_of, cfg, window_start, window_end)
    population = eligible_population(employees, movements, roles, window)
    return population_pipeline(population, readiness_at_start, attribute, cfg)


def pipeline_equity_all(
    employees: pl.DataFrame | pl.LazyFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
) -> pl.DataFrame:
    """Pipeline equity for every configured attribute present and their intersections
    (same order as ``promotion_equity_all``).

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "hire_date": [dt.date(2020, 1, 1)],
    ...                     "exit_date": pl.Series([None], dtype=pl.Date),
    ...                     "gender": ["W"], "age_band": ["<25"]})
    >>> moves = pl.DataFrame(schema={"employee_id": pl.String, "effective_date": pl.Date,
    ...     "from_role_id": pl.String, "to_role_id": pl.String, "movement_type": pl.String})
    >>> ready = pl.DataFrame(schema={"employee_id": pl.String, "relation": pl.String,
    ...                              "readiness": pl.Float64, "band": pl.String})
    >>> pipeline_equity_all(emp, ready, moves, pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...                     dt.date(2025, 12, 31))["attribute"].to_list()
    ['gender', 'age_band', 'gender × age_band']
    """
    cfg = equity_config(config)
    window = equity_window(as_of, cfg, window_start, window_end)
    population = eligible_population(employees, movements, roles, window)
    tables = [pl.DataFrame(schema=PIPELINE_SCHEMA)]
    for attribute in configured_attributes(employees, cfg):
        tables.append(population_pipeline(population, readiness_at_start, attribute, cfg))
    return pl.concat(tables, how="vertical")
