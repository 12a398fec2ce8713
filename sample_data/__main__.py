"""Command line: ``python -m sample_data --employees N --seed S --out DIR [--format csv|parquet]``.

Example
-------
>>> parse_args(["--employees", "300"]).seed
7
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from sample_data.generator import DEFAULT_EMPLOYEES, DEFAULT_OUT, DEFAULT_SEED, generate
from sample_data.population import PopulationParams
from sample_data.writer import FORMATS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Example
    -------
    >>> parse_args(["--out", "/tmp/x", "--format", "parquet"]).format
    'parquet'
    """
    parser = argparse.ArgumentParser(
        prog="python -m sample_data",
        description="Generate the seeded sample organisation (every contract table + truth.json).",
    )
    parser.add_argument(
        "--employees",
        type=int,
        default=DEFAULT_EMPLOYEES,
        help=f"employee rows, active and exited (default {DEFAULT_EMPLOYEES})",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default sample_data/default)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="file format")
    parser.add_argument(
        "--completions-per-quarter",
        type=float,
        default=PopulationParams().completions_per_quarter,
        help="mean asset completions per employee per quarter, which sets the learning-event volume "
        f"(default {PopulationParams().completions_per_quarter}: about 60 events per employee; "
        "3.6 gives about 100, as the 100,000-employee benchmark uses)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the generator and print one line per table; returns the exit code.

    Example
    -------
    >>> main(["--employees", "10", "--out", "unused"])  # too few: message on stderr
    2
    """
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        params = dataclasses.replace(PopulationParams(), completions_per_quarter=args.completions_per_quarter)
        result = generate(args.employees, args.seed, args.out, args.format, params)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for table, n in result.rows.items():
        print(f"{table:20s} {n:>12,d} rows")
    print(f"wrote {result.out_dir} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
