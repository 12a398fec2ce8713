"""How fast the xAPI importer reads a large LRS export, next to reading the same events as a CSV.

Builds ``--statements`` statements (default 200,000) by cycling through the real
Open edX and ADL statements of ``../shared/realdata/xapi_real`` with fresh ids,
1,000 actors and dates spread over a year, writes them as one JSON array under
``bench/data/`` (gitignored), then times, each in this process:

* ``read_xapi``: parsing and mapping the statements (rows, rejects, activities, actors);
* ``load_source``: the whole load (events, assets and employees from the statements, validation);
* the accepted learning_events written as CSV and loaded back through ``load_source`` (the baseline).

Run from the repository root::

    .venv/bin/python bench/bench_xapi.py --statements 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from data_sources.config import SourceConfig  # noqa: E402
from data_sources.loader import load_source  # noqa: E402
from data_sources.xapi import read_xapi  # noqa: E402

DATA = ROOT / "bench" / "data"


def _realdata() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "realdata" / "xapi_real").is_dir():
            return base / "shared" / "realdata" / "xapi_real"
    raise SystemExit("../shared/realdata is absent")


def _build(n: int) -> Path:
    templates: list[dict] = []
    for path in sorted(_realdata().rglob("*.json")):
        doc = json.loads(path.read_text())
        templates += doc if isinstance(doc, list) else [doc]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    out = []
    for i in range(n):
        st = dict(templates[i % len(templates)])
        st["id"] = str(uuid.UUID(int=i + 1))
        st["actor"] = {"objectType": "Agent", "account": {"homePage": "http://lms", "name": f"u{i % 1000:04d}"}}
        st["timestamp"] = (start + dt.timedelta(minutes=(i * 7) % 525_600)).isoformat()
        out.append(st)
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"lrs_{n}.json"
    path.write_text(json.dumps(out))
    return path


def _timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=200_000)
    args = parser.parse_args()
    path = _build(args.statements)
    size = path.stat().st_size / 2**20
    read, t_read = _timed(lambda: read_xapi(path))
    tables = {t: {"xapi": str(path)} for t in ("learning_events", "assets", "employees")}
    cfg = SourceConfig.from_dict({"tables": tables}, base_dir=DATA)
    bundle, t_load = _timed(lambda: load_source(cfg, as_of=dt.date(2026, 1, 1)))
    report = {t.table: t for t in bundle.report.tables}["learning_events"]

    csv_dir = DATA / "lrs_csv"
    csv_dir.mkdir(exist_ok=True)
    for table in ("roles", "competencies", "employees", "role_requirements", "assets", "learning_events"):
        bundle.get(table).write_csv(csv_dir / f"{table}.csv")
    csv_bundle, t_csv = _timed(lambda: load_source(csv_dir, as_of=dt.date(2026, 1, 1)))
    csv_events = {t.table: t for t in csv_bundle.report.tables}["learning_events"]

    print(
        f"{args.statements:,} statements, {size:.0f} MiB JSON; accepted {report.accepted:,}, rejected {report.rejected:,}"
    )
    print(f"{'step':38} {'seconds':>8} {'statements/s':>14} {'ratio to CSV load':>18}")
    rows = [
        ("read_xapi (parse and map)", t_read, read.read),
        ("load_source from the xAPI file", t_load, report.read),
        ("load_source from CSV (same events)", t_csv, csv_events.read),
    ]
    for name, secs, n in rows:
        print(f"{name:38} {secs:8.2f} {n / secs:14,.0f} {secs / t_csv:18.1f}")
    assert pl.DataFrame(bundle.get("learning_events")).height == csv_events.accepted


if __name__ == "__main__":
    main()
