"""What every Ibis-based engine shares: the three event-level computations and the polars tail.

An engine only says how to open a session where the event tables are visible
under their canonical names and how to run one Ibis expression there into a
polars frame (through Arrow). Everything else — which expression, the dtypes
of the result, the small polars joins after it — is here, once.

Example
-------
>>> sorted(PROFICIENCY_SCHEMA)[:2]
['competency_id', 'employee_id']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager

import ibis.expr.types as ir
import polars as pl

from metrics.config import AssetPortfolioConfig, LearningImpactConfig, ProficiencyConfig
from metrics.engines._expr import (
    Materialize,
    asset_last_expr,
    asset_window_expr,
    canonical_table,
    cluster_column,
    exposure_expr,
    inline,
    proficiency_expr,
)
from metrics.learning import (
    LearningFeatures,
    activity_from_aggregates,
    assemble_features,
    build_learning_features,
    catalogue_clusters,
    observation_controls,
)
from metrics.proficiency import PROFICIENCY_COLUMNS

#: A function that runs one Ibis expression in the engine and returns its rows as polars.
Runner = Callable[[ir.Table], pl.DataFrame]

PROFICIENCY_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String(),
    "competency_id": pl.String(),
    "level": pl.Int64(),
    "evidence_weight": pl.Float64(),
    "n_evidence": pl.Int64(),
    "last_observed_on": pl.Date(),
}
WINDOW_SCHEMA: dict[str, pl.DataType] = {
    "asset_id": pl.String(),
    "learners": pl.Int64(),
    "completers": pl.Int64(),
    "mean_score": pl.Float64(),
}
LAST_SCHEMA: dict[str, pl.DataType] = {"asset_id": pl.String(), "last_activity": pl.Date()}

ERR_NEEDS_TABLE = "The {engine} engine needs the table '{table}', which is not loaded."


def conform(frame: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with exactly ``schema``'s columns, in order, cast to its dtypes.

    Engines return what their SQL types map to (decimals, 32-bit integers,
    datetimes for dates); this gives the polars path's dtypes.

    Example
    -------
    >>> conform(pl.DataFrame({"b": [1], "a": ["x"]}), {"a": pl.String(), "b": pl.Float64()}).row(0)
    ('x', 1.0)
    """
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


class IbisEngine:
    """Base of the engines that run the Ibis expressions of ``metrics.engines._expr``.

    Subclasses set ``name`` and implement :meth:`session`.
    """

    name: str = "ibis"

    def session(self, tables: Mapping[str, pl.DataFrame], needed: tuple[str, ...]) -> AbstractContextManager[Runner]:
        """A context in which ``needed`` tables are visible under their canonical names; yields a runner."""
        raise NotImplementedError

    def relation(self, table: str) -> ir.Table:
        """The unbound Ibis table the expressions read for canonical ``table`` (its name in the engine)."""
        return canonical_table(table)

    def materializer(self, run: Runner) -> Materialize:
        """How :func:`exposure_expr` stores intermediates in this engine (default: it does not)."""
        return inline

    def proficiency(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: ProficiencyConfig
    ) -> pl.DataFrame:
        """Spec §1 computed in the engine; same rows and values as ``metrics.proficiency.proficiency``."""
        with self.session(tables, ("evidence",)) as run:
            out = run(proficiency_expr(self.relation("evidence"), as_of, config))
        return conform(out, PROFICIENCY_SCHEMA).select(PROFICIENCY_COLUMNS)

    def learning_features(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: LearningImpactConfig
    ) -> LearningFeatures:
        """Spec §6 features: exposures aggregated in the engine, controls (one row per rating) in polars.

        The engine aggregates the default measure (distinct assets completed); another
        ``config.exposure`` (engagement, minutes) is built by the polars path."""
        if config.exposure != "completed_assets":
            return build_learning_features(dict(tables), as_of, config)
        for table in ("assets", "learning_events", "performance", "employees", "roles"):
            if table not in tables:
                raise ValueError(ERR_NEEDS_TABLE.format(engine=self.name, table=table))
        controls = observation_controls(tables, as_of)
        clusters = catalogue_clusters(tables)
        with self.session(tables, ("performance", "learning_events", "assets")) as run:
            expr = exposure_expr(
                self.relation("performance"),
                self.relation("learning_events"),
                self.relation("assets"),
                as_of,
                config.exposure_window_days,
                clusters,
                self.materializer(run),
            )
            out = run(expr)
        schema: dict[str, pl.DataType] = {"employee_id": pl.String(), "period_end": pl.Date()}
        schema |= {cluster_column(i): pl.Int64() for i in range(len(clusters))}
        schema |= {"spacing_days": pl.Float64(), "n_completed": pl.Int64(), "difficulty": pl.Float64()}
        aggregates = conform(out, schema).rename({cluster_column(i): f"\x00{c}" for i, c in enumerate(clusters)})
        return assemble_features(controls, aggregates.lazy(), clusters, as_of)

    def asset_activity(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: AssetPortfolioConfig
    ) -> pl.DataFrame:
        """Spec §7 activity per asset: the two aggregates in the engine, the catalogue join in polars."""
        if "assets" not in tables:
            raise ValueError(ERR_NEEDS_TABLE.format(engine=self.name, table="assets"))
        events = self.relation("learning_events")
        with self.session(tables, ("learning_events",)) as run:
            window = run(asset_window_expr(events, as_of, config.window_days))
            last = run(asset_last_expr(events, as_of))
        return activity_from_aggregates(tables["assets"], conform(window, WINDOW_SCHEMA), conform(last, LAST_SCHEMA))


def arrow_tables(
    tables: Mapping[str, pl.DataFrame], needed: tuple[str, ...], engine: str, *, compat: bool = False
) -> Iterator[tuple[str, object]]:
    """(name, Arrow table) for each needed table, with the contract's columns only.

    ``compat``: plain Arrow types (no string views) for engines that do not read the newest ones.

    Example
    -------
    >>> perf = pl.DataFrame({"employee_id": ["e"], "period_end": [dt.date(2026, 1, 1)], "rating": [3.0]})
    >>> [(n, t.num_rows) for n, t in arrow_tables({"performance": perf}, ("performance",), "duckdb")]
    [('performance', 1)]
    """
    from data_sources.contract import CONTRACT, POLARS_TYPES

    for name in needed:
        if name not in tables:
            raise ValueError(ERR_NEEDS_TABLE.format(engine=engine, table=name))
        frame = tables[name]
        # an optional column the frame lacks (e.g. learning_events.count) is its default, as the loader fills it
        absent = [c for c in CONTRACT[name].columns if c.name not in frame.columns and not c.required]
        frame = frame.with_columns(pl.lit(c.default, dtype=POLARS_TYPES[c.type]).alias(c.name) for c in absent)
        columns = [c.name for c in CONTRACT[name].columns if c.name in frame.columns]
        out = frame.select(columns)
        yield name, out.to_arrow(compat_level=pl.CompatLevel.oldest()) if compat else out.to_arrow()
