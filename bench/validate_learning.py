"""Validate learning impact against the planted truths of the sample organisation.

For each seed: generate 2,000 employees with ``python -m sample_data`` into
``bench/data/validate_learning/seed_S`` (git-ignored), load the CSVs, run the
estimator and compare with ``truth.json``: are the planted-effective clusters
labelled predictive, the harmful one harmful, how many null clusters are
wrongly labelled, do the 95% intervals cover the planted effects, and is the
naive "exposed minus unexposed" figure visibly wrong for at least one cluster.

Usage::

    .venv/bin/python bench/validate_learning.py [--seeds 1 ... 10] [--employees 2000]
        [--shapes sample sim6] [--estimators joint per_cluster joint:spline_ridge] [--detail] [--write]

Two generator shapes: ``sample`` (the sample organisation) and ``sim6`` (the
learning simulation with 6 clusters, ratings on a x20 scale and stronger
confounding). The criteria, over all seeds of a shape and estimator: every
effective cluster predictive, the harmful one harmful, at most one null
cluster flagged in total, 95% intervals covering the truth in at least 90%
of cluster-seeds.

The organisation is read through the project's loader (``data_sources.load_source``),
exactly as the app and the CLI read it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from bench import results_md  # noqa: E402
from data_sources.loader import load_source  # noqa: E402
from metrics.config import LearningImpactConfig  # noqa: E402
from metrics.learning._impact import learning_impact  # noqa: E402

DATA_DIR = ROOT / "bench" / "data" / "validate_learning"
#: "Visibly wrong": naive figure outside the 95% interval and this far from the truth.
NAIVE_GAP = 0.05


def load(directory: Path) -> dict[str, pl.DataFrame]:
    """The organisation through the project's own loader and validation."""
    bundle = load_source(directory)
    assert all(t.rejected == 0 for t in bundle.report.tables), bundle.report.summary()
    return dict(bundle.tables)


