"""Speed of the talent review (metrics/talent) on a 100,000-employee organisation.

Usage::

    .venv/bin/python -m sample_data --employees 100000 --seed 7 --out bench/data/org100k --format parquet
    .venv/bin/python bench/bench_talent.py            # prints the table and updates bench/RESULTS.md

The target (issue 15): candidates for any role under 2 s warm per role. *Warm* means
what the app caches per dataset and as-of date (proficiency and readiness) is already
computed; each role's candidate list is then computed from them, as when a committee
member picks a role. Every function is timed ``--repeat`` times; the best and median
are printed with the target ratio (median / 2 s) side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from metrics.bench import bench_strength  # noqa: E402
from metrics.common import default_as_of  # noqa: E402
from metrics.proficiency import proficiency  # noqa: E402
from metrics.readiness import readiness  # noqa: E402
from metrics.talent import (  # noqa: E402
    bench_history,
    candidates_for_role,
    compare_candidates,
    coverage_forecast,
    impact_of_loss,
    nine_box,
    nine_box_by_group,
    succession,
)

DATA = ROOT / "bench" / "data" / "org100k"
RESULTS = ROOT / "bench" / "RESULTS.md"
TABLES = (
    "employees",
    "roles",
    "competencies",
    "role_requirements",
    "evidence",
    "performance",
    "movements",
    "capability_targets",
)
TARGET_S = 2.0
START = "<!-- bench_talent:start -->"
END = "<!-- bench_talent:end -->"
ERR_NO_DATA = "No organisation in {folder}: generate it with python -m sample_data --employees 100000 --seed 7 --out {folder} --format parquet"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    times = []
    out: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    if not (args.data / "employees.parquet").exists():
        raise SystemExit(ERR_NO_DATA.format(folder=args.data))
    t = {name: pl.read_parquet(args.data / f"{name}.parquet") for name in TABLES}
    as_of = default_as_of(t)
    emp, roles, reqs = t["employees"], t["roles"], t["role_requirements"]

    rows: list[tuple[str, float, float, str]] = []
    best, median, prof = timed(lambda: proficiency(t["evidence"], as_of), 1)
    rows.append(("proficiency (cached by the app, once per as-of)", best, median, f"{prof.height:,} rows"))
    best, median, ready = timed(lambda: readiness(emp, roles, reqs, prof, as_of), 1)
    rows.append(("readiness (cached by the app, once per as-of)", best, median, f"{ready.height:,} rows"))
    bench = bench_strength(emp, roles, ready, as_of)

    per_role = []
    for role in roles.sort("role_id")["role_id"].to_list():
        b, m, found = timed(
            lambda role=role: candidates_for_role(emp, roles, reqs, prof, role, as_of, t["movements"]), args.repeat
        )
        per_role.append((role, b, m, found.ranked.height))
    worst = max(per_role, key=lambda r: r[2])
    rows.append(
        (
            f"candidates for one role, worst of {len(per_role)} roles ({worst[0]})",
            worst[1],
            worst[2],
            f"{worst[3]:,} ranked",
        )
    )
    rows.append(
        (
            "candidates for one role, median over roles",
            statistics.median(r[1] for r in per_role),
            statistics.median(r[2] for r in per_role),
            "",
        )
    )
    crit = roles.filter(pl.col("critical"))["role_id"].sort().to_list()
    top = candidates_for_role(emp, roles, reqs, prof, crit[0], as_of).ranked["employee_id"].head(4).to_list()
    b, m, _ = timed(
        lambda: compare_candidates(emp, roles, reqs, prof, crit[0], top, as_of, t["performance"], t["movements"]),
        args.repeat,
    )
    rows.append(("comparison of 4 candidates", b, m, ""))
    b, m, nb = timed(lambda: nine_box(emp, roles, reqs, t["performance"], ready, prof, as_of), args.repeat)
    rows.append(("nine-box", b, m, f"{nb.placements.height:,} placed"))
    b, m, _ = timed(lambda: nine_box_by_group(nb.placements, emp, "ethnicity", 10), args.repeat)
    rows.append(("nine-box by ethnicity (suppressed)", b, m, ""))
    b, m, _ = timed(lambda: impact_of_loss(emp, roles, bench, prof, as_of, t["capability_targets"]), args.repeat)
    rows.append(("impact of loss", b, m, ""))
    b, m, s = timed(lambda: succession(emp, roles, reqs, prof, bench, None, as_of), args.repeat)
    rows.append(("succession chart data (hierarchy + positions)", b, m, f"{s.tree.height:,} nodes"))
    b, m, _ = timed(lambda: coverage_forecast(emp, roles, reqs, t["evidence"], ready, as_of), args.repeat)
    rows.append(("coverage-lapse forecast", b, m, ""))
    b, m, _ = timed(lambda: bench_history(t, as_of), 1)
    rows.append(("bench history, 4 quarter ends (readiness recomputed at each)", b, m, ""))

    load = os.getloadavg()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    header = (
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · polars {pl.__version__} · "
        f"`python bench/bench_talent.py --repeat {args.repeat}`\n\n"
        f"Data: bench/data/org100k (sample_data, seed 7): {emp.height:,} employees, {roles.height} roles, "
        f"{t['evidence'].height:,} evidence items; as of {as_of}. Peak RSS {peak:,.0f} MiB. "
        f"Load average at the end: {load:.1f} on {os.cpu_count()} CPUs (the machine is shared).\n"
    )
    lines = [
        "| step | best (s) | median (s) | median / 2 s target | size |",
        "|---|---:|---:|---:|---|",
    ]
    for name, b, m, size in rows:
        lines.append(f"| {name} | {b:.3f} | {m:.3f} | {m / TARGET_S:.3f} | {size} |")
    table = "\n".join(lines)
    print(header)
    print(table)
    if args.no_write:
        return
    section = f"{START}\n## Talent review (bench/bench_talent.py)\n\n{header}\n{table}\n\n" + (
        "Target: candidates for any role under 2 s warm per role (proficiency and readiness computed once "
        "per dataset and as-of date, as the app caches them).\n" + END
    )
    text = RESULTS.read_text()
    if START in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
