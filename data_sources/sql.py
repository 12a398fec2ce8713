"""Read canonical tables from a SQL database, and write them into one (``cli.py load-db``).

Any SQLAlchemy URL works; SQLite is the embedded default store, PostgreSQL
(``postgresql+psycopg://``) and MariaDB/MySQL (``mysql+pymysql://``) are tested
against real servers.

Three guarantees hold on this path:

* Secrets never appear in messages: every source string shown to a user goes
  through ``safe_source`` (passwords in ``user:password@``, ``?password=``,
  ``?pwd=``, access tokens, ODBC ``PWD=`` are masked; a string that is neither a
  URL nor an existing file or folder is not repeated at all).
* A configured ``query`` is parsed (sqlglot) and refused unless it is one
  read-only ``SELECT`` (``check_query``), and every read runs in a read-only
  transaction (``read_only``), so configuration cannot change the database.
* ``write_tables`` replaces the tables in one step: staging tables are written
  first, then swapped in by renames, so a failure leaves the old tables whole.

Example
-------
>>> safe_source("postgresql+psycopg://hr:s3cret@db.example.com/talent?sslpassword=x")
'postgresql+psycopg://hr:***@db.example.com/talent?sslpassword=***'
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
import sqlglot
from sqlalchemy.dialects import mysql
from sqlglot import exp

from data_sources.contract import CONTRACT
from data_sources.errors import (
    ERR_DB_CONNECT,
    ERR_DB_QUERY,
    ERR_DB_READ_ONLY,
    ERR_DB_WRITE,
    ERR_QUERY_REFUSED,
    SourceError,
)
from data_sources.files import ROW

INSERT_CHUNK_ROWS = 20_000
#: What ``safe_source`` shows instead of a string it will not repeat.
SOURCE_NOT_SHOWN = "<source not shown>"
MASK = "***"

_SECRET_KEYS = (
    r"password|passwd|pwd|pass|passphrase|secret|client_secret|token|access_token|auth_token|id_token|"
    r"refresh_token|api_key|apikey|x-api-key|key|private_key|sslpassword|sig|signature|sas|credential|credentials"
)
#: ``scheme:[//]user:password@`` (also a mistyped ``scheme:/user:password@``).
_USERINFO = re.compile(r"(?P<head>[A-Za-z][\w+.-]*:/*[^/?#@\s:]*:)(?P<secret>[^\s/?#]+)(?P<at>@)")
#: ``key=value`` after ``?``, ``&``, ``;`` (ODBC) or their percent-encodings, or at the start.
_KEY_VALUE = re.compile(
    rf"(?P<head>(?:^|[?&;\s]|%3[bB]|%26)\s*(?:{_SECRET_KEYS})\s*(?:=|%3[dD]))(?P<secret>.*?)"
    r"(?=%3[bB]|%26|[&;#\s}]|$)",
    re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """``text`` with every credential form masked (userinfo passwords, secret query parameters, ODBC ``PWD=``).

    Example
    -------
    >>> mask_secrets("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BPWD%3Ds3%3B&x=1")
    'mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BPWD%3D***%3B&x=1'
    >>> mask_secrets("postgresql:/u:pw@host/db?access_token=abc")
    'postgresql:/u:***@host/db?access_token=***'
    """
    text = _USERINFO.sub(lambda m: m["head"] + MASK + m["at"], text)
    return _KEY_VALUE.sub(lambda m: m["head"] + (MASK if m["secret"] else ""), text)


def safe_source(source: str | Path | sa.URL | None) -> str:
    """How a source may be shown (CLI, manifest, sidebar, messages): never with a secret.

    A database URL is shown with every credential masked; an existing file or
    folder as its path; anything else (a mistyped URL, a path that does not exist)
    is not repeated at all, since it may hold a password.

    Example
    -------
    >>> safe_source("mysql+pymysql://hr@db/talent?password=s3cret&charset=utf8mb4")
    'mysql+pymysql://hr@db/talent?charset=utf8mb4&password=***'
    >>> safe_source("postgresql:/hr:s3cret@db/talent")
    '<source not shown>'
    """
    if source is None:
        return SOURCE_NOT_SHOWN
    if isinstance(source, sa.URL):
        return mask_secrets(source.render_as_string(hide_password=True))
    text = str(source).strip()
    if is_url(text):
        try:
            return mask_secrets(sa.make_url(text).render_as_string(hide_password=True))
        except Exception:  # e.g. a port that is not a number: mask the text itself
            return mask_secrets(text)
    try:
        exists = text != "" and Path(text).expanduser().exists()
    except (OSError, ValueError):
        exists = False
    return mask_secrets(text) if exists else SOURCE_NOT_SHOWN


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
    """An engine for ``url``; a failure to connect is one ``SourceError`` without any secret.

    Statement parameters are never put into error messages (``hide_parameters``),
    so a failed write cannot dump rows.
    """
    try:
        engine = sa.create_engine(url, hide_parameters=True)
        with engine.connect():
            pass
        return engine
    except Exception as exc:
        raise SourceError(ERR_DB_CONNECT.format(url=safe_source(url), detail=error_line(exc, url))) from exc


def error_line(exc: BaseException, url: str | sa.URL | None = None) -> str:
    """The first line of the driver's own message (never SQLAlchemy's SQL and parameters), secrets masked.

    Example
    -------
    >>> error_line(RuntimeError("login failed for s3cret\\nmore"), "postgresql://u:s3cret@h/db")
    'login failed for ***'
    """
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    if isinstance(exc, ValueError) and "invalid literal for int()" in line:
        line = "the port is not a number"
    secrets: list[str] = []
    if url is not None:
        try:
            parsed = sa.make_url(url)
            secrets.append(str(parsed.password or ""))
            secrets += [str(v) for k, v in parsed.query.items() if _KEY_VALUE.search(f"?{k}=x")]
        except Exception:  # an unparseable URL: mask_secrets below still applies
            pass
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        line = line.replace(secret, MASK)
    return mask_secrets(line)


def table_names(engine: sa.Engine) -> set[str]:
    """Names of the tables in the database's default schema."""
    return set(sa.inspect(engine).get_table_names())


