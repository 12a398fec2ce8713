"""Succession chart data: the reporting hierarchy and each critical position's successors.

The hierarchy is walked up ``employees.manager_id`` among the employees active at
the as-of date. Someone whose manager is not active (left, not hired yet, absent) is
a root; so is anyone on a reporting cycle, at the point where the cycle would repeat.
Each node carries its path from its root, so a branch is every node whose path holds
the branch's head, and sorting by path gives the chart's top-to-bottom order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, MetricsConfig
from metrics.readiness import DEVELOPING
from metrics.talent._candidates import candidates_for_role

ERR_UNKNOWN_HEAD = "Employee {employee_id!r} is not in the hierarchy on {as_of} (not active then)."
#: Separator of ids in the sort key (below every printable character, so a parent sorts before its reports).
_SEP = "\x1f"
#: A reporting line longer than this is treated as a cycle.
MAX_DEPTH = 64

#: Output columns of :func:`hierarchy`, in order.
HIERARCHY_COLUMNS = (
    "employee_id",
    "manager_id",
    "role_id",
    "title",
    "team",
    "critical",
    "depth",
    "path",
    "direct_reports",
    "branch_size",
    "order",
)
#: Output columns of :attr:`Succession.positions`, in order.
POSITION_COLUMNS = (
    "role_id",
    "title",
    "incumbents",
    "incumbent_ids",
    "candidates",
    "ready_now",
    "ready_soon",
    "bench_strength",
    "status",
    "nominated",
    "suggested",
)


def hierarchy(employees: pl.DataFrame, roles: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The reporting tree of the employees active at ``as_of``.

    Returns
    -------
    polars.DataFrame
        ``HIERARCHY_COLUMNS``: ``depth`` 0 for a root, ``path`` the ids from the
        root down to the employee, ``direct_reports`` and ``branch_size`` (the
        employee and everyone below), ``order`` the row's place in a depth-first
        walk (managers before their reports, reports by id). Sorted by ``order``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b", "c", "d"], "manager_id": [None, "a", "b", "x"],
    ...     "role_id": ["R"] * 4, "team": ["T"] * 4, "hire_date": [dt.date(2020, 1, 1)] * 4,
    ...     "exit_date": [None] * 4})
    >>> roles = pl.DataFrame({"role_id": ["R"], "title": ["r"], "critical": [False]})
    >>> hierarchy(emp, roles, dt.date(2025, 1, 1)).select("employee_id", "depth", "branch_size").rows()
    [('a', 0, 3), ('b', 1, 2), ('c', 2, 1), ('d', 0, 1)]
    """
    names = employees.columns
    active = active_at(employees, as_of).select(
        "employee_id",
        (pl.col("manager_id") if "manager_id" in names else pl.lit(None, pl.String))
        .cast(pl.String)
        .alias("manager_id"),
        "role_id",
        "team",
    )
    ids = active.select("employee_id")
    # a manager who is not active (or is the employee) does not count: the employee is a root
    nodes = active.with_columns(
        manager_id=pl.when(
            pl.col("manager_id").is_in(ids["employee_id"].implode()) & (pl.col("manager_id") != pl.col("employee_id"))
        ).then(pl.col("manager_id"))
    )
    walk = _walk(nodes.select("employee_id", "manager_id"))
    # on a reporting cycle the walk stops where the chain would repeat: cut the manager there
    heads = walk.select(pl.col("path").list.first().alias("employee_id")).unique()
    cut = nodes.filter(pl.col("employee_id").is_in(heads["employee_id"].implode()) & pl.col("manager_id").is_not_null())
    if cut.height:
        nodes = nodes.with_columns(
            manager_id=pl.when(pl.col("employee_id").is_in(cut["employee_id"].implode()))
            .then(None)
            .otherwise(pl.col("manager_id"))
        )
        walk = _walk(nodes.select("employee_id", "manager_id"))
    direct = (
        nodes.filter(pl.col("manager_id").is_not_null())
        .group_by("manager_id")
        .agg(direct_reports=pl.len().cast(pl.Int64))
    )
    branch = (
        walk.select(pl.col("path").alias("employee_id"))
        .explode("employee_id")
        .group_by("employee_id")
        .agg(branch_size=pl.len().cast(pl.Int64))
    )
    rnames = roles.columns
    role_info = roles.select(
        "role_id",
        (pl.col("title") if "title" in rnames else pl.col("role_id")).alias("title"),
        (pl.col("critical") if "critical" in rnames else pl.lit(False))
        .fill_null(False)
        .cast(pl.Boolean)
        .alias("critical"),
    )
    return (
        nodes.join(walk, on="employee_id", how="left")
        .join(direct, left_on="employee_id", right_on="manager_id", how="left")
        .join(branch, on="employee_id", how="left")
        .join(role_info, on="role_id", how="left")
        .with_columns(
            depth=(pl.col("path").list.len() - 1).cast(pl.Int64),
            direct_reports=pl.col("direct_reports").fill_null(0),
            critical=pl.col("critical").fill_null(False),
            _key=pl.col("path").list.join(_SEP),
        )
        .sort("_key")
        .with_row_index("order")
        .with_columns(pl.col("order").cast(pl.Int64))
        .select(HIERARCHY_COLUMNS)
    )


