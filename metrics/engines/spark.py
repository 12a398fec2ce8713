"""Apache Spark: the Ibis expressions compiled to Spark SQL and run by pyspark.

Local mode (``local[2]``) on this machine and in the tests; point ``master``
(``[source] spark_master``) at a cluster in production. Tables move to Spark and
results come back as Arrow (pyspark 4's ``createDataFrame(pyarrow.Table)`` and
``DataFrame.toArrow()``), never through pandas. pyspark is optional: install
``requirements-spark.txt`` and a Java runtime (Debian: ``default-jre-headless``).

Example
-------
>>> SparkEngine().name
'spark'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import ibis
import ibis.expr.types as ir
import polars as pl

from metrics.engines._base import IbisEngine, Runner, arrow_tables

ERR_NO_PYSPARK = (
    "engine = 'spark' needs pyspark and a Java runtime: pip install -r requirements-spark.txt "
    "(and apt-get install default-jre-headless)."
)
#: Settings for small local runs (few shuffle partitions, no web UI); a cluster's own settings win.
LOCAL_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.memory": "2g",
}


@dataclass(frozen=True)
class SparkEngine(IbisEngine):
    """Runs the event-level aggregations in Spark (the process's one SparkSession).

    Parameters
    ----------
    master : str
        Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn`` ...).
    conf : mapping, optional
        Extra Spark settings (over ``LOCAL_CONF``).
    """

    master: str = "local[2]"
    conf: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    name: str = "spark"

    def spark(self) -> Any:
        """The SparkSession (created on first use, then shared by the process)."""
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise ImportError(ERR_NO_PYSPARK) from exc
        builder = SparkSession.builder.master(self.master).appName("talent-readiness")
        for key, value in {**LOCAL_CONF, **dict(self.conf)}.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session

    @contextmanager
    def session(self, tables: Mapping[str, pl.DataFrame], needed: tuple[str, ...]) -> Iterator[Runner]:
        """The needed tables as Spark temporary views (moved as Arrow), dropped afterwards."""
        spark = self.spark()
        con = ibis.pyspark.connect(spark)
        try:
            for name, arrow in arrow_tables(tables, needed, self.name, compat=True):
                spark.createDataFrame(arrow).createOrReplaceTempView(name)

            def run(expr: ir.Table) -> pl.DataFrame:
                return pl.from_arrow(spark.sql(con.compile(expr)).toArrow())  # type: ignore[return-value]

            yield run
        finally:
            for name in needed:
                spark.catalog.dropTempView(name)
