"""Time to first render of each view, cold and warm cache, and of a filter change.

Server-side render time through streamlit's AppTest (the script run that builds a
page; the browser's drawing is not included). Cold: every st.cache_data and
st.cache_resource entry cleared before the run, so it includes loading and
validating the source. Warm: the same view again with caches filled. Filter change:
the readiness view with one team selected, caches warm for the unfiltered view.

    .venv/bin/python bench/bench_pages.py                       # the bundled sample
    .venv/bin/python bench/bench_pages.py --source bench/data/org100k --label "100,000 employees"

The 100,000-employee organisation is generated (not committed) with
    .venv/bin/python -m sample_data --employees 100000 --seed 7 --out bench/data/org100k \\
        --format parquet --completions-per-quarter 3.6
Results are printed and appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

VIEWS = [
    "overview",
    "readiness",
    "bench",
    "capability_risk",
    "equity",
    "learning_impact",
    "assets",
    "person",
    "data",
]
TIMEOUT_S = 3600


def _open(view: str, source: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
    if source:
        at.session_state["tr_source"] = source
    return at.switch_page(f"views/{view}.py")


def _timed_run(at: AppTest, view: str) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{view}: {at.exception[0].value}")
    return elapsed


def _cold(view: str, source: str | None) -> float:
    st.cache_data.clear()
    st.cache_resource.clear()
    return _timed_run(_open(view, source), view)


def _warm(view: str, source: str | None) -> float:
    return _timed_run(_open(view, source), view)


def _filter_change(source: str | None, team: str) -> float:
    at = _open("readiness", source)
    at.run()
    started = time.perf_counter()
    at.sidebar.multiselect[0].select(team).run()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="folder, URL or .toml (default: the bundled sample)")
    parser.add_argument("--label", default="sample organisation (2,000 employees)")
    parser.add_argument("--team", default="Data Science", help="team picked for the filter change")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--views", nargs="+", default=VIEWS, choices=VIEWS, help="views to time (default: all)")
    args = parser.parse_args(argv)

    rows = []
    for view in args.views:
        cold = _cold(view, args.source)
        warm = _warm(view, args.source)
        rows.append((view, cold, warm))
        print(f"{view:16s} cold {cold:8.2f} s   warm {warm:6.2f} s", flush=True)
    change = _filter_change(args.source, args.team)
    print(f"filter change (readiness, team {args.team!r}): {change:.2f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [
        f"\n## Views: time to first render, {args.label}\n",
        f"{dt.date.today().isoformat()} · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · `python bench/bench_pages.py"
        + (f' --source {args.source} --label "{args.label}"' if args.source else "")
        + (f" --views {' '.join(args.views)}" if list(args.views) != VIEWS else "")
        + "`\n",
        "Server-side script time in AppTest (browser drawing excluded). Cold: all caches cleared, "
        "so it includes loading and validating the source; warm: caches filled.\n",
        "| view | cold (s) | warm (s) | warm / cold |",
        "|---|---:|---:|---:|",
        *[f"| {v} | {c:.2f} | {w:.2f} | {w / c:.3f} |" for v, c, w in rows],
        f"\nWarm filter change (readiness, one team): **{change:.2f} s** (target on the sample: under 1 s). "
        f"Peak RSS of the benchmark process: {peak_mb:.0f} MB.\n",
    ]
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
