"""A straightforward pandas implementation of spec sections 1–5 (the "what a team would write first" baseline).

Reads the canonical Parquet files, computes proficiency and readiness at T and at
the equity window start S, bench, capability risk and the §5 counts per group,
then the same Python tail as the yardstick for the §5 statistics. No validation.
Used by bench/bench_engines.py.

    python bench/pandas_reference.py bench/data/org100k 2026-09-30
"""

from __future__ import annotations

import datetime as dt
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from yardstick_duckdb import _minus_months, equity_table

TYPE_WEIGHTS = {
    "performance_task": 1.0,
    "rubric_review": 1.0,
    "customer_outcome": 0.9,
    "credential": 0.8,
    "manager_endorsement": 0.7,
    "peer_feedback": 0.5,
    "self_assessment": 0.2,
}
ATTRIBUTES = ("gender", "ethnicity", "age_band", "disability")


def proficiency(ev: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    ev = ev[ev["observed_on"] <= at].copy()
    age = (at - ev["observed_on"]).dt.days
    ev["w"] = (
        ev["evidence_type"].map(TYPE_WEIGHTS).fillna(0.0)
        * np.where(ev["verified"].fillna(False).astype(bool), 1.0, 0.5)
        * 0.5 ** (age / 365.0)
    )
    for lvl in range(1, 6):
        ev[f"w{lvl}"] = ev["w"].where(ev["level"] >= lvl, 0.0)
    g = ev.groupby(["employee_id", "competency_id"]).agg(
        **{f"w{lvl}": (f"w{lvl}", "sum") for lvl in range(1, 6)},
        n_evidence=("w", "size"),
        last_observed_on=("observed_on", "max"),
    )
    g["level"] = 0
    g["evidence_weight"] = 0.0
    for lvl in range(1, 6):
        ok = g[f"w{lvl}"] >= 1 - 1e-9
        g.loc[ok, "level"] = lvl
        g.loc[ok, "evidence_weight"] = g.loc[ok, f"w{lvl}"]
    return g.reset_index()[
        ["employee_id", "competency_id", "level", "evidence_weight", "n_evidence", "last_observed_on"]
    ]


def roles_at(emp: pd.DataFrame, moves: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    active = emp[(emp["hire_date"] <= at) & (emp["exit_date"].isna() | (emp["exit_date"] > at))].copy()
    past = moves[moves["effective_date"] <= at].sort_values("effective_date")
    last = past.groupby("employee_id")["to_role_id"].last()
    first = moves.sort_values("effective_date").groupby("employee_id")["from_role_id"].first()
    active["role_id"] = (
        active["employee_id"].map(last).fillna(active["employee_id"].map(first)).fillna(active["role_id"])
    )
    return active


def readiness(active: pd.DataFrame, roles: pd.DataFrame, reqs: pd.DataFrame, prof: pd.DataFrame) -> pd.DataFrame:
    cur = active[["employee_id", "role_id"]].rename(columns={"role_id": "target_role_id"}).assign(relation="current")
    nxt = active[["employee_id", "role_id"]].merge(roles[["role_id", "next_role_id"]], on="role_id")
    nxt = nxt.dropna(subset=["next_role_id"])[["employee_id", "next_role_id"]]
    nxt = nxt.rename(columns={"next_role_id": "target_role_id"}).assign(relation="next")
    targets = pd.concat([cur, nxt])
    x = targets.merge(reqs, left_on="target_role_id", right_on="role_id")
    x = x.merge(prof[["employee_id", "competency_id", "level"]], on=["employee_id", "competency_id"], how="left")
    x["level"] = x["level"].fillna(0)
    x["wa"] = x["weight"] * np.minimum(1.0, x["level"] / x["required_level"])
    x["gap"] = x["level"] < x["required_level"]
    x["cgap"] = x["gap"] & x["critical"].fillna(False).astype(bool)
    r = x.groupby(["employee_id", "target_role_id", "relation"]).agg(
        wa=("wa", "sum"), w=("weight", "sum"), n_gaps=("gap", "sum"), n_critical_gaps=("cgap", "sum")
    )
    r["readiness"] = r["wa"] / r["w"]
    r["band"] = np.where(
        (r["readiness"] >= 0.9 - 1e-9) & (r["n_critical_gaps"] == 0),
        "ready_now",
        np.where(r["readiness"] >= 0.7 - 1e-9, "ready_soon", "developing"),
    )
    return r.reset_index()[
        ["employee_id", "target_role_id", "relation", "readiness", "band", "n_gaps", "n_critical_gaps"]
    ]


def run(folder: Path, as_of: dt.date) -> dict[str, pd.DataFrame | pl.DataFrame]:
    read = lambda name: pd.read_parquet(folder / f"{name}.parquet")  # noqa: E731
    emp, roles, reqs, targets, moves, ev = (
        read(n) for n in ("employees", "roles", "role_requirements", "capability_targets", "movements", "evidence")
    )
    for frame, cols in ((emp, ("hire_date", "exit_date")), (moves, ("effective_date",)), (ev, ("observed_on",))):
        for c in cols:
            frame[c] = pd.to_datetime(frame[c])
    t, s = pd.Timestamp(as_of), pd.Timestamp(_minus_months(as_of, 12))
    prof_t, prof_s = proficiency(ev, t), proficiency(ev, s)
    active_t, active_s = roles_at(emp, moves, t), roles_at(emp, moves, s)
    ready_t = readiness(active_t, roles, reqs, prof_t)
    ready_s = readiness(active_s, roles, reqs, prof_s)

    nxt = ready_t[ready_t["relation"] == "next"]
    cand = nxt.groupby("target_role_id").agg(
        candidates=("band", "size"),
        ready_now=("band", lambda b: (b == "ready_now").sum()),
        ready_soon=("band", lambda b: (b == "ready_soon").sum()),
    )
    bench = roles[["role_id", "critical"]].set_index("role_id")
    bench["incumbents"] = active_t.groupby("role_id").size()
    bench = bench.join(cand).fillna({"incumbents": 0, "candidates": 0, "ready_now": 0, "ready_soon": 0})
    bench["bench_strength"] = (bench["ready_now"] / bench["incumbents"]).where(bench["incumbents"] > 0)
    bench["status"] = np.where(
        bench["ready_now"] >= 1, "covered", np.where(bench["ready_soon"] > 0, "ready_in_future", "no_successors")
    )

    sup = active_t[["employee_id", "team"]].merge(prof_t, on="employee_id").merge(targets, on=["team", "competency_id"])
    sup = sup[sup["level"] >= sup["target_level"]].groupby(["team", "competency_id"]).size().rename("supply")
    cap = targets.set_index(["team", "competency_id"]).join(sup).fillna({"supply": 0}).reset_index()
    cap["coverage"] = cap["supply"] / cap["target_headcount"]
    cap["gap"] = (cap["target_headcount"] - cap["supply"]).clip(lower=0)
    cap["risk"] = cap["priority"].fillna(2).map({1: 1.0, 2: 0.6, 3: 0.3}) * cap["gap"] / cap["target_headcount"]
    cap["single_point_of_failure"] = cap["supply"] == 1
    cap["band"] = np.where(
        cap["risk"] >= 0.5 - 1e-9,
        "high",
        np.where((cap["risk"] >= 0.2 - 1e-9) | cap["single_point_of_failure"], "medium", "low"),
    )

    elig = active_s.copy()
    promo = moves[
        (moves["movement_type"] == "promotion") & (moves["effective_date"] > s) & (moves["effective_date"] <= t)
    ]
    elig["promoted"] = elig["employee_id"].isin(promo["employee_id"])
    nx = ready_s[ready_s["relation"] == "next"].set_index("employee_id")
    elig["next_readiness"] = elig["employee_id"].map(nx["readiness"])
    elig["ready_now"] = elig["employee_id"].map(nx["band"]) == "ready_now"
    for a in ATTRIBUTES:
        elig[a] = elig[a].fillna("Not disclosed")
    parts = []
    for a in ATTRIBUTES:
        parts.append(elig.assign(attribute=a, group=elig[a]))
    for a, b in combinations(ATTRIBUTES, 2):
        parts.append(elig.assign(attribute=f"{a} × {b}", group=elig[a] + " × " + elig[b]))
    long = pd.concat(parts)
    long["rnp"] = long["ready_now"] & ~long["promoted"]
    counts = long.groupby(["attribute", "group"]).agg(
        eligible=("employee_id", "size"),
        promoted=("promoted", "sum"),
        mean_next_readiness=("next_readiness", "mean"),
        share_ready_now=("ready_now", "mean"),
        ready_not_promoted=("rnp", "mean"),
    )
    equity = equity_table(pl.from_pandas(counts.reset_index()))
    return {
        "prof": pd.concat([prof_t, prof_s]),
        "readiness": pd.concat([ready_t, ready_s]),
        "bench": bench,
        "capability_risk": cap,
        "equity": equity,
    }


if __name__ == "__main__":
    result = run(Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]))
    print({name: len(frame) for name, frame in result.items()})
