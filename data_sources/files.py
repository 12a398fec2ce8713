"""Read one export file (CSV, Parquet or Excel) into a raw frame.

A raw frame holds the file's own columns, as read (CSV and Excel: all text, so
that validation can name the exact bad value), plus ``_row``: where each row
came from, as a user would find it ("line 7" in a CSV or a sheet; "row 7" in
a Parquet file).

Example
-------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "roles.csv"
>>> _ = p.write_bytes(b"\\xef\\xbb\\xbfrole_id , title\\r\\nR1, Analyst\\r\\n")
>>> read_file(p).rows()
[('line 2', 'R1', ' Analyst')]
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from data_sources.errors import ERR_UNREADABLE, SourceError

ROW = "_row"
FILE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".xlsm", ".xls")


def find_table_file(folder: Path, table: str) -> Path | None:
    """The export file for ``table`` in ``folder`` (``<table>.csv``, ``.parquet`` or ``.xlsx``).

    Example
    -------
    >>> find_table_file(Path("/nonexistent"), "roles") is None
    True
    """
    for suffix in FILE_SUFFIXES:
        candidate = folder / f"{table}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def read_file(path: Path, sheet: str | None = None) -> pl.DataFrame:
    """Read ``path`` as text columns (CSV, Excel) or typed columns (Parquet), adding ``_row``.

    Header names are stripped of stray spaces (and of a byte-order mark).
    An unreadable file raises ``SourceError`` naming the file.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(
                path,
                infer_schema=False,
                truncate_ragged_lines=True,
                missing_columns="insert",
                raise_if_empty=False,
            )
            first_line = 2
            label = "line"
        elif suffix == ".parquet":
            frame = pl.read_parquet(path)
            first_line = 1
            label = "row"
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0)
            first_line = 2
            label = "line"
        else:
            raise SourceError(
                ERR_UNREADABLE.format(file=path, kind="a table", detail=f"unsupported file type '{suffix}'")
            )
    except SourceError:
        raise
    except Exception as exc:  # polars/fastexcel raise many kinds; the user needs one line
        kind = {".csv": "CSV", ".parquet": "Parquet"}.get(suffix, "Excel")
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(ERR_UNREADABLE.format(file=path, kind=kind, detail=detail)) from exc
    return with_row_labels(clean_headers(frame), label, first_line)


def clean_headers(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip spaces and byte-order marks around column names."""
    return frame.rename({c: c.replace("\ufeff", "").strip() for c in frame.columns})


def with_row_labels(frame: pl.DataFrame, label: str, first: int) -> pl.DataFrame:
    """Prefix a ``_row`` column: ``f"{label} {first + i}"`` for the i-th row."""
    return frame.with_row_index(ROW, offset=first).with_columns(
        (pl.lit(label + " ") + pl.col(ROW).cast(pl.String)).alias(ROW)
    )
