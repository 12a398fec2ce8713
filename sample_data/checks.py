"""Small recomputations of the spec's readiness and promotion-rate rules, used by
the generator to plant and record its truths (the app's real metrics live in
``metrics/``; these are deliberately independent).

Example
-------
>>> levels = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [3]})
>>> req = pl.DataFrame({"role_id": ["R"], "competency_id": ["c"], "required_level": [3],
...                     "weight": [1.0], "critical": [True]})
>>> who = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["R"]})
>>> readiness_bands(levels, who, req)["band"].item()
'ready_now'
"""

from __future__ import annotations

import datetime as dt

import polars as pl

READY_NOW_MIN = 0.90
READY_SOON_MIN = 0.70


def readiness_bands(levels: pl.DataFrame, targets: pl.DataFrame, requirements: pl.DataFrame) -> pl.DataFrame:
    """Readiness and band (metrics.md section 2) of each employee for a target role.

    Parameters
    ----------
    levels : polars.DataFrame
        ``employee_id, competency_id, level`` (demonstrated levels).
    targets : polars.DataFrame
        ``employee_id, target_role_id``.
    requirements : polars.DataFrame
        The ``role_requirements`` table.

    Returns
    -------
    polars.DataFrame
        ``employee_id, target_role_id, readiness, band``.

    Example
    -------
    >>> levels = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [2]})
    >>> req = pl.DataFrame({"role_id": ["R", "R"], "competency_id": ["c", "d"],
    ...     "required_level": [4, 1], "weight": [1.0, 1.0], "critical": [False, False]})
    >>> who = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["R"]})
    >>> readiness_bands(levels, who, req).row(0)
    ('a', 'R', 0.25, 'developing')
    """
    att = (
        targets.join(requirements.rename({"role_id": "target_role_id"}), on="target_role_id")
        .join(levels, on=["employee_id", "competency_id"], how="left")
        .with_columns(pl.col("level").fill_null(0))
        .with_columns(a=pl.min_horizontal(pl.lit(1.0), pl.col("level") / pl.col("required_level")))
    )
    out = att.group_by("employee_id", "target_role_id").agg(
        readiness=(pl.col("weight") * pl.col("a")).sum() / pl.col("weight").sum(),
        crit_ok=(~pl.col("critical") | (pl.col("level") >= pl.col("required_level"))).all(),
    )
    band = (
        pl.when((pl.col("readiness") >= READY_NOW_MIN) & pl.col("crit_ok"))
        .then(pl.lit("ready_now"))
        .when(pl.col("readiness") >= READY_SOON_MIN)
        .then(pl.lit("ready_soon"))
        .otherwise(pl.lit("developing"))
    )
    return out.select("employee_id", "target_role_id", "readiness", band.alias("band")).sort(
        "employee_id", "target_role_id"
    )


def promotions_in_window(
    employees: pl.DataFrame,
    movements: pl.DataFrame,
    roles: pl.DataFrame,
    start: dt.date,
    end: dt.date,
) -> pl.DataFrame:
    """Employees active at ``start`` with a ``promoted`` flag: a promotion (typed, or
    untyped to a higher level) with ``start < effective_date <= end``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "hire_date": [dt.date(2020, 1, 1)] * 2,
    ...                     "exit_date": [None, None]}, schema_overrides={"exit_date": pl.Date})
    >>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "level": [1, 2]})
    >>> mv = pl.DataFrame({"employee_id": ["a"], "effective_date": [dt.date(2025, 1, 1)],
    ...     "from_role_id": ["R1"], "to_role_id": ["R2"], "movement_type": [None]},
    ...     schema_overrides={"movement_type": pl.String})
    >>> promotions_in_window(emp, mv, roles, dt.date(2024, 9, 30), dt.date(2025, 9, 30))[
    ...     "promoted"].to_list()
    [True, False]
    """
    level = dict(zip(roles["role_id"].to_list(), roles["level"].to_list()))
    inferred = (
        pl.when(pl.col("to_role_id").replace_strict(level) > pl.col("from_role_id").replace_strict(level))
        .then(pl.lit("promotion"))
        .otherwise(pl.lit("other"))
    )
    promoted = movements.filter(
        (pl.col("effective_date") > start)
        & (pl.col("effective_date") <= end)
        & (pl.col("movement_type").fill_null(inferred) == "promotion")
    )["employee_id"].unique()
    s = pl.lit(start, dtype=pl.Date)
    return employees.filter(
        (pl.col("hire_date") <= s) & (pl.col("exit_date").is_null() | (pl.col("exit_date") > s))
    ).with_columns(promoted=pl.col("employee_id").is_in(promoted.implode()))
