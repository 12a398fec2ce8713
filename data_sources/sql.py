"""Read canonical tables from a SQL database, and write them into one (``cli.py load-db``).

Any SQLAlchemy URL works; SQLite is the embedded default store, PostgreSQL
(``postgresql+psycopg://``) and MariaDB/MySQL (``mysql+pymysql://``) are tested
against real servers. Passwords never appear in messages: every URL shown to a
user goes through ``safe_url``.

Example
-------
>>> safe_url("postgresql+psycopg://hr:s3cret@db.example.com/talent")
'postgresql+psycopg://hr:***@db.example.com/talent'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from data_sources.contract import CONTRACT
from data_sources.errors import ERR_DB_CONNECT, ERR_DB_QUERY, SourceError
from data_sources.files import ROW

INSERT_CHUNK_ROWS = 20_000


def safe_url(url: str | sa.URL) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show nothing that could be a secret
        return "<database URL>"


def is_url(text: str) -> bool:
    """True when ``text`` looks like a SQLAlchemy URL (``dialect[+driver]://...``).

    Example
    -------
    >>> is_url("sqlite:///talent.db"), is_url("sample_data/default")
    (True, False)
    """
    head, sep, _ = str(text).partition("://")
    return bool(sep) and head.replace("+", "").replace("_", "").isalnum()


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; a failure to connect is one ``SourceError`` without the password."""
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        return engine
    except Exception as exc:
        raise SourceError(ERR_DB_CONNECT.format(url=safe_url(url), detail=_one_line(exc, url))) from exc


def _one_line(exc: Exception, url: str | None = None) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    if url:
        password = sa.make_url(url).password
        if password:
            line = line.replace(str(password), "***")
    return line


def table_names(engine: sa.Engine) -> set[str]:
    """Names of the tables in the database's default schema."""
    return set(sa.inspect(engine).get_table_names())


def read_sql(engine: sa.Engine, table: str, *, sql_table: str | None = None, query: str | None = None) -> pl.DataFrame:
    """Read a table (or query) into a raw frame with ``_row`` labels.

    Rows are labelled ``row N`` in the query's order, plus the table's key when
    it has one (``row 7 (employee_id=E0007)``), so a reject can be found in the
    database. Tables are read in key order so labels are stable.
    """
    spec = CONTRACT[table]
    name = sql_table or table
    if query is None:
        quoted = engine.dialect.identifier_preparer.quote(name)
        order = ""
        if spec.key:
            order = " ORDER BY " + ", ".join(engine.dialect.identifier_preparer.quote(k) for k in spec.key)
        query = f"SELECT * FROM {quoted}{order}"
    try:
        with engine.connect() as conn:
            frame = pl.read_database(sa.text(query), connection=conn, infer_schema_length=None)
    except Exception as exc:
        raise SourceError(ERR_DB_QUERY.format(url=safe_url(engine.url), table=table, detail=_one_line(exc))) from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    labels = pl.lit("row ") + pl.int_range(1, pl.len() + 1).cast(pl.String)
    keys = [k for k in spec.key if k in frame.columns]
    if keys:
        key_text = pl.concat_str(
            [pl.lit(f"{k}=") + pl.col(k).cast(pl.String).fill_null("") for k in keys], separator=", "
        )
        labels = labels + pl.lit(" (") + key_text + pl.lit(")")
    return frame.select(labels.alias(ROW), pl.all())


def _sa_type(logical: str) -> sa.types.TypeEngine:
    return {
        "str": sa.String(255),
        "int": sa.BigInteger(),
        "float": sa.Double(),
        "bool": sa.Boolean(),
        "date": sa.Date(),
        # microsecond precision on MariaDB/MySQL (their default drops fractions)
        "timestamp": sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
    }[logical]


def write_tables(
    engine: sa.Engine, tables: Mapping[str, pl.DataFrame], extra_columns: Iterable[str] = ()
) -> dict[str, int]:
    """Create (replacing) each canonical table in the database and insert its rows.

    Returns rows written per table. Timestamps are written as UTC.

    Example
    -------
    >>> import datetime as dt
    >>> eng = sa.create_engine("sqlite://")
    >>> write_tables(eng, {"competencies": pl.DataFrame({"competency_id": ["C1"], "name": ["SQL"],
    ...                                                  "category": [None]})})
    {'competencies': 1}
    """
    extra = tuple(extra_columns)
    meta = sa.MetaData()
    written: dict[str, int] = {}
    with engine.begin() as conn:
        for name, frame in tables.items():
            spec = CONTRACT[name]
            cols = [
                sa.Column(c.name, _sa_type(c.type), nullable=not c.required)
                for c in spec.columns
                if c.name in frame.columns or not c.quiet_when_absent  # a CASE item's uri... only when present
            ]
            if spec.extra_columns:
                cols += [sa.Column(a, sa.String(255)) for a in extra if a in frame.columns]
            table = sa.Table(name, meta, *cols)
            table.drop(conn, checkfirst=True)
            table.create(conn)
            out = frame.select([c.name for c in table.columns])
            if "timestamp" in out.columns and engine.dialect.name in ("mysql", "mariadb", "sqlite"):
                out = out.with_columns(pl.col("timestamp").dt.replace_time_zone(None))
            for chunk in out.iter_slices(INSERT_CHUNK_ROWS):
                conn.execute(table.insert(), chunk.to_dicts())
            written[name] = frame.height
    return written
