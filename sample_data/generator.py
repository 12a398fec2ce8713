"""Seeded generator of a realistic sample organisation with planted truths.

:func:`generate` writes every contract table to ``DIR/<table>.csv`` (or
``.parquet``) and the planted truths to ``DIR/truth.json``. Output is a pure
function of ``(n_employees, seed)``: the same arguments give the same bytes.
Learning events and evidence are produced and appended in chunks of employees,
so 100,000 employees fit in bounded memory.

Example
-------
>>> import tempfile, json, pathlib
>>> res = generate(120, seed=3, out_dir=tempfile.mkdtemp())
>>> sorted(p.stem for p in res.out_dir.glob("*.csv"))[:3]
['assets', 'capability_targets', 'competencies']
>>> json.loads((res.out_dir / "truth.json").read_text())["as_of"]
'2026-09-30'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from data_sources.contract import CONTRACT, TABLE_ORDER
from sample_data.checks import promotions_in_window, readiness_bands
from sample_data.evidence import demonstrated_levels, evidence_chunk
from sample_data.learning import LearningCatalog, learning_events_chunk
from sample_data.population import (
    ERR_TOO_FEW,
    MIN_EMPLOYEES,
    NO_EXIT,
    PopulationParams,
    simulate_population,
)
from sample_data.structure import (
    BENCH_GAP_ROLES,
    CLUSTERS,
    LADDERS,
    LEADERSHIP,
    TEAMS,
    asset_table,
    build_assets,
    build_competencies,
    build_role_requirements,
    build_roles,
    competency_ids,
)
from sample_data.timeline import AS_OF, HISTORY_START, RATING_QUARTERS, WINDOW_START, day
from sample_data.writer import Format, TableWriter, write_table

#: Employees per chunk of learning events and evidence (fixed: part of the seed's output).
CHUNK_SIZE = 5000
DEFAULT_EMPLOYEES = 2000
DEFAULT_SEED = 7
DEFAULT_OUT = Path(__file__).parent / "default"
#: Teams with a planted high-risk capability target (truth (d)).
RISK_TEAMS = ("Platform Engineering", "Customer Success EMEA")
_STREAM_LEARNING, _STREAM_EVIDENCE, _STREAM_TARGETS = 1, 2, 3


@dataclass(frozen=True)
class GenerationResult:
    """Where the tables went, how many rows each has, and the planted truths."""

    out_dir: Path
    rows: Mapping[str, int]
    truth: Mapping[str, Any]


def generate(
    n_employees: int = DEFAULT_EMPLOYEES,
    seed: int = DEFAULT_SEED,
    out_dir: str | Path = DEFAULT_OUT,
    fmt: Format = "csv",
    params: PopulationParams = PopulationParams(),
) -> GenerationResult:
    """Generate the sample organisation into ``out_dir``.

    Parameters
    ----------
    n_employees : int
        Employee rows (active and exited; about three quarters are active at the end).
    seed : int
        Seed of every random stream.
    out_dir : str or pathlib.Path
        Output folder (created if missing; existing table files are overwritten).
    fmt : {"csv", "parquet"}
        File format of the tables.
    params : PopulationParams
        Simulation parameters (defaults are the documented planted truths).

    Returns
    -------
    GenerationResult

    Example
    -------
    >>> import tempfile
    >>> generate(100, seed=1, out_dir=tempfile.mkdtemp(), fmt="parquet").rows["employees"]
    100
    """
    if n_employees < MIN_EMPLOYEES:
        raise ValueError(ERR_TOO_FEW.format(min=MIN_EMPLOYEES, n=n_employees))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    roles = build_roles()
    competencies = build_competencies()
    requirements = build_role_requirements()
    assets_full = build_assets(rng)
    catalog = LearningCatalog.from_assets(assets_full, rng)
    pop = simulate_population(n_employees, rng, roles, catalog.pool_sizes, params)

    rows: dict[str, int] = {}
    small = {
        "roles": roles,
        "competencies": competencies,
        "employees": pop.employees,
        "role_requirements": requirements,
        "assets": asset_table(assets_full),
        "performance": pop.performance,
        "movements": pop.movements,
    }
    for name, frame in small.items():
        write_table(frame, out, name, fmt)
        rows[name] = frame.height

    emp_ids = pop.employees["employee_id"].to_numpy().astype(object)
    with TableWriter(out, "learning_events", fmt) as w:
        for c, (a, b) in enumerate(_chunks(n_employees)):
            w.write(
                learning_events_chunk(
                    pop.counts[a:b],
                    pop.hire[a:b],
                    pop.exit[a:b],
                    emp_ids[a:b],
                    catalog,
                    np.random.default_rng([seed, _STREAM_LEARNING, c]),
                )
            )
        rows["learning_events"] = w.rows

    people = _evidence_people(pop, roles)
    supply_parts, bench_parts, band_parts = [], [], []
    with TableWriter(out, "evidence", fmt) as w:
        for c, (a, b) in enumerate(_chunks(n_employees)):
            crng = np.random.default_rng([seed, _STREAM_EVIDENCE, c])
            chunk = _with_offsets(people.slice(a, b - a), crng)
            ev = evidence_chunk(chunk, requirements, AS_OF, crng, first_id=w.rows + 1)
            w.write(ev)
            s, bn, bd = _chunk_stats(ev, chunk, requirements)
            supply_parts.append(s)
            bench_parts.append(bn)
            band_parts.append(bd)
        rows["evidence"] = w.rows

    supply = pl.concat(supply_parts).group_by("team", "competency_id", "level").agg(pl.col("n").sum())
    targets, risk_truth = _capability_targets(supply, np.random.default_rng([seed, _STREAM_TARGETS]))
    write_table(targets, out, "capability_targets", fmt)
    rows["capability_targets"] = targets.height

    truth = _truth(n_employees, seed, pop, roles, params, pl.concat(bench_parts), pl.concat(band_parts), risk_truth)
    (out / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=False) + "\n")
    return GenerationResult(out_dir=out, rows={t: rows[t] for t in TABLE_ORDER}, truth=truth)


def _chunks(n: int) -> list[tuple[int, int]]:
    return [(a, min(a + CHUNK_SIZE, n)) for a in range(0, n, CHUNK_SIZE)]


def _evidence_people(pop, roles: pl.DataFrame) -> pl.DataFrame:
    """Per employee: final role, next role, dating period, planted-candidate flag."""
    t_day = day(AS_OF)
    end = np.where(pop.exit == NO_EXIT, t_day, pop.exit - 1)
    start = np.maximum(pop.hire, t_day - 1095)
    nxt = roles.select("role_id", "next_role_id")
    return (
        pop.employees.select("employee_id", "role_id", "team")
        .join(nxt, on="role_id", how="left", maintain_order="left")
        .with_columns(
            start=pl.Series(start.astype(np.int32)).cast(pl.Date),
            end=pl.Series(end.astype(np.int32)).cast(pl.Date),
            active=pl.Series(pop.exit == NO_EXIT),
        )
        .with_columns(planted=(pl.col("active") & pl.col("next_role_id").is_in(list(BENCH_GAP_ROLES))).fill_null(False))
    )


def _with_offsets(people: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Personal proficiency offset and stretch flag (never for planted candidates)."""
    n = people.height
    offset = rng.normal(0.3, 0.55, n)
    stretch = (offset + rng.normal(0, 0.35, n) > 0.45) & ~people["planted"].to_numpy()
    return people.with_columns(offset=pl.Series(offset), stretch=pl.Series(stretch))


