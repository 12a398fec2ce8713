"""Bench strength (metrics.md section 3): successors per role, rolled up per team.

For role R as of T: incumbents are the active employees in R; candidates are the
active employees whose current role's ``next_role_id`` is R; ``ready_now`` and
``ready_soon`` count candidates in those readiness bands for R.

    bench_strength = ready_now / incumbents      (null when incumbents = 0)

Example
-------
>>> import datetime as dt, polars as pl
>>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["R1", "R2"], "team": ["T", "T"],
...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
>>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "next_role_id": ["R2", None],
...     "critical": [False, True]})
>>> rd = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["R2"], "relation": ["next"],
...     "band": ["ready_now"]})
>>> bench_strength(emp, roles, rd, dt.date(2025, 1, 1)).row(1)
('R2', True, 1, 1, 1, 0, 1.0, 'covered')
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from metrics.common import active_at, active_expr
from metrics.proficiency import COLLECT_ENGINE
from metrics.readiness import NEXT, READY_NOW, READY_SOON

NO_SUCCESSORS = "no_successors"
READY_IN_FUTURE = "ready_in_future"
COVERED = "covered"
#: Bench statuses, worst first.
STATUSES = (NO_SUCCESSORS, READY_IN_FUTURE, COVERED)

#: Output columns of :func:`bench_strength`, in order.
BENCH_COLUMNS = (
    "role_id",
    "critical",
    "incumbents",
    "candidates",
    "ready_now",
    "ready_soon",
    "bench_strength",
    "status",
)
#: Output columns of :func:`team_bench`, in order.
TEAM_BENCH_COLUMNS = ("team", "critical_roles", "covered", "share_covered")

Frame = pl.DataFrame | pl.LazyFrame


def status_expr() -> pl.Expr:
    """Status from columns ``ready_now`` and ``ready_soon``.

    Example
    -------
    >>> df = pl.DataFrame({"ready_now": [0, 0, 1], "ready_soon": [0, 2, 0]})
    >>> df.select(status_expr())["status"].to_list()
    ['no_successors', 'ready_in_future', 'covered']
    """
    now, soon = pl.col("ready_now"), pl.col("ready_soon")
    return (
        pl.when(now >= 1)
        .then(pl.lit(COVERED))
        .when(soon >= 1)
        .then(pl.lit(READY_IN_FUTURE))
        .otherwise(pl.lit(NO_SUCCESSORS))
        .alias("status")
    )


def bench_strength(
    employees: Frame,
    roles: Frame,
    readiness: Frame,
    as_of: dt.date,
) -> pl.DataFrame:
    """Incumbents, candidates and ready successors for every role.

    Parameters
    ----------
    employees, roles : polars.DataFrame or LazyFrame
        Contract tables (``roles.critical`` null counts as false).
    readiness : polars.DataFrame or LazyFrame
        Output of :func:`metrics.readiness.readiness` for the same ``as_of``
        (its ``relation == "next"`` rows give the candidates' bands).
    as_of : datetime.date
        The as-of date T.

    Returns
    -------
    polars.DataFrame
        ``role_id, critical, incumbents, candidates, ready_now, ready_soon,
        bench_strength, status``, one row per role, sorted by role_id.
        A candidate without a readiness row (or with a null band, when R has no
        requirements) counts as a candidate but as neither ready_now nor ready_soon.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["R1"], "team": ["T"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "next_role_id": ["R2", None],
    ...     "critical": [False, True]})
    >>> rd = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["R2"],
    ...     "relation": ["next"], "band": ["ready_soon"]})
    >>> bench_strength(emp, roles, rd, dt.date(2025, 1, 1)).rows()
    [('R1', False, 1, 0, 0, 0, 0.0, 'no_successors'), ('R2', True, 0, 1, 0, 1, None, 'ready_in_future')]
    """
    rl = roles.lazy()
    names = rl.collect_schema().names()
    rl = rl.select(
        "role_id",
        "next_role_id",
        (pl.col("critical") if "critical" in names else pl.lit(None, pl.Boolean)).fill_null(False).alias("critical"),
    )
    active = active_at(employees.lazy(), as_of).select("employee_id", "role_id")
    incumbents = active.group_by("role_id").agg(incumbents=pl.len().cast(pl.Int64))
    bands = readiness.lazy().filter(pl.col("relation") == NEXT).select("employee_id", "target_role_id", "band")
    candidates = (
        active.join(rl.select("role_id", "next_role_id"), on="role_id", how="inner")
        .filter(pl.col("next_role_id").is_not_null())
        .select("employee_id", pl.col("next_role_id").alias("target_role_id"))
        .join(bands, on=["employee_id", "target_role_id"], how="left")
        .group_by("target_role_id")
        .agg(
            candidates=pl.len().cast(pl.Int64),
            ready_now=(pl.col("band") == READY_NOW).sum().cast(pl.Int64),
            ready_soon=(pl.col("band") == READY_SOON).sum().cast(pl.Int64),
        )
    )
    counts = ["incumbents", "candidates", "ready_now", "ready_soon"]
    return (
        rl.select("role_id", "critical")
        .join(incumbents, on="role_id", how="left")
        .join(candidates, left_on="role_id", right_on="target_role_id", how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .with_columns(
            bench_strength=pl.when(pl.col("incumbents") > 0).then(pl.col("ready_now") / pl.col("incumbents")),
            status=status_expr(),
        )
        .select(BENCH_COLUMNS)
        .sort("role_id")
        .collect(engine=COLLECT_ENGINE)
    )


def critical_coverage(bench: pl.DataFrame) -> float | None:
    """Organisation KPI: share of critical roles whose status is ``covered``
    (None when there is no critical role).

    Example
    -------
    >>> b = pl.DataFrame({"critical": [True, True, False], "status": ["covered", "no_successors", "covered"]})
    >>> critical_coverage(b)
    0.5
    """
    crit = bench.filter(pl.col("critical"))
    if crit.height == 0:
        return None
    return crit.select((pl.col("status") == COVERED).mean()).item()


def team_bench(employees: Frame, bench: Frame, as_of: dt.date) -> pl.DataFrame:
    """Per team: the critical roles with an active incumbent in the team and how
    many of them are covered (a role counts toward every team that has an
    incumbent in it).

    Parameters
    ----------
    employees : polars.DataFrame or LazyFrame
        The contract's employees table.
    bench : polars.DataFrame or LazyFrame
        Output of :func:`bench_strength`.
    as_of : datetime.date
        The as-of date T.

    Returns
    -------
    polars.DataFrame
        ``team, critical_roles, covered, share_covered`` for every team with an
        active employee; ``share_covered`` is null when the team holds no
        critical role. Sorted by team.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b", "c"], "role_id": ["R1", "R2", "R2"],
    ...     "team": ["T1", "T1", "T2"], "hire_date": [dt.date(2020, 1, 1)] * 3,
    ...     "exit_date": [None] * 3})
    >>> b = pl.DataFrame({"role_id": ["R1", "R2"], "critical": [True, True],
    ...     "status": ["covered", "no_successors"]})
    >>> team_bench(emp, b, dt.date(2025, 1, 1)).rows()
    [('T1', 2, 1, 0.5), ('T2', 1, 0, 0.0)]
    """
    active = active_at(employees.lazy(), as_of)
    teams = active.select("team").unique()
    crit = bench.lazy().filter(pl.col("critical")).select("role_id", "status")
    held = (
        active.select("team", "role_id")
        .unique()
        .join(crit, on="role_id", how="inner")
        .group_by("team")
        .agg(
            critical_roles=pl.len().cast(pl.Int64),
            covered=(pl.col("status") == COVERED).sum().cast(pl.Int64),
        )
    )
    return (
        teams.join(held, on="team", how="left")
        .with_columns(pl.col("critical_roles", "covered").fill_null(0))
        .with_columns(
            share_covered=pl.when(pl.col("critical_roles") > 0).then(pl.col("covered") / pl.col("critical_roles"))
        )
        .select(TEAM_BENCH_COLUMNS)
        .sort("team")
        .collect(engine=COLLECT_ENGINE)
    )


def bench_in_scope(
    bench: pl.DataFrame,
    employees: pl.DataFrame,
    roles: pl.DataFrame,
    as_of: dt.date,
    teams: tuple[str, ...] = (),
    ladders: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The roles of a bench table that a team and ladder scope covers.

    Counts stay organisation-wide (a successor can come from any team). The
    ladder scope keeps the roles of those ladders; the team scope keeps the roles
    with an active incumbent in those teams. Empty scopes keep everything.

    Example
    -------
    >>> b = pl.DataFrame({"role_id": ["R1", "R2"], "status": ["covered", "thin"]})
    >>> r = pl.DataFrame({"role_id": ["R1", "R2"], "ladder": ["Eng", "Ops"]})
    >>> e = pl.DataFrame({"employee_id": ["E1"], "role_id": ["R2"], "team": ["T"],
    ...                   "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> bench_in_scope(b, e, r, dt.date(2026, 1, 1), teams=("T",))["role_id"].to_list()
    ['R2']
    >>> bench_in_scope(b, e, r, dt.date(2026, 1, 1), ladders=("Eng",))["role_id"].to_list()
    ['R1']
    """
    out = bench
    if ladders:
        keep = roles.filter(pl.col("ladder").is_in(list(ladders))).get_column("role_id")
        out = out.filter(pl.col("role_id").is_in(keep.implode()))
    if teams:
        staffed = employees.filter(active_expr(as_of) & pl.col("team").is_in(list(teams))).get_column("role_id")
        out = out.filter(pl.col("role_id").is_in(staffed.unique().implode()))
    return out


