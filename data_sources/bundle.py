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