def _chunk_stats(ev: pl.DataFrame, people: pl.DataFrame, requirements: pl.DataFrame):
    """Supply counts by (team, competency, level), bench counts per next role, and
    current-role bands, for the chunk's employees active at the as-of date."""
    active = people.filter("active")
    ids = active["employee_id"].implode()
    levels = demonstrated_levels(ev.filter(pl.col("employee_id").is_in(ids)), AS_OF)
    supply = (
        levels.filter(pl.col("level") > 0)
        .join(active.select("employee_id", "team"), on="employee_id")
        .group_by("team", "competency_id", "level")
        .agg(n=pl.len())
    )
    nxt = readiness_bands(
        levels,
        active.select("employee_id", target_role_id="next_role_id").drop_nulls(),
        requirements,
    )
    bench = nxt.group_by("target_role_id").agg(
        candidates=pl.len(),
        ready_now=(pl.col("band") == "ready_now").sum(),
        ready_soon=(pl.col("band") == "ready_soon").sum(),
    )
    cur = readiness_bands(levels, active.select("employee_id", target_role_id="role_id"), requirements)
    bands = pl.concat(
        [
            cur.group_by("band").agg(n=pl.len()).with_columns(relation=pl.lit("current")),
            nxt.group_by("band").agg(n=pl.len()).with_columns(relation=pl.lit("next")),
        ]
    )
    return supply, bench, bands


