"""Validate learning impact against the planted truths of the sample organisation.

For each seed: generate 2,000 employees with ``python -m sample_data`` into
``bench/data/validate_learning/seed_S`` (git-ignored), load the CSVs, run the
estimator and compare with ``truth.json``: are the planted-effective clusters
labelled predictive, the harmful one harmful, how many null clusters are
wrongly labelled, do the 95% intervals cover the planted effects, and is the
naive "exposed minus unexposed" figure visibly wrong for at least one cluster.

Usage::

    .venv/bin/python bench/validate_learning.py [--seeds 1 2 3 4 5] [--employees 2000]

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

from data_sources.loader import load_source  # noqa: E402
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


def validate_seed(seed: int, employees: int) -> dict:
    out = generate(seed, employees)
    truth = json.loads((out / "truth.json").read_text())["learning_impact"]["clusters"]
    t0 = time.perf_counter()
    res = learning_impact(load(out))
    seconds = time.perf_counter() - t0
    eff = {r["cluster"]: r for r in res.effects.iter_rows(named=True)}
    naive = dict(res.naive.select("cluster", "naive_difference").iter_rows())
    rows = []
    for cluster, t in truth.items():
        e = eff[cluster]
        covered = e["ci_low"] is not None and e["ci_low"] <= t["theta"] <= e["ci_high"]
        naive_wrong = (
            naive[cluster] is not None
            and e["ci_low"] is not None
            and not (e["ci_low"] <= naive[cluster] <= e["ci_high"])
            and abs(naive[cluster] - t["theta"]) >= NAIVE_GAP
        )
        rows.append(
            {
                "cluster": cluster,
                "truth": t["truth"],
                "theta": t["theta"],
                "effect": e["effect"],
                "ci_low": e["ci_low"],
                "ci_high": e["ci_high"],
                "label": e["label"],
                "covered": covered,
                "naive": naive[cluster],
                "naive_wrong": naive_wrong,
            }
        )
    frame = pl.DataFrame(rows)
    return {"seed": seed, "frame": frame, "seconds": seconds, "model_check": res.model_check}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--employees", type=int, default=2000)
    args = parser.parse_args(argv)
    pl.Config.set_tbl_rows(50)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_cols(20)
    frames = []
    print(
        "| seed | effective→predictive | harmful→harmful | nulls mislabelled | coverage | naive visibly wrong | seconds |"
    )
    print("|---|---|---|---|---|---|---|")
    for seed in args.seeds:
        r = validate_seed(seed, args.employees)
        f = r["frame"].with_columns(pl.lit(seed).alias("seed"))
        frames.append(f)
        eff = f.filter(pl.col("truth") == "predictive")
        harm = f.filter(pl.col("truth") == "harmful")
        null = f.filter(pl.col("truth") == "null")
        print(
            f"| {seed} | {(eff['label'] == 'predictive').sum()}/{eff.height} "
            f"| {(harm['label'] == 'harmful').sum()}/{harm.height} "
            f"| {(null['label'].is_in(['predictive', 'harmful'])).sum()}/{null.height} "
            f"| {f['covered'].sum()}/{f.height} "
            f"| {f['naive_wrong'].sum()} clusters "
            f"| {r['seconds']:.1f} |"
        )
    allf = pl.concat(frames)
    planted = allf.filter(pl.col("truth") != "null")
    print()
    print(
        f"overall coverage: {allf['covered'].sum()}/{allf.height} = {allf['covered'].mean():.1%}"
        f" (planted non-null: {planted['covered'].sum()}/{planted.height})"
    )
    print(
        f"naive figure visibly wrong for >= 1 cluster in every seed: {all(f['naive_wrong'].sum() >= 1 for f in frames)}"
    )
    print()
    print(
        allf.select(
            "seed", "cluster", "truth", "theta", "effect", "ci_low", "ci_high", "label", "covered", "naive"
        ).with_columns(pl.col("effect", "ci_low", "ci_high", "naive").round(3))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
