"""Demonstrated proficiency (metrics.md section 1): employee × competency levels.

Each evidence item dated on or before the as-of date T gets a weight

    w = type_weight[evidence_type] × (verified_factor | unverified_factor)
        × 0.5 ** (age_days / half_life_days)

and the demonstrated level of an (employee, competency) pair is the highest level
L in 1..5 whose items at level ≥ L weigh at least ``evidence_threshold`` in total.

Example
-------
>>> import datetime as dt, polars as pl
>>> ev = pl.DataFrame({
...     "evidence_id": ["e1", "e2"], "employee_id": ["a", "a"],
...     "competency_id": ["c", "c"], "evidence_type": ["performance_task"] * 2,
...     "level": [3, 4], "observed_on": [dt.date(2025, 1, 1)] * 2,
...     "verified": [True, False], "source": [None, None]})
>>> proficiency(ev, dt.date(2025, 1, 1)).row(0)
('a', 'c', 3, 1.5, 2, datetime.date(2025, 1, 1))
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, ProficiencyConfig

#: Levels of the proficiency scale (0 = no sufficient evidence).
MIN_LEVEL = 1
MAX_LEVEL = 5

#: Engine for every ``collect`` of the core metrics. polars' streaming engine
#: (the default "auto" in 2.x) adds partial sums in a varying order, so a
#: float sum can differ in its last bit from run to run; the in-memory engine
#: gives the same result for the same input every time.
COLLECT_ENGINE: Final = "in-memory"

#: Output columns of :func:`proficiency`, in order.
PROFICIENCY_COLUMNS = (
    "employee_id",
    "competency_id",
    "level",
    "evidence_weight",
    "n_evidence",
    "last_observed_on",
)

#: Output columns of :func:`evidence_weights`, in order.
WEIGHT_COLUMNS = (
    "evidence_id",
    "employee_id",
    "competency_id",
    "evidence_type",
    "level",
    "observed_on",
    "verified",
    "age_days",
    "weight",
)

ERR_MISSING_COLUMNS = "evidence is missing column(s) {missing}; expected the contract's evidence table."
ERR_HALF_LIFE = "proficiency.half_life_days must be > 0, got {value}."


def _check(frame: pl.LazyFrame, config: ProficiencyConfig) -> None:
    needed = {"employee_id", "competency_id", "evidence_type", "level", "observed_on"}
    missing = sorted(needed - set(frame.collect_schema().names()))
    if missing:
        raise ValueError(ERR_MISSING_COLUMNS.format(missing=", ".join(missing)))
    if config.half_life_days <= 0:
        raise ValueError(ERR_HALF_LIFE.format(value=config.half_life_days))


def weight_expr(as_of: dt.date, config: ProficiencyConfig = DEFAULT_CONFIG.proficiency) -> pl.Expr:
    """Expression for the weight ``w`` of each evidence row as of ``as_of``.

    Evidence types without a configured type weight weigh 0; a null
    ``verified`` counts as unverified.

    Parameters
    ----------
    as_of : datetime.date
        The as-of date T (ages are ``T - observed_on`` in days).
    config : ProficiencyConfig
        Type weights, verified factors and half-life.

    Returns
    -------
    polars.Expr
        Float64 weight named ``weight``.

    Example
    -------
    >>> ev = pl.DataFrame({"evidence_type": ["credential"], "verified": [False],
    ...                    "observed_on": [dt.date(2024, 1, 1)]})
    >>> ev.select(weight_expr(dt.date(2024, 12, 31)))["weight"].to_list()  # 0.8 × 0.5 × 0.5
    [0.2]
    """
    t = pl.lit(as_of, dtype=pl.Date)
    age = (t - pl.col("observed_on")).dt.total_days().cast(pl.Float64)
    type_w = pl.col("evidence_type").replace_strict(dict(config.type_weights), default=0.0, return_dtype=pl.Float64)
    verified_w = (
        pl.when(pl.col("verified").fill_null(False))
        .then(pl.lit(config.verified_factor, dtype=pl.Float64))
        .otherwise(pl.lit(config.unverified_factor, dtype=pl.Float64))
    )
    decay = pl.lit(0.5, dtype=pl.Float64).pow(age / config.half_life_days)
    return (type_w * verified_w * decay).alias("weight")


def evidence_weights(
    evidence: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: ProficiencyConfig = DEFAULT_CONFIG.proficiency,
) -> pl.DataFrame:
    """Each evidence item dated on or before ``as_of`` with its age and weight
    (the detail behind :func:`proficiency`, e.g. for a person profile).

    Parameters
    ----------
    evidence : polars.DataFrame or polars.LazyFrame
        The contract's evidence table.
    as_of : datetime.date
        The as-of date T; later items are left out.
    config : ProficiencyConfig
        Weighting parameters.

    Returns
    -------
    polars.DataFrame
        Columns ``WEIGHT_COLUMNS``, sorted by employee, competency, date.

    Example
    -------
    >>> ev = pl.DataFrame({"evidence_id": ["e1", "e2"], "employee_id": ["a", "a"],
    ...     "competency_id": ["c", "c"], "evidence_type": ["rubric_review"] * 2,
    ...     "level": [2, 2], "observed_on": [dt.date(2024, 1, 1), dt.date(2026, 1, 1)],
    ...     "verified": [True, True]})
    >>> evidence_weights(ev, dt.date(2024, 12, 31))["weight"].to_list()  # 2026 item is future
    [0.5]
    """
    lf = evidence.lazy()
    _check(lf, config)
    t = pl.lit(as_of, dtype=pl.Date)
    if "verified" not in lf.collect_schema().names():
        lf = lf.with_columns(verified=pl.lit(False))
    if "evidence_id" not in lf.collect_schema().names():
        lf = lf.with_columns(evidence_id=pl.lit(None, dtype=pl.String))
    return (
        lf.filter(pl.col("observed_on") <= t)
        .with_columns(
            age_days=(t - pl.col("observed_on")).dt.total_days().cast(pl.Int64),
            weight=weight_expr(as_of, config),
        )
        .select(WEIGHT_COLUMNS)
        .sort("employee_id", "competency_id", "observed_on", "evidence_id")
        .collect(engine=COLLECT_ENGINE)
    )


def proficiency_lazy(
    evidence: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: ProficiencyConfig = DEFAULT_CONFIG.proficiency,
) -> pl.LazyFrame:
    """Lazy form of :func:`proficiency` (same columns, not yet collected).

    Example
    -------
    >>> ev = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"],
    ...     "evidence_type": ["self_assessment"], "level": [5],
    ...     "observed_on": [dt.date(2025, 1, 1)], "verified": [True]})
    >>> proficiency_lazy(ev, dt.date(2025, 1, 1)).collect()["level"].to_list()
    [0]
    """
    lf = evidence.lazy()
    _check(lf, config)
    if "verified" not in lf.collect_schema().names():
        lf = lf.with_columns(verified=pl.lit(False))
    t = pl.lit(as_of, dtype=pl.Date)
    threshold = config.evidence_threshold - config.tolerance
    levels = range(MIN_LEVEL, MAX_LEVEL + 1)
    # One pass over the evidence: for each pair, the summed weight at level >= L
    # for every L (a handful of expressions, not a loop over rows).
    at_least = [pl.col("weight").filter(pl.col("level") >= lvl).sum().alias(f"w_ge_{lvl}") for lvl in levels]
    agg = (
        lf.filter(pl.col("observed_on") <= t)
        .select("employee_id", "competency_id", "level", "observed_on", weight_expr(as_of, config))
        .group_by("employee_id", "competency_id")
        .agg(
            *at_least,
            n_evidence=pl.len().cast(pl.Int64),
            last_observed_on=pl.col("observed_on").max(),
        )
    )
    level = pl.lit(0, dtype=pl.Int64)
    weight = pl.lit(0.0, dtype=pl.Float64)
    for lvl in levels:  # ascending, so the highest qualifying level wins
        ok = pl.col(f"w_ge_{lvl}") >= threshold
        level = pl.when(ok).then(pl.lit(lvl, dtype=pl.Int64)).otherwise(level)
        weight = pl.when(ok).then(pl.col(f"w_ge_{lvl}")).otherwise(weight)
    return agg.select(
        "employee_id",
        "competency_id",
        level.alias("level"),
        weight.alias("evidence_weight"),
        "n_evidence",
        "last_observed_on",
    )


def proficiency(
    evidence: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: ProficiencyConfig = DEFAULT_CONFIG.proficiency,
) -> pl.DataFrame:
    """Demonstrated level per (employee, competency) as of ``as_of``.

    Parameters
    ----------
    evidence : polars.DataFrame or polars.LazyFrame
        The contract's evidence table (``verified`` may be absent: unverified).
    as_of : datetime.date
        The as-of date T. Items with ``observed_on > T`` are ignored.
    config : ProficiencyConfig
        ``type_weights``, ``verified_factor``, ``unverified_factor``,
        ``half_life_days``, ``evidence_threshold`` and ``tolerance`` (sums within
        ``tolerance`` below the threshold still qualify, against float rounding).

    Returns
    -------
    polars.DataFrame
        One row per (employee, competency) with at least one item dated ≤ T:
        ``employee_id, competency_id, level`` (Int64, 0–5), ``evidence_weight``
        (Float64, the summed weight at level ≥ ``level``; 0 when level is 0),
        ``n_evidence`` (Int64, every item dated ≤ T for the pair, of any level
        and type) and ``last_observed_on`` (Date, the latest such item).
        Rows come in no particular order (sorting 600k string keys would
        double the run time; sort when showing them). Employees are not
        filtered by activity; see :func:`restrict_to_active`.

    Example
    -------
    >>> ev = pl.DataFrame({"employee_id": ["a", "a"], "competency_id": ["c", "c"],
    ...     "evidence_type": ["performance_task", "credential"], "level": [4, 2],
    ...     "observed_on": [dt.date(2025, 1, 1)] * 2, "verified": [True, True]})
    >>> proficiency(ev, dt.date(2025, 1, 1)).select("level", "evidence_weight").row(0)
    (4, 1.0)
    """
    return proficiency_lazy(evidence, as_of, config).collect(engine=COLLECT_ENGINE)


def restrict_to_active(
    frame: pl.DataFrame | pl.LazyFrame,
    employees: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
) -> pl.DataFrame | pl.LazyFrame:
    """Rows of ``frame`` whose ``employee_id`` is active at ``as_of``
    (same frame type as ``frame``).

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2,
    ...     "exit_date": [None, dt.date(2024, 6, 30)]})
    >>> prof = pl.DataFrame({"employee_id": ["a", "b"], "level": [3, 4]})
    >>> restrict_to_active(prof, emp, dt.date(2025, 1, 1))["employee_id"].to_list()
    ['a']
    """
    active = active_at(employees.lazy(), as_of).select("employee_id")
    out = frame.lazy().join(active, on="employee_id", how="semi")
    return out.collect(engine=COLLECT_ENGINE) if isinstance(frame, pl.DataFrame) else out
