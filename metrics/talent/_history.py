"""Bench over time: coverage of each critical role at recent quarter ends, and when it lapses.

History: readiness is recomputed at each quarter end (evidence up to then, each
person's role then; ``metrics.run.readiness_at``) and the bench of metrics.md
section 3 drawn from it.

Forecast: evidence loses half its weight every ``half_life_days``, so without new
evidence a demonstrated level is lost on a day that can be computed exactly: the
summed weight ``W_L`` of the items at level ≥ L decays to ``W_L · 0.5^(d / h)``
after d days, which stays at or above the threshold until
``d = h · log2(W_L / threshold)``. A critical role stays covered while at least one
of its ready-now candidates stays ready now; the forecast gives the day the last of
them stops being ready, and the evidence (competency, level, weight) that would
restore them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from metrics.bench import bench_strength
from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, MetricsConfig
from metrics.engine import EventEngine
from metrics.movements import roles_at
from metrics.proficiency import COLLECT_ENGINE, MAX_LEVEL, MIN_LEVEL, evidence_weights
from metrics.readiness import NEXT, READY_NOW, band_expr

#: Output columns of :func:`bench_history`, in order.
HISTORY_COLUMNS = (
    "quarter_end",
    "role_id",
    "incumbents",
    "candidates",
    "ready_now",
    "ready_soon",
    "bench_strength",
    "status",
)
#: Output columns of :attr:`CoverageForecast.roles`, in order.
FORECAST_COLUMNS = ("role_id", "ready_now", "covered_until", "lapse_date", "last_ready_employee_id")
#: Output columns of :attr:`CoverageForecast.candidates`, in order.
CANDIDATE_FORECAST_COLUMNS = ("role_id", "employee_id", "ready_until", "lapse_date")
#: Output columns of :attr:`CoverageForecast.restore`, in order.
RESTORE_COLUMNS = (
    "role_id",
    "employee_id",
    "competency_id",
    "required_level",
    "level_at_lapse",
    "weight_at_lapse",
    "weight_needed",
    "evidence_types",
)

Frame = pl.DataFrame | pl.LazyFrame


def quarter_ends(as_of: dt.date, n: int = 4) -> list[dt.date]:
    """The latest ``n`` calendar quarter ends on or before ``as_of``, oldest first.

    Example
    -------
    >>> quarter_ends(dt.date(2026, 9, 30), 3)
    [datetime.date(2026, 3, 31), datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    >>> quarter_ends(dt.date(2026, 11, 5), 2)
    [datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    """
    ends: list[dt.date] = []
    year, quarter = as_of.year, (as_of.month - 1) // 3 + 1
    while len(ends) < n:
        month = quarter * 3
        end = dt.date(year, month, 31 if month in (3, 12) else 30)
        if end <= as_of:
            ends.append(end)
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return sorted(ends)


def bench_history(
    tables: Mapping[str, pl.DataFrame],
    as_of: dt.date,
    config: MetricsConfig = DEFAULT_CONFIG,
    engine: EventEngine | None = None,
    critical_only: bool = True,
) -> pl.DataFrame:
    """Bench of each (critical) role at the last ``config.talent.bench_quarters`` quarter ends.

    At each quarter end Q, readiness is recomputed as it stood on Q
    (``metrics.run.readiness_at``: evidence up to Q, each employee's role on Q) and
    the bench is drawn from it with the incumbents of Q.

    Returns
    -------
    polars.DataFrame
        ``quarter_end, role_id, incumbents, candidates, ready_now, ready_soon,
        bench_strength, status``, sorted by role then quarter.

    Example
    -------
    >>> from data_sources.loader import load_source
    >>> from pathlib import Path
    >>> tiny = load_source(Path(__file__).parents[2] / "tests/fixtures/tiny", as_of=dt.date(2026, 11, 22))
    >>> h = bench_history(tiny.tables, dt.date(2026, 9, 30))
    >>> h.filter(pl.col("role_id") == "AN2").select("quarter_end", "candidates", "status").rows()[-1]
    (datetime.date(2026, 9, 30), 2, 'no_successors')
    """
    from metrics.run import readiness_at  # the run module imports every family; import on use

    frames = []
    for quarter in quarter_ends(as_of, config.talent.bench_quarters):
        employees = tables["employees"]
        if "movements" in tables:
            employees = roles_at(employees, tables["movements"], quarter)
        ready = (
            readiness_at(tables, quarter, config) if engine is None else readiness_at(tables, quarter, config, engine)
        )
        bench = bench_strength(employees, tables["roles"], ready, quarter)
        if critical_only:
            bench = bench.filter(pl.col("critical"))
        frames.append(bench.with_columns(quarter_end=pl.lit(quarter, dtype=pl.Date)))
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in HISTORY_COLUMNS})
    return pl.concat(frames).select(HISTORY_COLUMNS).sort("role_id", "quarter_end")


@dataclass(frozen=True)
class CoverageForecast:
    """When each covered critical role stops being covered if no new evidence arrives.

    ``roles``: one row per critical role (``FORECAST_COLUMNS``): its ready-now
    candidates today, the last day it is still covered and the first day it is not
    (null when it stays covered past the horizon, or is not covered today);
    ``candidates``: each ready-now candidate's last ready day; ``restore``: for the
    last candidate to lapse, each requirement below its level on the lapse day and
    the evidence weight at that level that would restore it.
    """

    horizon_days: int
    roles: pl.DataFrame
    candidates: pl.DataFrame
    restore: pl.DataFrame


def _levels_held_until(evidence: Frame, pairs: pl.DataFrame, as_of: dt.date, config: MetricsConfig) -> pl.DataFrame:
    """For each (employee, competency) in ``pairs`` and level L: ``w`` (weight at ≥ L on T)
    and ``held_until`` (the last day offset d ≥ 0 on which L is still demonstrated, -1 if not now)."""
    pc = config.proficiency
    subset = (
        evidence.lazy()
        .join(
            pairs.lazy().select("employee_id", "competency_id").unique(),
            on=["employee_id", "competency_id"],
            how="semi",
        )
        .collect(engine=COLLECT_ENGINE)
    )
    items = evidence_weights(subset, as_of, pc)
    levels = pl.DataFrame({"L": list(range(MIN_LEVEL, MAX_LEVEL + 1))}, schema={"L": pl.Int64})
    threshold = pc.evidence_threshold - pc.tolerance
    h = pc.half_life_days
    return (
        items.lazy()
        .join(levels.lazy(), how="cross")
        .filter(pl.col("level") >= pl.col("L"))
        .group_by("employee_id", "competency_id", "L")
        .agg(w=pl.col("weight").sum())
        .with_columns(
            held_until=pl.when(pl.col("w") >= threshold)
            .then((pl.lit(h) * (pl.col("w") / threshold).log(2)).floor().cast(pl.Int64))
            .otherwise(pl.lit(-1, dtype=pl.Int64))
        )
        .collect(engine=COLLECT_ENGINE)
    )


def coverage_forecast(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    evidence: Frame,
    readiness: Frame,
    as_of: dt.date,
    config: MetricsConfig = DEFAULT_CONFIG,
) -> CoverageForecast:
    """Forecast when each critical role's coverage lapses as its candidates' evidence ages.

    Parameters
    ----------
    employees, roles, role_requirements, evidence : polars.DataFrame or LazyFrame
        Contract tables (``employees.role_id`` is the role at ``as_of``).
    readiness : polars.DataFrame or LazyFrame
        Output of :func:`metrics.readiness.readiness` for ``as_of``.
    as_of : datetime.date
        The as-of date T.
    config : MetricsConfig
        Proficiency (weights, half-life, threshold), readiness bands and
        ``talent.forecast_horizon_days``.

    Returns
    -------
    CoverageForecast
        Assumes no new evidence, nobody leaves or moves, requirements unchanged.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "role_id": ["A"],
    ...     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> roles = pl.DataFrame({"role_id": ["A", "L"], "next_role_id": ["L", None], "critical": [False, True]})
    >>> req = pl.DataFrame({"role_id": ["L"], "competency_id": ["c"], "required_level": [3]})
    >>> ev = pl.DataFrame({"evidence_id": ["e1"], "employee_id": ["a"], "competency_id": ["c"],
    ...     "evidence_type": ["performance_task"], "level": [3], "observed_on": [dt.date(2025, 1, 1)],
    ...     "verified": [True]})
    >>> rd = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["L"], "relation": ["next"],
    ...     "band": ["ready_now"]})
    >>> f = coverage_forecast(emp, roles, req, ev, rd, dt.date(2025, 1, 1))
    >>> f.roles.select("role_id", "ready_now", "covered_until").rows()  # 1.0 × 0.5^(d/365) < 1 from day 1
    [('L', 1, datetime.date(2025, 1, 1))]
    >>> f.restore.select("competency_id", "required_level", "evidence_types").row(0)[:2]
    ('c', 3)
    """
    horizon = config.talent.forecast_horizon_days
    rl = roles.lazy()
    names = rl.collect_schema().names()
    critical = (
        rl.filter((pl.col("critical") if "critical" in names else pl.lit(False)).fill_null(False).cast(pl.Boolean))
        .select("role_id")
        .collect(engine=COLLECT_ENGINE)
    )
    active = active_at(employees.lazy(), as_of).select("employee_id", "role_id")
    ladder = rl.select("role_id", "next_role_id")
    # bench candidates: active people whose next role is the critical role, ready now today
    ready = (
        active.join(ladder, on="role_id", how="inner")
        .select("employee_id", pl.col("next_role_id").alias("role_id"))
        .join(critical.lazy(), on="role_id", how="semi")
        .join(
            readiness.lazy()
            .filter((pl.col("relation") == NEXT) & (pl.col("band") == READY_NOW))
            .select("employee_id", pl.col("target_role_id").alias("role_id")),
            on=["employee_id", "role_id"],
            how="semi",
        )
        .collect(engine=COLLECT_ENGINE)
    )
    req_lazy = role_requirements.lazy()
    rnames = req_lazy.collect_schema().names()
    req = (
        req_lazy.join(critical.lazy(), on="role_id", how="semi")
        .select(
            "role_id",
            "competency_id",
            pl.col("required_level").cast(pl.Int64),
            (pl.col("weight").cast(pl.Float64) if "weight" in rnames else pl.lit(None, pl.Float64))
            .fill_null(1.0)
            .alias("weight"),
            (pl.col("critical") if "critical" in rnames else pl.lit(None, pl.Boolean))
            .fill_null(False)
            .alias("critical"),
        )
        .collect(engine=COLLECT_ENGINE)
    )
    cand_req = ready.join(req, on="role_id", how="inner")
    held = _levels_held_until(evidence, cand_req, as_of, config)
    # the days on which some level of some candidate's requirement is lost
    events = (
        cand_req.select("role_id", "employee_id", "competency_id")
        .join(held.select("employee_id", "competency_id", "held_until"), on=["employee_id", "competency_id"])
        .filter(pl.col("held_until") >= 0)
        .select("role_id", "employee_id", (pl.col("held_until") + 1).alias("day"))
        .filter(pl.col("day") <= horizon)
        .unique()
    )
    grid = events.join(cand_req, on=["role_id", "employee_id"], how="inner")
    at_day = (
        grid.join(
            held.select("employee_id", "competency_id", "L", "held_until"),
            on=["employee_id", "competency_id"],
            how="left",
        )
        .group_by("role_id", "employee_id", "day", "competency_id", "required_level", "weight", "critical")
        .agg(level=(pl.col("held_until") >= pl.col("day")).sum().cast(pl.Int64))
    )
    rc = config.readiness
    short = pl.col("level") < pl.col("required_level")
    attain = pl.min_horizontal(pl.lit(1.0), pl.col("level").cast(pl.Float64) / pl.col("required_level"))
    bands = (
        at_day.group_by("role_id", "employee_id", "day")
        .agg(
            readiness=(pl.col("weight") * attain).sum() / pl.col("weight").sum(),
            n_critical_gaps=(short & pl.col("critical")).sum().cast(pl.Int64),
        )
        .with_columns(band_expr(rc))
    )
    lapses = (
        bands.filter(pl.col("band") != READY_NOW).group_by("role_id", "employee_id").agg(lapse_day=pl.col("day").min())
    )
    t = pl.lit(as_of, dtype=pl.Date)
    per_candidate = (
        ready.join(lapses, on=["role_id", "employee_id"], how="left")
        .with_columns(
            lapse_date=t + pl.duration(days=pl.col("lapse_day")),
            ready_until=t + pl.duration(days=pl.col("lapse_day") - 1),
        )
        .sort("role_id", "employee_id")
    )
    role_rows: list[tuple[str, int, dt.date | None, dt.date | None, str | None]] = []
    restore_keys: list[tuple[str, str, int]] = []
    for role_id in critical["role_id"].sort().to_list():
        mine = per_candidate.filter(pl.col("role_id") == role_id)
        if mine.height == 0:
            role_rows.append((role_id, 0, None, None, None))
            continue
        if mine["lapse_day"].null_count() > 0:  # someone stays ready past the horizon
            last = mine.filter(pl.col("lapse_day").is_null()).sort("employee_id")["employee_id"][0]
            role_rows.append((role_id, mine.height, None, None, last))
            continue
        last_row = mine.sort(["lapse_day", "employee_id"], descending=[True, False]).row(0, named=True)
        day = int(last_row["lapse_day"])
        role_rows.append(
            (
                role_id,
                mine.height,
                as_of + dt.timedelta(days=day - 1),
                as_of + dt.timedelta(days=day),
                last_row["employee_id"],
            )
        )
        restore_keys.append((role_id, last_row["employee_id"], day))
    roles_out = pl.DataFrame(
        role_rows,
        schema={
            "role_id": pl.String,
            "ready_now": pl.Int64,
            "covered_until": pl.Date,
            "lapse_date": pl.Date,
            "last_ready_employee_id": pl.String,
        },
        orient="row",
    ).select(FORECAST_COLUMNS)
    restore = _restore(restore_keys, at_day, held, config)
    return CoverageForecast(
        horizon,
        roles_out,
        per_candidate.select(CANDIDATE_FORECAST_COLUMNS),
        restore,
    )


def _restore(
    keys: list[tuple[str, str, int]], at_day: pl.DataFrame, held: pl.DataFrame, config: MetricsConfig
) -> pl.DataFrame:
    """The requirements below their level on each lapse day, and the evidence that would restore them."""
    schema = {
        "role_id": pl.String,
        "employee_id": pl.String,
        "competency_id": pl.String,
        "required_level": pl.Int64,
        "level_at_lapse": pl.Int64,
        "weight_at_lapse": pl.Float64,
        "weight_needed": pl.Float64,
        "evidence_types": pl.String,
    }
    if not keys:
        return pl.DataFrame(schema=schema)
    pc = config.proficiency
    key_frame = pl.DataFrame(
        keys, schema={"role_id": pl.String, "employee_id": pl.String, "day": pl.Int64}, orient="row"
    )
    rows = (
        at_day.join(key_frame, on=["role_id", "employee_id", "day"], how="semi")
        .filter(pl.col("level") < pl.col("required_level"))
        .join(
            held.select("employee_id", "competency_id", pl.col("L").alias("required_level"), "w"),
            on=["employee_id", "competency_id", "required_level"],
            how="left",
        )
        .with_columns(
            weight_at_lapse=pl.col("w").fill_null(0.0) * pl.lit(0.5).pow(pl.col("day") / pc.half_life_days),
        )
        .with_columns(
            weight_needed=pl.max_horizontal(pl.lit(0.0), pl.lit(pc.evidence_threshold) - pl.col("weight_at_lapse"))
        )
    )
    fresh = sorted(
        ((kind, w * pc.verified_factor) for kind, w in pc.type_weights.items()), key=lambda kv: (-kv[1], kv[0])
    )

    def types_for(needed: float) -> str:
        ok = [kind.replace("_", " ") for kind, w in fresh if w >= needed - pc.tolerance]
        return ", ".join(ok) if ok else "several verified items"

    out = rows.with_columns(
        evidence_types=pl.col("weight_needed").map_elements(types_for, return_dtype=pl.String),
        level_at_lapse=pl.col("level"),
    )
    return out.select(list(schema)).sort("role_id", "competency_id")
