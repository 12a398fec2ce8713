"""DuckDB in process: the event-level aggregations out of core, on Arrow frames or on files where they lie.

The loaded tables are handed to DuckDB as Arrow (no copy); a table may instead
be read from a canonical Parquet or CSV file where it lies (``files``), so the
events never enter Python. DuckDB spills to disk past ``memory_limit``, so
memory is bounded by the aggregates, not by the events.

Example
-------
>>> import datetime as dt
>>> from metrics.config import ProficiencyConfig
>>> ev = pl.DataFrame({"evidence_id": ["e1"], "employee_id": ["a"], "competency_id": ["c"],
...     "evidence_type": ["performance_task"], "level": [3], "observed_on": [dt.date(2025, 1, 1)],
...     "verified": [True], "source": [None]})
>>> DuckDBEngine().proficiency({"evidence": ev}, dt.date(2025, 1, 1), ProficiencyConfig()).row(0)
('a', 'c', 3, 1.0, 1, datetime.date(2025, 1, 1))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import duckdb
import ibis
import ibis.expr.types as ir
import polars as pl

from metrics.engines._base import IbisEngine, Runner, arrow_tables

ERR_FILE_KIND = "The duckdb engine reads Parquet or CSV files, not '{file}'."


@dataclass(frozen=True)
class DuckDBEngine(IbisEngine):
    """The Ibis expressions compiled to DuckDB SQL and run in an in-process DuckDB.

    Parameters
    ----------
    files : mapping of table name to path, optional
        Canonical Parquet/CSV files to read where they lie instead of the loaded frame.
    memory_limit : str, optional
        DuckDB's ``memory_limit`` (e.g. ``"4GB"``); past it DuckDB spills to ``temp_directory``.
    threads : int, optional
        DuckDB's worker threads (default: all cores).
    temp_directory : str, optional
        Where DuckDB spills (default: DuckDB's own).
    """

    files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    memory_limit: str | None = None
    threads: int | None = None
    temp_directory: str | None = None
    name: str = "duckdb"

    @contextmanager
    def session(self, tables: Mapping[str, pl.DataFrame], needed: tuple[str, ...]) -> Iterator[Runner]:
        """A fresh in-memory DuckDB with the needed tables as views (Arrow frames or files)."""
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET TimeZone = 'UTC'")
            if self.memory_limit:
                con.execute(f"SET memory_limit = '{_quote(self.memory_limit)}'")
            if self.threads:
                con.execute(f"SET threads = {int(self.threads)}")
            if self.temp_directory:
                con.execute(f"SET temp_directory = '{_quote(self.temp_directory)}'")
            from_frames = tuple(n for n in needed if n not in self.files)
            for name, arrow in arrow_tables(tables, from_frames, self.name):
                con.register(name, arrow)
            for name in needed:
                if name in self.files:
                    con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {_reader(Path(self.files[name]))}')

            def run(expr: ir.Table) -> pl.DataFrame:
                sql = ibis.to_sql(expr, dialect="duckdb")
                return pl.from_arrow(con.sql(sql).to_arrow_table())  # type: ignore[return-value]

            yield run
        finally:
            con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _reader(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet" or path.is_dir():
        target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
        return f"read_parquet('{_quote(target)}')"
    if suffix == ".csv":
        return f"read_csv('{_quote(str(path))}', header = true)"
    raise ValueError(ERR_FILE_KIND.format(file=path))
