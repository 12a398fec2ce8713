"""Demonstrated proficiency (metrics.md §1) on tiny hand-computed evidence."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from data_sources.contract import empty_table
from metrics.config import DEFAULT_CONFIG
from metrics.proficiency import (
    PROFICIENCY_COLUMNS,
    evidence_weights,
    proficiency,
    proficiency_lazy,
    restrict_to_active,
)

T = dt.date(2025, 1, 1)
ONE_HALF_LIFE_AGO = dt.date(2024, 1, 2)  # 2024-01-02 → 2025-01-01 = 365 days (2024 is a leap year)
TWO_HALF_LIVES_AGO = dt.date(2023, 1, 2)  # 730 days before T


def evidence(*rows: tuple) -> pl.DataFrame:
    """rows: (employee, competency, type, level, observed_on, verified)."""
    schema = empty_table("evidence").schema
    data = [
        {
            "evidence_id": f"e{i}",
            "employee_id": emp,
            "competency_id": comp,
            "evidence_type": etype,
            "level": level,
            "observed_on": on,
            "verified": verified,
            "source": None,
        }
        for i, (emp, comp, etype, level, on, verified) in enumerate(rows)
    ]
    return pl.DataFrame(data, schema=schema)


def one(frame: pl.DataFrame, emp: str = "a", comp: str = "c") -> dict:
    return frame.filter((pl.col("employee_id") == emp) & (pl.col("competency_id") == comp)).row(0, named=True)


@pytest.mark.parametrize(
    ("etype", "expected"),
    [
        ("performance_task", 1.0),
        ("rubric_review", 1.0),
        ("customer_outcome", 0.9),
        ("credential", 0.8),
        ("manager_endorsement", 0.7),
        ("peer_feedback", 0.5),
        ("self_assessment", 0.2),
    ],
)
def test_type_weight_of_a_verified_item_observed_at_t(etype: str, expected: float) -> None:
    # age 0, verified: w = type_weight × 1.0 × 0.5**0 = type_weight
    w = evidence_weights(evidence(("a", "c", etype, 3, T, True)), T)
    assert w["weight"].to_list() == [expected]
    assert w["age_days"].to_list() == [0]


def test_unverified_item_weighs_half() -> None:
    # credential, unverified, age 0: 0.8 × 0.5 = 0.4
    w = evidence_weights(evidence(("a", "c", "credential", 3, T, False)), T)
    assert w["weight"].to_list() == [pytest.approx(0.4, abs=1e-15)]


def test_null_verified_counts_as_unverified() -> None:
    ev = evidence(("a", "c", "performance_task", 3, T, None))
    assert evidence_weights(ev, T)["weight"].to_list() == [0.5]


def test_recency_decay_halves_per_half_life() -> None:
    # performance_task, verified: 1.0 × 0.5**(365/365) = 0.5; 1.0 × 0.5**(730/365) = 0.25
    ev = evidence(
        ("a", "c", "performance_task", 3, ONE_HALF_LIFE_AGO, True),
        ("a", "c", "performance_task", 3, TWO_HALF_LIVES_AGO, True),
    )
    w = evidence_weights(ev, T).sort("observed_on")
    assert w["age_days"].to_list() == [730, 365]
    assert w["weight"].to_list() == [0.25, 0.5]


def test_half_life_comes_from_config() -> None:
    # half_life 730 days: an item 730 days old weighs 1.0 × 0.5**1 = 0.5
    cfg = dataclasses.replace(DEFAULT_CONFIG.proficiency, half_life_days=730.0)
    ev = evidence(("a", "c", "performance_task", 3, TWO_HALF_LIVES_AGO, True))
    assert evidence_weights(ev, T, cfg)["weight"].to_list() == [0.5]


def test_threshold_exactly_one_qualifies() -> None:
    # two unverified performance tasks at level 3, age 0: 0.5 + 0.5 = 1.0 ≥ 1.0 → level 3
    ev = evidence(
        ("a", "c", "performance_task", 3, T, False),
        ("a", "c", "performance_task", 3, T, False),
    )
    row = one(proficiency(ev, T))
    assert (row["level"], row["evidence_weight"]) == (3, 1.0)


def test_threshold_met_up_to_float_rounding_qualifies() -> None:
    # verified self-assessment 0.2 + verified manager endorsement 0.7 + unverified
    # self-assessment 0.2 × 0.5 = 0.1 (all at T): mathematically 1.0, but summed in this
    # order in floats 0.9999999999999999 → qualifies only thanks to the 1e-9 tolerance
    ev = evidence(
        ("a", "c", "self_assessment", 2, T, True),
        ("a", "c", "manager_endorsement", 2, T, True),
        ("a", "c", "self_assessment", 2, T, False),
    )
    row = one(proficiency(ev, T))
    assert row["level"] == 2
    assert row["evidence_weight"] == pytest.approx(1.0, abs=1e-12)
    # without the tolerance the same items would not qualify
    strict = dataclasses.replace(DEFAULT_CONFIG.proficiency, tolerance=0.0)
    assert one(proficiency(ev, T, strict))["level"] == 0


def test_below_threshold_gives_level_zero_and_weight_zero() -> None:
    # manager_endorsement 0.7 + self_assessment 0.2 (both verified, age 0) = 0.9 < 1.0 → level 0
    ev = evidence(
        ("a", "c", "manager_endorsement", 4, T, True),
        ("a", "c", "self_assessment", 4, T, True),
    )
    row = one(proficiency(ev, T))
    assert (row["level"], row["evidence_weight"], row["n_evidence"]) == (0, 0.0, 2)


def test_highest_qualifying_level_wins() -> None:
    # level 2 credential verified 0.8; level 4 performance_task unverified 0.5;
    # level 5 peer_feedback unverified 0.25 (all age 0).
    # sums at ≥L: L5 0.25, L4 0.75, L3 0.75, L2 1.55, L1 1.55 → highest ≥ 1.0 is L2, weight 1.55
    ev = evidence(
        ("a", "c", "credential", 2, T, True),
        ("a", "c", "performance_task", 4, T, False),
        ("a", "c", "peer_feedback", 5, T, False),
    )
    row = one(proficiency(ev, T))
    assert row["level"] == 2
    assert row["evidence_weight"] == pytest.approx(1.55, abs=1e-12)


def test_higher_level_evidence_counts_towards_lower_levels() -> None:
    # level 5 unverified task 0.5 + level 3 unverified task 0.5: at ≥5 0.5, at ≥3 1.0 → level 3
    # plus level 4: two verified self-assessments 0.2 + 0.2: at ≥4 0.5+0.4 = 0.9 → still level 3,
    # weight at ≥3 = 0.5 + 0.5 + 0.4 = 1.4
    ev = evidence(
        ("a", "c", "performance_task", 5, T, False),
        ("a", "c", "performance_task", 3, T, False),
        ("a", "c", "self_assessment", 4, T, True),
        ("a", "c", "self_assessment", 4, T, True),
    )
    row = one(proficiency(ev, T))
    assert row["level"] == 3
    assert row["evidence_weight"] == pytest.approx(1.4, abs=1e-12)


def test_old_evidence_decays_below_threshold() -> None:
    # one verified performance task one half-life old: 0.5 < 1.0 → level 0;
    # the same task at T: 1.0 → level 4
    old = one(proficiency(evidence(("a", "c", "performance_task", 4, ONE_HALF_LIFE_AGO, True)), T))
    new = one(proficiency(evidence(("a", "c", "performance_task", 4, T, True)), T))
    assert (old["level"], new["level"]) == (0, 4)


def test_future_dated_evidence_is_ignored() -> None:
    # the 2025-06-01 item is after T: it neither adds weight, nor counts, nor sets the date
    ev = evidence(
        ("a", "c", "performance_task", 4, dt.date(2024, 12, 1), False),  # 31 days: 0.5×0.5**(31/365)
        ("a", "c", "performance_task", 4, dt.date(2025, 6, 1), True),
    )
    row = one(proficiency(ev, T))
    assert (row["level"], row["n_evidence"], row["last_observed_on"]) == (0, 1, dt.date(2024, 12, 1))


def test_pair_with_only_future_evidence_has_no_row() -> None:
    ev = evidence(("a", "c", "performance_task", 4, dt.date(2025, 1, 2), True))
    assert proficiency(ev, T).height == 0


def test_counts_dates_and_pairs() -> None:
    # a/c: 3 items (levels 1, 2, 2), latest 2024-12-31; a/d: 1 item; b/c: 1 item
    ev = evidence(
        ("a", "c", "performance_task", 1, dt.date(2024, 6, 1), True),
        ("a", "c", "rubric_review", 2, dt.date(2024, 12, 31), True),
        ("a", "c", "self_assessment", 2, dt.date(2024, 11, 1), False),
        ("a", "d", "credential", 5, T, True),
        ("b", "c", "rubric_review", 3, T, True),
    )
    out = proficiency(ev, T).sort("employee_id", "competency_id")
    assert out.select("employee_id", "competency_id", "n_evidence", "last_observed_on").rows() == [
        ("a", "c", 3, dt.date(2024, 12, 31)),
        ("a", "d", 1, T),
        ("b", "c", 1, T),
    ]
    # a/d: one verified credential at T weighs 0.8 → level 0; b/c: rubric review 1.0 → level 3
    assert out["level"].to_list()[1:] == [0, 3]


def test_output_columns_and_dtypes_are_exact() -> None:
    out = proficiency(evidence(("a", "c", "performance_task", 2, T, True)), T)
    assert tuple(out.columns) == PROFICIENCY_COLUMNS
    assert out.dtypes == [pl.String, pl.String, pl.Int64, pl.Float64, pl.Int64, pl.Date]


def test_empty_evidence_gives_empty_frame_with_schema() -> None:
    out = proficiency(empty_table("evidence"), T)
    assert out.height == 0
    assert out.dtypes == [pl.String, pl.String, pl.Int64, pl.Float64, pl.Int64, pl.Date]


def test_lazy_input_gives_same_result() -> None:
    ev = evidence(
        ("a", "c", "performance_task", 2, T, True),
        ("b", "c", "credential", 4, T, False),
    )
    expected = proficiency(ev, T).sort("employee_id")
    assert proficiency(ev.lazy(), T).sort("employee_id").equals(expected)
    assert proficiency_lazy(ev, T).collect().sort("employee_id").equals(expected)


def test_missing_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="evidence is missing column"):
        proficiency(pl.DataFrame({"employee_id": ["a"]}), T)


def test_restrict_to_active_drops_leavers_and_future_hires() -> None:
    emp = pl.DataFrame(
        {
            "employee_id": ["a", "left", "left_at_t", "future"],
            "hire_date": [dt.date(2020, 1, 1)] * 3 + [dt.date(2025, 2, 1)],
            "exit_date": [None, dt.date(2024, 6, 1), T, None],
        }
    )
    prof = pl.DataFrame({"employee_id": ["a", "left", "left_at_t", "future"], "level": [1, 2, 3, 4]})
    assert restrict_to_active(prof, emp, T)["employee_id"].to_list() == ["a"]
    assert isinstance(restrict_to_active(prof.lazy(), emp, T), pl.LazyFrame)
