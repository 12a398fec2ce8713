"""Sections 1–5, whole process: ours (DuckDB engine, and the polars default) against a hand-written
DuckDB SQL yardstick and a straightforward pandas implementation, side by side as ratios.

Each contender runs in a fresh Python process (imports, reading the Parquet
files, validation where it has any, every computation); wall time is measured
around the process and peak RSS is the process's ``ru_maxrss``.

    python -m sample_data --employees 100000 --format parquet --completions-per-quarter 3.6 --out bench/data/org100k
    python bench/bench_engines.py bench/data/org100k --as-of 2026-09-30 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ("proficiency", "readiness", "bench", "capability_risk", "equity")
#: The tables sections 1–5 read (what the yardstick and pandas read too); ours loads and validates
#: these from a folder of links, not the learning tables that only sections 6–7 need.
TABLES_1_5 = ("employees", "roles", "competencies", "role_requirements", "evidence", "movements", "capability_targets")

OURS = """
import datetime as dt, sys, time
sys.path.insert(0, {root!r})
from data_sources.loader import load_source
from metrics.engines import make_engine
from metrics.run import run_metrics
start = time.perf_counter()
bundle = load_source({folder!r}, as_of=dt.date.fromisoformat({as_of!r}))
loaded = time.perf_counter() - start
res = run_metrics(bundle.tables, as_of=dt.date.fromisoformat({as_of!r}), families={families!r},
                  engine=make_engine({engine!r}))
print("load", round(loaded, 2), {{k: round(v, 2) for k, v in res.seconds.items()}}, file=sys.stderr)
"""


def _run(cmd: list[str]) -> tuple[float, float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = (proc.stdout.read() if proc.stdout else "") + (proc.stderr.read() if proc.stderr else "")
    if status != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{out}")
    return wall, usage.ru_maxrss / 1024, out.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--as-of", default="2026-09-30")
    ap.add_argument("--repeat", type=int, default=1, help="runs per contender, interleaved; the best wall time counts")
    ap.add_argument("--skip", nargs="*", default=[], help="contenders to leave out (e.g. pandas)")
    args = ap.parse_args()
    folder = str(args.folder.resolve())
    linked = Path(tempfile.mkdtemp(prefix="bench_1_5_"))
    for table in TABLES_1_5:
        (linked / f"{table}.parquet").symlink_to(Path(folder) / f"{table}.parquet")
    py = sys.executable
    contenders = {
        "ours (duckdb engine)": [
            py,
            "-c",
            OURS.format(root=str(ROOT), folder=str(linked), as_of=args.as_of, families=FAMILIES, engine="duckdb"),
        ],
        "ours (polars engine)": [
            py,
            "-c",
            OURS.format(root=str(ROOT), folder=str(linked), as_of=args.as_of, families=FAMILIES, engine="polars"),
        ],
        "yardstick (DuckDB SQL)": [py, str(ROOT / "bench" / "yardstick_duckdb.py"), folder, args.as_of],
        "pandas": [py, str(ROOT / "bench" / "pandas_reference.py"), folder, args.as_of],
    }
    contenders = {k: v for k, v in contenders.items() if not any(s in k for s in args.skip)}
    best: dict[str, tuple[float, float, str]] = {}
    for _ in range(args.repeat):
        for name, cmd in contenders.items():
            wall, rss, out = _run(cmd)
            if name not in best or wall < best[name][0]:
                best[name] = (wall, max(rss, best.get(name, (0, 0, ""))[1]), out)
            print(f"  {name}: {wall:.1f} s, {rss:.0f} MiB  {out.splitlines()[-1] if out else ''}", flush=True)
    ys_wall, ys_rss, _ = best.get("yardstick (DuckDB SQL)", (float("nan"), float("nan"), ""))
    print(
        f"\n{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; data {folder}; as of {args.as_of}; "
        f"best of {args.repeat}"
    )
    print("| contender | wall (s) | × yardstick | peak RSS (MiB) | × yardstick |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, rss, _) in best.items():
        print(f"| {name} | {wall:.1f} | {wall / ys_wall:.2f} | {rss:.0f} | {rss / ys_rss:.2f} |")
    if "pandas" in best and "ours (duckdb engine)" in best:
        print(f"\npandas / ours (duckdb engine), wall: {best['pandas'][0] / best['ours (duckdb engine)'][0]:.2f}×")


if __name__ == "__main__":
    main()