def _walk(parent: pl.DataFrame) -> pl.DataFrame:
    """``employee_id, path``: the ids from the top of each reporting line down to the employee."""
    walk = parent.select(
        "employee_id", pl.concat_list([pl.col("employee_id")]).alias("path"), pl.col("manager_id").alias("_up")
    )
    above = parent.rename({"employee_id": "_next", "manager_id": "_above"})
    for _ in range(MAX_DEPTH):
        if walk.filter(pl.col("_up").is_not_null()).height == 0:
            break
        step = pl.col("_up").is_not_null() & ~pl.col("path").list.contains(pl.col("_up"))
        walk = (
            walk.with_columns(
                path=pl.when(step).then(pl.concat_list([pl.col("_up"), pl.col("path")])).otherwise(pl.col("path")),
                _next=pl.when(step).then(pl.col("_up")),
            )
            .join(above, on="_next", how="left")
            .select("employee_id", "path", pl.col("_above").alias("_up"))
        )
    return walk.select("employee_id", "path")


def branch(tree: pl.DataFrame, head: str, levels: int | None = None, as_of: dt.date | None = None) -> pl.DataFrame:
    """The part of :func:`hierarchy` below (and including) ``head``, at most ``levels`` levels down.

    Raises
    ------
    ValueError
        When ``head`` is not in the tree.

    Example
    -------
    >>> tree = pl.DataFrame({"employee_id": ["a", "b", "c"], "depth": [0, 1, 2],
    ...     "path": [["a"], ["a", "b"], ["a", "b", "c"]], "order": [0, 1, 2]})
    >>> branch(tree, "b")["employee_id"].to_list(), branch(tree, "a", levels=1)["employee_id"].to_list()
    (['b', 'c'], ['a', 'b'])
    """
    row = tree.filter(pl.col("employee_id") == head)
    if row.height == 0:
        raise ValueError(ERR_UNKNOWN_HEAD.format(employee_id=head, as_of=as_of or "the as-of date"))
    depth = int(row["depth"][0])
    out = tree.filter(pl.col("path").list.contains(pl.lit(head)))
    if levels is not None:
        out = out.filter(pl.col("depth") <= depth + levels)
    return out.sort("order")


@dataclass(frozen=True)
class Succession:
    """``positions``: each critical role with its incumbents, bench, nominated and
    evidence-suggested successors (``POSITION_COLUMNS``); ``tree``: :func:`hierarchy`
    with each node's critical-role status (``status``, null off critical roles)."""

    positions: pl.DataFrame
    tree: pl.DataFrame


