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

import csv
import io
import sys
from pathlib import Path

import polars as pl
from polars.exceptions import PanicException

from data_sources.errors import (
    ERR_NOT_UTF8,
    ERR_RAGGED_UNALIGNED,
    ERR_RECORDS_MISMATCH,
    ERR_UNREADABLE,
    REASON_RAGGED,
    SourceError,
)

ROW = "_row"
FILE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".xlsm", ".xls")
#: How a header name's later copies are renamed (polars' own convention).
DUPLICATED = "_duplicated_"


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
                _csv_source(path),
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
    except (Exception, PanicException) as exc:  # polars/fastexcel raise many kinds (a panic is no Exception)
        if suffix == ".csv" and "utf-8" in str(exc).lower().replace("utf8", "utf-8"):
            where = _first_non_utf8(path)
            if where is not None:
                raise SourceError(ERR_NOT_UTF8.format(file=path, line=where[0], byte=where[1])) from exc
        kind = {".csv": "CSV", ".parquet": "Parquet"}.get(suffix, "Excel")
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(ERR_UNREADABLE.format(file=path, kind=kind, detail=detail)) from exc
    return with_row_labels(clean_headers(frame), label, first_line)


def read_export(path: Path, sheet: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``read_file`` plus the rows that cannot be data as read: ragged CSV lines.

    A CSV line with more or fewer fields than the header is read truncated or padded;
    it is named in the second frame (``_row``, ``reason`` with the field counts) so that
    validation rejects it whole (``validate_table(row_rejects=...)``). A blank line is
    not ragged (it is a row of missing values, rejected as such).

    Example
    -------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "roles.csv"
    >>> _ = p.write_text("role_id,title\\nR1,Analyst\\nR2,Lead,Data\\n")
    >>> frame, bad = read_export(p)
    >>> frame.height, bad.rows()
    (2, [('line 3', 'ragged line: expected 2 fields (as in the header), found 3')])
    """
    frame = read_file(path, sheet)
    no_rejects = pl.DataFrame(schema={ROW: pl.String, "reason": pl.String})
    if path.suffix.lower() != ".csv":
        return frame, no_rejects
    counts = _field_counts(path)
    if len(counts) < 2:
        return frame, no_rejects
    expected = counts[0]
    ragged = [(i, n) for i, n in enumerate(counts[1:]) if n not in (0, expected)]
    if len(counts) - 1 != frame.height:  # cannot line the records up with the frame's rows: whole-file error
        if ragged:
            i, n = ragged[0]
            raise SourceError(ERR_RAGGED_UNALIGNED.format(file=path, line=i + 2, expected=expected, found=n))
        records = sum(1 for n in counts[1:] if n)
        if frame.height < records:  # rows would be lost without a trace
            raise SourceError(ERR_RECORDS_MISMATCH.format(file=path, records=records, rows=frame.height))
    if not ragged:
        return frame, no_rejects
    bad = pl.DataFrame(
        {
            ROW: [f"line {i + 2}" for i, _ in ragged],
            "reason": [REASON_RAGGED.format(expected=expected, found=n) for _, n in ragged],
        },
        schema={ROW: pl.String, "reason": pl.String},
    )
    return frame, bad


def _csv_source(path: Path) -> Path | bytes:
    """What polars should parse: the file itself, or its bytes made UTF-8 with LF line ends.

    A UTF-16 file (it starts with a UTF-16 byte-order mark) is transcoded; a file with old
    Mac line ends (CR only) gets LF ones. Polars would otherwise read one header and no rows.
    """
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return path.read_bytes().decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(ERR_UNREADABLE.format(file=path, kind="UTF-16 CSV", detail=exc.reason)) from exc
    if b"\r" in head and b"\n" not in head:
        return path.read_bytes().replace(b"\r", b"\n")
    return path


def _first_non_utf8(path: Path) -> tuple[int, int] | None:
    """(line, byte) of the first byte that is not UTF-8, or None."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1, data[exc.start]
    return None


def _field_counts(path: Path) -> list[int]:
    """Fields per CSV record (header first), as the csv module splits them (quotes respected)."""
    source = _csv_source(path)
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)  # a huge field is data, not an error; restored below
    try:
        if isinstance(source, bytes):
            with io.TextIOWrapper(io.BytesIO(source), encoding="utf-8", errors="replace", newline="") as fh:
                return [len(record) for record in csv.reader(fh)]
        with open(source, newline="", encoding="utf-8", errors="replace") as fh:
            return [len(record) for record in csv.reader(fh)]
    except csv.Error as exc:
        raise SourceError(ERR_UNREADABLE.format(file=path, kind="CSV", detail=exc)) from exc
    finally:
        csv.field_size_limit(limit)


def clean_headers(frame: pl.DataFrame, path: Path | str = "") -> pl.DataFrame:
    """Strip spaces and byte-order marks around column names.

    A name that occurs twice keeps a ``DUPLICATED`` suffix on its later copies (as polars
    itself names them), so validation can refuse it when, and only when, the column is used.

    Example
    -------
    >>> clean_headers(pl.DataFrame({" a": [1], "a ": [2], "b": [3]})).columns
    ['a', 'a_duplicated_0', 'b']
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for original in frame.columns:
        name = original.replace("\ufeff", "").strip()
        base = name.split(DUPLICATED)[0] if DUPLICATED in name else name
        k = 0
        while name in taken:
            name = f"{base}{DUPLICATED}{k}"
            k += 1
        taken.add(name)
        names[original] = name
    return frame.rename(names)


def duplicated_headers(columns: list[str]) -> list[str]:
    """Names that occur more than once in a header (see ``clean_headers``).

    Example
    -------
    >>> duplicated_headers(["a", "a_duplicated_0", "b"])
    ['a']
    """
    return sorted({c.split(DUPLICATED)[0] for c in columns if DUPLICATED in c})


def with_row_labels(frame: pl.DataFrame, label: str, first: int) -> pl.DataFrame:
    """Prefix a ``_row`` column: ``f"{label} {first + i}"`` for the i-th row."""
    return frame.with_row_index(ROW, offset=first).with_columns(
        (pl.lit(label + " ") + pl.col(ROW).cast(pl.String)).alias(ROW)
    )
