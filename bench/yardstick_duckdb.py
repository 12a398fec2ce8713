"""Yardstick: spec sections 1–5 by a hand-written DuckDB script (bench/yardstick_duckdb.sql).

The script does §1–4 and §5's counts in DuckDB; the §5 statistics (reference
group, impact ratio, Wilson interval, Fisher test, shortfall, flip-two,
suppression) run on the few hundred group rows in Python. No validation: the
Parquet files are taken as canonical. Used by bench/bench_engines.py.

    python bench/yardstick_duckdb.py bench/data/org100k 2026-09-30
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb
import polars as pl
from scipy.stats import fisher_exact

SQL = Path(__file__).with_name("yardstick_duckdb.sql")
OUTPUTS = ("prof", "readiness", "bench", "capability_risk", "equity_counts")


def _minus_months(date: dt.date, months: int) -> dt.date:
    y, m = divmod(date.year * 12 + date.month - 1 - months, 12)
    day = min(
        date.day,
        [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m],
    )
    return dt.date(y, m + 1, day)


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


def equity_table(counts: pl.DataFrame, min_group: int = 10) -> pl.DataFrame:
    """The §5 columns from per-group counts (one row per attribute × group)."""
    rows = []
    for (attribute,), part in counts.group_by("attribute"):
        groups = part.sort("eligible").to_dicts()
        small = [g for g in groups if g["eligible"] < min_group]
        if len(small) == 1 and len(groups) > 1:
            small.append(next(g for g in groups if g not in small))
        suppressed = {g["group"] for g in small}
        total_e = sum(g["eligible"] for g in groups)
        overall = sum(g["promoted"] for g in groups) / total_e
        floor = max(30, 0.02 * total_e)
        fair = [
            g
            for g in groups
            if g["group"] not in suppressed and g["eligible"] >= floor and g["group"] != "Not disclosed"
        ]
        pool = fair or [g for g in groups if g["group"] not in suppressed]
        ref = max(pool, key=lambda g: (g["promoted"] / g["eligible"], g["eligible"])) if pool else None
        for g in groups:
            if g["group"] in suppressed:
                rows.append({"attribute": attribute, "group": g["group"], "suppressed": True})
                continue
            rate = g["promoted"] / g["eligible"]
            low, high = _wilson(g["promoted"], g["eligible"])
            ratio = p_value = robust = None
            if ref is not None:
                ref_rate = ref["promoted"] / ref["eligible"]
                ratio = rate / ref_rate if ref_rate else None
                table = [
                    [g["promoted"], g["eligible"] - g["promoted"]],
                    [ref["promoted"], ref["eligible"] - ref["promoted"]],
                ]
                p_value = float(fisher_exact(table).pvalue)
                robust = ratio is not None and ((g["promoted"] + 2) / g["eligible"]) / ref_rate < 0.8
            rows.append(
                {
                    "attribute": attribute,
                    "group": g["group"],
                    "eligible": g["eligible"],
                    "promoted": g["promoted"],
                    "rate": rate,
                    "rate_low": low,
                    "rate_high": high,
                    "impact_ratio": ratio,
                    "adverse_impact": ratio is not None and ratio < 0.8,
                    "p_value": p_value,
                    "significant": p_value is not None and p_value < 0.05,
                    "shortfall": overall * g["eligible"] - g["promoted"],
                    "robust": robust,
                    "suppressed": False,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def run(folder: Path, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """Every output of §1–5 as polars frames."""
    start = _minus_months(as_of, 12)
    con = duckdb.connect()
    script = SQL.read_text().format(dir=str(folder).replace("'", "''"), t=as_of.isoformat(), s=start.isoformat())
    con.execute(script)
    out = {name: pl.from_arrow(con.sql(f"SELECT * FROM {name}").to_arrow_table()) for name in OUTPUTS}
    out["equity"] = equity_table(out.pop("equity_counts"))  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


if __name__ == "__main__":
    result = run(Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]))
    print({name: frame.height for name, frame in result.items()})
