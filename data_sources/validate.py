"""Turn one raw table into accepted rows and rejects, exactly as the contract's "Bad input" says.

Every row either loads or lands in the rejects with its table, original line
(or row), column, value and reason: missing required value, wrong type,
unknown foreign key, duplicate key, out-of-range value, date in the future.
``read = accepted + rejected`` always holds (a row with several defects is
one rejected row with several reject entries).

Example
-------
>>> import datetime as dt
>>> raw = pl.DataFrame({"_row": ["line 2", "line 3"], "competency_id": ["C1", "C1"],
...                     "name": ["SQL", "SQL again"]})
>>> res = validate_table(raw, "competencies", "competencies.csv", as_of=dt.date(2026, 1, 1))
>>> (res.read, res.accepted.height, res.rejected)
(2, 1, 1)
>>> res.rejects["reason"].to_list()
['duplicate key competency_id=C1 (first seen at line 2)']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from data_sources.config import TableSource
from data_sources.contract import CONTRACT, NOT_DISCLOSED, POLARS_TYPES, Column
from data_sources.errors import (
    ERR_DERIVE,
    ERR_DERIVE_COLUMNS,
    ERR_MISSING_COLUMN,
    REASON_ALLOWED,
    REASON_DUPLICATE,
    REASON_FK,
    REASON_FUTURE,
    REASON_MISSING,
    REASON_RANGE,
    REASON_TYPE,
    SourceError,
)
from data_sources.files import ROW

REJECT_SCHEMA: dict[str, pl.DataType] = {
    "table": pl.String(),
    "source": pl.String(),
    "row": pl.String(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}

NOTE_TRIMMED = "{source}: trimmed stray spaces in {n} value(s) of column '{column}' (e.g. {row})"
NOTE_IGNORED = "{source}: ignored column(s) not in the contract: {columns}"
NOTE_DISTINCT = "{source}: {table} derived as {n} distinct row(s) from {m} source row(s)"
NOTE_ABSENT_OPTIONAL = "{source}: optional column '{column}' not found; filled with its default"
NOTE_UNMAPPED_VALUE = "{source}: {n} value(s) of '{column}' had no entry in the value map and were kept as they are"

_BOOL_VALUES = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
}
_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true/false",
    "date": "a date ({formats})",
    "timestamp": "an ISO 8601 timestamp",
}
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)
TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f",
)
_RAW = "__raw__"


@dataclass(frozen=True)
class TableResult:
    """One table's outcome: accepted rows (contract dtypes), rejects, counts and notes."""

    table: str
    source: str
    accepted: pl.DataFrame
    rejects: pl.DataFrame
    read: int
    notes: tuple[str, ...] = ()

    @property
    def rejected(self) -> int:
        """Number of distinct rows rejected (a row may have several reject entries)."""
        return self.read - self.accepted.height


