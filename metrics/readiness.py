"""Readiness (metrics.md section 2): employee × target role, and per role.

For each requirement c of the target role (required level r_c, weight w_c,
critical flag) the attainment is ``a_c = min(1, level_c / r_c)`` with the
employee's demonstrated level (0 when there is no proficiency row), and

    readiness = Σ w_c·a_c / Σ w_c

Band: ``ready_now`` when readiness ≥ 0.90 and every critical requirement is met,
``ready_soon`` when readiness ≥ 0.70 otherwise, else ``developing``.

Example
-------
>>> import datetime as dt, polars as pl
>>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"], "team": ["T"],
...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
>>> roles = pl.DataFrame({"role_id": ["R1"], "title": ["Analyst"], "ladder": ["D"],
...     "level": [1], "next_role_id": [None], "critical": [False]})
>>> req = pl.DataFrame({"role_id": ["R1"], "competency_id": ["c"],
...     "required_level": [4], "weight": [1.0], "critical": [False]})
>>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [3]})
>>> readiness(emp, roles, req, prof, dt.date(2025, 1, 1)).row(0)
('a', 'R1', 'current', 0.75, 'ready_soon', 1, 0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, ReadinessConfig
from metrics.proficiency import COLLECT_ENGINE

READY_NOW = "ready_now"
READY_SOON = "ready_soon"
DEVELOPING = "developing"
#: Readiness bands, best first.
BANDS = (READY_NOW, READY_SOON, DEVELOPING)

CURRENT = "current"
NEXT = "next"

#: Output columns of :func:`readiness`, in order.
READINESS_COLUMNS = (
    "employee_id",
    "target_role_id",
    "relation",
    "readiness",
    "band",
    "n_gaps",
    "n_critical_gaps",
)
#: Output columns of :func:`readiness_gaps`, in order.
GAP_COLUMNS = (
    "employee_id",
    "target_role_id",
    "relation",
    "competency_id",
    "required_level",
    "level",
    "weight",
    "critical",
    "gap",
)
#: Output columns of :func:`readiness_by_role`, in order.
BY_ROLE_COLUMNS = (
    "role_id",
    "incumbents",
    "mean_readiness",
    "share_ready_now",
    "feeder_ready_now",
    "feeder_ready_soon",
    "feeder_developing",
)

ERR_MISSING_COLUMNS = "{table} is missing column(s) {missing}."

Frame = pl.DataFrame | pl.LazyFrame


def _require(frame: pl.LazyFrame, table: str, columns: Sequence[str]) -> None:
    missing = sorted(set(columns) - set(frame.collect_schema().names()))
    if missing:
        raise ValueError(ERR_MISSING_COLUMNS.format(table=table, missing=", ".join(missing)))


def _targets(employees: Frame, roles: Frame, as_of: dt.date, employee_ids: Sequence[str] | None) -> pl.LazyFrame:
    """(employee_id, target_role_id, relation) for every active employee."""
    emp = employees.lazy()
    _require(emp, "employees", ("employee_id", "role_id", "hire_date", "exit_date"))
    active = active_at(emp, as_of).select("employee_id", "role_id")
    if employee_ids is not None:
        active = active.filter(pl.col("employee_id").is_in(list(employee_ids)))
    ladder = roles.lazy().select("role_id", "next_role_id")
    current = active.select("employee_id", pl.col("role_id").alias("target_role_id"), pl.lit(CURRENT).alias("relation"))
    nxt = (
        active.join(ladder, on="role_id", how="inner")
        .filter(pl.col("next_role_id").is_not_null())
        .select(
            "employee_id",
            pl.col("next_role_id").alias("target_role_id"),
            pl.lit(NEXT).alias("relation"),
        )
    )
    return pl.concat([current, nxt], how="vertical")


def requirement_rows(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    proficiency: Frame,
    as_of: dt.date,
    employee_ids: Sequence[str] | None = None,
) -> pl.LazyFrame:
    """Every (active employee, target role, requirement) with the employee's level.

    A target role without requirements gives one row with null requirement
    columns, so the pair is not lost. Used by :func:`readiness` and
    :func:`readiness_gaps`.

    Parameters
    ----------
    employees, roles, role_requirements, proficiency, as_of
        As for :func:`readiness`.
    employee_ids : sequence of str, optional
        Restrict to these employees.

    Returns
    -------
    polars.LazyFrame
        ``employee_id, target_role_id, relation, competency_id, required_level,
        weight, critical, level``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> roles = pl.DataFrame({"role_id": ["R1"], "next_role_id": [None]})
    >>> req = pl.DataFrame({"role_id": ["R1"], "competency_id": ["c"], "required_level": [2],
    ...     "weight": [None], "critical": [None]})
    >>> prof = pl.DataFrame({"employee_id": ["b"], "competency_id": ["c"], "level": [5]})
    >>> requirement_rows(emp, roles, req, prof, dt.date(2025, 1, 1)).collect().row(0)
    ('a', 'R1', 'current', 'c', 2, 1.0, False, 0)
    """
    req = role_requirements.lazy()
    _require(req, "role_requirements", ("role_id", "competency_id", "required_level"))
    names = req.collect_schema().names()
    req = req.select(
        pl.col("role_id").alias("target_role_id"),
        "competency_id",
        pl.col("required_level").cast(pl.Int64),
        (pl.col("weight").cast(pl.Float64) if "weight" in names else pl.lit(None, pl.Float64))
        .fill_null(1.0)
        .alias("weight"),
        (pl.col("critical") if "critical" in names else pl.lit(None, pl.Boolean)).fill_null(False).alias("critical"),
    )
    prof = proficiency.lazy().select("employee_id", "competency_id", pl.col("level").cast(pl.Int64))
    return (
        _targets(employees, roles, as_of, employee_ids)
        .join(req, on="target_role_id", how="left", maintain_order="left_right")
        .join(prof, on=["employee_id", "competency_id"], how="left", maintain_order="left")
        .with_columns(pl.when(pl.col("competency_id").is_not_null()).then(pl.col("level").fill_null(0)).alias("level"))
    )


def band_expr(config: ReadinessConfig = DEFAULT_CONFIG.readiness) -> pl.Expr:
    """Band from columns ``readiness`` and ``n_critical_gaps`` (null readiness → null).

    Example
    -------
    >>> df = pl.DataFrame({"readiness": [0.9, 0.95, 0.7, 0.69], "n_critical_gaps": [0, 1, 0, 0]})
    >>> df.select(band_expr())["band"].to_list()
    ['ready_now', 'ready_soon', 'ready_soon', 'developing']
    """
    r = pl.col("readiness")
    return (
        pl.when(r.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when((r >= config.ready_now_min - config.tolerance) & (pl.col("n_critical_gaps") == 0))
        .then(pl.lit(READY_NOW))
        .when(r >= config.ready_soon_min - config.tolerance)
        .then(pl.lit(READY_SOON))
        .otherwise(pl.lit(DEVELOPING))
        .alias("band")
    )


def readiness_lazy(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    proficiency: Frame,
    as_of: dt.date,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
    employee_ids: Sequence[str] | None = None,
) -> pl.LazyFrame:
    """Lazy form of :func:`readiness` (unsorted); ``employee_ids`` restricts the employees.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> roles = pl.DataFrame({"role_id": ["R1"], "next_role_id": [None]})
    >>> req = pl.DataFrame({"role_id": ["R1"], "competency_id": ["c"], "required_level": [2]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [2]})
    >>> readiness_lazy(emp, roles, req, prof, dt.date(2025, 1, 1)).collect()["band"].to_list()
    ['ready_now']
    """
    rows = requirement_rows(employees, roles, role_requirements, proficiency, as_of, employee_ids)
    short = pl.col("level") < pl.col("required_level")
    attain = pl.min_horizontal(pl.lit(1.0), pl.col("level").cast(pl.Float64) / pl.col("required_level"))
    return (
        rows.group_by("employee_id", "target_role_id", "relation")
        .agg(
            num=(pl.col("weight") * attain).sum(),
            den=pl.col("weight").filter(pl.col("competency_id").is_not_null()).sum(),
            n_req=pl.col("competency_id").count(),
            n_gaps=short.sum().cast(pl.Int64),
            n_critical_gaps=(short & pl.col("critical")).sum().cast(pl.Int64),
        )
        .with_columns(
            readiness=pl.when(pl.col("n_req") > 0).then(pl.col("num") / pl.col("den")),
        )
        .with_columns(band_expr(config))
        .select(READINESS_COLUMNS)
    )


def readiness(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    proficiency: Frame,
    as_of: dt.date,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
) -> pl.DataFrame:
    """Readiness of every active employee for their current and next role.

    Parameters
    ----------
    employees, roles, role_requirements : polars.DataFrame or LazyFrame
        Contract tables (``role_requirements.weight`` null → 1, ``critical`` null → false).
    proficiency : polars.DataFrame or LazyFrame
        Output of :func:`metrics.proficiency.proficiency` (needs ``employee_id,
        competency_id, level``); a missing row means level 0.
    as_of : datetime.date
        The as-of date T: only employees active at T get rows.
    config : ReadinessConfig
        ``ready_now_min``, ``ready_soon_min`` and ``tolerance`` (boundaries
        within ``tolerance`` still qualify, against float rounding).

    Returns
    -------
    polars.DataFrame
        ``employee_id, target_role_id, relation, readiness, band, n_gaps,
        n_critical_gaps``: relation ``current`` for the employee's own role and
        ``next`` for that role's ``next_role_id`` when there is one. A target
        role with no requirements has null readiness and band and 0 gaps.
        Sorted by employee, then relation.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "next_role_id": ["R2", None]})
    >>> req = pl.DataFrame({"role_id": ["R1", "R2"], "competency_id": ["c", "c"],
    ...     "required_level": [2, 4], "weight": [1.0, 1.0], "critical": [False, True]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [3]})
    >>> readiness(emp, roles, req, prof, dt.date(2025, 1, 1)).rows()
    [('a', 'R1', 'current', 1.0, 'ready_now', 0, 0), ('a', 'R2', 'next', 0.75, 'ready_soon', 1, 1)]
    """
    return (
        readiness_lazy(employees, roles, role_requirements, proficiency, as_of, config)
        .sort("employee_id", "relation", "target_role_id")
        .collect(engine=COLLECT_ENGINE)
    )


def readiness_gaps(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    proficiency: Frame,
    as_of: dt.date,
    employee_ids: Sequence[str] | None = None,
    only_gaps: bool = False,
) -> pl.DataFrame:
    """Per-requirement detail behind :func:`readiness` (for explanations and profiles).

    Parameters
    ----------
    employees, roles, role_requirements, proficiency, as_of
        As for :func:`readiness`.
    employee_ids : sequence of str, optional
        Restrict to these employees (e.g. one person's profile).
    only_gaps : bool
        Keep only requirements with ``level < required_level``.

    Returns
    -------
    polars.DataFrame
        ``employee_id, target_role_id, relation, competency_id, required_level,
        level, weight, critical, gap`` with ``gap = max(0, required_level - level)``;
        sorted by employee, relation, critical first, largest gap, competency.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> roles = pl.DataFrame({"role_id": ["R1"], "next_role_id": [None]})
    >>> req = pl.DataFrame({"role_id": ["R1", "R1"], "competency_id": ["c", "d"],
    ...     "required_level": [3, 2], "weight": [1.0, 2.0], "critical": [True, False]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [2]})
    >>> readiness_gaps(emp, roles, req, prof, dt.date(2025, 1, 1)).select("competency_id", "gap").rows()
    [('c', 1), ('d', 2)]
    """
    rows = requirement_rows(employees, roles, role_requirements, proficiency, as_of, employee_ids)
    out = rows.filter(pl.col("competency_id").is_not_null()).with_columns(
        gap=pl.max_horizontal(pl.lit(0, dtype=pl.Int64), pl.col("required_level") - pl.col("level"))
    )
    if only_gaps:
        out = out.filter(pl.col("gap") > 0)
    return (
        out.select(GAP_COLUMNS)
        .sort(
            ["employee_id", "relation", "target_role_id", "critical", "gap", "competency_id"],
            descending=[False, False, False, True, True, False],
        )
        .collect(engine=COLLECT_ENGINE)
    )


def readiness_by_role(roles: Frame, readiness: Frame) -> pl.DataFrame:
    """Per role: incumbents, their mean readiness and share ready now for the
    role, and the feeder pipeline (employees whose next role it is) by band.

    Parameters
    ----------
    roles : polars.DataFrame or LazyFrame
        The contract's roles table (every role gets a row).
    readiness : polars.DataFrame or LazyFrame
        Output of :func:`readiness`.

    Returns
    -------
    polars.DataFrame
        ``role_id, incumbents, mean_readiness, share_ready_now,
        feeder_ready_now, feeder_ready_soon, feeder_developing``; mean and share
        are null for a role without incumbents (the mean also when the role has
        no requirements). Sorted by role_id.

    Example
    -------
    >>> roles = pl.DataFrame({"role_id": ["R1", "R2"]})
    >>> rd = pl.DataFrame({"employee_id": ["a", "a", "b"],
    ...     "target_role_id": ["R1", "R2", "R1"], "relation": ["current", "next", "current"],
    ...     "readiness": [1.0, 0.8, 0.5], "band": ["ready_now", "ready_soon", "developing"]})
    >>> readiness_by_role(roles, rd).rows()
    [('R1', 2, 0.75, 0.5, 0, 0, 0), ('R2', 0, None, None, 0, 1, 0)]
    """
    rd = readiness.lazy()
    band = pl.col("band")
    current = (
        rd.filter(pl.col("relation") == CURRENT)
        .group_by("target_role_id")
        .agg(
            incumbents=pl.len().cast(pl.Int64),
            mean_readiness=pl.col("readiness").mean(),
            share_ready_now=(band == READY_NOW).sum() / pl.len(),
        )
    )
    feeder = (
        rd.filter(pl.col("relation") == NEXT)
        .group_by("target_role_id")
        .agg(
            feeder_ready_now=(band == READY_NOW).sum().cast(pl.Int64),
            feeder_ready_soon=(band == READY_SOON).sum().cast(pl.Int64),
            feeder_developing=(band == DEVELOPING).sum().cast(pl.Int64),
        )
    )
    counts = ["incumbents", "feeder_ready_now", "feeder_ready_soon", "feeder_developing"]
    return (
        roles.lazy()
        .select("role_id")
        .join(current, left_on="role_id", right_on="target_role_id", how="left")
        .join(feeder, left_on="role_id", right_on="target_role_id", how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .select(BY_ROLE_COLUMNS)
        .sort("role_id")
        .collect(engine=COLLECT_ENGINE)
    )
