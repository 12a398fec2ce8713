"""Event engines: where proficiency, learning exposures and asset activity are computed.

The aggregations are written once as Ibis expressions (``_expr``) and compiled
to each engine's SQL; results come back through Arrow as small polars frames.

* ``polars`` — in process (the default; ``metrics.engine.PolarsEngine``);
* ``duckdb`` — DuckDB in process, out of core (``DuckDBEngine``);
* ``source`` — the source SQL database itself (``SourceEngine``; PostgreSQL, MariaDB tested);
* ``spark`` — Apache Spark through pyspark (``SparkEngine``; optional ``requirements-spark.txt``).

Example
-------
>>> make_engine("duckdb").name
'duckdb'
>>> make_engine("polars").name
'polars'
"""

from __future__ import annotations

from collections.abc import Mapping

from data_sources.config import ENGINE_NAMES
from metrics.engine import POLARS_ENGINE, EventEngine
from metrics.engines._base import IbisEngine
from metrics.engines.duckdb_engine import DuckDBEngine
from metrics.engines.source import SourceEngine

#: Every engine name a source configuration or ``cli.py compute --engine`` accepts.
ENGINES: tuple[str, ...] = ENGINE_NAMES

ERR_UNKNOWN_ENGINE = "Unknown engine {name!r}; expected one of: {known}."
ERR_SOURCE_WITHOUT_URL = "engine = 'source' needs a SQL source (a database URL); this source is {source}."


def make_engine(
    name: str,
    *,
    url: str | None = None,
    table_names: Mapping[str, str] | None = None,
    spark_master: str | None = None,
    source: str = "not a database",
) -> EventEngine:
    """The engine called ``name``.

    Parameters
    ----------
    name : str
        One of ``ENGINES``.
    url : str, optional
        The source database's URL (engine ``source``).
    table_names : mapping, optional
        Canonical table -> name in the database (engine ``source``).
    spark_master : str, optional
        Spark master URL (engine ``spark``; default ``local[2]``).
    source : str
        What to call the source in messages.

    Returns
    -------
    EventEngine
    """
    if name == "polars":
        return POLARS_ENGINE
    if name == "duckdb":
        return DuckDBEngine()
    if name == "source":
        if not url:
            raise ValueError(ERR_SOURCE_WITHOUT_URL.format(source=source))
        return SourceEngine(url, table_names=dict(table_names or {}))
    if name == "spark":
        from metrics.engines.spark import SparkEngine

        return SparkEngine(master=spark_master or "local[2]")
    raise ValueError(ERR_UNKNOWN_ENGINE.format(name=name, known=", ".join(ENGINES)))


def engine_for_source(source: object, name: str | None = None) -> EventEngine:
    """The engine for a source as a user typed it: ``name`` if given, else its ``[source] engine``.

    A refused choice (e.g. ``source`` for a folder of files) is one ``SourceError``.

    Example
    -------
    >>> engine_for_source(None).name, engine_for_source(None, "duckdb").name
    ('polars', 'duckdb')
    """
    from data_sources.errors import SourceError
    from data_sources.loader import resolve_config

    cfg = resolve_config(source)  # type: ignore[arg-type]
    try:
        return make_engine(
            name or cfg.engine,
            url=cfg.url,
            table_names={t: ts.sql_table for t, ts in cfg.tables.items() if ts.sql_table},
            spark_master=cfg.spark_master,
            source=cfg.origin,
        )
    except ValueError as exc:
        raise SourceError(str(exc)) from exc


__all__ = ["ENGINES", "DuckDBEngine", "IbisEngine", "SourceEngine", "engine_for_source", "make_engine"]