def _supply_at(supply: pl.DataFrame, team: str, comp: str, level: int) -> int:
    s = supply.filter((pl.col("team") == team) & (pl.col("competency_id") == comp) & (pl.col("level") >= level))[
        "n"
    ].sum()
    return int(s or 0)


def _capability_targets(supply: pl.DataFrame, rng: np.random.Generator):
    """Four to five targets per team; two planted at high risk (priority 1, supply at
    most half the target headcount)."""
    ids = competency_ids()
    ladder_of = {lad.code: lad for lad in LADDERS}
    rows, risk_truth = [], []
    codes = [lad.code for lad in LADDERS]
    for team, code, _loc in TEAMS:
        lad, li = ladder_of[code], codes.index(code)
        # the ladder's technical competencies and the leadership ones its senior roles need
        options = [ids[c] for c in lad.technical] + [ids[LEADERSHIP[li % 3]], ids[LEADERSHIP[3 + li % 3]]]
        used: set[str] = set()
        if team in RISK_TEAMS:
            chosen = None
            # the ladder's own competencies first; in a very large organisation fall
            # back to one the team hardly has at all
            for comp in options + [c for c in ids.values() if c not in options]:
                for level in (4, 5, 3):
                    s = _supply_at(supply, team, comp, level)
                    if s <= 5:
                        chosen = (comp, level, s)
                        break
                if chosen:
                    break
            comp, level, s = chosen or (options[0], 5, _supply_at(supply, team, options[0], 5))
            headcount = int(min(12, max(2 * s, s + 4, 3)))
            rows.append((team, comp, level, headcount, 1))
            used.add(comp)
            risk_truth.append(
                {
                    "team": team,
                    "competency_id": comp,
                    "target_level": level,
                    "target_headcount": headcount,
                    "priority": 1,
                    "supply": s,
                }
            )
        n_more = int(rng.integers(3, 5))
        free = [c for c in options if c not in used]
        for comp in rng.choice(free, size=min(n_more, len(free)), replace=False):
            # a stretch goal: the level whose current supply is nearest to a share
            # (0.4-1.3) of the wanted headcount
            headcount = int(rng.integers(3, 13))
            aim = headcount * rng.uniform(0.4, 1.3)
            by_level = {lv: _supply_at(supply, team, str(comp), lv) for lv in (2, 3, 4, 5)}
            level = min(by_level, key=lambda lv: (abs(by_level[lv] - aim), -lv))
            priority = int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25]))
            rows.append((team, str(comp), level, headcount, priority))
    frame = pl.DataFrame(rows, schema=CONTRACT["capability_targets"].schema(), orient="row").sort(
        "team", "competency_id"
    )
    return frame, risk_truth


