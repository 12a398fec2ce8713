"""Saved nominations beside the computed readiness: agreement, leavers and orphans.

Nominations live in the product's store (``data_sources.talent_store``) and refer to
employees and roles by id. Against the loaded source and an as-of date each one is
``active``, or its nominee has left (shown, not dropped), is not hired yet, or it is
orphaned because a reload removed its role or its employee. The committee's judgement
is set beside the readiness band the evidence gives: ready now ↔ ready now, ready in
1–2 years ↔ ready soon, ready in 3+ years ↔ developing.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from data_sources.talent_store import JUDGEMENTS, READY_1_2_YEARS, READY_3_PLUS_YEARS
from data_sources.talent_store import READY_NOW as JUDGED_READY_NOW
from metrics.config import DEFAULT_CONFIG, ReadinessConfig
from metrics.proficiency import COLLECT_ENGINE
from metrics.readiness import DEVELOPING, READY_NOW, READY_SOON
from metrics.talent._candidates import role_readiness

ACTIVE = "active"
NOMINEE_LEFT = "nominee left"
NOT_YET_HIRED = "not yet hired"
ORPHANED_ROLE = "orphaned: role no longer in the source"
ORPHANED_EMPLOYEE = "orphaned: employee no longer in the source"

AGREES = "agrees"
COMMITTEE_HIGHER = "committee more optimistic than the evidence"
EVIDENCE_HIGHER = "evidence more optimistic than the committee"

#: The readiness band each judgement corresponds to.
JUDGEMENT_BAND = {JUDGED_READY_NOW: READY_NOW, READY_1_2_YEARS: READY_SOON, READY_3_PLUS_YEARS: DEVELOPING}
_BAND_RANK = {READY_NOW: 0, READY_SOON: 1, DEVELOPING: 2}

#: Output columns of :func:`nominations_view`, in order.
VIEW_COLUMNS = (
    "nomination_id",
    "role_id",
    "employee_id",
    "judgement",
    "note",
    "nominated_by",
    "nominated_at",
    "state",
    "exit_date",
    "readiness",
    "band",
    "agreement",
)


def nominations_view(
    nominations: pl.DataFrame,
    employees: pl.DataFrame,
    roles: pl.DataFrame,
    role_requirements: pl.DataFrame,
    proficiency: pl.DataFrame,
    as_of: dt.date,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
) -> pl.DataFrame:
    """Each saved nomination with its state on ``as_of`` and the evidence beside it.

    Parameters
    ----------
    nominations : polars.DataFrame
        ``data_sources.talent_store.load_nominations`` output.
    employees, roles, role_requirements : polars.DataFrame
        The loaded source's tables.
    proficiency : polars.DataFrame
        ``metrics.proficiency.proficiency`` for ``as_of``.
    as_of : datetime.date
        The as-of date T.

    Returns
    -------
    polars.DataFrame
        ``VIEW_COLUMNS``: readiness and band of the nominee for the nominated role
        (null unless the nomination is active), and ``agreement`` between the
        judgement and the band. Sorted by role, then nomination id.

    Example
    -------
    >>> noms = pl.DataFrame({"nomination_id": [1, 2, 3], "role_id": ["R", "R", "GONE"],
    ...     "employee_id": ["a", "b", "a"], "judgement": ["ready_now", "ready_now", "ready_now"],
    ...     "note": ["", "", ""], "nominated_by": ["x"] * 3, "nominated_at": [None] * 3})
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["A", "A"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, dt.date(2024, 6, 30)]})
    >>> roles = pl.DataFrame({"role_id": ["A", "R"]})
    >>> req = pl.DataFrame({"role_id": ["R"], "competency_id": ["c"], "required_level": [4]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [3]})
    >>> nominations_view(noms, emp, roles, req, prof, dt.date(2025, 1, 1)).select(
    ...     "nomination_id", "state", "band", "agreement").rows()
    [(3, 'orphaned: role no longer in the source', None, None), (1, 'active', 'ready_soon', 'committee more optimistic than the evidence'), (2, 'nominee left', None, None)]
    """
    t = pl.lit(as_of, dtype=pl.Date)
    people = employees.select("employee_id", "hire_date", "exit_date")
    known_roles = roles.select("role_id", pl.lit(True).alias("_role_known"))
    base = (
        nominations.join(people, on="employee_id", how="left")
        .join(known_roles, on="role_id", how="left")
        .with_columns(
            state=pl.when(pl.col("_role_known").is_null())
            .then(pl.lit(ORPHANED_ROLE))
            .when(pl.col("hire_date").is_null())
            .then(pl.lit(ORPHANED_EMPLOYEE))
            .when(pl.col("exit_date").is_not_null() & (pl.col("exit_date") <= t))
            .then(pl.lit(NOMINEE_LEFT))
            .when(pl.col("hire_date") > t)
            .then(pl.lit(NOT_YET_HIRED))
            .otherwise(pl.lit(ACTIVE))
        )
    )
    live = base.filter(pl.col("state") == ACTIVE)
    scored = []
    for role_id in sorted(set(live["role_id"].to_list())):
        nominees = employees.filter(
            pl.col("employee_id").is_in(live.filter(pl.col("role_id") == role_id)["employee_id"].implode())
        )
        scored.append(
            role_readiness(nominees, role_requirements, proficiency, role_id, as_of, config)
            .select("employee_id", "readiness", "band")
            .with_columns(role_id=pl.lit(role_id))
        )
    readiness = (
        pl.concat(scored)
        if scored
        else pl.DataFrame(
            schema={"employee_id": pl.String, "readiness": pl.Float64, "band": pl.String, "role_id": pl.String}
        )
    )
    judged = pl.col("judgement").replace_strict(
        {j: _BAND_RANK[JUDGEMENT_BAND[j]] for j in JUDGEMENTS}, default=None, return_dtype=pl.Int64
    )
    computed = pl.col("band").replace_strict(_BAND_RANK, default=None, return_dtype=pl.Int64)
    return (
        base.join(readiness, on=["role_id", "employee_id"], how="left")
        .with_columns(
            pl.when(pl.col("state") == ACTIVE).then(pl.col("readiness")).alias("readiness"),
            pl.when(pl.col("state") == ACTIVE).then(pl.col("band")).alias("band"),
        )
        .with_columns(
            agreement=pl.when(computed.is_null() | judged.is_null())
            .then(pl.lit(None, pl.String))
            .when(judged == computed)
            .then(pl.lit(AGREES))
            .when(judged < computed)
            .then(pl.lit(COMMITTEE_HIGHER))
            .otherwise(pl.lit(EVIDENCE_HIGHER))
        )
        .select(VIEW_COLUMNS)
        .sort("role_id", "nomination_id")
        .lazy()
        .collect(engine=COLLECT_ENGINE)
    )
