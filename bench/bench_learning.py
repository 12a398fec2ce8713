"""Speed and memory of learning impact: feature building and model fit.

For each size (default 10,000 and 100,000 employees) the sample organisation
is generated once as parquet under ``bench/data/bench_learning/`` (git-ignored;
``python -m sample_data --format parquet``). Each stage then runs in its own
subprocess, which reports wall seconds and its peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``):

* ``features``: loading the parquet tables + ``build_learning_features``;
* ``fit``: ``estimate_learning_impact`` on prebuilt features (the peak RSS of
  this stage includes building the features it needs first).

Figures are printed and written to ``bench/RESULTS.md`` in their own section
(between ``bench_learning`` markers, replacing the previous run) with the
machine and date.

Usage::

    .venv/bin/python bench/bench_learning.py [--sizes 10000 100000] [--learners boosting spline_ridge]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA_DIR = ROOT / "bench" / "data" / "bench_learning"
RESULTS = ROOT / "bench" / "RESULTS.md"
TABLES = ("employees", "roles", "assets", "learning_events", "performance", "movements")


def load_parquet(directory: Path):
    """Canonical tables from the generator's parquet output (contract columns and dtypes)."""
    import polars as pl

    from data_sources.contract import CONTRACT

    tables = {}
    for name in TABLES:
        path = directory / f"{name}.parquet"
        if not path.exists():
            continue
        frame = pl.read_parquet(path)
        schema = CONTRACT[name].schema()
        cols = [
            (pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t)).alias(c) for c, t in schema.items()
        ]
        tables[name] = frame.select(cols)
    return tables


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stage(stage: str, directory: Path, learner: str) -> dict:
    """Body of one subprocess: time the stage, report JSON on stdout."""
    from metrics.config import LearningImpactConfig
    from metrics.learning._features import build_learning_features
    from metrics.learning._impact import estimate_learning_impact

    cfg = LearningImpactConfig(learner=learner)
    if stage == "features":
        t0 = time.perf_counter()
        tables = load_parquet(directory)
        feats = build_learning_features(tables, config=cfg)
        seconds = time.perf_counter() - t0
        out = {"rows": feats.observations.height, "events": tables["learning_events"].height}
    else:
        feats = build_learning_features(load_parquet(directory), config=cfg)
        t0 = time.perf_counter()
        res = estimate_learning_impact(feats, cfg)
        seconds = time.perf_counter() - t0
        out = {"rows": res.n_observations, "labels": dict(res.effects.group_by("label").len().iter_rows())}
    out.update(seconds=round(seconds, 2), peak_rss_mb=round(_peak_rss_mb(), 1))
    return out


#: Completions per employee per quarter: about 100 learning events per employee (10M at 100k).
COMPLETIONS_PER_QUARTER = 3.6


def generate(n: int, seed: int = 1) -> Path:
    out = DATA_DIR / f"n_{n}_cpq{COMPLETIONS_PER_QUARTER}"
    if not (out / "truth.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sample_data",
                "--employees",
                str(n),
                "--seed",
                str(seed),
                "--out",
                str(out),
                "--format",
                "parquet",
                "--completions-per-quarter",
                str(COMPLETIONS_PER_QUARTER),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return out


def _stage_subprocess(stage: str, directory: Path, learner: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", stage, "--dir", str(directory), "--learners", learner],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{platform.machine()}, {os.cpu_count()} CPUs, {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--learners", nargs="+", default=["boosting"])
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(run_stage(args.stage, Path(args.dir), args.learners[0])))
        return 0
    lines = [
        "",
        "## Learning impact (bench/bench_learning.py)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {_machine()}; one learner thread "
        "(`learner_threads = 1`); each stage in its own subprocess.",
        "",
        "| employees | events | observations | stage | learner | seconds | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines[1:]), flush=True)
    for n in args.sizes:
        directory = generate(n)
        feats = _stage_subprocess("features", directory, args.learners[0])
        row = (
            f"| {n:,} | {feats['events']:,} | {feats['rows']:,} | features | - "
            f"| {feats['seconds']} | {feats['peak_rss_mb']} |"
        )
        print(row, flush=True)
        lines.append(row)
        for learner in args.learners:
            fit = _stage_subprocess("fit", directory, learner)
            row = (
                f"| {n:,} | {feats['events']:,} | {fit['rows']:,} | fit | {learner} "
                f"| {fit['seconds']} | {fit['peak_rss_mb']} |"
            )
            print(row, flush=True)
            lines.append(row)
    if not args.no_write:
        write_section("\n".join(lines[1:]))
    return 0


MARK_START, MARK_END = "<!-- bench_learning:start -->", "<!-- bench_learning:end -->"


def write_section(body: str) -> None:
    """Put ``body`` between this bench's markers in RESULTS.md (replacing an
    earlier run's figures), or append it with markers when absent."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{MARK_START}\n{body}\n{MARK_END}"
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