#: Output columns of :func:`common_gaps`, in order.
COMMON_GAP_COLUMNS = ("role_id", "candidates", "competency_id", "candidates_short", "share_short")


def common_gaps(gaps: Frame) -> pl.DataFrame:
    """For each role, the competency most often short among its candidates.

    Parameters
    ----------
    gaps : polars.DataFrame or LazyFrame
        Output of :func:`metrics.readiness.readiness_gaps` (all requirement rows,
        not ``only_gaps``) for the same as-of date; only ``relation == "next"``
        rows (candidates: employees whose next role it is) are used.

    Returns
    -------
    polars.DataFrame
        ``role_id, candidates, competency_id, candidates_short, share_short``, one
        row per role with at least one assessed candidate, sorted by role_id.
        ``candidates`` counts the assessed candidates, ``candidates_short`` those
        below the required level in ``competency_id``, and ``share_short`` is their
        share. Ties go to a critical requirement, then the larger total shortfall
        in levels, then the competency id. ``competency_id`` is null (and the
        counts 0) when no candidate is short of anything.

    Example
    -------
    >>> g = pl.DataFrame({"employee_id": ["a", "a", "b", "b", "c"],
    ...     "target_role_id": ["R"] * 4 + ["S"], "relation": ["next"] * 5,
    ...     "competency_id": ["x", "y", "x", "y", "x"], "critical": [False, True, False, True, False],
    ...     "gap": [1, 0, 2, 1, 0]})
    >>> common_gaps(g).rows()   # R: both short in x, one in y; S: nobody short
    [('R', 2, 'x', 2, 1.0), ('S', 1, None, 0, 0.0)]
    """
    rows = gaps.lazy().filter(pl.col("relation") == NEXT)
    assessed = rows.group_by("target_role_id").agg(candidates=pl.col("employee_id").n_unique().cast(pl.Int64))
    short = (
        rows.filter(pl.col("gap") > 0)
        .group_by("target_role_id", "competency_id")
        .agg(
            candidates_short=pl.col("employee_id").n_unique().cast(pl.Int64),
            __critical=pl.col("critical").fill_null(False).any(),
            __levels=pl.col("gap").sum(),
        )
        .sort(
            ["target_role_id", "candidates_short", "__critical", "__levels", "competency_id"],
            descending=[False, True, True, True, False],
        )
        .group_by("target_role_id", maintain_order=True)
        .first()
    )
    return (
        assessed.join(short, on="target_role_id", how="left")
        .with_columns(pl.col("candidates_short").fill_null(0))
        .select(
            pl.col("target_role_id").alias("role_id"),
            "candidates",
            "competency_id",
            "candidates_short",
            (pl.col("candidates_short") / pl.col("candidates")).alias("share_short"),
        )
        .sort("role_id")
        .collect(engine=COLLECT_ENGINE)
    )
