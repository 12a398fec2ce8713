"""Evidence of proficiency, generated one chunk of employees at a time, and the
spec's proficiency rule (metrics.md section 1) used to plant and check truths.

Each employee has a true level on every competency of their current role and of
their ladder's next role: the current role's required level shifted by a
personal offset (some above, most at, some below), higher on next-role
competencies for *stretch* employees, and capped below the next role's level for
the candidates of the planted bench-gap roles. Every true level is backed by one
to five evidence items of the seven types, dated within the employee's last three
years of employment, mostly at that level, some a level lower, a few (often
self-assessments) a level higher.

Example
-------
>>> import datetime as dt
>>> ev = pl.DataFrame({"employee_id": ["a", "a"], "competency_id": ["c", "c"],
...     "evidence_type": ["performance_task", "credential"], "level": [3, 4],
...     "observed_on": [dt.date(2026, 9, 30), dt.date(2025, 9, 30)],
...     "verified": [True, True]})
>>> demonstrated_levels(ev, dt.date(2026, 9, 30))["level"].item()
3
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from data_sources.contract import CONTRACT, EVIDENCE_TYPES

#: Type weights, verification factor and half-life of metrics.md section 1.
TYPE_WEIGHTS = {
    "performance_task": 1.0,
    "rubric_review": 1.0,
    "customer_outcome": 0.9,
    "credential": 0.8,
    "manager_endorsement": 0.7,
    "peer_feedback": 0.5,
    "self_assessment": 0.2,
}
UNVERIFIED_FACTOR = 0.5
HALF_LIFE_DAYS = 365.0
EVIDENCE_THRESHOLD = 1.0

_TYPE_P = np.array([0.26, 0.17, 0.10, 0.08, 0.19, 0.13, 0.07])
_VERIFIED_P = np.array([0.85, 0.9, 0.8, 0.97, 0.7, 0.3, 0.0])
_SOURCES = np.array(["work_review", "rubric", "crm", "registry", "manager", "360", "self"], dtype=object)
#: Tuning of the item stream: base items, extra items (Poisson mean, cap), recency.
ITEMS_BASE, ITEMS_EXTRA_MEAN, ITEMS_EXTRA_CAP, AGE_POWER = 2, 1.5, 3, 3.0
_HISTORY_DAYS = 1095
ERR_AFTER_AS_OF = "Evidence periods must end on or before the as-of date {as_of}."


def demonstrated_levels(evidence: pl.DataFrame | pl.LazyFrame, as_of: dt.date) -> pl.DataFrame:
    """Demonstrated level per (employee, competency) at ``as_of`` by the spec's rule:
    weight ``type_weight x (1 if verified else 0.5) x 0.5**(age_days/365)``; level =
    highest L whose items at level >= L weigh at least 1.0 in total (0 if none).

    Returns columns ``employee_id, competency_id, level``.

    Example
    -------
    >>> ev = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"],
    ...     "evidence_type": ["self_assessment"], "level": [5],
    ...     "observed_on": [dt.date(2026, 1, 1)], "verified": [False]})
    >>> demonstrated_levels(ev, dt.date(2026, 9, 30))["level"].item()
    0
    """
    t = pl.lit(as_of, dtype=pl.Date)
    w = (
        pl.col("evidence_type").replace_strict(TYPE_WEIGHTS, return_dtype=pl.Float64)
        * pl.when(pl.col("verified")).then(1.0).otherwise(UNVERIFIED_FACTOR)
        * pl.lit(0.5).pow((t - pl.col("observed_on")).dt.total_days() / HALF_LIFE_DAYS)
    )
    sums = [(pl.col("w") * (pl.col("level") >= lv)).sum().alias(f"s{lv}") for lv in range(1, 6)]
    level = pl.max_horizontal(
        [pl.when(pl.col(f"s{lv}") >= EVIDENCE_THRESHOLD - 1e-9).then(lv).otherwise(0) for lv in range(1, 6)]
    )
    return (
        evidence.lazy()
        .filter(pl.col("observed_on") <= t)
        .with_columns(w=w)
        .group_by("employee_id", "competency_id")
        .agg(sums)
        .select("employee_id", "competency_id", level.cast(pl.Int64).alias("level"))
        .sort("employee_id", "competency_id")
        .collect()
    )


def true_levels(people: pl.DataFrame, requirements: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """True level per (employee, competency) on the current and next role's competencies.

    ``people`` has ``employee_id, role_id, next_role_id, offset, stretch, planted``.
    Returns ``employee_id, competency_id, true_level`` (level 0 rows dropped).

    Example
    -------
    >>> req = pl.DataFrame({"role_id": ["R1", "R2"], "competency_id": ["c", "c"],
    ...                     "required_level": [2, 3]})
    >>> ppl = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"], "next_role_id": ["R2"],
    ...                     "offset": [0.0], "stretch": [False], "planted": [True]})
    >>> true_levels(ppl, req, np.random.default_rng(0))["true_level"].max() <= 2
    True
    """
    req = requirements.select("role_id", "competency_id", "required_level")
    cur = people.join(req.rename({"required_level": "r_cur"}), on="role_id")
    nxt = people.select("employee_id", "next_role_id").join(
        req.rename({"role_id": "next_role_id", "required_level": "r_next"}), on="next_role_id"
    )
    pairs = (
        cur.select("employee_id", "competency_id", "r_cur")
        .join(
            nxt.select("employee_id", "competency_id", "r_next"),
            on=["employee_id", "competency_id"],
            how="full",
            coalesce=True,
        )
        .join(people.select("employee_id", "offset", "stretch", "planted"), on="employee_id")
        .sort("employee_id", "competency_id")
    )
    n = pairs.height
    r_cur = pairs["r_cur"].to_numpy().astype(float)
    r_nxt = pairs["r_next"].to_numpy().astype(float)
    off = pairs["offset"].to_numpy()
    stretch = pairs["stretch"].to_numpy()
    planted = pairs["planted"].to_numpy()
    has_cur, has_nxt = ~np.isnan(r_cur), ~np.isnan(r_nxt)
    lvl = np.where(has_cur, r_cur + np.round(off + rng.normal(0, 0.5, n)), 0.0)
    some = rng.random(n) < 0.5
    lvl = np.where(~has_cur & some, r_nxt - 2 + np.round(rng.normal(0, 0.5, n)), lvl)
    ahead = r_nxt + np.round(rng.normal(-0.1, 0.4, n))
    lvl = np.where(stretch & has_nxt, np.fmax(lvl, ahead), lvl)
    lvl = np.where(planted & has_nxt, np.fmin(lvl, np.where(has_cur, r_nxt - 1, 1)), lvl)
    lvl = np.clip(np.nan_to_num(lvl), 0, 5).astype(np.int64)
    return (
        pairs.select("employee_id", "competency_id")
        .with_columns(true_level=pl.Series(lvl))
        .filter(pl.col("true_level") > 0)
    )


def evidence_chunk(
    people: pl.DataFrame,
    requirements: pl.DataFrame,
    as_of: dt.date,
    rng: np.random.Generator,
    first_id: int = 1,
) -> pl.DataFrame:
    """Evidence rows of one chunk of employees.

    Parameters
    ----------
    people : polars.DataFrame
        ``employee_id, role_id, next_role_id, offset, stretch, planted`` and
        ``start, end`` (Date: the period in which evidence may be dated).
    requirements : polars.DataFrame
        The ``role_requirements`` table.
    as_of : datetime.date
        The as-of date; ``end`` must not be after it.
    rng : numpy.random.Generator
        The chunk's own random stream.
    first_id : int
        Number of the chunk's first evidence id (``V0000001`` ...).

    Returns
    -------
    polars.DataFrame
        Contract columns of ``evidence``.

    Example
    -------
    >>> req = pl.DataFrame({"role_id": ["R1"], "competency_id": ["c"], "required_level": [2]})
    >>> ppl = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"], "next_role_id": [None],
    ...     "offset": [0.0], "stretch": [False], "planted": [False],
    ...     "start": [dt.date(2024, 1, 1)], "end": [dt.date(2026, 9, 30)]},
    ...     schema_overrides={"next_role_id": pl.String})
    >>> ev = evidence_chunk(ppl, req, dt.date(2026, 9, 30), np.random.default_rng(1))
    >>> ev["observed_on"].max() <= dt.date(2026, 9, 30), ev.columns[0]
    (True, 'evidence_id')
    """
    if people["end"].max() is not None and people["end"].max() > as_of:
        raise ValueError(ERR_AFTER_AS_OF.format(as_of=as_of))
    levels = true_levels(people, requirements, rng).join(people.select("employee_id", "start", "end"), on="employee_id")
    span = (levels["end"] - levels["start"]).dt.total_days().to_numpy()
    n_items = ITEMS_BASE + np.minimum(rng.poisson(ITEMS_EXTRA_MEAN, levels.height), ITEMS_EXTRA_CAP)
    n_items = np.where(span < 180, np.maximum(1, n_items // 2), n_items)
    items = levels.with_columns(k=pl.Series(n_items)).with_columns(k=pl.int_ranges(0, pl.col("k"))).explode("k")
    m = items.height
    true_lv = items["true_level"].to_numpy()
    u = rng.random(m)
    lvl = np.where(u < 0.7, true_lv, np.where(u < 0.92, true_lv - 1, true_lv + 1))
    lvl = np.clip(lvl, 1, 5)
    up = lvl > true_lv
    types = rng.choice(len(EVIDENCE_TYPES), size=m, p=_TYPE_P)
    types = np.where(up & (rng.random(m) < 0.6), rng.choice([5, 6], size=m), types)
    verified = rng.random(m) < _VERIFIED_P[types]
    span_i = (items["end"] - items["start"]).dt.total_days().to_numpy()
    age = np.floor(np.minimum(span_i, _HISTORY_DAYS) * rng.random(m) ** AGE_POWER).astype(np.int64)
    observed = items["end"].cast(pl.Int32).to_numpy().astype(np.int64) - age
    out = pl.DataFrame(
        {
            "evidence_id": pl.int_range(first_id, first_id + m, eager=True)
            .cast(pl.String)
            .str.zfill(7)
            .str.replace(r"^", "V"),
            "employee_id": items["employee_id"],
            "competency_id": items["competency_id"],
            "evidence_type": np.asarray(EVIDENCE_TYPES, dtype=object)[types].astype(str),
            "level": lvl.astype(np.int64),
            "observed_on": pl.Series(observed.astype(np.int32)).cast(pl.Date),
            "verified": verified,
            "source": _SOURCES[types].astype(str),
        }
    )
    return out.select([pl.col(c).cast(t) for c, t in CONTRACT["evidence"].schema().items()])


__all__ = ["TYPE_WEIGHTS", "demonstrated_levels", "evidence_chunk", "true_levels"]
