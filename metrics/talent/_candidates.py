"""Internal candidates for any role: every active employee's readiness for one target role.

:func:`metrics.readiness.readiness` assesses each employee against their current
and next role. A talent committee also asks "who could do *this* role?" for a
role that is nobody's next role (a new role, a role on another ladder). The
functions here compute the same readiness (metrics.md section 2, same bands)
of every active employee against one role, from the proficiency frame alone,
in one pass over the proficiency rows of that role's competencies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, ProficiencyConfig, ReadinessConfig
from metrics.proficiency import COLLECT_ENGINE, evidence_weights
from metrics.readiness import band_expr

ERR_UNKNOWN_ROLE = "Unknown role {role_id!r}: it is not in the roles table."
ERR_UNKNOWN_EMPLOYEE = "Unknown employee {employee_id!r}: not in the employees table."
ERR_MISSING_COLUMNS = "{table} is missing column(s) {missing}."

#: Candidates whose per-requirement detail is worked out by default (the list itself is complete).
DETAIL_LIMIT = 200

#: Level distance labels: target level minus the level of the candidate's current role.
LATERAL, ONE_UP, TWO_UP = 0, 1, 2
DISTANCE_LABELS = {-2: "two down", -1: "one down", 0: "lateral", 1: "one up", 2: "two up"}

#: Output columns of :func:`role_readiness`, in order.
ROLE_READINESS_COLUMNS = ("employee_id", "readiness", "band", "n_gaps", "n_critical_gaps")
#: Output columns of :attr:`Candidates.ranked`, in order.
CANDIDATE_COLUMNS = (
    "rank",
    "employee_id",
    "role_id",
    "title",
    "ladder",
    "team",
    "level_distance",
    "move",
    "readiness",
    "band",
    "n_gaps",
    "n_critical_gaps",
    "n_evidence",
    "evidence_weight",
    "last_evidence_on",
    "in_role_since",
    "days_in_role",
)
#: Output columns of :attr:`Candidates.requirements`, in order.
REQUIREMENT_COLUMNS = (
    "employee_id",
    "competency_id",
    "required_level",
    "level",
    "gap",
    "weight",
    "critical",
    "evidence_weight",
    "n_evidence",
    "last_observed_on",
)
#: Output columns of :func:`evidence_behind`, in order.
EVIDENCE_COLUMNS = (
    "employee_id",
    "competency_id",
    "evidence_id",
    "evidence_type",
    "level",
    "observed_on",
    "verified",
    "age_days",
    "weight",
    "supports_level",
)

Frame = pl.DataFrame | pl.LazyFrame


def _require(frame: pl.LazyFrame, table: str, columns: Sequence[str]) -> None:
    missing = sorted(set(columns) - set(frame.collect_schema().names()))
    if missing:
        raise ValueError(ERR_MISSING_COLUMNS.format(table=table, missing=", ".join(missing)))


def role_requirements_of(role_requirements: Frame, role_id: str) -> pl.LazyFrame:
    """The requirements of one role with the contract's defaults applied
    (``weight`` null → 1, ``critical`` null → false).

    Example
    -------
    >>> req = pl.DataFrame({"role_id": ["R", "S"], "competency_id": ["c", "d"], "required_level": [2, 3]})
    >>> role_requirements_of(req, "R").collect().rows()
    [('c', 2, 1.0, False)]
    """
    req = role_requirements.lazy()
    _require(req, "role_requirements", ("role_id", "competency_id", "required_level"))
    names = req.collect_schema().names()
    return req.filter(pl.col("role_id") == role_id).select(
        "competency_id",
        pl.col("required_level").cast(pl.Int64),
        (pl.col("weight").cast(pl.Float64) if "weight" in names else pl.lit(None, pl.Float64))
        .fill_null(1.0)
        .alias("weight"),
        (pl.col("critical") if "critical" in names else pl.lit(None, pl.Boolean)).fill_null(False).alias("critical"),
    )


def role_readiness(
    employees: Frame,
    role_requirements: Frame,
    proficiency: Frame,
    role_id: str,
    as_of: dt.date,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
) -> pl.DataFrame:
    """Readiness of every active employee for one role (metrics.md section 2).

    The same formula and bands as :func:`metrics.readiness.readiness`, for an
    arbitrary target role: ``readiness = Σ w_c·min(1, level_c / r_c) / Σ w_c``
    over the role's requirements. Only proficiency rows of the role's
    competencies are read; an employee without any has readiness 0.

    Parameters
    ----------
    employees : polars.DataFrame or LazyFrame
        The contract's employees table (only those active at ``as_of`` get a row).
    role_requirements : polars.DataFrame or LazyFrame
        The contract's role_requirements table.
    proficiency : polars.DataFrame or LazyFrame
        Output of :func:`metrics.proficiency.proficiency` (``employee_id, competency_id, level``).
    role_id : str
        The target role.
    as_of : datetime.date
        The as-of date T.
    config : ReadinessConfig
        Band boundaries.

    Returns
    -------
    polars.DataFrame
        ``employee_id, readiness, band, n_gaps, n_critical_gaps``, sorted by
        employee_id. Readiness and band are null when the role has no requirements.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["X", "Y"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
    >>> req = pl.DataFrame({"role_id": ["R", "R"], "competency_id": ["c", "d"],
    ...     "required_level": [4, 2], "weight": [1.0, 1.0], "critical": [True, False]})
    >>> prof = pl.DataFrame({"employee_id": ["a", "a"], "competency_id": ["c", "d"], "level": [4, 1]})
    >>> role_readiness(emp, req, prof, "R", dt.date(2025, 1, 1)).rows()
    [('a', 0.75, 'ready_soon', 1, 0), ('b', 0.0, 'developing', 2, 1)]
    """
    req = role_requirements_of(role_requirements, role_id).collect(engine=COLLECT_ENGINE)
    emp = employees.lazy()
    _require(emp, "employees", ("employee_id", "hire_date", "exit_date"))
    return _scores(active_at(emp, as_of).select("employee_id"), req, proficiency, config)


def _scores(people: pl.LazyFrame, req: pl.DataFrame, proficiency: Frame, config: ReadinessConfig) -> pl.DataFrame:
    """Readiness of each ``people.employee_id`` against the requirements ``req``."""
    if req.height == 0:
        return (
            people.select(
                "employee_id",
                pl.lit(None, pl.Float64).alias("readiness"),
                pl.lit(None, pl.String).alias("band"),
                pl.lit(0, pl.Int64).alias("n_gaps"),
                pl.lit(0, pl.Int64).alias("n_critical_gaps"),
            )
            .sort("employee_id")
            .collect(engine=COLLECT_ENGINE)
        )
    total_weight = float(req["weight"].sum())
    n_req = req.height
    n_crit = int(req["critical"].sum())
    met = pl.col("level") >= pl.col("required_level")
    attain = pl.min_horizontal(pl.lit(1.0), pl.col("level").cast(pl.Float64) / pl.col("required_level"))
    scored = (
        proficiency.lazy()
        .select("employee_id", "competency_id", pl.col("level").cast(pl.Int64))
        .join(req.lazy(), on="competency_id", how="inner")
        .join(people.select("employee_id"), on="employee_id", how="semi")
        .group_by("employee_id")
        .agg(
            num=(pl.col("weight") * attain).sum(),
            n_met=met.sum().cast(pl.Int64),
            n_crit_met=(met & pl.col("critical")).sum().cast(pl.Int64),
        )
    )
    return (
        people.select("employee_id")
        .join(scored, on="employee_id", how="left")
        .with_columns(pl.col("num").fill_null(0.0), pl.col("n_met", "n_crit_met").fill_null(0))
        .select(
            "employee_id",
            (pl.col("num") / total_weight).alias("readiness"),
            (pl.lit(n_req) - pl.col("n_met")).cast(pl.Int64).alias("n_gaps"),
            (pl.lit(n_crit) - pl.col("n_crit_met")).cast(pl.Int64).alias("n_critical_gaps"),
        )
        .with_columns(band_expr(config))
        .select(ROLE_READINESS_COLUMNS)
        .sort("employee_id")
        .collect(engine=COLLECT_ENGINE)
    )


def in_role_since(employees: Frame, movements: Frame | None, as_of: dt.date) -> pl.LazyFrame:
    """When each employee started in the role they hold at ``as_of``: the date of their
    latest movement on or before ``as_of``, else their hire date.

    ``employees.role_id`` must be the role at ``as_of`` (see ``metrics.movements.roles_at``).

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "hire_date": [dt.date(2020, 1, 1)] * 2})
    >>> mv = pl.DataFrame({"employee_id": ["a", "a"],
    ...     "effective_date": [dt.date(2022, 3, 1), dt.date(2026, 1, 1)]})
    >>> in_role_since(emp, mv, dt.date(2025, 1, 1)).collect().rows()
    [('a', datetime.date(2022, 3, 1)), ('b', datetime.date(2020, 1, 1))]
    """
    emp = employees.lazy().select("employee_id", "hire_date")
    if movements is None:
        return emp.select("employee_id", pl.col("hire_date").alias("in_role_since"))
    last = (
        movements.lazy()
        .filter(pl.col("effective_date") <= pl.lit(as_of, dtype=pl.Date))
        .group_by("employee_id")
        .agg(pl.col("effective_date").max().alias("_moved"))
    )
    return emp.join(last, on="employee_id", how="left", maintain_order="left").select(
        "employee_id", pl.coalesce("_moved", "hire_date").alias("in_role_since")
    )


@dataclass(frozen=True)
class Candidates:
    """Internal candidates for one role.

    ``ranked``: one row per candidate (``CANDIDATE_COLUMNS``), best first;
    ``requirements``: one row per requirement of the role for each of the first
    ``detail_limit`` candidates (``REQUIREMENT_COLUMNS``): the level, the gap and
    the evidence behind the level.
    """

    role_id: str
    ranked: pl.DataFrame
    requirements: pl.DataFrame


def candidates_for_role(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    proficiency: Frame,
    role_id: str,
    as_of: dt.date,
    movements: Frame | None = None,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
    *,
    ladders: Sequence[str] = (),
    teams: Sequence[str] = (),
    distances: Sequence[int] = (),
    include_incumbents: bool = False,
    limit: int | None = None,
    detail_limit: int | None = DETAIL_LIMIT,
) -> Candidates:
    """Every active employee ranked by readiness for ``role_id``, with gaps and evidence.

    Parameters
    ----------
    employees, roles, role_requirements : polars.DataFrame or LazyFrame
        Contract tables; ``employees.role_id`` is the role held at ``as_of``.
    proficiency : polars.DataFrame or LazyFrame
        Output of :func:`metrics.proficiency.proficiency` (with ``evidence_weight,
        n_evidence, last_observed_on``).
    role_id : str
        The target role (any role, not only someone's next role).
    as_of : datetime.date
        The as-of date T.
    movements : polars.DataFrame or LazyFrame, optional
        For the time in the current role (without it: since the hire date).
    config : ReadinessConfig
        Band boundaries.
    ladders, teams : sequence of str
        Keep candidates whose current role is on one of these ladders / who are
        in one of these teams (empty: all).
    distances : sequence of int
        Keep candidates whose target level minus current level is one of these
        (0 lateral, 1 one up, 2 two up; empty: all).
    include_incumbents : bool
        Also list the people who already hold the role (default: not).
    limit : int, optional
        Keep the best ``limit`` candidates.
    detail_limit : int, optional
        Per-requirement detail (``Candidates.requirements``) for the best
        ``detail_limit`` candidates (default ``DETAIL_LIMIT``; None: all).

    Returns
    -------
    Candidates
        Ranked by readiness (highest first), then fewer critical gaps, fewer
        gaps, more evidence weight, employee id. ``rank`` is 1, 2, 3, ….

    Raises
    ------
    ValueError
        ``ERR_UNKNOWN_ROLE`` when the role is not in ``roles``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["X1", "Y1"], "team": ["T", "U"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
    >>> roles = pl.DataFrame({"role_id": ["X1", "Y1", "R"], "title": ["x", "y", "r"],
    ...     "ladder": ["X", "Y", "Z"], "level": [1, 1, 2]})
    >>> req = pl.DataFrame({"role_id": ["R"], "competency_id": ["c"], "required_level": [2]})
    >>> prof = pl.DataFrame({"employee_id": ["b"], "competency_id": ["c"], "level": [2],
    ...     "evidence_weight": [1.2], "n_evidence": [2], "last_observed_on": [dt.date(2024, 5, 1)]})
    >>> candidates_for_role(emp, roles, req, prof, "R", dt.date(2025, 1, 1)).ranked.select(
    ...     "rank", "employee_id", "move", "readiness").rows()
    [(1, 'b', 'one up', 1.0), (2, 'a', 'one up', 0.0)]
    """
    rl = roles.lazy()
    _require(rl, "roles", ("role_id", "title", "ladder", "level"))
    role_info = rl.select("role_id", "title", "ladder", pl.col("level").cast(pl.Int64)).collect(engine=COLLECT_ENGINE)
    target = role_info.filter(pl.col("role_id") == role_id)
    if target.height == 0:
        raise ValueError(ERR_UNKNOWN_ROLE.format(role_id=role_id))
    target_level = int(target["level"][0])

    emp = employees.lazy()
    _require(emp, "employees", ("employee_id", "role_id", "team", "hire_date", "exit_date"))
    people = (
        active_at(emp, as_of)
        .select("employee_id", "role_id", "team", "hire_date")
        .join(role_info.lazy(), on="role_id", how="left")
        .with_columns((pl.lit(target_level) - pl.col("level")).cast(pl.Int64).alias("level_distance"))
    )
    if not include_incumbents:
        people = people.filter(pl.col("role_id") != role_id)
    if ladders:
        people = people.filter(pl.col("ladder").is_in(list(ladders)))
    if teams:
        people = people.filter(pl.col("team").is_in(list(teams)))
    if distances:
        people = people.filter(pl.col("level_distance").is_in(list(distances)))
    people_df = people.collect(engine=COLLECT_ENGINE)

    req_df = role_requirements_of(role_requirements, role_id).collect(engine=COLLECT_ENGINE)
    req = req_df.lazy()
    prof = proficiency.lazy()
    prof_names = prof.collect_schema().names()
    extras = [
        (pl.col(c) if c in prof_names else pl.lit(None, dtype)).alias(c)
        for c, dtype in (("evidence_weight", pl.Float64), ("n_evidence", pl.Int64), ("last_observed_on", pl.Date))
    ]
    # one pass over the proficiency rows: only the role's competencies are kept
    prof_role = (
        prof.filter(pl.col("competency_id").is_in(req_df["competency_id"].to_list()))
        .select("employee_id", "competency_id", pl.col("level").cast(pl.Int64), *extras)
        .collect(engine=COLLECT_ENGINE)
    )
    scores = _scores(people_df.lazy(), req_df, prof_role, config)
    evidence_totals = (
        prof_role.lazy()
        .group_by("employee_id")
        .agg(
            n_evidence=pl.col("n_evidence").sum().cast(pl.Int64),
            evidence_weight=pl.col("evidence_weight").sum(),
            last_evidence_on=pl.col("last_observed_on").max(),
        )
    )
    since = in_role_since(people_df, movements, as_of)
    ranked = (
        people_df.lazy()
        .join(scores.lazy(), on="employee_id", how="left")
        .join(evidence_totals, on="employee_id", how="left")
        .join(since, on="employee_id", how="left")
        .with_columns(
            pl.col("n_evidence").fill_null(0),
            pl.col("evidence_weight").fill_null(0.0),
            pl.col("level_distance")
            .replace_strict(DISTANCE_LABELS, default=None, return_dtype=pl.String)
            .fill_null(
                pl.when(pl.col("level_distance") > 0)
                .then(pl.format("{} up", pl.col("level_distance")))
                .otherwise(pl.format("{} down", -pl.col("level_distance")))
            )
            .alias("move"),
            (pl.lit(as_of, dtype=pl.Date) - pl.col("in_role_since"))
            .dt.total_days()
            .cast(pl.Int64)
            .alias("days_in_role"),
        )
        .sort(
            ["readiness", "n_critical_gaps", "n_gaps", "evidence_weight", "employee_id"],
            descending=[True, False, False, True, False],
            nulls_last=True,
        )
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
        .select(CANDIDATE_COLUMNS)
    )
    if limit is not None:
        ranked = ranked.head(limit)
    ranked_df = ranked.collect(engine=COLLECT_ENGINE)
    detailed = ranked_df if detail_limit is None else ranked_df.head(detail_limit)
    requirements = (
        detailed.lazy()
        .select("employee_id", "rank")
        .join(req, how="cross")
        .join(prof_role.lazy(), on=["employee_id", "competency_id"], how="left")
        .with_columns(pl.col("level").fill_null(0), pl.col("n_evidence").fill_null(0))
        .with_columns(
            gap=pl.max_horizontal(pl.lit(0, dtype=pl.Int64), pl.col("required_level") - pl.col("level")),
            evidence_weight=pl.when(pl.col("level") > 0).then(pl.col("evidence_weight")).otherwise(0.0),
        )
        .sort(["rank", "critical", "gap", "competency_id"], descending=[False, True, True, False])
        .select(REQUIREMENT_COLUMNS)
        .collect(engine=COLLECT_ENGINE)
    )
    return Candidates(role_id, ranked_df, requirements)


def evidence_behind(
    evidence: Frame,
    proficiency: Frame,
    employee_ids: Sequence[str],
    competency_ids: Sequence[str],
    as_of: dt.date,
    config: ProficiencyConfig = DEFAULT_CONFIG.proficiency,
) -> pl.DataFrame:
    """The evidence items behind some people's levels in some competencies, with the
    weight each carries at ``as_of`` and whether it supports the demonstrated level
    (an item at or above that level counts toward it).

    Example
    -------
    >>> ev = pl.DataFrame({"evidence_id": ["e1", "e2"], "employee_id": ["a", "a"],
    ...     "competency_id": ["c", "c"], "evidence_type": ["performance_task"] * 2,
    ...     "level": [3, 2], "observed_on": [dt.date(2025, 1, 1)] * 2, "verified": [True, True]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [3]})
    >>> evidence_behind(ev, prof, ["a"], ["c"], dt.date(2025, 1, 1)).select("evidence_id", "supports_level").rows()
    [('e1', True), ('e2', False)]
    """
    subset = (
        evidence.lazy()
        .filter(pl.col("employee_id").is_in(list(employee_ids)) & pl.col("competency_id").is_in(list(competency_ids)))
        .collect(engine=COLLECT_ENGINE)
    )
    items = evidence_weights(subset, as_of, config)
    levels = proficiency.lazy().select(
        "employee_id", "competency_id", pl.col("level").cast(pl.Int64).alias("_demonstrated")
    )
    return (
        items.lazy()
        .join(levels, on=["employee_id", "competency_id"], how="left")
        .with_columns(
            supports_level=(pl.col("_demonstrated").fill_null(0) > 0) & (pl.col("level") >= pl.col("_demonstrated"))
        )
        .select(EVIDENCE_COLUMNS)
        .sort(["employee_id", "competency_id", "observed_on", "evidence_id"], descending=[False, False, True, False])
        .collect(engine=COLLECT_ENGINE)
    )


def check_employee(employees: Frame, employee_id: str) -> None:
    """Raise ``ERR_UNKNOWN_EMPLOYEE`` when ``employee_id`` is not in ``employees``.

    Example
    -------
    >>> check_employee(pl.DataFrame({"employee_id": ["a"]}), "b")
    Traceback (most recent call last):
    ...
    ValueError: Unknown employee 'b': not in the employees table.
    """
    found = employees.lazy().filter(pl.col("employee_id") == employee_id).select(pl.len()).collect().item()
    if not found:
        raise ValueError(ERR_UNKNOWN_EMPLOYEE.format(employee_id=employee_id))