def validate_table(
    raw: pl.DataFrame,
    table: str,
    source: str,
    *,
    as_of: dt.date,
    mapping: TableSource | None = None,
    parents: Mapping[str, pl.Series] | None = None,
    equity_attributes: tuple[str, ...] = (),
) -> TableResult:
    """Map, parse and check ``raw`` (a frame from ``data_sources.files``) against table ``table``.

    Parameters
    ----------
    raw : pl.DataFrame
        The source's own columns plus ``_row`` (the row's original line or key).
    table : str
        Canonical table name.
    source : str
        What to call the source in messages (a file name, a SQL table).
    as_of : datetime.date
        Dates after it are rejected as "in the future".
    mapping : TableSource, optional
        Column mapping, value maps, date formats, derived columns.
    parents : mapping of "table.column" to pl.Series, optional
        Accepted keys of the tables this one references.
    equity_attributes : tuple of str
        Extra ``employees`` columns to keep as categories (null → "Not disclosed").

    Returns
    -------
    TableResult
    """
    spec = CONTRACT[table]
    mapping = mapping or TableSource(table=table)
    parents = dict(parents or {})
    notes: list[str] = []

    df = _map_columns(raw, spec.name, source, mapping, notes)
    keep_extra = [a for a in equity_attributes if a in df.columns] if spec.extra_columns else []
    ignored = [c for c in df.columns if c not in spec.column_names and c != ROW and c not in keep_extra]
    if ignored and not mapping.columns:
        notes.append(NOTE_IGNORED.format(source=source, columns=", ".join(ignored)))
    df = df.select([ROW] + [c for c in spec.column_names if c in df.columns] + keep_extra)

    missing = [c for c in spec.required_columns if c not in df.columns]
    if missing:
        raise SourceError(
            ERR_MISSING_COLUMN.format(
                file=source, column=missing[0], table=table, expected=", ".join(spec.required_columns)
            )
        )
    for col in spec.columns:
        if col.name not in df.columns and not col.quiet_when_absent:
            notes.append(NOTE_ABSENT_OPTIONAL.format(source=source, column=col.name))

    df = _trim_text(df, source, notes)
    if mapping.distinct:
        before = df.height
        df = df.unique(subset=[c for c in df.columns if c != ROW], keep="first", maintain_order=True)
        notes.append(NOTE_DISTINCT.format(source=source, table=table, n=df.height, m=before))
    df = _apply_value_maps(df, mapping, source, notes)
    present = [c for c in spec.columns if c.name in df.columns]
    df = df.with_columns(pl.col(c.name).alias(_RAW + c.name) for c in present)
    df = df.with_columns(_parse(df, c, mapping) for c in present)
    for name, rescale in mapping.rescale.items():
        (a, b), (c_, d) = rescale.source, rescale.target
        expr = pl.lit(c_) + (pl.col(name) - a) * (d - c_) / (b - a)
        if rescale.round_to_int:
            expr = expr.round(0)
        df = df.with_columns(expr.cast(df.schema[name]).alias(name))

    problems = [_column_problems(df, c, table, source, mapping, as_of) for c in present]
    reject_parts = [p for p in problems if p.height]
    bad_rows = _rows_of(reject_parts)
    ok = df.filter(~pl.col(ROW).is_in(bad_rows.implode())) if bad_rows.len() else df

    ok, dup_rejects = _duplicates(ok, spec.key, table, source)
    if dup_rejects.height:
        reject_parts.append(dup_rejects)
    ok, fk_rejects = _foreign_keys(ok, present, table, source, parents)
    reject_parts.extend(fk_rejects)

    accepted = _finish(ok, spec.columns, keep_extra)
    rejects = (
        pl.concat(reject_parts, how="vertical").sort(
            pl.col("row").str.extract(r"(\d+)").cast(pl.Int64), maintain_order=True
        )
        if reject_parts
        else pl.DataFrame(schema=REJECT_SCHEMA)
    )
    return TableResult(table, source, accepted, rejects, read=df.height, notes=tuple(notes))


def _map_columns(raw: pl.DataFrame, table: str, source: str, mapping: TableSource, notes: list[str]) -> pl.DataFrame:
    """Rename mapped source columns, add derived and constant columns (which replace same-named ones)."""
    derived = []
    for name, expr in mapping.derive.items():
        try:
            derived.append(pl.sql_expr(expr).alias(name))
        except Exception as exc:  # a bad expression is a configuration problem
            raise SourceError(ERR_DERIVE.format(file=source, column=name, expr=expr, detail=exc)) from exc
    derived += [pl.lit(value).alias(name) for name, value in mapping.constants.items()]
    for s in mapping.columns:
        target = mapping.columns[s]
        if s not in raw.columns and target in CONTRACT[table].required_columns and target not in mapping.derive:
            raise SourceError(
                ERR_MISSING_COLUMN.format(
                    file=source,
                    column=s,
                    table=table,
                    expected=", ".join(CONTRACT[table].required_columns) + f"; '{s}' is mapped to {target}",
                )
            )
    if not mapping.columns and not derived:
        return raw
    present = {s: t for s, t in mapping.columns.items() if s in raw.columns}
    replaced = set(present) | set(present.values()) | {*mapping.derive, *mapping.constants}
    keep = [pl.col(c) for c in raw.columns if c not in replaced]
    try:
        return raw.select(keep + [pl.col(s).alias(t) for s, t in present.items()] + derived)
    except Exception as exc:
        raise SourceError(ERR_DERIVE_COLUMNS.format(file=source, detail=str(exc).splitlines()[0])) from exc


