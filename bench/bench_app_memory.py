"""Memory of one app process loading 20 different sources one after another (issue 9).

Generates 20 organisations (different seeds) under bench/data/memory/, then, in this one
process, loads each through the app's loader (``ui.state._load_cached``) and computes the
core metrics through ``ui.compute.core``, exactly as a page would, printing the resident
memory after each load. With bounded caches the figure levels off after the first
``ui.state.MAX_BUNDLES`` sources instead of growing with every load.

Run:  .venv/bin/python bench/bench_app_memory.py [--employees 2000] [--sources 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    """Current resident set size in MiB (from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--sources", type=int, default=20)
    args = parser.parse_args()

    from sample_data.generator import generate
    from ui import compute, state

    base = ROOT / "bench" / "data" / "memory"
    folders = []
    for seed in range(1, args.sources + 1):
        folder = base / f"org{args.employees}_s{seed}"
        if not (folder / "employees.csv").exists():
            generate(args.employees, seed=seed, out_dir=folder)
        folders.append(folder)

    print(f"{args.sources} sources of {args.employees:,} employees; MAX_BUNDLES = {state.MAX_BUNDLES}")
    print(f"{'load':>4}  {'RSS MiB':>8}  {'vs first':>8}")
    first = None
    for i, folder in enumerate(folders, 1):
        bundle = state._load_cached(str(folder), dt.date.today())
        compute.core(bundle, dt.date(2026, 9, 30))
        del bundle
        gc.collect()
        now = rss_mib()
        first = first or now
        print(f"{i:>4}  {now:>8.0f}  {now / first:>7.2f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB; last/first {now / first:.2f}x")


if __name__ == "__main__":
    main()