def generate(seed: int, employees: int) -> Path:
    out = DATA_DIR / f"seed_{seed}"
    if not (out / "truth.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sample_data",
                "--employees",
                str(employees),
                "--seed",
                str(seed),
                "--out",
                str(out),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return out


#: The second generator shape: 6 clusters, ratings on a 0-100-like scale (x20), stronger confounding.
SHAPE_SIM = {
    "effects": {"c1": 0.10, "c2": 0.06, "c3": 0.0, "c4": 0.0, "c5": 0.0, "c6": -0.08},
    "rating_scale": 20.0,
    "confounding": 1.2,
    "base_rate": 0.5,
}
SHAPES = ("sample", "sim6")


def shape_tables(shape: str, seed: int, employees: int) -> tuple[dict[str, pl.DataFrame], dict[str, dict]]:
    """Tables and planted truths ``{cluster: {"truth": ..., "theta": ...}}`` of one shape and seed."""
    if shape == "sample":
        out = generate(seed, employees)
        truth = json.loads((out / "truth.json").read_text())["learning_impact"]["clusters"]
        return load(out), truth
    from sample_data.learning_simulation import simulate_learning_tables

    params = dict(SHAPE_SIM)
    effects = params.pop("effects")
    sim = simulate_learning_tables(n_employees=employees, seed=seed, effects=effects, **params)
    truth = {
        c: {"truth": "predictive" if t > 0 else "harmful" if t < 0 else "null", "theta": t}
        for c, t in sim.effects.items()
    }
    return sim.tables, truth


def validate_seed(shape: str, seed: int, employees: int, estimator: str) -> dict:
    tables, truth = shape_tables(shape, seed, employees)
    t0 = time.perf_counter()
    name, _, learner = estimator.partition(":")  # "joint" or "joint:spline_ridge"
    learner = learner or LearningImpactConfig().learner  # the product default unless named
    res = learning_impact(tables, config=LearningImpactConfig(estimator=name, learner=learner))
    seconds = time.perf_counter() - t0
    eff = {r["cluster"]: r for r in res.effects.iter_rows(named=True)}
    naive = dict(res.naive.select("cluster", "naive_difference").iter_rows())
    rows = []
    for cluster, t in truth.items():
        e = eff[cluster]
        covered = e["ci_low"] is not None and e["ci_low"] <= t["theta"] <= e["ci_high"]
        gap = NAIVE_GAP * (SHAPE_SIM["rating_scale"] if shape == "sim6" else 1.0)
        naive_wrong = (
            naive[cluster] is not None
            and e["ci_low"] is not None
            and not (e["ci_low"] <= naive[cluster] <= e["ci_high"])
            and abs(naive[cluster] - t["theta"]) >= gap
        )
        rows.append(
            {
                "cluster": cluster,
                "truth": t["truth"],
                "theta": float(t["theta"]),
                "effect": e["effect"],
                "ci_low": e["ci_low"],
                "ci_high": e["ci_high"],
                "label": e["label"],
                "covered": covered,
                "naive": naive[cluster],
                "naive_wrong": naive_wrong,
            }
        )
    return {"frame": pl.DataFrame(rows), "seconds": seconds}


def summarise(shape: str, estimator: str, frames: list[pl.DataFrame], seconds: float) -> dict:
    """The issue's four criteria over all seeds of one shape and estimator."""
    allf = pl.concat(frames)
    eff = allf.filter(pl.col("truth") == "predictive")
    harm = allf.filter(pl.col("truth") == "harmful")
    null = allf.filter(pl.col("truth") == "null")
    n_eff, n_harm = int((eff["label"] == "predictive").sum()), int((harm["label"] == "harmful").sum())
    n_null = int(null["label"].is_in(["predictive", "harmful"]).sum())
    coverage = float(allf["covered"].mean())
    ok = n_eff == eff.height and n_harm == harm.height and n_null <= 1 and coverage >= 0.9
    return {
        "shape": shape,
        "estimator": estimator,
        "seeds": len(frames),
        "effective": f"{n_eff}/{eff.height}",
        "harmful": f"{n_harm}/{harm.height}",
        "nulls_flagged": f"{n_null}/{null.height}",
        "coverage": f"{int(allf['covered'].sum())}/{allf.height} = {coverage:.1%}",
        "naive_wrong_every_seed": all(f["naive_wrong"].sum() >= 1 for f in frames),
        "seconds": round(seconds, 1),
        "pass": ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--estimators", nargs="+", default=["joint", "per_cluster"])
    parser.add_argument("--detail", action="store_true", help="print every cluster-seed row")
    parser.add_argument("--write", action="store_true", help="write the summary table into bench/RESULTS.md")
    parser.add_argument("--save", type=Path, help="also save every cluster-seed row (parquet)")
    parser.add_argument("--combine", type=Path, nargs="+", help="summarise rows saved by earlier --save runs")
    args = parser.parse_args(argv)
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_cols(20)
    summaries, details = [], []
    if args.combine:
        saved = pl.concat([pl.read_parquet(p) for p in args.combine])
        args.shapes = list(dict.fromkeys(saved["shape"].to_list()))
        args.estimators = list(dict.fromkeys(saved["estimator"].to_list()))
        args.seeds = sorted(set(saved["seed"].to_list()))
        for (shape, estimator), part in saved.group_by("shape", "estimator", maintain_order=True):
            frames = [f.drop("shape", "estimator", "seconds") for _, f in part.group_by("seed", maintain_order=True)]
            seconds = float(part.group_by("seed").agg(pl.col("seconds").first())["seconds"].sum())
            summaries.append(summarise(str(shape), str(estimator), frames, seconds))
            details.append(part.drop("seconds"))
    for shape in [] if args.combine else args.shapes:
        for estimator in args.estimators:
            frames, seconds = [], 0.0
            for seed in args.seeds:
                r = validate_seed(shape, seed, args.employees, estimator)
                frames.append(r["frame"].with_columns(pl.lit(seed).alias("seed")))
                seconds += r["seconds"]
                print(f"{shape} {estimator} seed {seed}: {r['seconds']:.1f}s", file=sys.stderr, flush=True)
                if args.save:
                    timed = r["frame"].with_columns(
                        pl.lit(seed).alias("seed"),
                        pl.lit(shape).alias("shape"),
                        pl.lit(estimator).alias("estimator"),
                        pl.lit(r["seconds"]).alias("seconds"),
                    )
                    done = pl.read_parquet(args.save) if args.save.exists() else None
                    (timed if done is None else pl.concat([done, timed])).write_parquet(args.save)
            summaries.append(summarise(shape, estimator, frames, seconds))
            details.append(
                pl.concat(frames).with_columns(pl.lit(shape).alias("shape"), pl.lit(estimator).alias("estimator"))
            )
    header = (
        "| shape | estimator | seeds | effective → predictive | harmful → harmful | nulls flagged (≤ 1) "
        "| 95% CI coverage (≥ 90%) | naive visibly wrong in every seed | fit seconds (all seeds) | all criteria |"
    )
    lines = [header, "|---|---|---:|---:|---:|---:|---:|---|---:|---|"]
    for s in summaries:
        lines.append(
            f"| {s['shape']} | {s['estimator']} | {s['seeds']} | {s['effective']} | {s['harmful']} "
            f"| {s['nulls_flagged']} | {s['coverage']} | {s['naive_wrong_every_seed']} | {s['seconds']} "
            f"| {'pass' if s['pass'] else 'FAIL'} |"
        )
    table = "\n".join(lines)
    print(table)
    both = pl.concat(details)
    if len(args.estimators) == 2:
        side = (
            both.pivot(on="estimator", index=["shape", "seed", "cluster", "truth", "theta"], values="effect")
            .with_columns(pl.col(pl.Float64).round(3))
            .sort("shape", "cluster", "seed")
        )
        # compare the estimators on the seeds both have (per shape)
        common = both.group_by("shape", "seed").agg(pl.col("estimator").n_unique().alias("k")).filter(pl.col("k") == 2)
        paired = both.join(common.select("shape", "seed"), on=["shape", "seed"], how="semi")
        agg = (
            paired.group_by("shape", "cluster", "truth", "theta", "estimator")
            .agg(
                pl.col("effect").mean().alias("mean_effect"),
                (pl.col("effect") - pl.col("theta")).pow(2).mean().sqrt().alias("rmse"),
                ((pl.col("ci_high") - pl.col("ci_low")) / 2).mean().alias("mean_half_width"),
                pl.col("covered").mean().alias("coverage"),
                pl.col("seed").n_unique().alias("seeds"),
            )
            .with_columns(pl.col("mean_effect", "rmse", "mean_half_width", "coverage").round(4))
            .sort("shape", "cluster", "estimator")
        )
        print()
        print(agg)
        if args.detail:
            print(side)
    if args.write:
        write_section(table, agg if len(args.estimators) == 2 else None, args)
    return 0


MARK_START, MARK_END = "<!-- validate_learning:start -->", "<!-- validate_learning:end -->"


def write_section(table: str, agg: pl.DataFrame | None, args: argparse.Namespace) -> None:
    """The validation table (and the per-cluster comparison) between this script's markers in RESULTS.md."""
    import datetime as dt

    results = ROOT / "bench" / "RESULTS.md"
    command = f"`.venv/bin/python bench/validate_learning.py {' '.join(sys.argv[1:])}`"
    body = [
        "## Learning impact: planted truths recovered (bench/validate_learning.py)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Command: {command}. Shapes: `sample` is the sample "
        "organisation (`python -m sample_data`, 12 clusters: 3 effective, 1 harmful, 8 null; ratings 1-5; read "
        "through the loader); `sim6` is `sample_data.learning_simulation` with 6 clusters (2 effective, 1 harmful, "
        "3 null), ratings x20 and confounding 1.2 instead of 0.7. Default configuration except the estimator."
        + (
            " The rows come from one process per shape and estimator, "
            "`.venv/bin/python bench/validate_learning.py --shapes SHAPE --estimators EST "
            "--save bench/data/validate_runs/SHAPE_EST.parquet` (seeds 1-10 by default, 2,000 employees), "
            "combined with the command above; a run that had not finished its 10 seeds when it was combined "
            "counts the seeds it had done (column `seeds`). `fit seconds` are wall seconds on the shared "
            "machine (load average 13-29 during these runs), not the estimator's speed."
            if args.combine
            else ""
        ),
        "",
        table,
    ]
    if agg is not None:
        body += [
            "",
            "Per cluster, joint and per-cluster side by side on the seeds both were run on (mean estimate, RMSE "
            "against the planted effect, mean half-width of the 95% interval, coverage):",
            "",
            "| shape | cluster | truth | planted | estimator | seeds | mean effect | RMSE | mean half-width | coverage |",
            "|---|---|---|---:|---|---:|---:|---:|---:|---:|",
        ]
        for r in agg.iter_rows(named=True):
            body.append(
                f"| {r['shape']} | {r['cluster']} | {r['truth']} | {r['theta']:g} | {r['estimator']} | {r['seeds']} "
                f"| {r['mean_effect']} | {r['rmse']} | {r['mean_half_width']} | {r['coverage']:.0%} |"
            )
    results_md.write_section(results, "validate_learning", "\n".join(body))


if __name__ == "__main__":
    raise SystemExit(main())
