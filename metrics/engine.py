"""Where the event-level aggregations run: the seam between the run module and an engine.

The employee-level work (readiness, bench, equity, the learning fit) is small and
always runs in polars. The event-level work grows with the events: proficiency
from evidence items, and the learning features (exposure counts per rating
window). An engine computes those and hands back small polars frames. The
default engine is polars in process; others (DuckDB, the source database, Spark)
implement the same two methods.

Example
-------
>>> POLARS_ENGINE.name
'polars'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from metrics.config import AssetPortfolioConfig, LearningImpactConfig, ProficiencyConfig
from metrics.learning import LearningFeatures, asset_activity, build_learning_features
from metrics.proficiency import proficiency


class EventEngine(Protocol):
    """Computes the event-level aggregates of the run; everything else stays in polars."""

    @property
    def name(self) -> str:
        """The engine's name, recorded in the manifest."""
        ...

    def proficiency(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: ProficiencyConfig
    ) -> pl.DataFrame:
        """Spec §1 proficiency (one row per employee × competency with evidence)."""
        ...

    def learning_features(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: LearningImpactConfig
    ) -> LearningFeatures:
        """Spec §6 observations with per-cluster exposures."""
        ...

    def asset_activity(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: AssetPortfolioConfig
    ) -> pl.DataFrame:
        """Spec §7 learners, completers, completion rate, mean score and last activity per asset."""
        ...


@dataclass(frozen=True)
class PolarsEngine:
    """The default engine: the polars implementations in metrics/, in process."""

    name: str = "polars"

    def proficiency(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: ProficiencyConfig
    ) -> pl.DataFrame:
        """``metrics.proficiency.proficiency`` on the evidence table."""
        return proficiency(tables["evidence"], as_of, config)

    def learning_features(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: LearningImpactConfig
    ) -> LearningFeatures:
        """``metrics.learning.build_learning_features`` on the canonical tables (lazy ones collected)."""
        eager = {name: frame.collect() if isinstance(frame, pl.LazyFrame) else frame for name, frame in tables.items()}
        return build_learning_features(eager, as_of, config)

    def asset_activity(
        self, tables: Mapping[str, pl.DataFrame], as_of: dt.date, config: AssetPortfolioConfig
    ) -> pl.DataFrame:
        """``metrics.learning.asset_activity`` on the canonical tables."""
        return asset_activity(tables, as_of, config)


POLARS_ENGINE = PolarsEngine()
