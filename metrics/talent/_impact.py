"""Impact of loss: what the organisation loses if the holder of a critical position leaves.

A critical position is one incumbent of a critical role (``roles.critical``). For
each: how many people hold the role, the role's bench (metrics.md section 3), and
the capability targets (section 4) of the person's team that the person helps meet:
a target where they are the only one at the target level is a single point of failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from metrics.common import active_at
from metrics.proficiency import COLLECT_ENGINE

HIGH, MEDIUM, LOW = "high", "medium", "low"
#: Impact levels, worst first.
IMPACT_LEVELS = (HIGH, MEDIUM, LOW)

#: Output columns of :attr:`LossImpact.positions`, in order.
POSITION_COLUMNS = (
    "role_id",
    "employee_id",
    "team",
    "incumbents",
    "candidates",
    "ready_now",
    "ready_soon",
    "bench_strength",
    "status",
    "targets_held",
    "single_points_of_failure",
    "impact",
)
#: Output columns of :attr:`LossImpact.targets`, in order.
TARGET_COLUMNS = (
    "role_id",
    "employee_id",
    "team",
    "competency_id",
    "target_level",
    "target_headcount",
    "level",
    "supply",
    "supply_without",
    "single_point_of_failure",
)

Frame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class LossImpact:
    """``positions``: one row per critical position (``POSITION_COLUMNS``), worst impact first;
    ``targets``: the capability targets each position's holder helps meet (``TARGET_COLUMNS``)."""

    positions: pl.DataFrame
    targets: pl.DataFrame


def impact_of_loss(
    employees: Frame,
    roles: Frame,
    bench: Frame,
    proficiency: Frame,
    as_of: dt.date,
    capability_targets: Frame | None = None,
) -> LossImpact:
    """Incumbents, bench and single points of failure for every critical position.

    ``impact`` is ``high`` when the role has no candidate ready now and either the
    person is its only incumbent or they are a single point of failure for a
    capability target; ``medium`` when one of those holds (no ready-now candidate,
    or a single point of failure); else ``low``.

    Parameters
    ----------
    employees, roles : polars.DataFrame or LazyFrame
        Contract tables (``employees.role_id`` is the role at ``as_of``).
    bench : polars.DataFrame or LazyFrame
        Output of :func:`metrics.bench.bench_strength` for ``as_of``.
    proficiency : polars.DataFrame or LazyFrame
        Output of :func:`metrics.proficiency.proficiency` for ``as_of``.
    as_of : datetime.date
        The as-of date T.
    capability_targets : polars.DataFrame or LazyFrame, optional
        The contract's capability_targets (without it no target is held).

    Returns
    -------
    LossImpact

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["L", "A"], "team": ["T", "T"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
    >>> roles = pl.DataFrame({"role_id": ["A", "L"], "critical": [False, True]})
    >>> bench = pl.DataFrame({"role_id": ["A", "L"], "critical": [False, True], "incumbents": [1, 1],
    ...     "candidates": [0, 1], "ready_now": [0, 0], "ready_soon": [0, 1], "bench_strength": [0.0, 0.0],
    ...     "status": ["no_successors", "ready_in_future"]})
    >>> tgt = pl.DataFrame({"team": ["T"], "competency_id": ["c"], "target_level": [3], "target_headcount": [2]})
    >>> prof = pl.DataFrame({"employee_id": ["a", "b"], "competency_id": ["c", "c"], "level": [4, 2]})
    >>> out = impact_of_loss(emp, roles, bench, prof, dt.date(2025, 1, 1), tgt)
    >>> out.positions.select("employee_id", "targets_held", "single_points_of_failure", "impact").rows()
    [('a', 1, 1, 'high')]
    """
    rl = roles.lazy()
    names = rl.collect_schema().names()
    critical = rl.filter(
        (pl.col("critical") if "critical" in names else pl.lit(False)).fill_null(False).cast(pl.Boolean)
    ).select("role_id")
    active = active_at(employees.lazy(), as_of).select("employee_id", "role_id", "team")
    holders = active.join(critical, on="role_id", how="semi")
    b = bench.lazy().select(
        "role_id", "incumbents", "candidates", "ready_now", "ready_soon", "bench_strength", "status"
    )
    if capability_targets is not None:
        targets = capability_targets.lazy().select(
            "team", "competency_id", pl.col("target_level").cast(pl.Int64), pl.col("target_headcount").cast(pl.Int64)
        )
        levels = proficiency.lazy().select("employee_id", "competency_id", pl.col("level").cast(pl.Int64))
        supply = (
            targets.join(active.select("employee_id", "team"), on="team", how="inner")
            .join(levels, on=["employee_id", "competency_id"], how="inner")
            .filter(pl.col("level") >= pl.col("target_level"))
        )
        per_target = supply.group_by("team", "competency_id").agg(supply=pl.len().cast(pl.Int64))
        held = (
            holders.join(supply, on=["employee_id", "team"], how="inner")
            .join(per_target, on=["team", "competency_id"], how="left")
            .with_columns(
                supply_without=(pl.col("supply") - 1).cast(pl.Int64),
                single_point_of_failure=pl.col("supply") == 1,
            )
            .select(TARGET_COLUMNS)
            .sort("role_id", "employee_id", "competency_id")
            .collect(engine=COLLECT_ENGINE)
        )
    else:
        held = pl.DataFrame(
            schema={
                "role_id": pl.String,
                "employee_id": pl.String,
                "team": pl.String,
                "competency_id": pl.String,
                "target_level": pl.Int64,
                "target_headcount": pl.Int64,
                "level": pl.Int64,
                "supply": pl.Int64,
                "supply_without": pl.Int64,
                "single_point_of_failure": pl.Boolean,
            }
        )
    counts = (
        held.lazy()
        .group_by("employee_id")
        .agg(
            targets_held=pl.len().cast(pl.Int64),
            single_points_of_failure=pl.col("single_point_of_failure").sum().cast(pl.Int64),
        )
    )
    no_ready = pl.col("ready_now") == 0
    spof = pl.col("single_points_of_failure") > 0
    positions = (
        holders.join(b, on="role_id", how="left")
        .join(counts, on="employee_id", how="left")
        .with_columns(pl.col("targets_held", "single_points_of_failure").fill_null(0))
        .with_columns(
            impact=pl.when(no_ready & ((pl.col("incumbents") <= 1) | spof))
            .then(pl.lit(HIGH))
            .when(no_ready | spof)
            .then(pl.lit(MEDIUM))
            .otherwise(pl.lit(LOW)),
        )
        .with_columns(_order=pl.col("impact").replace_strict({HIGH: 0, MEDIUM: 1, LOW: 2}, return_dtype=pl.Int64))
        .sort(["_order", "single_points_of_failure", "role_id", "employee_id"], descending=[False, True, False, False])
        .select(POSITION_COLUMNS)
        .collect(engine=COLLECT_ENGINE)
    )
    return LossImpact(positions, held)