def _trim_text(df: pl.DataFrame, source: str, notes: list[str]) -> pl.DataFrame:
    text_cols = [c for c, t in df.schema.items() if t == pl.String and c != ROW]
    if not text_cols:
        return df
    changed = df.select(
        (pl.col(c).is_not_null() & (pl.col(c) != pl.col(c).str.strip_chars())).alias(c) for c in text_cols
    )
    counts = changed.sum().row(0, named=True)
    for c in text_cols:
        if counts[c]:
            first = df.filter(changed[c])[ROW][0]
            notes.append(NOTE_TRIMMED.format(source=source, n=counts[c], column=c, row=first))
    stripped = pl.col(text_cols).str.strip_chars()
    return df.with_columns(pl.when(stripped == "").then(None).otherwise(stripped).name.keep())


def _apply_value_maps(df: pl.DataFrame, mapping: TableSource, source: str, notes: list[str]) -> pl.DataFrame:
    for column, values in mapping.values.items():
        if column not in df.columns:
            continue
        as_text = pl.col(column).cast(pl.String)
        unmapped = df.select((as_text.is_not_null() & ~as_text.is_in(list(values))).sum()).item()
        if unmapped:
            notes.append(NOTE_UNMAPPED_VALUE.format(source=source, n=unmapped, column=column))
        df = df.with_columns(as_text.replace({k: str(v) for k, v in values.items()}).alias(column))
    return df


def _parse(df: pl.DataFrame, col: Column, mapping: TableSource) -> pl.Expr:
    target = POLARS_TYPES[col.type]
    dtype = df.schema[col.name]
    c = pl.col(col.name)
    if dtype == target:
        return c
    if col.type == "date" and isinstance(dtype, pl.Datetime):
        return c.dt.date()
    if col.type == "timestamp" and isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return c.dt.replace_time_zone("UTC").dt.cast_time_unit("us")
        return c.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if col.type == "timestamp" and dtype == pl.Date:
        return c.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if col.type in ("int", "float") and dtype.is_numeric():
        if col.type == "int":
            f = c.cast(pl.Float64)
            return pl.when(f == f.floor()).then(f).cast(pl.Int64)
        return c.cast(pl.Float64)
    text = c.cast(pl.String)
    if col.type == "str":
        return text
    if col.type == "int":
        f = text.cast(pl.Float64, strict=False)
        return pl.when(f == f.floor()).then(f).cast(pl.Int64, strict=False)
    if col.type == "float":
        return text.cast(pl.Float64, strict=False)
    if col.type == "bool":
        return text.str.to_lowercase().replace_strict(_BOOL_VALUES, default=None, return_dtype=pl.Boolean)
    if col.type == "date":
        formats = mapping.date_formats.get(col.name, DEFAULT_DATE_FORMATS)
        return pl.coalesce([_to_date(text, f) for f in formats])
    if col.type == "timestamp":
        formats = mapping.date_formats.get(col.name, TIMESTAMP_FORMATS)
        return pl.coalesce([text.str.to_datetime(f, time_zone="UTC", time_unit="us", strict=False) for f in formats])
    raise AssertionError(col.type)


