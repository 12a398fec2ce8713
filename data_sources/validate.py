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

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from data_sources.config import TableSource
from data_sources.contract import CONTRACT, NOT_DISCLOSED, POLARS_TYPES, Column
from data_sources.errors import (
    ERR_DERIVE,
    ERR_DERIVE_COLUMNS,
    ERR_DUPLICATE_HEADER,
    ERR_MISSING_COLUMN,
    ERR_NESTED_COLUMN,
    REASON_ALLOWED,
    REASON_BEFORE_HIRE,
    REASON_CYCLE,
    REASON_DUPLICATE,
    REASON_EXIT_BEFORE_HIRE,
    REASON_FK,
    REASON_FUTURE,
    REASON_KNOCK_ON,
    REASON_MISSING,
    REASON_NON_FINITE,
    REASON_RANGE,
    REASON_SAME_ROLE,
    REASON_TOO_LARGE,
    REASON_TYPE,
    SourceError,
)
from data_sources.files import ROW, duplicated_headers

REJECT_SCHEMA: dict[str, pl.DataType] = {
    "table": pl.String(),
    "source": pl.String(),
    "row": pl.String(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    # The root reject this one follows from ("employees line 7"), or null for a root reject.
    "cause": pl.String(),
}
#: Schema of ``TableResult.rejected_keys``: a rejected row's key, where it is, and its root cause.
REJECTED_KEYS_SCHEMA: dict[str, pl.DataType] = {"value": pl.String(), "at": pl.String(), "root": pl.String()}
#: Numbers beyond this magnitude are rejected where the contract gives no tighter range: sums and
#: squares of them overflow or swamp every other value.
MAX_MAGNITUDE = 1e12

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
#: The ``column`` of a reject that concerns the whole row (a ragged line, a line that is not JSON).
WHOLE_ROW = "(whole row)"
_SINGULAR = {"employees": "employee", "roles": "role", "competencies": "competency", "assets": "asset"}


@dataclass(frozen=True)
class TableResult:
    """One table's outcome: accepted rows (contract dtypes), rejects, counts and notes."""

    table: str
    source: str
    accepted: pl.DataFrame
    rejects: pl.DataFrame
    read: int
    notes: tuple[str, ...] = ()
    #: Keys of the rejected rows, per key column: ``{"employees.employee_id": frame(value, at, root)}``,
    #: so the tables that reference them can say "employee id 'E1' was rejected: see employees line 7".
    rejected_keys: Mapping[str, pl.DataFrame] = field(default_factory=dict)

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
    rejected_parents: Mapping[str, pl.DataFrame] | None = None,
    row_rejects: pl.DataFrame | None = None,
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
    rejected_parents : mapping of "table.column" to pl.DataFrame, optional
        Keys of rows rejected in the referenced tables (``TableResult.rejected_keys``): a row
        pointing at one is a knock-on reject whose ``cause`` names the root reject.
    row_rejects : pl.DataFrame, optional
        Rows of ``raw`` (``_row``, ``reason``) rejected whole before any check, such as
        ragged CSV lines; their key still lets knock-on rejects point at them.

    Returns
    -------
    TableResult
    """
    spec = CONTRACT[table]
    mapping = mapping or TableSource(table=table)
    parents = dict(parents or {})
    notes: list[str] = []

    used = set(spec.column_names) | set(mapping.columns) | set(equity_attributes)
    twice = [c for c in duplicated_headers(raw.columns) if c in used]
    if twice:
        raise SourceError(ERR_DUPLICATE_HEADER.format(file=source, column=twice[0]))
    df = _map_columns(raw, spec.name, source, mapping, notes)
    keep_extra = [a for a in equity_attributes if a in df.columns] if spec.extra_columns else []
    ignored = [c for c in df.columns if c not in spec.column_names and c != ROW and c not in keep_extra]
    if ignored and not mapping.columns:
        notes.append(NOTE_IGNORED.format(source=source, columns=", ".join(ignored)))
    df = df.select([ROW] + [c for c in spec.column_names if c in df.columns] + keep_extra)
    for name, dtype in df.schema.items():
        if dtype.is_nested() or dtype == pl.Object:
            raise SourceError(ERR_NESTED_COLUMN.format(file=source, column=name, dtype=dtype))

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
    present = [_declared(c, table, mapping) for c in spec.columns if c.name in df.columns]
    df = df.with_columns(pl.col(c.name).alias(_RAW + c.name) for c in present)
    df = df.with_columns(_parse(df, c, mapping) for c in present)
    for name, rescale in mapping.rescale.items():
        (a, b), (c_, d) = rescale.source, rescale.target
        expr = pl.lit(c_) + (pl.col(name) - a) * (d - c_) / (b - a)
        if rescale.round_to_int:
            expr = expr.round(0)
        df = df.with_columns(expr.cast(df.schema[name], strict=False).alias(name))

    reject_parts: list[pl.DataFrame] = []
    checked = df
    if row_rejects is not None and row_rejects.height:
        whole = df.join(row_rejects.select(ROW, pl.col("reason").alias("__why")), on=ROW, how="inner")
        reject_parts.append(
            _reject_rows(whole, table, source, WHOLE_ROW, pl.lit(None, dtype=pl.String), pl.col("__why"))
        )
        checked = df.filter(~pl.col(ROW).is_in(whole[ROW].implode()))
    problems = [_column_problems(checked, c, table, source, mapping, as_of) for c in present]
    reject_parts.extend(p for p in problems if p.height)
    reject_parts.extend(_row_rules(checked, table, source))
    bad_rows = _rows_of(reject_parts)
    ok = df.filter(~pl.col(ROW).is_in(bad_rows.implode())) if bad_rows.len() else df

    ok, dup_rejects = _duplicates(ok, spec.key, table, source)
    if dup_rejects.height:
        reject_parts.append(dup_rejects)
    if table == "roles":
        ok, cycle_rejects = _cycles(ok, table, source)
        reject_parts.extend(cycle_rejects)
    ok, fk_rejects = _foreign_keys(
        ok,
        present,
        table,
        source,
        parents,
        dict(rejected_parents or {}),
        _rejected_rows(df, ok, spec.key, table, reject_parts),
    )
    reject_parts.extend(fk_rejects)
    if table == "movements":
        ok, hire_rejects = _before_hire(ok, table, source, parents)
        reject_parts.extend(hire_rejects)

    accepted = _finish(ok, spec.columns, keep_extra)
    rejects = (
        pl.concat(reject_parts, how="vertical").sort(
            pl.col("row").str.extract(r"(\d+)").cast(pl.Int64), maintain_order=True
        )
        if reject_parts
        else pl.DataFrame(schema=REJECT_SCHEMA)
    )
    keys = _rejected_rows(df, ok, spec.key, table, [rejects])
    rejected_keys = (
        {f"{table}.{spec.key[0]}": keys.rename({spec.key[0]: "value"}).select(list(REJECTED_KEYS_SCHEMA))}
        if len(spec.key) == 1
        else {}
    )
    return TableResult(
        table, source, accepted, rejects, read=df.height, notes=tuple(notes), rejected_keys=rejected_keys
    )


def _declared(col: Column, table: str, mapping: TableSource) -> Column:
    """The column with the configuration's declared scale applied (performance ratings)."""
    if table == "performance" and col.name == "rating" and mapping.scale is not None:
        low, high = mapping.scale
        return dataclasses.replace(col, min=low, max=high)
    return col


def _reject_rows(
    frame: pl.DataFrame,
    table: str,
    source: str,
    column: str,
    value: pl.Expr,
    reason: pl.Expr,
    cause: pl.Expr | None = None,
) -> pl.DataFrame:
    """Reject entries (``REJECT_SCHEMA``) for every row of ``frame``."""
    return frame.select(
        pl.lit(table, dtype=pl.String).alias("table"),
        pl.lit(source, dtype=pl.String).alias("source"),
        pl.col(ROW).alias("row"),
        pl.lit(column, dtype=pl.String).alias("column"),
        value.cast(pl.String).alias("value"),
        reason.cast(pl.String).alias("reason"),
        (pl.lit(None, dtype=pl.String) if cause is None else cause.cast(pl.String)).alias("cause"),
    )


def _row_rules(df: pl.DataFrame, table: str, source: str) -> list[pl.DataFrame]:
    """Rules across columns of one row: an exit before the hire, a movement to the same role."""
    if table == "employees" and "exit_date" in df.columns:
        bad = df.filter(pl.col("exit_date") < pl.col("hire_date"))
        reason = _format(
            REASON_EXIT_BEFORE_HIRE.replace("{exit}", "{}").replace("{hire}", "{}"),
            pl.col("exit_date"),
            pl.col("hire_date"),
        )
        return [_reject_rows(bad, table, source, "exit_date", pl.col(_RAW + "exit_date"), reason)] if bad.height else []
    if table == "movements":
        bad = df.filter(pl.col("from_role_id") == pl.col("to_role_id"))
        reason = _format(REASON_SAME_ROLE.replace("{role!r}", "'{}'"), pl.col("to_role_id"))
        return [_reject_rows(bad, table, source, "to_role_id", pl.col("to_role_id"), reason)] if bad.height else []
    return []


def _cycles(df: pl.DataFrame, table: str, source: str) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Reject every role on a ``next_role_id`` cycle; the reason spells the cycle out."""
    if "next_role_id" not in df.columns or df.height == 0:
        return df, []
    nxt = {r: n for r, n in zip(df["role_id"].to_list(), df["next_role_id"].to_list(), strict=True) if r is not None}
    cycle_of: dict[str, str] = {}
    done: set[str] = set()
    for start in nxt:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in nxt and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = nxt[node]
        if node is not None and node in on_path:
            members = path[on_path[node] :]
            for i, m in enumerate(members):
                cycle_of[m] = " → ".join([*members[i:], *members[:i], m])
        done.update(path)
    if not cycle_of:
        return df, []
    bad = df.filter(pl.col("role_id").is_in(list(cycle_of))).with_columns(
        pl.col("role_id").replace_strict(cycle_of, return_dtype=pl.String).alias("__cycle")
    )
    reason = _format(REASON_CYCLE.replace("{cycle}", "{}"), pl.col("__cycle"))
    rejects = _reject_rows(bad, table, source, "next_role_id", pl.col("next_role_id"), reason)
    return df.filter(~pl.col("role_id").is_in(list(cycle_of))), [rejects]


def _before_hire(
    df: pl.DataFrame, table: str, source: str, parents: Mapping[str, pl.Series]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Reject movements dated before the employee's hire (the employee is known: foreign keys ran)."""
    if "employees.hire_date" not in parents or df.height == 0:
        return df, []
    hires = pl.DataFrame(
        {"employee_id": parents["employees.employee_id"], "__hire": parents["employees.hire_date"]}
    ).unique("employee_id", keep="first")
    marked = df.join(hires, on="employee_id", how="left", maintain_order="left")
    bad = marked.filter(pl.col("effective_date") < pl.col("__hire"))
    if not bad.height:
        return df, []
    reason = _format(
        REASON_BEFORE_HIRE.replace("{date}", "{}").replace("{hire}", "{}"), pl.col("effective_date"), pl.col("__hire")
    )
    rejects = _reject_rows(bad, table, source, "effective_date", pl.col(_RAW + "effective_date"), reason)
    return df.filter(~pl.col(ROW).is_in(bad[ROW].implode())), [rejects]


def _rejected_rows(
    df: pl.DataFrame, ok: pl.DataFrame, key: tuple[str, ...], table: str, parts: list[pl.DataFrame]
) -> pl.DataFrame:
    """The rejected rows' single key (as text), where they are and their root cause.

    Only keys that no accepted row carries: a duplicate's key is still known.
    """
    if len(key) != 1 or not parts:
        return pl.DataFrame(
            schema={key[0] if len(key) == 1 else "value": pl.String, "at": pl.String, "root": pl.String}
        )
    k = key[0]
    causes = (
        pl.concat([p.select("row", "cause") for p in parts if p.height], how="vertical")
        if any(p.height for p in parts)
        else pl.DataFrame(schema={"row": pl.String, "cause": pl.String})
    )
    causes = causes.group_by("row", maintain_order=True).agg(pl.col("cause").drop_nulls().first())
    value = pl.coalesce(pl.col(k).cast(pl.String), pl.col(_RAW + k).cast(pl.String))
    return (
        df.join(causes, left_on=ROW, right_on="row", how="inner", maintain_order="left")
        .filter(value.is_not_null() & ~value.is_in(ok.get_column(k).cast(pl.String).implode()))
        .select(
            value.alias(k),
            (pl.lit(table + " ") + pl.col(ROW)).alias("at"),
            pl.coalesce(pl.col("cause"), pl.lit(table + " ") + pl.col(ROW)).alias("root"),
        )
        .unique(k, keep="first", maintain_order=True)
    )


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
            return pl.when(f == f.floor()).then(f).cast(pl.Int64, strict=False)
        return c.cast(pl.Float64, strict=False)
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
        # An Excel date cell reads as "2025-01-02 00:00:00": midnight is the date itself.
        day = text.str.strip_suffix(" 00:00:00")
        return pl.coalesce([_to_date(day, f) for f in formats])
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
    finite = val.is_not_null()
    if col.type == "float":
        finite = val.is_not_null() & val.is_finite()
        checks.append(
            (
                val.is_not_null() & ~val.is_finite(),
                _format(REASON_NON_FINITE.replace("{value}", "{}"), raw_text),
            )
        )
    if col.type in ("int", "float") and col.max is None:
        too_large = val.cast(pl.Float64).abs() > MAX_MAGNITUDE
        checks.append(
            (
                finite & too_large,
                _format(REASON_TOO_LARGE.replace("{value}", "{}").replace("{limit}", f"{MAX_MAGNITUDE:g}"), raw_text),
            )
        )
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
                finite & cond,
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
    parts = [_reject_rows(df.filter(cond), table, source, col.name, raw_text, reason) for cond, reason in checks]
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
    return f"at most {num(col.max if col.max is not None else float('inf'))}"


def _rows_of(parts: list[pl.DataFrame]) -> pl.Series:
    if not parts:
        return pl.Series("row", [], dtype=pl.String)
    return pl.concat([p.select("row") for p in parts]).get_column("row").unique()


def _duplicates(df: pl.DataFrame, key: tuple[str, ...], table: str, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep each key's first row; reject the later ones, naming the first one's line.

    One hash pass marks the first rows; the first line is looked up only for the keys that
    repeat (a window over every row cost 12 s on 20M evidence rows, where the pass takes 2 s).
    """
    none = pl.DataFrame(schema=REJECT_SCHEMA)
    if not key or df.height == 0:
        return df, none
    first = df.select(pl.struct(key).is_first_distinct()).to_series()
    if first.all():
        return df, none
    marked = df.with_columns(first.alias("__first"))
    later = marked.filter(~pl.col("__first"))
    first_lines = (
        marked.filter(pl.col("__first"))
        .join(later.select(key), on=list(key), how="semi", nulls_equal=True)
        .select(*key, pl.col(ROW).alias("__first_row"))
    )
    later = later.join(first_lines, on=list(key), how="left", nulls_equal=True, maintain_order="left")
    key_text = pl.concat_str([pl.lit(f"{k}=") + pl.col(_RAW + k).cast(pl.String) for k in key], separator=", ")
    reason = _format(REASON_DUPLICATE.replace("{key}", "{}").replace("{first}", "{}"), key_text, pl.col("__first_row"))
    dups = _reject_rows(later, table, source, ", ".join(key), key_text, reason)
    return marked.filter(pl.col("__first")).drop("__first"), dups


def _foreign_keys(
    df: pl.DataFrame,
    present: list[Column],
    table: str,
    source: str,
    parents: Mapping[str, pl.Series],
    rejected_parents: Mapping[str, pl.DataFrame],
    rejected_here: pl.DataFrame,
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Reject rows whose references are unknown; self-references iterate to a fixed point.

    A reference to a row that was itself rejected (here or in the referenced table) is a
    knock-on reject: its reason points at that row and ``cause`` names the root reject.
    """
    rejects: list[pl.DataFrame] = []
    refs = [c for c in present if c.references]
    spec_key = CONTRACT[table].key
    own = rejected_here.rename({spec_key[0]: "value"}) if len(spec_key) == 1 else None
    while True:
        found = []
        for col in refs:
            target_table, target_col = str(col.references).split(".")
            if target_table == table:
                keys = df.get_column(target_col)
                known_rejects = own
            elif col.references in parents:
                keys = parents[str(col.references)]
                known_rejects = rejected_parents.get(str(col.references))
            else:
                continue
            bad = df.filter(pl.col(col.name).is_not_null() & ~pl.col(col.name).is_in(keys.implode()))
            if not bad.height:
                continue
            if known_rejects is None:
                known_rejects = pl.DataFrame(schema=REJECTED_KEYS_SCHEMA)
            bad = bad.join(
                known_rejects.select(
                    pl.col("value").cast(pl.String).alias("__ref"),
                    pl.col("at").alias("__at"),
                    pl.col("root").alias("__root"),
                ),
                left_on=pl.col(col.name).cast(pl.String),
                right_on="__ref",
                how="left",
                maintain_order="left",
            )
            word = target_col.replace("_", " ")
            unknown = _format(
                REASON_FK.replace("{target}", word).replace("{value!r}", "'{}'").replace("{table}", target_table),
                pl.col(col.name),
            )
            knock_on = _format(
                REASON_KNOCK_ON.replace("{target}", _SINGULAR.get(target_table, word))
                .replace("{value!r}", "'{}'")
                .replace("{where}", "{}"),
                pl.col(col.name),
                pl.col("__at"),
            )
            reason = pl.when(pl.col("__at").is_null()).then(unknown).otherwise(knock_on)
            found.append(_reject_rows(bad, table, source, col.name, pl.col(col.name), reason, pl.col("__root")))
        if not found:
            return df, rejects
        rejects.extend(found)
        new = pl.concat(found, how="vertical")
        if own is not None:
            k = spec_key[0]
            dropped = df.join(new.select("row", "cause").unique("row", keep="first"), left_on=ROW, right_on="row")
            own = pl.concat(
                [
                    own,
                    dropped.select(
                        pl.col(k).cast(pl.String).alias("value"),
                        (pl.lit(table + " ") + pl.col(ROW)).alias("at"),
                        pl.coalesce(pl.col("cause"), pl.lit(table + " ") + pl.col(ROW)).alias("root"),
                    ),
                ],
                how="vertical",
            )
        df = df.filter(~pl.col(ROW).is_in(new.get_column("row").implode()))


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
