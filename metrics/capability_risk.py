"""Capability risk (metrics.md section 4): team × competency against capability targets.

    supply   = active employees in the team with demonstrated level ≥ target_level
    coverage = supply / target_headcount
    gap      = max(0, target_headcount - supply)
    risk     = priority_weight[priority] × gap / target_headcount

Band: ``high`` when risk ≥ 0.5, ``medium`` when risk ≥ 0.2 or supply == 1
(single point of failure), else ``low``.

Example
-------
>>> import datetime as dt, polars as pl
>>> emp = pl.DataFrame({"employee_id": ["a", "b"], "team": ["Data", "Data"],
...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
>>> tgt = pl.DataFrame({"team": ["Data"], "competency_id": ["fc"], "target_level": [4],
...     "target_headcount": [4], "priority": [1]})
>>> prof = pl.DataFrame({"employee_id": ["a", "b"], "competency_id": ["fc", "fc"], "level": [4, 3]})
>>> capability_risk(emp, tgt, prof, dt.date(2025, 1, 1)).row(0)
('Data', 'fc', 4, 4, 1, 0.25, 3, 0.75, True, 'high')
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, CapabilityRiskConfig
from metrics.proficiency import COLLECT_ENGINE

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
#: Risk bands, worst first.
RISK_BANDS = (HIGH, MEDIUM, LOW)

#: Output columns of :func:`capability_risk`, in order.
RISK_COLUMNS = (
    "team",
    "competency_id",
    "target_level",
    "target_headcount",
    "supply",
    "coverage",
    "gap",
    "risk",
    "single_point_of_failure",
    "band",
)

ERR_PRIORITY = "capability_targets.priority {values} has no weight in capability_risk.priority_weights ({known})."

#: Priority used when capability_targets.priority is null (the contract's default).
DEFAULT_PRIORITY = 2

Frame = pl.DataFrame | pl.LazyFrame


def risk_band_expr(config: CapabilityRiskConfig = DEFAULT_CONFIG.capability_risk) -> pl.Expr:
    """Band from columns ``risk`` and ``single_point_of_failure``.

    Example
    -------
    >>> df = pl.DataFrame({"risk": [0.5, 0.2, 0.0, 0.19], "single_point_of_failure": [False, False, True, False]})
    >>> df.select(risk_band_expr())["band"].to_list()
    ['high', 'medium', 'medium', 'low']
    """
    r = pl.col("risk")
    return (
        pl.when(r >= config.high_min - config.tolerance)
        .then(pl.lit(HIGH))
        .when((r >= config.medium_min - config.tolerance) | pl.col("single_point_of_failure"))
        .then(pl.lit(MEDIUM))
        .otherwise(pl.lit(LOW))
        .alias("band")
    )


def capability_risk(
    employees: Frame,
    capability_targets: Frame,
    proficiency: Frame,
    as_of: dt.date,
    config: CapabilityRiskConfig = DEFAULT_CONFIG.capability_risk,
) -> pl.DataFrame:
    """Supply against each capability target and the resulting risk.

    Parameters
    ----------
    employees : polars.DataFrame or LazyFrame
        The contract's employees table (only employees active at T supply).
    capability_targets : polars.DataFrame or LazyFrame
        The contract's capability_targets table (null priority → 2).
    proficiency : polars.DataFrame or LazyFrame
        Output of :func:`metrics.proficiency.proficiency` (``employee_id,
        competency_id, level``).
    as_of : datetime.date
        The as-of date T.
    config : CapabilityRiskConfig
        ``priority_weights``, ``high_min``, ``medium_min``, ``tolerance``.

    Returns
    -------
    polars.DataFrame
        ``team, competency_id, target_level, target_headcount, supply,
        coverage, gap, risk, single_point_of_failure, band``, one row per
        target, sorted by risk descending (then team, competency).

    Raises
    ------
    ValueError
        When a target's priority has no configured weight.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "team": ["T"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> tgt = pl.DataFrame({"team": ["T"], "competency_id": ["c"], "target_level": [2],
    ...     "target_headcount": [1], "priority": [None]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [3]})
    >>> capability_risk(emp, tgt, prof, dt.date(2025, 1, 1)).row(0)
    ('T', 'c', 2, 1, 1, 1.0, 0, 0.0, True, 'medium')
    """
    weights = {int(k): float(v) for k, v in config.priority_weights.items()}
    targets = capability_targets.lazy()
    names = targets.collect_schema().names()
    targets = targets.select(
        "team",
        "competency_id",
        pl.col("target_level").cast(pl.Int64),
        pl.col("target_headcount").cast(pl.Int64),
        (pl.col("priority") if "priority" in names else pl.lit(None, pl.Int64))
        .cast(pl.Int64)
        .fill_null(DEFAULT_PRIORITY)
        .alias("priority"),
    )
    unknown = (
        targets.filter(~pl.col("priority").is_in(list(weights)))
        .select(pl.col("priority").unique().sort())
        .collect(engine=COLLECT_ENGINE)["priority"]
        .to_list()
    )
    if unknown:
        raise ValueError(ERR_PRIORITY.format(values=unknown, known=sorted(weights)))
    active = active_at(employees.lazy(), as_of).select("employee_id", "team")
    levels = (
        proficiency.lazy()
        .select("employee_id", "competency_id", pl.col("level").cast(pl.Int64))
        .join(active, on="employee_id", how="inner")
    )
    supply = (
        targets.select("team", "competency_id", "target_level")
        .join(levels, on=["team", "competency_id"], how="inner")
        .filter(pl.col("level") >= pl.col("target_level"))
        .group_by("team", "competency_id")
        .agg(supply=pl.len().cast(pl.Int64))
    )
    headcount = pl.col("target_headcount")
    return (
        targets.join(supply, on=["team", "competency_id"], how="left")
        .with_columns(pl.col("supply").fill_null(0))
        .with_columns(
            coverage=pl.col("supply") / headcount,
            gap=pl.max_horizontal(pl.lit(0, dtype=pl.Int64), headcount - pl.col("supply")),
            single_point_of_failure=pl.col("supply") == 1,
        )
        .with_columns(
            risk=pl.col("priority").replace_strict(weights, return_dtype=pl.Float64) * pl.col("gap") / headcount
        )
        .with_columns(risk_band_expr(config))
        .select(RISK_COLUMNS)
        .sort(["risk", "team", "competency_id"], descending=[True, False, False])
        .collect(engine=COLLECT_ENGINE)
    )
