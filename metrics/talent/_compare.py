"""Side-by-side comparison of two to four candidates for one role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from metrics.config import DEFAULT_CONFIG, ReadinessConfig
from metrics.proficiency import COLLECT_ENGINE
from metrics.talent._candidates import ERR_UNKNOWN_EMPLOYEE, candidates_for_role

MIN_COMPARED, MAX_COMPARED = 2, 4
ERR_COUNT = "Compare two to four different candidates; got {n}."
ERR_NOT_ACTIVE = "Employee {employee_id!r} is not active on {as_of}: nothing to compare."

RISING, STEADY, FALLING = "rising", "steady", "falling"

#: Output columns of :attr:`Comparison.summary`, in order.
SUMMARY_COLUMNS = (
    "employee_id",
    "role_id",
    "title",
    "team",
    "move",
    "readiness",
    "band",
    "n_gaps",
    "n_critical_gaps",
    "n_evidence",
    "last_evidence_on",
    "days_in_role",
    "ratings",
    "latest_rating",
    "previous_rating",
    "rating_change",
    "trend",
)


@dataclass(frozen=True)
class Comparison:
    """``summary``: one row per candidate in the order asked (``SUMMARY_COLUMNS``);
    ``requirements``: each requirement's level against the required level, with the
    evidence count and recency, per candidate (``metrics.talent.REQUIREMENT_COLUMNS``);
    ``ratings``: each candidate's ratings up to the as-of date (``employee_id, period_end, rating``)."""

    role_id: str
    summary: pl.DataFrame
    requirements: pl.DataFrame
    ratings: pl.DataFrame


def rating_trend(performance: pl.DataFrame | pl.LazyFrame, as_of: dt.date) -> pl.DataFrame:
    """Per employee: number of ratings up to ``as_of``, the latest and previous rating, the
    change between them and the trend (rising, steady, falling; null with one rating).

    Example
    -------
    >>> perf = pl.DataFrame({"employee_id": ["a", "a", "b"],
    ...     "period_end": [dt.date(2024, 6, 30), dt.date(2024, 12, 31), dt.date(2024, 12, 31)],
    ...     "rating": [3.0, 3.5, 4.0]})
    >>> rating_trend(perf, dt.date(2025, 1, 1)).rows()
    [('a', 2, 3.5, 3.0, 0.5, 'rising'), ('b', 1, 4.0, None, None, None)]
    """
    change = pl.col("rating_change")
    return (
        performance.lazy()
        .filter(pl.col("period_end") <= pl.lit(as_of, dtype=pl.Date))
        .sort("employee_id", "period_end")
        .group_by("employee_id", maintain_order=True)
        .agg(
            ratings=pl.len().cast(pl.Int64),
            latest_rating=pl.col("rating").last().cast(pl.Float64),
            previous_rating=pl.col("rating").cast(pl.Float64).reverse().get(1, null_on_oob=True),
        )
        .with_columns(rating_change=(pl.col("latest_rating") - pl.col("previous_rating")).round(6))
        .with_columns(
            trend=pl.when(change.is_null())
            .then(pl.lit(None, pl.String))
            .when(change > 0)
            .then(pl.lit(RISING))
            .when(change < 0)
            .then(pl.lit(FALLING))
            .otherwise(pl.lit(STEADY))
        )
        .sort("employee_id")
        .collect(engine=COLLECT_ENGINE)
    )


def compare_candidates(
    employees: pl.DataFrame,
    roles: pl.DataFrame,
    role_requirements: pl.DataFrame,
    proficiency: pl.DataFrame,
    role_id: str,
    employee_ids: Sequence[str],
    as_of: dt.date,
    performance: pl.DataFrame | None = None,
    movements: pl.DataFrame | None = None,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
) -> Comparison:
    """Two to four candidates for ``role_id`` side by side.

    Raises
    ------
    ValueError
        Fewer than two or more than four different ids (``ERR_COUNT``), an unknown
        employee, one not active at ``as_of``, or an unknown role.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["X", "X"], "team": ["T", "T"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
    >>> roles = pl.DataFrame({"role_id": ["X", "R"], "title": ["x", "r"], "ladder": ["L", "L"], "level": [1, 2]})
    >>> req = pl.DataFrame({"role_id": ["R"], "competency_id": ["c"], "required_level": [2]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [1]})
    >>> c = compare_candidates(emp, roles, req, prof, "R", ["b", "a"], dt.date(2025, 1, 1))
    >>> c.summary.select("employee_id", "readiness").rows()
    [('b', 0.0), ('a', 0.5)]
    """
    ids = list(dict.fromkeys(employee_ids))
    if not MIN_COMPARED <= len(ids) <= MAX_COMPARED:
        raise ValueError(ERR_COUNT.format(n=len(ids)))
    known = set(employees.filter(pl.col("employee_id").is_in(ids))["employee_id"].to_list())
    for eid in ids:
        if eid not in known:
            raise ValueError(ERR_UNKNOWN_EMPLOYEE.format(employee_id=eid))
    chosen = employees.filter(pl.col("employee_id").is_in(ids))
    found = candidates_for_role(
        chosen, roles, role_requirements, proficiency, role_id, as_of, movements, config, include_incumbents=True
    )
    active = set(found.ranked["employee_id"].to_list())
    for eid in ids:
        if eid not in active:
            raise ValueError(ERR_NOT_ACTIVE.format(employee_id=eid, as_of=as_of))
    order = pl.DataFrame({"employee_id": ids, "_order": list(range(len(ids)))})
    if performance is not None:
        trend = rating_trend(performance.filter(pl.col("employee_id").is_in(ids)), as_of)
        ratings = (
            performance.filter(
                pl.col("employee_id").is_in(ids) & (pl.col("period_end") <= pl.lit(as_of, dtype=pl.Date))
            )
            .select("employee_id", "period_end", pl.col("rating").cast(pl.Float64))
            .sort("employee_id", "period_end")
        )
    else:
        trend = pl.DataFrame(
            schema={
                "employee_id": pl.String,
                "ratings": pl.Int64,
                "latest_rating": pl.Float64,
                "previous_rating": pl.Float64,
                "rating_change": pl.Float64,
                "trend": pl.String,
            }
        )
        ratings = pl.DataFrame(schema={"employee_id": pl.String, "period_end": pl.Date, "rating": pl.Float64})
    summary = (
        order.join(found.ranked, on="employee_id", how="left")
        .join(trend, on="employee_id", how="left")
        .with_columns(pl.col("ratings").fill_null(0))
        .sort("_order")
        .select(SUMMARY_COLUMNS)
    )
    requirements = (
        order.join(found.requirements, on="employee_id", how="inner").sort("_order", maintain_order=True).drop("_order")
    )
    return Comparison(role_id, summary, requirements, ratings)
