"""Talent Readiness command line: validate a source, seed a database, compute every metric.

Examples
--------
    python cli.py load                                   # validate the bundled sample
    python cli.py load --source exports/                 # a folder of CSV/Parquet/Excel files
    python cli.py load-db --source sample_data/default --url sqlite:///talent.db
    python cli.py compute --source sqlite:///talent.db --out out/ --as-of 2026-09-30

A source is a folder of files named after the tables, a SQLAlchemy URL whose
database holds the tables, or a .toml source configuration (see docs/examples/).
Exit status: 0 on success; 2 with one clear line when the source, the metric
configuration or an output cannot be used; 130 on Ctrl-C (nothing half-written);
1 with one line on an unexpected error (``TR_DEBUG=1`` shows the traceback).
Never a traceback otherwise. Outputs are replaced whole: the ``--out`` folder,
the ``--rejects`` file and the ``load-db`` tables.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import polars as pl

from data_sources.errors import SourceError
from data_sources.loader import load_source, resolve_config
from data_sources.outputs import (
    OutputError,
    check_output_file,
    check_output_folder,
    replace_folder,
    spreadsheet_safe,
    write_csv,
)
from data_sources.sql import make_engine, safe_source, write_tables
from metrics.config import MetricsConfigError

APP_VERSION = "0.1.0"
EXIT_BAD_SOURCE = 2
EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130
DEBUG_ENV = "TR_DEBUG"
ERR_INTERRUPTED = "interrupted: nothing was written (previous outputs are unchanged)"
ERR_OS = "{what}: {reason}"
ERR_OUT = "cannot write the output folder {path}: {reason} (the previous output, if any, is unchanged)"
ERR_UNEXPECTED = "unexpected error ({kind}); nothing was written. Run with {env}=1 to see the details"
ERR_BAD_DATE = "--as-of must be a date as YYYY-MM-DD, got {value!r}"
SOURCE_HELP = (
    "a folder of <table>.csv/.parquet/.xlsx files, a SQLAlchemy URL "
    "(sqlite:///talent.db, postgresql+psycopg://user@host/db, mysql+pymysql://user@host/db) "
    "or a .toml source configuration; default: the bundled sample organisation"
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(ERR_BAD_DATE.format(value=value)) from exc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (all commands and options documented in --help)."""
    parser = argparse.ArgumentParser(
        prog="cli.py",
        description="Talent Readiness: validate sources, seed databases and compute readiness metrics.",
        epilog="Exit status: 0 on success; 2 with one clear line when the source cannot be used.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = sub.add_parser("load", help="validate a source and print rows read/accepted/rejected per table")
    load.add_argument("--source", help=SOURCE_HELP)
    load.add_argument("--as-of", type=_date, help="reject records dated after this day (default: today)")
    load.add_argument("--rejects", type=Path, help="also write every reject to this CSV file (formula-safe)")

    db = sub.add_parser("load-db", help="write a source's canonical tables into a database")
    db.add_argument("--source", help=SOURCE_HELP)
    db.add_argument(
        "--url",
        required=True,
        help="SQLAlchemy URL of the target database: its canonical tables are replaced in one step "
        "(those the source lacks are removed); a failed load leaves them as they were",
    )
    db.add_argument("--as-of", type=_date, help="reject records dated after this day (default: today)")

    comp = sub.add_parser(
        "compute",
        help="compute every metric family and write one CSV and one Parquet file per output",
    )
    comp.add_argument("--source", help=SOURCE_HELP)
    comp.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output folder, created if absent and replaced whole at the end (it may hold only earlier outputs)",
    )
    comp.add_argument(
        "--as-of",
        type=_date,
        help="the metrics' as-of date T (default: the latest date in evidence, learning events, "
        "performance and movements)",
    )
    comp.add_argument("--config", type=Path, help="TOML file overriding metric parameters (see docs/metrics.md)")
    comp.add_argument(
        "--engine",
        choices=("polars", "duckdb", "source", "spark"),
        help="where the event-level metrics run (default: the source configuration's [source] engine, "
        "else polars; see docs/engines.md)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status. Never raises, never prints a traceback."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "load":
            return cmd_load(args)
        if args.command == "load-db":
            return cmd_load_db(args)
        return cmd_compute(args)
    except (SourceError, MetricsConfigError, OutputError) as exc:
        return _fail(str(exc), EXIT_BAD_SOURCE)
    except KeyboardInterrupt:
        return _fail(ERR_INTERRUPTED, EXIT_INTERRUPTED)
    except OSError as exc:  # a folder that cannot be written, a full disk, a closed pipe
        what = exc.filename if exc.filename is not None else type(exc).__name__
        return _fail(ERR_OS.format(what=what, reason=exc.strerror or exc), EXIT_BAD_SOURCE)
    except BaseException as exc:  # also Rust panics (pyo3's PanicException is a BaseException)
        if isinstance(exc, SystemExit) or os.environ.get(DEBUG_ENV) == "1":
            raise
        return _fail(ERR_UNEXPECTED.format(kind=type(exc).__name__, env=DEBUG_ENV), EXIT_UNEXPECTED)


def _fail(message: str, status: int) -> int:
    """Print one line (the first line of ``message``) to stderr and return ``status``."""
    line = message.strip().splitlines()[0] if message.strip() else "error"
    with contextlib.suppress(OSError):
        print(f"error: {line}", file=sys.stderr)
    return status


def _print_report(bundle) -> None:
    summary = bundle.report.summary()
    print(f"source: {bundle.source}  (version {bundle.version})")
    width = max(len(t) for t in summary["table"])
    print(f"{'table':<{width}}  {'read':>9}  {'accepted':>9}  {'rejected':>9}  source")
    for row in summary.iter_rows(named=True):
        print(f"{row['table']:<{width}}  {row['read']:>9}  {row['accepted']:>9}  {row['rejected']:>9}  {row['source']}")
    for note in bundle.report.notes:
        print(f"note: {note}")
    rejects = bundle.report.rejects
    if rejects.height:
        print(f"{rejects.height} reject entries; first ones:")
        for r in rejects.head(10).iter_rows(named=True):
            print(f"  {r['source']}, {r['row']}, column {r['column']}: {r['reason']}")


def cmd_load(args: argparse.Namespace) -> int:
    if args.rejects:
        check_output_file(args.rejects)
    bundle = load_source(args.source, as_of=args.as_of)
    _print_report(bundle)
    if args.rejects:
        try:
            write_csv(bundle.report.rejects, args.rejects)
        except OSError as exc:
            raise OutputError(ERR_OS.format(what=f"--rejects {args.rejects}", reason=exc.strerror or exc)) from exc
    return 0


def cmd_load_db(args: argparse.Namespace) -> int:
    bundle = load_source(args.source, as_of=args.as_of)
    _print_report(bundle)
    engine = make_engine(args.url)
    written = write_tables(engine, bundle.tables, bundle.equity_attributes)
    for table, n in written.items():
        print(f"wrote {n} rows to {table}")
    print(f"database: {safe_source(args.url)}")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    from metrics.config import config_in_force
    from metrics.engines import engine_for_source
    from metrics.run import run_metrics, with_equity_attributes

    check_output_folder(args.out)  # before any work: a file, a foreign or read-only folder
    source_config = resolve_config(args.source)
    # the configuration in force is checked before any work, so a bad value is the only line printed
    in_force = config_in_force(
        source_config.metrics, source_config.origin if source_config.metrics else "", args.config
    )
    started = time.perf_counter()
    engine = engine_for_source(args.source, args.engine)
    bundle = load_source(args.source)
    load_seconds = time.perf_counter() - started
    _progress(started, "load", sum(bundle.report.summary()["read"].to_list()), load_seconds)
    config = with_equity_attributes(in_force.config, bundle.equity_attributes)
    result = run_metrics(
        bundle.tables,
        as_of=args.as_of,
        config=config,
        engine=engine,
        progress=lambda stage, rows, secs: _progress(started, stage, rows, secs),
    )
    outputs = result.outputs()
    out: Path = args.out
    try:
        with replace_folder(out) as tmp:
            for name, frame in outputs.items():
                spreadsheet_safe(frame).write_csv(tmp / f"{name}.csv")
                frame.write_parquet(tmp / f"{name}.parquet")
            spreadsheet_safe(bundle.report.rejects).write_csv(tmp / "rejects.csv")
            (tmp / "manifest.json").write_text(
                json.dumps(_manifest(bundle, result, config, in_force, load_seconds), indent=2) + "\n"
            )
    except OSError as exc:
        raise OutputError(ERR_OUT.format(path=out, reason=exc.strerror or exc)) from exc
    print(f"as of {result.as_of}: wrote {', '.join(outputs)} to {out}")
    print(f"metric parameters: {in_force.origin}")
    if result.equity is not None:
        for label, ref in result.equity.references.items():
            print(f"equity reference for {label}: {ref.group or 'none'} ({ref.reason})")
    for family, reason in result.skipped.items():
        print(f"skipped {family}: {reason}")
    return 0


def _manifest(bundle, result, config, in_force, load_seconds: float) -> dict:
    """What was run: the source (no secret), versions, parameters, counts and timings."""
    outputs = result.outputs()
    return {
        "app_version": APP_VERSION,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": bundle.source,
        "data_version": bundle.version,
        "input_hashes": dict(bundle.input_hashes),
        "as_of": result.as_of.isoformat(),
        "parameters": config.to_dict(),
        "parameters_from": in_force.origin,
        "engine": result.engine,
        "equity_attributes": list(bundle.equity_attributes),
        "tables": bundle.report.summary().to_dicts(),
        "outputs": {name: frame.height for name, frame in outputs.items()},
        "skipped": dict(result.skipped),
        "equity_references": result.equity.references_record() if result.equity is not None else {},
        "seconds": {"load": round(load_seconds, 3), **{k: round(v, 3) for k, v in result.seconds.items()}},
        "stages": {
            "load": {"seconds": round(load_seconds, 3), "rows": int(bundle.report.summary()["read"].sum())},
            **{k: {"seconds": round(v, 3), "rows": result.rows.get(k, 0)} for k, v in result.seconds.items()},
        },
    }


def _progress(started: float, stage: str, rows: int, seconds: float) -> None:
    """One progress line on stderr: elapsed time, stage, rows and the stage's own time."""
    print(f"[{time.perf_counter() - started:7.1f}s] {stage}: {rows:,} rows in {seconds:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    pl.Config.set_tbl_hide_dataframe_shape(True)
    sys.exit(main())
