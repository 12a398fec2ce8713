"""Asset portfolio: activity counts and every recommendation rule at its boundary."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.config import AssetPortfolioConfig
from metrics.learning._assets import PORTFOLIO_COLUMNS, asset_activity, asset_portfolio, recommend

UTC = dt.UTC
T = dt.date(2026, 6, 30)  # T - 180 days = 2026-01-01; T - 365 days = 2025-06-30

EFFECTS = pl.DataFrame(
    {
        "cluster": ["P", "N", "H", "I"],
        "n_exposed": [120, 80, 90, 12],
        "effect": [0.18, 0.01, -0.2, 0.5],
        "ci_low": [0.09, -0.05, -0.3, -0.4],
        "ci_high": [0.27, 0.07, -0.1, 1.4],
        "p_value": [0.001, 0.7, 0.001, 0.3],
        "q_value": [0.002, 0.7, 0.002, None],
        "label": ["predictive", "no_evidence", "harmful", "insufficient_data"],
    }
)


def _activity(rows: list[tuple[str, str, int, int, dt.date | None]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={
            "asset_id": pl.String,
            "cluster": pl.String,
            "learners": pl.Int64,
            "completers": pl.Int64,
            "last_activity": pl.Date,
        },
        orient="row",
    )
    return frame.select(
        "asset_id",
        "cluster",
        "learners",
        "completers",
        pl.when(pl.col("learners") > 0).then(pl.col("completers") / pl.col("learners")).alias("completion_rate"),
        pl.lit(None, dtype=pl.Float64).alias("mean_score"),
        "last_activity",
    )


def _recommend(rows) -> dict[str, tuple[str, str]]:
    out = recommend(_activity(rows), EFFECTS, T)
    assert out.columns == list(PORTFOLIO_COLUMNS)
    return {r[0]: (r[1], r[2]) for r in out.select("asset_id", "recommendation", "reason").rows()}


RECENT = dt.date(2026, 6, 1)


def test_staleness_boundary_exactly_180_days_retires() -> None:
    got = _recommend(
        [
            ("exact180", "N", 10, 9, dt.date(2026, 1, 1)),  # T - 2026-01-01 = 180 days
            ("179", "N", 10, 9, dt.date(2026, 1, 2)),  # 179 days: still active
            ("never", "N", 0, 0, None),
        ]
    )
    assert got["exact180"] == (
        "retire",
        "Retire: no activity since 2026-01-01 (180 days before 2026-06-30; the limit is 180 days)",
    )
    assert got["179"] == (
        "keep",
        "Keep: no evidence yet that its cluster predicts performance; 90% of learners complete it",
    )
    assert got["never"] == ("retire", "Retire: no recorded activity")


def test_a_predictive_cluster_asset_is_never_retired_for_inactivity_alone() -> None:
    got = _recommend(
        [
            ("done_cohort", "P", 10, 9, dt.date(2025, 3, 1)),  # 486 days idle, 10 learners in the window
            ("old", "P", 0, 0, dt.date(2024, 6, 30)),  # 730 days idle, no learners in the window
            ("never", "P", 0, 0, None),
            ("idle_harmful", "H", 10, 9, dt.date(2025, 3, 1)),
        ]
    )
    effect = "+0.18 per asset, 95% CI 0.09–0.27"
    assert got["done_cohort"] == (
        "celebrate",
        f"Celebrate: its cluster predicts performance ({effect}) and 90% of learners complete it; idle since "
        "2025-03-01 (486 days), not retired for that because its cluster predicts performance",
    )
    assert got["old"] == (
        "keep",
        f"Keep: its cluster predicts performance ({effect}); no learners in the last 365 days; idle since "
        "2024-06-30 (730 days), not retired for that because its cluster predicts performance",
    )
    assert got["never"] == (
        "keep",
        f"Keep: its cluster predicts performance ({effect}); no learners in the last 365 days; no recorded "
        "activity, not retired for that because its cluster predicts performance",
    )
    assert got["idle_harmful"][0] == "retire"
    assert got["idle_harmful"][1].startswith("Retire: no activity since 2025-03-01 (486 days before 2026-06-30")


def test_an_idle_predictive_asset_nobody_ever_completed_is_retired() -> None:
    activity = _activity(
        [("legacy", "P", 0, 0, dt.date(2025, 9, 1)), ("finished", "P", 0, 0, dt.date(2025, 9, 1))]
    ).with_columns(pl.Series("last_completion", [None, dt.date(2025, 8, 1)], dtype=pl.Date))
    out = recommend(activity, EFFECTS, T)
    assert out.select("recommendation", "reason").rows() == [
        (
            "retire",
            "Retire: no activity since 2025-09-01 (302 days before 2026-06-30; the limit is 180 days) and nobody "
            "has ever completed it, although its cluster predicts performance",
        ),
        (
            "keep",
            "Keep: its cluster predicts performance (+0.18 per asset, 95% CI 0.09–0.27); no learners in the last "
            "365 days; idle since 2025-09-01 (302 days), not retired for that because its cluster predicts "
            "performance",
        ),
    ]


def test_effects_are_read_in_the_unit_of_the_exposure_measure() -> None:
    from metrics.config import LearningImpactConfig

    out = recommend(
        _activity([("a", "P", 10, 9, RECENT)]), EFFECTS, T, impact_config=LearningImpactConfig(exposure="minutes")
    )
    assert out["reason"].item() == (
        "Celebrate: its cluster predicts performance (+0.18 per minute, 95% CI 0.09–0.27) and 90% of learners "
        "complete it"
    )


def test_harmful_cluster_retires_even_when_well_completed() -> None:
    got = _recommend([("h", "H", 10, 10, RECENT)])
    assert got["h"] == (
        "retire",
        "Retire: its cluster is linked to lower performance (-0.20 per asset, 95% CI -0.30–-0.10)",
    )


def test_no_evidence_completion_boundary_0_4() -> None:
    got = _recommend(
        [
            ("low", "N", 8, 3, RECENT),  # 3/8 = 0.375 < 0.4 -> retire
            ("at", "N", 5, 2, RECENT),  # 2/5 = 0.4 exactly -> not < 0.4 -> keep
        ]
    )
    assert got["low"] == (
        "retire",
        "Retire: no evidence that its cluster predicts performance and only 38% of learners complete it",
    )
    assert got["at"] == (
        "keep",
        "Keep: no evidence yet that its cluster predicts performance; 40% of learners complete it",
    )


def test_insufficient_data_is_reviewed_even_with_low_completion() -> None:
    got = _recommend([("i", "I", 10, 1, RECENT)])
    assert got["i"] == (
        "review",
        "Review: too few employees completed its cluster to judge it (12 exposed, 30 needed)",
    )


def test_predictive_boundaries_0_4_and_0_7() -> None:
    got = _recommend(
        [
            ("low", "P", 8, 3, RECENT),  # 0.375 -> improve
            ("at04", "P", 5, 2, RECENT),  # 0.4 -> keep
            ("mid", "P", 10, 6, RECENT),  # 0.6 -> keep
            ("at07", "P", 10, 7, RECENT),  # 0.7 exactly -> celebrate
        ]
    )
    effect = "+0.18 per asset, 95% CI 0.09–0.27"
    assert got["low"] == (
        "improve",
        f"Improve: its cluster predicts performance ({effect}) but only 38% of learners complete it",
    )
    assert got["at04"][0] == "keep"
    assert got["mid"] == (
        "keep",
        f"Keep: its cluster predicts performance ({effect}); 60% of learners complete it",
    )
    assert got["at07"] == (
        "celebrate",
        f"Celebrate: its cluster predicts performance ({effect}) and 70% of learners complete it",
    )


def test_without_learning_impact_only_staleness_applies() -> None:
    out = recommend(_activity([("a", "P", 10, 1, RECENT), ("b", "P", 1, 0, dt.date(2025, 1, 1))]), None, T)
    assert out.select("cluster_label", "recommendation").rows() == [(None, "keep"), (None, "retire")]


def _events(rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "employee_id": pl.String,
            "asset_id": pl.String,
            "verb": pl.String,
            "timestamp": pl.Datetime("us", "UTC"),
            "score": pl.Float64,
        },
        orient="row",
    ).with_columns(pl.lit(None, dtype=pl.Float64).alias("duration_s"))


def _ts(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_activity_counts_window_and_scores() -> None:
    assets = pl.DataFrame({"asset_id": ["x", "y", "z"], "title": ["X", "Y", "Z"], "cluster": ["P", "P", "N"]})
    events = _events(
        [
            # x: e1 launches and completes (score 0.6), then passes again (0.8)
            ("e1", "x", "launched", _ts(2026, 5, 1, 9), None),
            ("e1", "x", "completed", _ts(2026, 5, 1, 10), 0.6),
            ("e1", "x", "passed", _ts(2026, 5, 2, 10), 0.8),
            # e2 fails with a score that must not enter mean_score
            ("e2", "x", "failed", _ts(2026, 5, 3, 10), 0.1),
            # e3 only launched; e4's event is exactly 365 days before T: outside the window
            ("e3", "x", "launched", _ts(2026, 6, 30, 23, 59), None),
            ("e4", "x", "completed", _ts(2025, 6, 30, 12), 1.0),
            # y: only an old event, before the window
            ("e1", "y", "completed", _ts(2025, 3, 1, 9), 0.9),
            # after T: ignored everywhere
            ("e1", "z", "completed", _ts(2026, 7, 1, 9), 0.9),
        ]
    )
    act = asset_activity({"assets": assets, "learning_events": events}, T)
    assert act.rows() == [
        # learners e1, e2, e3 = 3; completers e1 = 1; mean score (0.6 + 0.8) / 2 = 0.7
        ("x", "P", 3, 1, 1 / 3, pytest.approx(0.7), dt.date(2026, 6, 30)),
        ("y", "P", 0, 0, None, None, dt.date(2025, 3, 1)),
        ("z", "N", 0, 0, None, None, None),
    ]
    portfolio = asset_portfolio({"assets": assets, "learning_events": events}, EFFECTS, as_of=T)
    assert portfolio.columns == list(PORTFOLIO_COLUMNS)
    # y is idle since 2025-03-01 but its cluster P is predictive: kept, not retired for inactivity alone
    assert portfolio["recommendation"].to_list() == ["improve", "keep", "retire"]


def test_thresholds_come_from_config() -> None:
    cfg = AssetPortfolioConfig(stale_days=30, low_completion=0.5, high_completion=0.9)
    out = recommend(
        _activity([("a", "P", 10, 7, dt.date(2026, 6, 1)), ("b", "P", 10, 4, RECENT)]),
        EFFECTS,
        T,
        cfg,
    )
    # a: 29 days idle (< 30) and 0.7 < 0.9 -> keep; b: 0.4 < 0.5 -> improve
    assert out["recommendation"].to_list() == ["keep", "improve"]