def _truth(n, seed, pop, roles, params, bench, bands, risk_truth) -> dict[str, Any]:
    # learning: employees ever exposed per cluster at a rated period end
    counts = pop.counts
    exposed_any = np.zeros((counts.shape[0], counts.shape[2]), dtype=bool)
    for q in RATING_QUARTERS:
        exposed_any |= counts[:, max(0, q - 3) : q + 1, :].sum(axis=1) > 0
    bench = bench.group_by("target_role_id").agg(pl.all().sum()).sort("target_role_id")
    critical = roles.filter("critical")["role_id"].to_list()
    bench_rows = {
        r["target_role_id"]: {k: int(r[k]) for k in ("candidates", "ready_now", "ready_soon")}
        for r in bench.filter(pl.col("target_role_id").is_in(critical)).iter_rows(named=True)
    }
    band_share = {}
    for rel in ("current", "next"):
        b = bands.filter(pl.col("relation") == rel).group_by("band").agg(pl.col("n").sum())
        total = b["n"].sum() or 1
        band_share[rel] = {r["band"]: round(r["n"] / total, 3) for r in b.sort("band").iter_rows(named=True)}
    elig = promotions_in_window(pop.employees, pop.movements, roles, WINDOW_START, AS_OF)
    rates = {}
    for attr in ("gender", "age_band"):
        g = (
            elig.with_columns(pl.col(attr).fill_null("Not disclosed"))
            .group_by(attr)
            .agg(eligible=pl.len(), promoted=pl.col("promoted").sum())
            .sort(attr)
        )
        rates[attr] = {
            r[attr]: {
                "eligible": int(r["eligible"]),
                "promoted": int(r["promoted"]),
                "rate": round(r["promoted"] / r["eligible"], 4),
            }
            for r in g.iter_rows(named=True)
        }
    g = rates["gender"]
    return {
        "seed": seed,
        "n_employees": n,
        "as_of": AS_OF.isoformat(),
        "history_start": HISTORY_START.isoformat(),
        "learning_impact": {
            "effect_unit": "rating points per distinct asset completed (verb completed or passed) "
            "in (period_end - 365 days, period_end]",
            "clusters": {
                name: {
                    "theta": theta,
                    "truth": "predictive" if theta > 0 else "harmful" if theta < 0 else "null",
                    "employees_exposed": int(exposed_any[:, k].sum()),
                }
                for k, (name, theta, _c) in enumerate(CLUSTERS)
            },
            "rating_model": {
                "mu": params.rating_mu,
                "rho": params.rating_rho,
                "noise_sd": params.rating_noise_sd,
                "level_effect": params.level_effect,
                "ladder_effects": dict(zip([lad.name for lad in LADDERS], params.ladder_effects)),
            },
            "confounding": {
                "completions_per_quarter": params.completions_per_quarter,
                "learning_beta": params.learning_beta,
                "note": "completion rate in every cluster x exp(beta * clip(previous observed "
                "rating - mu, -1, 1)); baseline when there is no previous rating",
            },
        },
        "promotion_disparity": {
            "window": [WINDOW_START.isoformat(), AS_OF.isoformat()],
            "planted_attribute": "gender",
            "disadvantaged_group": "Woman",
            "reference_group": "Man",
            "planted_ratio": params.woman_factor,
            "realised_ratio": round(g["Woman"]["rate"] / g["Man"]["rate"], 4),
            "fair_attribute": "age_band",
            "rates": rates,
        },
        "bench": {
            "no_ready_successor_roles": list(BENCH_GAP_ROLES),
            "critical_roles": {
                r: bench_rows.get(r, {"candidates": 0, "ready_now": 0, "ready_soon": 0}) for r in critical
            },
        },
        "capability_risk": {"high_risk_targets": risk_truth},
        "readiness_band_shares": band_share,
        "employees_active_at_as_of": int((pop.exit == NO_EXIT).sum()),
    }
