"""Speed and memory of the learning-impact stage: features + fit, side by side over sizes.

For each size the sample organisation is generated once as Parquet under
``bench/data/bench_learning/`` (git-ignored)::

    python -m sample_data --employees N --seed 1 --format parquet --completions-per-quarter 3.6 \\
        --out bench/data/bench_learning/n_N_cpq3.6

(about 100 learning events per employee: 10M at 100,000 employees). Each
configuration then runs in its own subprocess, which

* reads the small tables eagerly and scans ``learning_events.parquet`` lazily
  (``pl.scan_parquet``: the features read only the three columns they need);
* builds the features (``build_learning_features``) and fits
  (``estimate_learning_impact``), timing each;
* samples, every 0.2 s, the memory of itself and its worker processes (sum of
  their proportional set sizes, ``Pss`` in ``/proc/PID/smaps_rollup``, so pages
  shared with the workers count once) and reports the peak; and the CPU
  seconds (user + system) of itself and its workers.

The figures are printed as a table with the ratio to the target, and written
to ``bench/RESULTS.md`` between the ``bench_learning`` markers.

Usage::

    .venv/bin/python bench/bench_learning.py [--sizes 10000 30000 100000 300000 1000000]
        [--configs joint:1 joint:2 per_cluster:1] [--features-only] [--no-write]
    .venv/bin/python bench/bench_learning.py --fit-costs --sizes 100000   # CPU s of single fits

A configuration is ``estimator:n_jobs[:learner]`` (``n_jobs`` learner fits at once, in
worker processes; learner the configuration's default, ``spline_ridge``, or ``boosting``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import results_md  # noqa: E402

DATA_DIR = ROOT / "bench" / "data" / "bench_learning"
RESULTS = ROOT / "bench" / "RESULTS.md"
TABLES = ("employees", "roles", "assets", "performance", "movements")

#: Completions per employee per quarter: about 100 learning events per employee (10M at 100k).
COMPLETIONS_PER_QUARTER = 3.6

#: Targets of issue 13 (seconds for features + fit on 2 cores; memory in MB).
TARGET_SECONDS = {100_000: 20.0, 1_000_000: 240.0}
TARGET_MB = {1_000_000: 8 * 1024}


def load_tables(directory: Path):
    """Small tables read eagerly (contract dtypes), learning events scanned lazily, and T.

    Returns ``(tables, as_of)``; T is the spec's default (latest date among the
    learning events, performance and movements), found without reading the
    events beyond their timestamp column.
    """
    import polars as pl

    from data_sources.contract import CONTRACT
    from metrics.common import default_as_of

    def cast(frame, name):
        schema = CONTRACT[name].schema()
        names = frame.collect_schema().names()
        return frame.select(
            [(pl.col(c).cast(t) if c in names else pl.lit(None, dtype=t)).alias(c) for c, t in schema.items()]
        )

    tables = {}
    for name in TABLES:
        path = directory / f"{name}.parquet"
        if path.exists():
            tables[name] = cast(pl.read_parquet(path), name)
    events = cast(pl.scan_parquet(directory / "learning_events.parquet"), "learning_events")
    latest = events.select(pl.col("timestamp").max()).collect().item()
    as_of = default_as_of(tables)
    if latest is not None:
        as_of = max(as_of, latest.date())
    tables["learning_events"] = events
    return tables, as_of


class MemorySampler:
    """Peak of the summed PSS (MB) of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._cpu_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.sample())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self.sample())

    def sample(self) -> float:
        """Summed PSS (MB) of the tree now; also records each process's CPU ticks."""
        total = 0
        for pid in _tree(os.getpid()):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                self._cpu_ticks[pid] = max(self._cpu_ticks.get(pid, 0), int(stat[11]) + int(stat[12]))
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            except (OSError, IndexError, ValueError):
                continue
        return total / 1024

    def cpu_seconds(self) -> float:
        """User + system seconds of this process and every worker seen (sampled now)."""
        self.sample()
        return sum(self._cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def run_stage(
    directory: Path, estimator: str, n_jobs: int, features_only: bool = False, learner: str = "spline_ridge"
) -> dict:
    """Body of one subprocess: features + fit, timed, with peak memory; JSON on stdout."""
    from metrics.config import LearningImpactConfig
    from metrics.learning import build_learning_features, estimate_learning_impact

    cfg = LearningImpactConfig(estimator=estimator, n_jobs=n_jobs, learner=learner)
    with MemorySampler() as mem:
        cpu0, t0 = mem.cpu_seconds(), time.perf_counter()
        tables, as_of = load_tables(directory)
        feats = build_learning_features(tables, as_of, cfg)
        del tables
        t1 = time.perf_counter()
        features_mb = mem.peak_mb
        res = None if features_only else estimate_learning_impact(feats, cfg)
        t2 = time.perf_counter()
        cpu = mem.cpu_seconds() - cpu0
    return {
        "rows": feats.observations.height,
        "features_s": round(t1 - t0, 2),
        "fit_s": None if res is None else round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "cpu_s": round(cpu, 1),
        "features_peak_mb": round(features_mb),
        "peak_mb": round(mem.peak_mb),
        "labels": {} if res is None else dict(res.effects.group_by("label").len().sort("label").iter_rows()),
    }


def fit_costs(directory: Path, learners: list[str]) -> list[dict]:
    """CPU seconds of single nuisance fits (fold 0 held out), one thread, per learner and target."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from metrics.config import LearningImpactConfig
    from metrics.learning import build_learning_features, grouped_folds
    from metrics.learning._impact import _learner, control_matrix, employee_codes

    tables, as_of = load_tables(directory)
    feats = build_learning_features(tables, as_of)
    obs = feats.observations
    x, categorical = control_matrix(obs)
    d = feats.exposures.select(feats.clusters).to_numpy().astype(np.float64)
    y = obs.get_column("rating").to_numpy().astype(np.float64)
    train = grouped_folds(employee_codes(obs), 5, 7) != 0
    targets = [
        ("rating ~ controls", x, y),
        ("exposure (first cluster) ~ controls", x, d[:, 0]),
        ("rating ~ controls + exposures", np.column_stack([x, d]), y),
    ]
    rows = []
    for kind in learners:
        learner = _learner(LearningImpactConfig(learner=kind), categorical)
        for name, w, target in targets:
            c0 = time.process_time()
            with threadpool_limits(limits=1):
                learner.make(w.shape[1]).fit(w[train], target[train]).predict(w[~train])
            rows.append(
                {"learner": kind, "fit": name, "train_rows": int(train.sum()), "cpu_s": time.process_time() - c0}
            )
    return rows


def generate(n: int, seed: int = 1) -> Path:
    """The Parquet organisation of ``n`` employees (generated once)."""
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


def _events(directory: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(directory / "learning_events.parquet").metadata.num_rows)


def _stage_subprocess(
    directory: Path, estimator: str, n_jobs: int, features_only: bool = False, learner: str = "spline_ridge"
) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", str(directory), "--configs", f"{estimator}:{n_jobs}:{learner}"]
        + (["--features-only"] if features_only else []),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def parse_config(text: str) -> tuple[str, int, str]:
    """``estimator:n_jobs[:learner]`` → its parts (learner: the configuration's default).

    Example
    -------
    >>> parse_config("joint:2"), parse_config("joint:1:boosting")
    (('joint', 2, 'spline_ridge'), ('joint', 1, 'boosting'))
    """
    from metrics.config import LearningImpactConfig

    estimator, n_jobs, *rest = text.split(":")
    return estimator, int(n_jobs), rest[0] if rest else LearningImpactConfig().learner


def _machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {mem_gb:.0f} GB RAM, Python {platform.python_version()}; "
        f"load average at the start {load} (the machine is shared)"
    )


def _ratio(value: float, target: float | None) -> str:
    return f"{value / target:.2f}" if target else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--configs", nargs="+", default=["joint:1", "joint:2"])
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--features-only", action="store_true", help="build the features, skip the fit")
    parser.add_argument("--fit-costs", action="store_true", help="CPU seconds of single nuisance fits per learner")
    args = parser.parse_args(argv)
    if args.fit_costs:
        for n in args.sizes:
            for r in fit_costs(generate(n), ["boosting", "spline_ridge"]):
                print(f"| {n:,} | {r['learner']} | {r['fit']} | {r['train_rows']:,} | {r['cpu_s']:.2f} |", flush=True)
        return 0
    if args.stage:
        estimator, n_jobs, learner = parse_config(args.configs[0])
        print(json.dumps(run_stage(Path(args.stage), estimator, n_jobs, args.features_only, learner)))
        return 0
    started = dt.datetime.now(dt.UTC)
    lines = [
        "## Learning impact, features + fit (bench/bench_learning.py)",
        "",
        f"{started:%Y-%m-%d %H:%M} UTC; {_machine()}. Command: "
        f"`.venv/bin/python bench/bench_learning.py --sizes {' '.join(map(str, args.sizes))} "
        f"--configs {' '.join(args.configs)}{' --features-only' if args.features_only else ''}`. Each row is its own subprocess; memory is the peak summed PSS "
        "of the process and its workers; CPU is user + system seconds of both; ratios are to the issue's targets "
        "(≤ 20 s at 100k, ≤ 240 s and < 8 GB at 1M).",
        "",
        "| employees | events | observations | estimator | learner | n_jobs | features (s) | fit (s) | total (s) "
        "| total / target | CPU (s) | peak memory (MB) | memory / target | labels |",
        "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    print("\n".join(lines), flush=True)
    for n in args.sizes:
        directory = generate(n)
        events = _events(directory)
        for config in args.configs:
            estimator, n_jobs, learner = parse_config(config)
            r = _stage_subprocess(directory, estimator, n_jobs, args.features_only, learner)
            labels = ", ".join(f"{k} {v}" for k, v in r["labels"].items())
            row = (
                f"| {n:,} | {events:,} | {r['rows']:,} | {estimator} | {learner} | {n_jobs} | {r['features_s']} "
                f"| {'-' if r['fit_s'] is None else r['fit_s']} "
                f"| {r['total_s']} | {_ratio(r['total_s'], TARGET_SECONDS.get(n))} | {r['cpu_s']} "
                f"| {r['peak_mb']:,} | {_ratio(r['peak_mb'], TARGET_MB.get(n))} | {labels} |"
            )
            print(row, flush=True)
            lines.append(row)
    if not args.no_write:
        results_md.write_section(RESULTS, "bench_learning", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
