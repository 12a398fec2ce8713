"""Writing tables as CSV (ISO dates, ``...Z`` timestamps, ``true``/``false``) or
Parquet, whole or appended chunk by chunk.

Example
-------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with TableWriter(d, "performance", "csv") as w:
...     w.write(pl.DataFrame({"employee_id": ["E1"], "period_end": [dt.date(2026, 6, 30)],
...                           "rating": [3.5]}))
>>> (d / "performance.csv").read_text()
'employee_id,period_end,rating\\nE1,2026-06-30,3.5\\n'
"""

from __future__ import annotations

import datetime as dt  # noqa: F401  (used by the doctests)
from pathlib import Path
from typing import Literal

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

Format = Literal["csv", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "parquet")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DATE_FORMAT = "%Y-%m-%d"
ERR_FORMAT = "Unknown output format '{fmt}'; expected one of: csv, parquet."
ERR_COLUMNS = "Chunk of table '{table}' has columns {got}; the first chunk had {expected}."


class TableWriter:
    """Append chunks of one table to ``DIR/<table>.csv`` or ``DIR/<table>.parquet``.

    The CSV header is written once; each Parquet chunk becomes a row group. Use as a
    context manager (or call :meth:`close`).

    Example
    -------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with TableWriter(d, "t", "parquet") as w:
    ...     w.write(pl.DataFrame({"a": [1]})); w.write(pl.DataFrame({"a": [2]}))
    >>> pl.read_parquet(d / "t.parquet")["a"].to_list()
    [1, 2]
    """

    def __init__(self, out_dir: str | Path, table: str, fmt: Format = "csv") -> None:
        if fmt not in FORMATS:
            raise ValueError(ERR_FORMAT.format(fmt=fmt))
        self.table = table
        self.fmt = fmt
        self.path = Path(out_dir) / f"{table}.{fmt}"
        self.rows = 0
        self._columns: list[str] | None = None
        self._csv = None
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` (same columns as every earlier chunk)."""
        if self._columns is None:
            self._columns = frame.columns
        elif frame.columns != self._columns:
            raise ValueError(ERR_COLUMNS.format(table=self.table, got=frame.columns, expected=self._columns))
        if self.fmt == "csv":
            first = self._csv is None
            if first:
                self._csv = open(self.path, "wb")
            frame.write_csv(
                self._csv,
                include_header=first,
                datetime_format=DATETIME_FORMAT,
                date_format=DATE_FORMAT,
            )
        else:
            table = frame.to_arrow()
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self.path, self._schema, compression="zstd")
            self._parquet.write_table(table.cast(self._schema))
        self.rows += frame.height

    def close(self) -> None:
        """Flush and close the file (an empty table still gets its header/schema)."""
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_table(frame: pl.DataFrame, out_dir: str | Path, table: str, fmt: Format = "csv") -> Path:
    """Write a whole table at once; returns the path.

    Example
    -------
    >>> import tempfile
    >>> write_table(pl.DataFrame({"ok": [True]}), tempfile.mkdtemp(), "t").read_text()
    'ok\\ntrue\\n'
    """
    with TableWriter(out_dir, table, fmt) as w:
        w.write(frame)
    return w.path


__all__ = ["FORMATS", "TableWriter", "write_table"]
