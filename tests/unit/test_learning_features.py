"""Learning-impact features on tiny hand-made frames with exact expected values."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data_sources.contract import empty_table
from metrics.config import LearningImpactConfig
from metrics.learning._features import (
    OBSERVATION_COLUMNS,
    build_learning_features,
    observation_controls,
)

UTC = dt.UTC
P = dt.date(2025, 12, 31)  # P - 365 days = 2024-12-31


def _ts(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _events(rows: list[tuple[str, str, str, dt.datetime]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={
            "employee_id": pl.String,
            "asset_id": pl.String,
            "verb": pl.String,
            "timestamp": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )
    return frame.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("score"),
        pl.lit(None, dtype=pl.Float64).alias("duration_s"),
    )


def _tables(events, performance, movements=None, employees=None) -> dict[str, pl.DataFrame]:
    roles = pl.DataFrame(
        {
            "role_id": ["eng1", "eng2", "ops1"],
            "title": ["Engineer", "Senior engineer", "Operator"],
            "ladder": ["eng", "eng", "ops"],
            "level": [1, 2, 1],
        }
    )
    if employees is None:
        employees = pl.DataFrame(
            {
                "employee_id": ["e1", "e2"],
                "role_id": ["eng2", "ops1"],
                "team": ["Core", "Field"],
                "hire_date": [dt.date(2020, 1, 1), dt.date(2025, 1, 1)],
            }
        )
    assets = pl.DataFrame(
        {
            "asset_id": ["a1", "a2", "a3", "b1", "c1"],
            "title": ["A1", "A2", "A3", "B1", "C1"],
            "cluster": ["A", "A", "A", "B", "C"],
            "difficulty": [1, 2, 5, 4, None],
        },
        schema_overrides={"difficulty": pl.Int64},
    )
    return {
        "employees": employees,
        "roles": roles,
        "assets": assets,
        "learning_events": events,
        "performance": performance,
        "movements": movements if movements is not None else empty_table("movements"),
    }


def _perf(rows: list[tuple[str, dt.date, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"employee_id": pl.String, "period_end": pl.Date, "rating": pl.Float64},
        orient="row",
    )


def test_window_edges_repeats_and_verbs() -> None:
    events = _events(
        [
            # exactly 365 days before P (UTC date 2024-12-31, late in the day): excluded
            ("e1", "a1", "completed", _ts(2024, 12, 31, 23, 59)),
            # first day inside the window: counts
            ("e1", "a2", "completed", _ts(2025, 1, 1, 0, 0)),
            # on P itself, last minute of the day: counts
            ("e1", "b1", "passed", _ts(2025, 12, 31, 23, 59)),
            # the day after P: not in this window
            ("e1", "c1", "completed", _ts(2026, 1, 1, 0, 1)),
            # a2 again (completed twice and passed): still one distinct asset
            ("e1", "a2", "completed", _ts(2025, 3, 1, 9)),
            ("e1", "a2", "passed", _ts(2025, 4, 1, 9)),
            # failed / launched / attempted never count
            ("e1", "a3", "failed", _ts(2025, 6, 1, 9)),
            ("e1", "a3", "launched", _ts(2025, 6, 1, 8)),
            ("e1", "c1", "attempted", _ts(2025, 6, 2, 8)),
        ]
    )
    tables = _tables(events, _perf([("e1", P, 3.0)]))
    feats = build_learning_features(tables, as_of=dt.date(2026, 1, 1))
    # A: a2 only (a1 is on the excluded edge, a3 only failed) -> 1; B: b1 -> 1; C: 0
    assert feats.clusters == ("A", "B", "C")
    assert feats.exposures.rows() == [("e1", P, 1, 1, 0)]
    obs = feats.observations
    assert obs["n_completed"].to_list() == [2]
    # difficulty: mean of a2 (2) and b1 (4) = 3.0
    assert obs["difficulty"].to_list() == [3.0]
    # spacing needs two distinct assets of one cluster: none here
    assert obs["spacing_days"].to_list() == [None]


def test_spacing_is_median_gap_between_first_completions_per_cluster() -> None:
    events = _events(
        [
            ("e1", "a1", "completed", _ts(2025, 1, 10, 9)),
            ("e1", "a2", "completed", _ts(2025, 1, 20, 9)),  # gap 10 days
            ("e1", "a3", "completed", _ts(2025, 3, 1, 9)),  # gap 40 days
            ("e1", "a3", "completed", _ts(2025, 3, 5, 9)),  # repeat: ignored
        ]
    )
    feats = build_learning_features(_tables(events, _perf([("e1", P, 3.0)])))
    # cluster A gaps [10, 40] -> median 25; the only cluster with two assets -> 25
    assert feats.observations["spacing_days"].to_list() == [25.0]
    assert feats.exposures["A"].to_list() == [3]


def test_rolling_windows_per_observation() -> None:
    events = _events(
        [
            ("e1", "a1", "completed", _ts(2025, 2, 1, 9)),
            ("e1", "a2", "completed", _ts(2025, 9, 1, 9)),
        ]
    )
    perf = _perf([("e1", dt.date(2025, 6, 30), 3.0), ("e1", P, 4.0), ("e2", P, 2.0)])
    feats = build_learning_features(_tables(events, perf))
    # 2025-06-30: a1 -> A=1; 2025-12-31: a1 and a2 -> A=2; e2 learned nothing -> 0
    assert feats.exposures.select("employee_id", "period_end", "A").rows() == [
        ("e1", dt.date(2025, 6, 30), 1),
        ("e1", P, 2),
        ("e2", P, 0),
    ]
    assert feats.observations.columns == list(OBSERVATION_COLUMNS)


def test_previous_rating_missing_indicator_and_tenure() -> None:
    perf = _perf([("e1", dt.date(2024, 12, 31), 2.0), ("e1", P, 4.0), ("e2", P, 3.0)])
    feats = build_learning_features(_tables(_events([]), perf))
    obs = feats.observations
    # mean rating of all observations = (2 + 4 + 3) / 3 = 3.0 fills the missing ones
    assert obs.select("employee_id", "prev_rating", "prev_missing").rows() == [
        ("e1", 3.0, 1),
        ("e1", 2.0, 0),
        ("e2", 3.0, 1),
    ]
    # e1 hired 2020-01-01: 2024-12-31 is 1826 days later; 2025-12-31 is 2191 days
    # e2 hired 2025-01-01: 364 days
    assert obs["tenure_years"].to_list() == pytest.approx([1826 / 365.25, 2191 / 365.25, 364 / 365.25], abs=1e-12)
    assert obs["team"].to_list() == ["Core", "Core", "Field"]


def test_role_at_period_end_follows_movements() -> None:
    movements = pl.DataFrame(
        {
            "employee_id": ["e1"],
            "effective_date": [dt.date(2025, 7, 1)],
            "from_role_id": ["eng1"],
            "to_role_id": ["eng2"],
            "movement_type": ["promotion"],
        }
    )
    perf = _perf(
        [
            ("e1", dt.date(2025, 6, 30), 3.0),  # before the promotion: eng1, level 1
            ("e1", dt.date(2025, 7, 1), 3.0),  # on the effective date: eng2, level 2
            ("e1", P, 3.0),  # after: eng2
            ("e2", P, 3.0),  # no movement: current role ops1
        ]
    )
    obs = build_learning_features(_tables(_events([]), perf, movements)).observations
    assert obs.select("role_level", "ladder").rows() == [
        (1, "eng"),
        (2, "eng"),
        (2, "eng"),
        (1, "ops"),
    ]


def test_role_with_two_movements_and_lateral_change_of_ladder() -> None:
    movements = pl.DataFrame(
        {
            "employee_id": ["e2", "e2"],
            "effective_date": [dt.date(2025, 9, 1), dt.date(2025, 3, 1)],
            "from_role_id": ["eng2", "eng1"],
            "to_role_id": ["ops1", "eng2"],
            "movement_type": ["lateral", "promotion"],
        }
    )
    perf = _perf(
        [
            ("e2", dt.date(2025, 1, 31), 3.0),  # before both: first move's from_role eng1
            ("e2", dt.date(2025, 6, 30), 3.0),  # after the promotion: eng2
            ("e2", P, 3.0),  # after the lateral move: ops1
        ]
    )
    obs = build_learning_features(_tables(_events([]), perf, movements)).observations
    assert obs.select("role_level", "ladder").rows() == [(1, "eng"), (2, "eng"), (1, "ops")]


def test_ratings_after_as_of_are_not_observations() -> None:
    perf = _perf([("e1", dt.date(2025, 6, 30), 3.0), ("e1", P, 4.0)])
    controls = observation_controls(_tables(_events([]), perf), dt.date(2025, 12, 30)).collect()
    assert controls["period_end"].to_list() == [dt.date(2025, 6, 30)]


def test_window_length_comes_from_config() -> None:
    events = _events([("e1", "a1", "completed", _ts(2025, 12, 1, 9))])
    tables = _tables(events, _perf([("e1", P, 3.0)]))
    # 30-day window (2025-12-01, 2025-12-31]: 2025-12-01 is exactly 30 days before -> out
    short = build_learning_features(tables, config=LearningImpactConfig(exposure_window_days=30))
    assert short.exposures["A"].to_list() == [0]
    longer = build_learning_features(tables, config=LearningImpactConfig(exposure_window_days=31))
    assert longer.exposures["A"].to_list() == [1]


def test_missing_table_is_a_clear_error() -> None:
    tables = _tables(_events([]), _perf([]))
    del tables["performance"]
    with pytest.raises(ValueError, match="performance"):
        build_learning_features(tables)