def _to_date(text: pl.Expr, fmt: str) -> pl.Expr:
    """Parse with ``fmt``; a four-digit-year format never matches a two-digit year ("07/05/11")."""
    parsed = text.str.to_date(fmt, strict=False)
    if "%Y" in fmt:
        return pl.when(parsed.dt.year() >= 1000).then(parsed)
    return parsed


def _type_words(col: Column, mapping: TableSource) -> str:
    if col.type == "date":
        formats = mapping.date_formats.get(col.name, DEFAULT_DATE_FORMATS)
        shown = " or ".join(
            f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%y", "YY") for f in formats
        )
        return _TYPE_WORDS["date"].format(formats=shown)
    return _TYPE_WORDS[col.type]


def _column_problems(
    df: pl.DataFrame, col: Column, table: str, source: str, mapping: TableSource, as_of: dt.date
) -> pl.DataFrame:
    """One reject entry per failed check of ``col``: type, required, range, allowed, future."""
    raw = pl.col(_RAW + col.name)
    val = pl.col(col.name)
    raw_text = raw.cast(pl.String)
    checks: list[tuple[pl.Expr, pl.Expr]] = []
    checks.append(
        (
            raw.is_not_null() & val.is_null(),
            _format(
                REASON_TYPE.replace("{value!r}", "'{}'").replace("{expected}", _type_words(col, mapping)), raw_text
            ),
        )
    )
    if col.required:
        checks.append((raw.is_null(), pl.lit(REASON_MISSING)))
    if col.min is not None or col.max is not None or col.min_exclusive is not None:
        cond = pl.lit(False)
        if col.min is not None:
            cond = cond | (val < col.min)
        if col.min_exclusive is not None:
            cond = cond | (val <= col.min_exclusive)
        if col.max is not None:
            cond = cond | (val > col.max)
        expected = _range_words(col)
        checks.append(
            (
                val.is_not_null() & cond,
                _format(REASON_RANGE.replace("{value}", "{}").replace("{expected}", expected), val),
            )
        )
    if col.allowed:
        checks.append(
            (
                val.is_not_null() & ~val.is_in(list(col.allowed)),
                _format(
                    REASON_ALLOWED.replace("{value!r}", "'{}'").replace("{expected}", ", ".join(col.allowed)),
                    val,
                ),
            )
        )
    if col.not_future:
        limit = (
            pl.lit(dt.datetime.combine(as_of, dt.time.max), dtype=pl.Datetime("us", "UTC"))
            if col.type == "timestamp"
            else pl.lit(as_of, dtype=pl.Date)
        )
        checks.append(
            (
                val.is_not_null() & (val > limit),
                _format(
                    REASON_FUTURE.replace("{value}", "{}").replace("{as_of}", as_of.isoformat()), val.cast(pl.String)
                ),
            )
        )
    parts = [
        df.filter(cond).select(
            pl.lit(table).alias("table"),
            pl.lit(source).alias("source"),
            pl.col(ROW).alias("row"),
            pl.lit(col.name).alias("column"),
            raw_text.alias("value"),
            reason.alias("reason"),
        )
        for cond, reason in checks
    ]
    return pl.concat(parts, how="vertical")


def _range_words(col: Column) -> str:
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    if col.min is not None and col.max is not None:
        return f"{num(col.min)} to {num(col.max)}"
    if col.min is not None:
        return f"at least {num(col.min)}"
    if col.min_exclusive is not None:
        return f"greater than {num(col.min_exclusive)}"
    return f"at most {num(col.max)}"


def _rows_of(parts: list[pl.DataFrame]) -> pl.Series:
    if not parts:
        return pl.Series("row", [], dtype=pl.String)
    return pl.concat([p.select("row") for p in parts]).get_column("row").unique()


