"""The source database itself: the Ibis expressions compiled to its SQL dialect and run there.

Only the aggregated rows travel back (proficiency per employee × competency,
exposures per rating, activity per asset). Tested against real PostgreSQL and
MariaDB servers; any database whose dialect Ibis compiles to (Trino, Snowflake,
BigQuery, ...) and SQLAlchemy connects to is reached the same way.

The engine reads the source's tables in their canonical form (the contract's
column names and types, as ``cli.py load-db`` writes them). It does not
validate rows: before computing it checks that it sees exactly as many event
rows as the loader accepted, and refuses with one line otherwise (a source
with rejected event rows must be cleaned, or computed with another engine).

Example
-------
>>> SourceEngine("postgresql+psycopg://hr@db.example.com/talent").dialect
'postgres'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

import ibis
import ibis.expr.types as ir
import polars as pl
import sqlalchemy as sa

from data_sources.contract import CONTRACT
from data_sources.errors import SourceError
from data_sources.sql import make_engine, read_only, safe_source
from metrics.engines._base import IbisEngine, Runner
from metrics.engines._expr import Materialize, canonical_table, inline, row_count_expr

#: SQLAlchemy dialect name -> Ibis/sqlglot dialect name.
DIALECTS: dict[str, str] = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "duckdb": "duckdb",
    "trino": "trino",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
}
#: Statements that make dates of UTC timestamps UTC dates in a session.
_UTC_SESSION: dict[str, str] = {"postgres": "SET TIME ZONE 'UTC'", "mysql": "SET time_zone = '+00:00'"}

ERR_NO_DIALECT = (
    "The source engine does not run on {url} ({dialect}: its SQL lacks functions the aggregations need); "
    "use engine = 'duckdb'."
)
ERR_COLUMNS = (
    "The source engine needs {table} in its canonical form in {url}; missing column(s): {missing}. "
    "Write it with `cli.py load-db`, or use engine = 'duckdb'."
)
ERR_ROWS = (
    "The source engine sees {seen} rows in {table} at {url} but the loader accepted {accepted}; "
    "it does not validate rows, so fix the rejected rows in the source or use engine = 'duckdb'."
)
ERR_QUERY = "The source engine's query on {url} failed: {detail}"


@dataclass(frozen=True)
class SourceEngine(IbisEngine):
    """Runs the event-level aggregations inside the source database at ``url``.

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the source database.
    table_names : mapping, optional
        Canonical table name -> the table's name in the database (``[tables.X] sql_table``).
    check_rows : bool
        Refuse when the database's event row counts differ from the accepted ones (default True).
    """

    url: str
    table_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    check_rows: bool = True
    name: str = "source"

    @property
    def dialect(self) -> str:
        """The Ibis dialect the expressions compile to."""
        backend = sa.make_url(self.url).get_backend_name()
        if backend not in DIALECTS:
            raise SourceError(ERR_NO_DIALECT.format(url=safe_source(self.url), dialect=backend))
        return DIALECTS[backend]

    @contextmanager
    def session(self, tables: Mapping[str, pl.DataFrame], needed: tuple[str, ...]) -> Iterator[Runner]:
        """A connection to the source; the needed tables checked for columns and row counts."""
        dialect = self.dialect
        engine = make_engine(self.url)
        try:
            with read_only(engine) as conn:  # the source is only ever read, in a read-only transaction
                if dialect in _UTC_SESSION:
                    conn.exec_driver_sql(_UTC_SESSION[dialect])
                inspector = sa.inspect(conn)
                for table in needed:
                    self._check_columns(inspector, table)
                run = _SqlRunner(conn, dialect, self.url)
                if self.check_rows:
                    for table in needed:
                        if table in ("evidence", "learning_events") and table in tables:
                            seen = int(run(row_count_expr(self.relation(table))).item())
                            if seen != tables[table].height:
                                raise SourceError(
                                    ERR_ROWS.format(
                                        seen=seen,
                                        table=table,
                                        url=safe_source(self.url),
                                        accepted=tables[table].height,
                                    )
                                )
                yield run
        finally:
            engine.dispose()

    def materializer(self, run: Runner) -> Materialize:
        """Leave intermediates to the database's planner: the session is read-only, so no work
        table (not even a temporary one, which MariaDB refuses in a read-only transaction) is
        written. MariaDB's planner joins the exposure inputs by nested loops, which is slow on
        large sources: there, use engine = "duckdb"."""
        return inline

    def relation(self, table: str) -> ir.Table:
        """The canonical table as the database names it (``[tables.X] sql_table``)."""
        return canonical_table(table, name=self.table_names.get(table, table))

    def _check_columns(self, inspector: sa.Inspector, table: str) -> None:
        real = self.table_names.get(table, table)
        try:
            present = {c["name"] for c in inspector.get_columns(real)}
        except sa.exc.NoSuchTableError:
            present = set()
        wanted = [c.name for c in CONTRACT[table].columns]
        missing = [c for c in wanted if c not in present]
        if missing:
            raise SourceError(ERR_COLUMNS.format(table=real, url=safe_source(self.url), missing=", ".join(missing)))


class _SqlRunner:
    """Runs compiled expressions on one read-only connection."""

    def __init__(self, conn: sa.Connection, dialect: str, url: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.url = url

    def _execute(self, sql: str) -> sa.CursorResult:
        try:
            return self.conn.exec_driver_sql(sql)
        except Exception as exc:
            raise SourceError(ERR_QUERY.format(url=safe_source(self.url), detail=str(exc).splitlines()[0])) from exc

    def __call__(self, expr: ir.Table) -> pl.DataFrame:
        result = self._execute(str(ibis.to_sql(expr, dialect=self.dialect)))
        columns = list(result.keys())
        return pl.DataFrame(result.fetchall(), schema=columns, orient="row", infer_schema_length=None)