_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
#: Statement kinds that change something; refused anywhere in a configured query.
_WRITES = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "AlterColumn",
        "TruncateTable",
        "Copy",
        "Command",
        "Into",
        "Lock",
        "Set",
        "Pragma",
        "Transaction",
        "Commit",
        "Rollback",
        "LoadData",
        "Use",
        "Grant",
        "Revoke",
        "Analyze",
        "Refresh",
        "Cache",
        "Uncache",
    )
    if hasattr(exp, name)
)
#: MySQL/MariaDB run the text of ``/*! ... */`` and ``/*M! ... */`` comments.
_EXECUTABLE_COMMENT = re.compile(r"/\*M?!")
#: Functions with side effects (administration, files, locks, sleeps, sequences).
_FUNCTION_PREFIXES = ("pg_", "lo_", "dblink")
_FUNCTIONS = frozenset(
    {
        "set_config",
        "nextval",
        "setval",
        "currval",
        "lastval",
        "txid_current",
        "query_to_xml",
        "load_file",
        "sleep",
        "benchmark",
        "get_lock",
        "release_lock",
        "release_all_locks",
        "is_free_lock",
        "is_used_lock",
        "master_pos_wait",
        "source_pos_wait",
        "sys_exec",
        "sys_eval",
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
    }
)