def _duplicates(df: pl.DataFrame, key: tuple[str, ...], table: str, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    if not key or df.height == 0:
        return df, pl.DataFrame(schema=REJECT_SCHEMA)
    first_row = pl.col(ROW).first().over(list(key))
    marked = df.with_columns(pl.struct(key).is_first_distinct().alias("__first"), first_row.alias("__first_row"))
    key_text = pl.concat_str([pl.lit(f"{k}=") + pl.col(_RAW + k).cast(pl.String) for k in key], separator=", ")
    dups = marked.filter(~pl.col("__first")).select(
        pl.lit(table).alias("table"),
        pl.lit(source).alias("source"),
        pl.col(ROW).alias("row"),
        pl.lit(", ".join(key)).alias("column"),
        key_text.alias("value"),
        _format(
            REASON_DUPLICATE.replace("{key}", "{}").replace("{first}", "{}"), key_text, pl.col("__first_row")
        ).alias("reason"),
    )
    return marked.filter(pl.col("__first")).drop("__first", "__first_row"), dups


def _foreign_keys(
    df: pl.DataFrame, present: list[Column], table: str, source: str, parents: Mapping[str, pl.Series]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Reject rows whose references are unknown; self-references iterate to a fixed point."""
    rejects: list[pl.DataFrame] = []
    refs = [c for c in present if c.references]
    while True:
        found = []
        for col in refs:
            target_table, target_col = col.references.split(".")
            if target_table == table:
                keys = df.get_column(target_col)
            elif col.references in parents:
                keys = parents[col.references]
            else:
                continue
            bad = df.filter(pl.col(col.name).is_not_null() & ~pl.col(col.name).is_in(keys.implode()))
            if bad.height:
                found.append(
                    bad.select(
                        pl.lit(table).alias("table"),
                        pl.lit(source).alias("source"),
                        pl.col(ROW).alias("row"),
                        pl.lit(col.name).alias("column"),
                        pl.col(col.name).cast(pl.String).alias("value"),
                        _format(
                            REASON_FK.replace("{target}", target_col.replace("_", " "))
                            .replace("{value!r}", "'{}'")
                            .replace("{table}", target_table),
                            pl.col(col.name),
                        ).alias("reason"),
                    )
                )
        if not found:
            return df, rejects
        rejects.extend(found)
        bad_rows = pl.concat([f.select("row") for f in found]).get_column("row")
        df = df.filter(~pl.col(ROW).is_in(bad_rows.implode()))


def _format(template: str, *values: pl.Expr) -> pl.Expr:
    """``pl.format`` built on ``pl.concat_str``: each ``{}`` in ``template`` takes the next value.

    polars 1.x ``pl.format`` panics (a Rust ``PanicException``, not an ``Exception``) on some
    filtered multi-chunk string columns; ``concat_str`` does not. A null value gives a null result.

    Example
    -------
    >>> pl.select(_format("unknown {}: {}", pl.lit("role"), pl.lit(7))).item()
    'unknown role: 7'
    """
    pieces = template.split("{}")
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{template!r} has {len(pieces) - 1} placeholder(s) for {len(values)} value(s)")
    exprs: list[pl.Expr] = []
    for text, value in zip(pieces, [*values, None], strict=True):
        if text:
            exprs.append(pl.lit(text, dtype=pl.String))
        if value is not None:
            exprs.append(value.cast(pl.String))
    return pl.concat_str(exprs)


def _finish(df: pl.DataFrame, columns: tuple[Column, ...], extra: list[str]) -> pl.DataFrame:
    exprs = []
    for col in columns:
        dtype = POLARS_TYPES[col.type]
        if col.name in df.columns:
            e = pl.col(col.name).cast(dtype)
            if col.default is not None:
                e = e.fill_null(pl.lit(col.default, dtype=dtype))
        else:
            e = pl.lit(col.default, dtype=dtype)
        exprs.append(e.alias(col.name))
    exprs += [pl.col(a).cast(pl.String).fill_null(NOT_DISCLOSED).alias(a) for a in extra]
    return df.select(exprs)
