"""Exposure measures of learning impact: completed, engaged, events, minutes; a clickstream-only source."""

from __future__ import annotations

import polars as pl
import pytest

from metrics.config import LearningImpactConfig, MetricsConfig, MetricsConfigError
from metrics.learning import EXPOSURE_DESCRIPTIONS, build_learning_features, exposure_description, learning_impact
from metrics.learning._features import _example_tables
from sample_data.learning_simulation import simulate_clickstream_tables


def _tables_with_count_and_duration() -> dict[str, pl.DataFrame]:
    """The docstring organisation; its five events (a1 completed 2024-12-31, a2 passed 2025-04-10,
    a2 completed 2025-07-01, b1 completed 2025-12-31, a1 failed 2025-10-01) get counts and durations."""
    tables = _example_tables()
    tables["learning_events"] = tables["learning_events"].with_columns(
        pl.Series("count", [2.0, 1.0, 3.0, 4.0, 5.0]),
        pl.Series("duration_s", [600.0, None, 120.0, 60.0, 30.0]),
    )
    return tables


@pytest.mark.parametrize(
    ("exposure", "expected"),
    [
        # P1 = 2025-06-30 sees a1 (completed), a2 (passed); P2 = 2025-12-31 sees a2, b1 and a1's failure
        ("completed_assets", [(2, 0), (1, 1)]),
        ("engaged_assets", [(2, 0), (2, 1)]),
        # counts: P1 A = 2 + 1; P2 A = (1 + 3) + 5, B = 4
        ("engagement_events", [(3.0, 0.0), (9.0, 4.0)]),
        # minutes: P1 A = 600 s + missing; P2 A = 120 s + 30 s, B = 60 s
        ("minutes", [(10.0, 0.0), (2.5, 1.0)]),
    ],
)
def test_each_exposure_measure_by_hand(exposure, expected) -> None:
    feats = build_learning_features(_tables_with_count_and_duration(), config=LearningImpactConfig(exposure=exposure))
    assert feats.exposures.select("A", "B").rows() == expected


def test_engagement_events_count_one_per_row_without_a_count_column() -> None:
    feats = build_learning_features(_example_tables(), config=LearningImpactConfig(exposure="engagement_events"))
    assert feats.exposures.select("A", "B").rows() == [(2.0, 0.0), (3.0, 1.0)]


def test_exposure_is_checked_and_named_in_plain_words() -> None:
    with pytest.raises(MetricsConfigError) as err:
        LearningImpactConfig(exposure="clicks")
    assert str(err.value) == (
        "Metrics configuration [learning_impact] exposure = 'clicks' is not allowed: it must be one of "
        "completed_assets, engaged_assets, engagement_events, minutes."
    )
    cfg = MetricsConfig.from_dict({"learning_impact": {"exposure": "engaged_assets"}})
    assert exposure_description(cfg.learning_impact) == (
        "distinct assets engaged with (any event) in the 365 days up to each rating"
    )
    assert set(EXPOSURE_DESCRIPTIONS) == {"completed_assets", "engaged_assets", "engagement_events", "minutes"}


@pytest.fixture(scope="module")
def clickstream():
    """200 employees x 5 ratings, launched/attempted events only; planted alpha +0.15, beta 0, gamma -0.12
    per asset engaged with."""
    return simulate_clickstream_tables(n_employees=200, seed=5)


def _fast(exposure: str) -> LearningImpactConfig:
    return LearningImpactConfig(exposure=exposure, learner_max_iter=20, n_folds=3)


def test_clickstream_has_no_exposure_under_the_default_measure(clickstream) -> None:
    assert set(clickstream.tables["learning_events"]["verb"]) == {"launched", "attempted"}
    res = learning_impact(clickstream.tables, config=_fast("completed_assets"))
    assert res.effects.select("n_exposed", "label").rows() == [(0, "insufficient_data")] * 3


@pytest.mark.parametrize("exposure", ["engaged_assets", "engagement_events"])
def test_clickstream_with_engagement_exposure_recovers_the_planted_signs(clickstream, exposure) -> None:
    res = learning_impact(clickstream.tables, config=_fast(exposure))
    effects = {r["cluster"]: r for r in res.effects.iter_rows(named=True)}
    assert [effects[c]["label"] for c in ("alpha", "beta", "gamma")] == ["predictive", "no_evidence", "harmful"]
    assert effects["alpha"]["effect"] > 0 > effects["gamma"]["effect"]