def check_query(query: str, table: str, dialect: str | None = None) -> str:
    """The query as it will run, or a refusal unless it is one read-only ``SELECT``.

    Accepted: one ``SELECT``, ``WITH … SELECT`` or ``UNION`` of selects.
    Refused: several statements, DML and DDL (also inside a ``WITH``),
    ``SELECT … INTO``, ``COPY``, locking clauses (``FOR UPDATE``/``FOR SHARE``),
    session and transaction commands, and functions with side effects
    (``pg_*`` and ``lo_*`` administration, ``dblink``, ``set_config``,
    sequences, ``sleep``, ``load_file``, ``load_extension``...). A query the
    parser cannot read is refused too.

    What runs is the parsed statement written back out by the parser, without
    comments, never the text as typed: so nothing the parser did not see (a
    MySQL ``/*! … */`` comment, a string the database would end elsewhere) can
    reach the database.

    Raises
    ------
    SourceError
        One line naming the table and why.

    Example
    -------
    >>> check_query("WITH p AS (SELECT * FROM people) SELECT id AS employee_id FROM p -- note", "employees")
    'WITH p AS (SELECT * FROM people) SELECT id AS employee_id FROM p'
    >>> check_query("COMMIT; DROP TABLE people", "employees")
    Traceback (most recent call last):
    ...
    data_sources.errors.SourceError: [tables.employees] query refused: it holds 2 statements; only one read-only \
SELECT (or WITH ... SELECT) may be configured
    """
    read = _DIALECTS.get(dialect or "")
    root, reason = _parse_select(query, read)
    if root is None:
        raise SourceError(ERR_QUERY_REFUSED.format(table=table, reason=reason))
    return root.sql(dialect=read, comments=False)


def _parse_select(query: str, dialect: str | None) -> tuple[exp.Expr | None, str]:
    """(the one read-only statement, "") or (None, why it is refused)."""
    if _EXECUTABLE_COMMENT.search(query):
        return None, "it holds a MySQL/MariaDB executable comment (/*! ... */), which the server would run"
    try:
        parsed = sqlglot.parse(query, read=dialect)
    except Exception:  # sqlglot's ParseError/TokenError: what cannot be read is not run
        return None, "it cannot be parsed as a SELECT"
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    if len(statements) != 1:
        return None, f"it holds {len(statements)} statements" if statements else "it is empty"
    statement = root = statements[0]
    while isinstance(root, exp.Subquery):
        root = root.this
    if not isinstance(root, exp.Select | exp.SetOperation):
        return None, f"it is a {root.key.upper()} statement, not a SELECT"
    for node in statement.walk():
        if isinstance(node, _WRITES):
            return None, f"it contains {node.key.upper()}"
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in _FUNCTIONS or name.startswith(_FUNCTION_PREFIXES):
                return None, f"it calls {name}(), which has side effects"
    return statement, ""