def succession(
    employees: pl.DataFrame,
    roles: pl.DataFrame,
    role_requirements: pl.DataFrame,
    proficiency: pl.DataFrame,
    bench: pl.DataFrame,
    nominations: pl.DataFrame | None,
    as_of: dt.date,
    config: MetricsConfig = DEFAULT_CONFIG,
    movements: pl.DataFrame | None = None,
) -> Succession:
    """Succession chart data for every critical role.

    Suggested successors are the ``config.talent.suggested_successors`` best
    candidates from anywhere in the organisation (:func:`candidates_for_role`,
    incumbents excluded) who are at least ready soon; nominated successors are the
    active nominations saved for the role whose nominee is active at ``as_of``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "manager_id": [None, "a"], "role_id": ["L", "A"],
    ...     "team": ["T", "T"], "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
    >>> roles = pl.DataFrame({"role_id": ["A", "L"], "title": ["Analyst", "Lead"], "ladder": ["D", "D"],
    ...     "level": [1, 2], "next_role_id": ["L", None], "critical": [False, True]})
    >>> req = pl.DataFrame({"role_id": ["L"], "competency_id": ["c"], "required_level": [2]})
    >>> prof = pl.DataFrame({"employee_id": ["b"], "competency_id": ["c"], "level": [2]})
    >>> bench = pl.DataFrame({"role_id": ["A", "L"], "critical": [False, True], "incumbents": [1, 1],
    ...     "candidates": [0, 1], "ready_now": [0, 1], "ready_soon": [0, 0], "bench_strength": [0.0, 1.0],
    ...     "status": ["no_successors", "covered"]})
    >>> s = succession(emp, roles, req, prof, bench, None, dt.date(2025, 1, 1))
    >>> s.positions.select("role_id", "incumbent_ids", "suggested", "status").rows()
    [('L', ['a'], ['b'], 'covered')]
    """
    crit = roles.filter(pl.col("critical").fill_null(False).cast(pl.Boolean)).select("role_id", "title")
    active = active_at(employees, as_of)
    incumbents = (
        active.join(crit, on="role_id", how="semi").group_by("role_id").agg(incumbent_ids=pl.col("employee_id").sort())
    )
    suggested_rows = []
    for role_id in crit["role_id"].to_list():
        found = candidates_for_role(
            employees,
            roles,
            role_requirements,
            proficiency,
            role_id,
            as_of,
            movements,
            config.readiness,
            detail_limit=0,
        ).ranked
        top = found.filter(pl.col("band").is_not_null() & (pl.col("band") != DEVELOPING)).head(
            config.talent.suggested_successors
        )
        suggested_rows.append((role_id, top["employee_id"].to_list()))
    suggested = pl.DataFrame(
        suggested_rows, schema={"role_id": pl.String, "suggested": pl.List(pl.String)}, orient="row"
    )
    if nominations is not None and nominations.height:
        live_ids = active.select("employee_id")
        nominated = (
            nominations.join(live_ids, on="employee_id", how="semi")
            .group_by("role_id")
            .agg(nominated=pl.col("employee_id").unique().sort())
        )
    else:
        nominated = pl.DataFrame(schema={"role_id": pl.String, "nominated": pl.List(pl.String)})
    positions = (
        crit.join(
            bench.select("role_id", "candidates", "ready_now", "ready_soon", "bench_strength", "status"),
            on="role_id",
            how="left",
        )
        .join(incumbents, on="role_id", how="left")
        .join(suggested, on="role_id", how="left")
        .join(nominated, on="role_id", how="left")
        .with_columns(
            incumbent_ids=pl.col("incumbent_ids").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            nominated=pl.col("nominated").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            suggested=pl.col("suggested").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .with_columns(incumbents=pl.col("incumbent_ids").list.len().cast(pl.Int64))
        .select(POSITION_COLUMNS)
        .sort("role_id")
    )
    tree = hierarchy(employees, roles, as_of).join(positions.select("role_id", "status"), on="role_id", how="left")
    return Succession(positions, tree.sort("order"))
