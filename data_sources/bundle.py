"""The loaded result: a small typed bundle of accepted tables plus the validation report.

Example
-------
>>> rep = TableReport("roles", "roles.csv", read=3, accepted=2, rejected=1)
>>> rep.reconciles
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import polars as pl

from data_sources.contract import VIEW_REQUIREMENTS
from data_sources.validate import REJECT_SCHEMA


@dataclass(frozen=True)
class TableReport:
    """Rows read, accepted and rejected for one table, and where it came from."""

    table: str
    source: str
    read: int
    accepted: int
    rejected: int

    @property
    def reconciles(self) -> bool:
        """``read == accepted + rejected``: nothing lost."""
        return self.read == self.accepted + self.rejected


@dataclass(frozen=True)
class LoadReport:
    """The per-table counts, every reject, and notes (trimmed values, derived tables...)."""

    tables: tuple[TableReport, ...]
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    notes: tuple[str, ...] = ()

    def summary(self) -> pl.DataFrame:
        """One row per table: ``table, source, read, accepted, rejected``.

        Example
        -------
        >>> LoadReport((TableReport("roles", "roles.csv", 3, 2, 1),)).summary().row(0)
        ('roles', 'roles.csv', 3, 2, 1)
        """
        return pl.DataFrame(
            [(t.table, t.source, t.read, t.accepted, t.rejected) for t in self.tables],
            schema={
                "table": pl.String,
                "source": pl.String,
                "read": pl.Int64,
                "accepted": pl.Int64,
                "rejected": pl.Int64,
            },
            orient="row",
        )

    def causes(self) -> pl.DataFrame:
        """Root rejects that other rejects follow from, with how many rows were rejected in their wake.

        One row per root: ``cause`` ("employees line 3", as in the rejects' ``cause`` column),
        its ``reason``, ``knock_on_rows`` (distinct rejected rows naming it as their cause) and the
        ``tables`` they are in; most consequential first. A screen can show these and fold the
        knock-on rejects under them.

        Example
        -------
        >>> rejects = pl.DataFrame(
        ...     [("employees", "e.csv", "line 3", "team", None, "missing required value", None),
        ...      ("evidence", "v.csv", "line 2", "employee_id", "E2", "employee 'E2' was rejected", "employees line 3"),
        ...      ("evidence", "v.csv", "line 4", "employee_id", "E2", "employee 'E2' was rejected", "employees line 3")],
        ...     schema=REJECT_SCHEMA, orient="row")
        >>> LoadReport((), rejects).causes().rows()
        [('employees line 3', 'missing required value', 2, 'evidence')]
        """
        r = self.rejects
        knock_on = (
            r.filter(pl.col("cause").is_not_null())
            .unique(["table", "row"], keep="first", maintain_order=True)
            .group_by("cause", maintain_order=True)
            .agg(
                pl.len().cast(pl.Int64).alias("knock_on_rows"),
                pl.col("table").unique(maintain_order=True).str.join(", ").alias("tables"),
            )
        )
        roots = (
            r.filter(pl.col("cause").is_null())
            .with_columns((pl.col("table") + pl.lit(" ") + pl.col("row")).alias("cause"))
            .group_by("cause", maintain_order=True)
            .agg(pl.col("reason").first())
        )
        return (
            roots.join(knock_on, on="cause", how="inner", maintain_order="left")
            .sort("knock_on_rows", descending=True, maintain_order=True)
            .select("cause", "reason", "knock_on_rows", "tables")
        )


@dataclass(frozen=True)
class DataBundle:
    """Accepted canonical tables (only those the source has), the report, and identity.

    ``version`` is a content hash of the inputs: the same inputs give the same
    version, so it is the cache key for everything computed from the bundle.
    ``source`` is safe to show (no password).
    """

    tables: Mapping[str, pl.DataFrame]
    report: LoadReport
    source: str
    version: str
    equity_attributes: tuple[str, ...] = ()
    loaded_as_of: dt.date | None = None
    input_hashes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The source configuration's ``[metrics]`` table (empty when it has none).
    metrics_overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: Where the metric parameters come from: the source configuration's path, or "" for none.
    config_origin: str = ""

    def get(self, name: str) -> pl.DataFrame | None:
        """The accepted table, or None when the source does not have it."""
        return self.tables.get(name)

    def has(self, *names: str) -> bool:
        """True when every named table is present."""
        return all(n in self.tables for n in names)

    def missing_for(self, view: str) -> tuple[str, ...]:
        """Tables a view needs that this source lacks (see ``VIEW_REQUIREMENTS``)."""
        return tuple(t for t in VIEW_REQUIREMENTS.get(view, ()) if t not in self.tables)