@contextlib.contextmanager
def read_only(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose transactions cannot write (a second guard behind ``check_query``).

    PostgreSQL: ``SET TRANSACTION READ ONLY`` (and the session's default, so a
    smuggled ``COMMIT`` does not open a writable transaction); MariaDB/MySQL:
    ``START TRANSACTION READ ONLY`` (and ``SET SESSION TRANSACTION READ ONLY``);
    SQLite: ``PRAGMA query_only``; any other database: the SQL standard's
    ``SET TRANSACTION READ ONLY``, and a database that refuses it is not read.
    At the end the transaction is rolled back and the connection is discarded
    (SQLite: ``query_only`` is switched off again), so no read-only mode leaks
    into the engine's pool.

    Example
    -------
    >>> eng = sa.create_engine("sqlite://")
    >>> with read_only(eng) as conn:
    ...     conn.execute(sa.text("SELECT 1")).scalar()
    1
    """
    name = engine.dialect.name
    statements = {
        "sqlite": ["PRAGMA query_only = ON"],
        "postgresql": ["SET TRANSACTION READ ONLY", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"],
        "mysql": ["SET SESSION TRANSACTION READ ONLY", "START TRANSACTION READ ONLY"],
        "mariadb": ["SET SESSION TRANSACTION READ ONLY", "START TRANSACTION READ ONLY"],
    }.get(name, ["SET TRANSACTION READ ONLY"])
    with engine.connect() as conn:
        try:
            for statement in statements:
                conn.exec_driver_sql(statement)
        except Exception as exc:
            conn.invalidate()
            raise SourceError(ERR_DB_READ_ONLY.format(url=safe_source(engine.url), detail=error_line(exc))) from exc
        try:
            yield conn
        finally:
            if name == "sqlite":
                conn.rollback()
                conn.exec_driver_sql("PRAGMA query_only = OFF")
            else:
                conn.invalidate()


def read_sql(engine: sa.Engine, table: str, *, sql_table: str | None = None, query: str | None = None) -> pl.DataFrame:
    """Read a table (or a configured query) into a raw frame with ``_row`` labels, read-only.

    A configured ``query`` must pass ``check_query``; every read runs inside
    ``read_only``. Rows are labelled ``row N`` in the query's order, plus the
    table's key when it has one (``row 7 (employee_id=E0007)``), so a reject can
    be found in the database. Tables are read in key order so labels are stable.
    """
    spec = CONTRACT[table]
    name = sql_table or table
    if query is None:
        quoted = engine.dialect.identifier_preparer.quote(name)
        order = ""
        if spec.key:
            order = " ORDER BY " + ", ".join(engine.dialect.identifier_preparer.quote(k) for k in spec.key)
        query = f"SELECT * FROM {quoted}{order}"
    else:
        query = check_query(query, table, engine.dialect.name)
    try:
        with read_only(engine) as conn:
            frame = pl.read_database(sa.text(query), connection=conn, infer_schema_length=None)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(
            ERR_DB_QUERY.format(url=safe_source(engine.url), table=table, detail=error_line(exc))
        ) from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    labels = pl.lit("row ") + pl.int_range(1, pl.len() + 1).cast(pl.String)
    keys = [k for k in spec.key if k in frame.columns]
    if keys:
        key_text = pl.concat_str(
            [pl.lit(f"{k}=") + pl.col(k).cast(pl.String).fill_null("") for k in keys], separator=", "
        )
        labels = labels + pl.lit(" (") + key_text + pl.lit(")")
    return frame.select(labels.alias(ROW), pl.all())


def _sa_type(logical: str) -> sa.types.TypeEngine[Any]:
    types: dict[str, sa.types.TypeEngine[Any]] = {
        "str": sa.String(255),
        "int": sa.BigInteger(),
        "float": sa.Double(),
        "bool": sa.Boolean(),
        "date": sa.Date(),
        # microsecond precision on MariaDB/MySQL (their default drops fractions)
        "timestamp": sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
    }
    return types[logical]


#: Suffixes of the staging and retired tables ``write_tables`` uses for its one-step swap.
STAGE_SUFFIX = "__tr_new"
OLD_SUFFIX = "__tr_old"


def write_tables(
    engine: sa.Engine, tables: Mapping[str, pl.DataFrame], extra_columns: Iterable[str] = ()
) -> dict[str, int]:
    """Replace the canonical tables in the database by ``tables``, all in one step.

    Every table is first written to a staging table (``<name>__tr_new``); only
    when all are written are they swapped in by renames in one step (MariaDB/MySQL:
    one ``RENAME TABLE``; PostgreSQL and SQLite: one transaction), and the old
    tables are dropped. Canonical tables the new source does not have are removed
    in the same step, so the database never mixes two loads. A failure (or
    Ctrl-C) before the swap leaves the previous tables exactly as they were and
    drops the staging tables. Returns rows written per table; timestamps are UTC.

    Raises
    ------
    SourceError
        A database error, as one line naming the table (never the rows).

    Example
    -------
    >>> eng = sa.create_engine("sqlite://")
    >>> write_tables(eng, {"competencies": pl.DataFrame({"competency_id": ["C1"], "name": ["SQL"],
    ...                                                  "category": [None]})})
    {'competencies': 1}
    >>> sorted(table_names(eng))
    ['competencies']
    """
    extra = tuple(extra_columns)
    meta = sa.MetaData()
    staged: list[str] = []
    written: dict[str, int] = {}
    current = "(preparing)"
    try:
        _drop(engine, [n + sfx for n in CONTRACT for sfx in (STAGE_SUFFIX, OLD_SUFFIX)])  # a killed run's leftovers
        for name, frame in tables.items():
            current = name
            spec = CONTRACT[name]
            cols = [
                sa.Column(c.name, _sa_type(c.type), nullable=not c.required)
                for c in spec.columns
                if c.name in frame.columns or not c.quiet_when_absent  # a CASE item's uri... only when present
            ]
            if spec.extra_columns:
                cols += [sa.Column(a, sa.String(255)) for a in extra if a in frame.columns]
            table = sa.Table(name + STAGE_SUFFIX, meta, *cols)
            with engine.begin() as conn:
                table.create(conn)
            staged.append(name)
            out = frame.select([c.name for c in table.columns])
            if "timestamp" in out.columns and engine.dialect.name in ("mysql", "mariadb", "sqlite"):
                out = out.with_columns(pl.col("timestamp").dt.replace_time_zone(None))
            with engine.begin() as conn:
                for chunk in out.iter_slices(INSERT_CHUNK_ROWS):
                    _insert(conn, table, chunk)
            written[name] = frame.height
        current = "(swapping the new tables in)"
        _swap(engine, staged, retire=[n for n in CONTRACT if n not in tables])
    except BaseException as exc:  # also Ctrl-C: never leave staging tables behind when we can help it
        with contextlib.suppress(Exception):
            _drop(engine, [n + STAGE_SUFFIX for n in staged])
        if isinstance(exc, sa.exc.SQLAlchemyError):
            detail = error_line(exc)
            raise SourceError(ERR_DB_WRITE.format(url=safe_source(engine.url), table=current, detail=detail)) from None
        raise
    return written


def _insert(conn: sa.Connection, table: sa.Table, chunk: pl.DataFrame) -> None:
    conn.execute(table.insert(), chunk.to_dicts())


def _drop(engine: sa.Engine, names: Iterable[str]) -> None:
    present = table_names(engine)
    with engine.begin() as conn:
        for name in names:
            if name in present:
                conn.exec_driver_sql(f"DROP TABLE {_quote(engine, name)}")


def _quote(engine: sa.Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _swap(engine: sa.Engine, staged: list[str], retire: list[str]) -> None:
    """Rename each staged table over its canonical name (and retire ``retire``) in one step."""
    present = table_names(engine)
    moves: list[tuple[str, str]] = []
    for name in staged:
        if name in present:
            moves.append((name, name + OLD_SUFFIX))
        moves.append((name + STAGE_SUFFIX, name))
    moves += [(name, name + OLD_SUFFIX) for name in retire if name in present]
    old = [target for _, target in moves if target.endswith(OLD_SUFFIX)]
    q = engine.dialect.identifier_preparer.quote
    if engine.dialect.name in ("mysql", "mariadb"):  # DDL commits at once there: one RENAME is the one step
        with engine.begin() as conn:
            if moves:
                conn.exec_driver_sql("RENAME TABLE " + ", ".join(f"{q(a)} TO {q(b)}" for a, b in moves))
        _drop(engine, old)
        return
    with _ddl_transaction(engine) as conn:
        for a, b in moves:
            conn.exec_driver_sql(f"ALTER TABLE {q(a)} RENAME TO {q(b)}")
        for name in old:
            conn.exec_driver_sql(f"DROP TABLE {q(name)}")


@contextlib.contextmanager
def _ddl_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction that also holds DDL. SQLite's Python driver does not open a transaction
    before DDL by itself, so there it is opened (and committed) explicitly."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        saved = raw.isolation_level  # type: ignore[union-attr]
        raw.isolation_level = None  # type: ignore[union-attr]
        try:
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        finally:
            raw.isolation_level = saved  # type: ignore[union-attr]
