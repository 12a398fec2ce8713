"""Capability risk (metrics.md §4) on tiny hand-computed frames."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from metrics.capability_risk import RISK_COLUMNS, capability_risk
from metrics.config import DEFAULT_CONFIG
from metrics.explain import explain_capability_risk, explain_capability_risk_row

T = dt.date(2025, 1, 1)
HIRED = dt.date(2020, 1, 1)


def employees(team: str, n: int, prefix: str | None = None) -> list[tuple]:
    p = prefix or team
    return [(f"{p}{i}", team, HIRED, None) for i in range(n)]


def emp_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "role_id": ["R"] * len(rows),
            "team": [r[1] for r in rows],
            "hire_date": [r[2] for r in rows],
            "exit_date": [r[3] for r in rows],
        },
        schema_overrides={"exit_date": pl.Date},
    )


def targets(*rows: tuple) -> pl.DataFrame:
    """rows: (team, competency_id, target_level, target_headcount, priority)."""
    return pl.DataFrame(
        {
            "team": [r[0] for r in rows],
            "competency_id": [r[1] for r in rows],
            "target_level": [r[2] for r in rows],
            "target_headcount": [r[3] for r in rows],
            "priority": [r[4] for r in rows],
        },
        schema_overrides={"priority": pl.Int64},
    )


def levels(employee_ids: list[str], competency: str, level: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "employee_id": employee_ids,
            "competency_id": [competency] * len(employee_ids),
            "level": [level] * len(employee_ids),
        },
        schema={"employee_id": pl.String, "competency_id": pl.String, "level": pl.Int64},
    )


def run(team_size: int, supply: int, headcount: int, priority: int) -> dict:
    """Team of ``team_size``; the first ``supply`` have level 3 in c, the rest level 2; target level 3."""
    emp = emp_frame(employees("T", team_size))
    ids = emp["employee_id"].to_list()
    prof = pl.concat([levels(ids[:supply], "c", 3), levels(ids[supply:], "c", 2)])
    return capability_risk(emp, targets(("T", "c", 3, headcount, priority)), prof, T).row(0, named=True)


def test_high_at_exactly_half() -> None:
    # priority 1 (1.0), headcount 4, supply 2: gap 2, risk 1.0 × 2/4 = 0.5 → high, not a SPOF
    row = run(5, 2, 4, 1)
    assert (row["supply"], row["coverage"], row["gap"], row["risk"]) == (2, 0.5, 2, 0.5)
    assert (row["single_point_of_failure"], row["band"]) == (False, "high")


def test_medium_at_exactly_point_two() -> None:
    # priority 2 (0.6), headcount 3, supply 2: gap 1, risk 0.6 × 1/3 = 0.2
    # (0.19999999999999998 in floats) → medium thanks to the tolerance
    row = run(4, 2, 3, 2)
    assert row["risk"] == pytest.approx(0.2, abs=1e-12)
    assert (row["gap"], row["single_point_of_failure"], row["band"]) == (1, False, "medium")


def test_medium_at_point_two_needs_the_tolerance() -> None:
    emp = emp_frame(employees("T", 2))
    prof = levels(["T0", "T1"], "c", 3)
    strict = dataclasses.replace(DEFAULT_CONFIG.capability_risk, tolerance=0.0)
    out = capability_risk(emp, targets(("T", "c", 3, 3, 2)), prof, T, strict)
    assert out["band"].to_list() == ["low"]


def test_low() -> None:
    # priority 3 (0.3), headcount 4, supply 2: gap 2, risk 0.3 × 2/4 = 0.15 → low
    row = run(4, 2, 4, 3)
    assert row["risk"] == pytest.approx(0.15, abs=1e-12)
    assert row["band"] == "low"


def test_single_point_of_failure_makes_medium_even_without_gap() -> None:
    # headcount 1, supply 1: gap 0, risk 0 but supply == 1 → medium
    row = run(3, 1, 1, 1)
    assert (row["gap"], row["risk"], row["single_point_of_failure"], row["band"]) == (0, 0.0, True, "medium")


def test_single_point_of_failure_with_high_risk_is_high() -> None:
    # priority 2, headcount 6, supply 1: gap 5, risk 0.6 × 5/6 = 0.5 → high (and SPOF)
    row = run(3, 1, 6, 2)
    assert row["risk"] == pytest.approx(0.5, abs=1e-12)
    assert (row["single_point_of_failure"], row["band"]) == (True, "high")


def test_oversupply_has_no_gap() -> None:
    # headcount 2, supply 3: coverage 1.5, gap max(0, -1) = 0, risk 0 → low
    row = run(3, 3, 2, 1)
    assert (row["coverage"], row["gap"], row["risk"], row["band"]) == (1.5, 0, 0.0, "low")


def test_supply_counts_only_active_team_members_at_target_level() -> None:
    emp = emp_frame(
        [
            ("ok4", "Data", HIRED, None),  # level 4 ≥ 3: counts
            ("ok3", "Data", HIRED, None),  # level 3 ≥ 3: counts
            ("low", "Data", HIRED, None),  # level 2 < 3
            ("left", "Data", HIRED, dt.date(2024, 12, 1)),  # left before T
            ("future", "Data", dt.date(2025, 2, 1), None),  # hired after T
            ("other", "Ops", HIRED, None),  # another team
        ]
    )
    prof = pl.DataFrame(
        {
            "employee_id": ["ok4", "ok3", "low", "left", "future", "other", "ok4"],
            "competency_id": ["c", "c", "c", "c", "c", "c", "d"],
            "level": [4, 3, 2, 5, 5, 5, 5],
        }
    )
    # supply 2 of 5, priority 1: gap 3, risk 3/5 = 0.6 → high
    out = capability_risk(emp, targets(("Data", "c", 3, 5, 1)), prof, T)
    assert out.rows() == [("Data", "c", 3, 5, 2, 0.4, 3, 0.6, False, "high")]


def test_target_without_any_supply_and_null_priority() -> None:
    # nobody has evidence; priority null → 2 (0.6): gap 2, risk 0.6 × 2/2 = 0.6 → high
    emp = emp_frame(employees("T", 2))
    out = capability_risk(emp, targets(("T", "c", 1, 2, None)), levels([], "c", 1), T)
    assert out.rows() == [("T", "c", 1, 2, 0, 0.0, 2, 0.6, False, "high")]


def test_columns_and_sorted_by_risk_descending() -> None:
    emp = emp_frame(employees("A", 2) + employees("B", 2))
    prof = pl.concat([levels(["A0", "A1"], "c", 5), levels(["B0"], "c", 5)])
    tgt = targets(("A", "c", 3, 2, 1), ("B", "c", 3, 2, 1), ("A", "d", 1, 1, 3))
    out = capability_risk(emp, tgt, prof, T)
    assert tuple(out.columns) == RISK_COLUMNS
    assert out.dtypes == [
        pl.String,
        pl.String,
        pl.Int64,
        pl.Int64,
        pl.Int64,
        pl.Float64,
        pl.Int64,
        pl.Float64,
        pl.Boolean,
        pl.String,
    ]
    # B/c: 1 of 2 → 0.5; A/d: 0 of 1 at priority 3 → 0.3; A/c: 2 of 2 → 0.0
    assert out.select("team", "competency_id", "risk", "band").rows() == [
        ("B", "c", 0.5, "high"),
        ("A", "d", 0.3, "medium"),
        ("A", "c", 0.0, "low"),
    ]


def test_unknown_priority_is_a_clear_error() -> None:
    emp = emp_frame(employees("T", 1))
    with pytest.raises(ValueError, match="priority"):
        capability_risk(emp, targets(("T", "c", 1, 1, 7)), levels([], "c", 1), T)


def test_explanation() -> None:
    # Data / Forecasting: 1 of 4 at level ≥ 4 (Optimize), priority 1: risk 0.75 → high, SPOF
    emp = emp_frame(employees("Data", 4))
    prof = pl.concat([levels(["Data0"], "fc", 4), levels(["Data1", "Data2"], "fc", 3)])
    risk = capability_risk(emp, targets(("Data", "fc", 4, 4, 1)), prof, T)
    comps = pl.DataFrame({"competency_id": ["fc"], "name": ["Forecasting"]})
    out = explain_capability_risk(risk, comps)
    assert out.columns == [*RISK_COLUMNS, "explanation"]
    expected = "Data / Forecasting is high risk: 1 of 4 needed people at Optimize or above; single point of failure"
    assert out["explanation"].to_list() == [expected]
    assert explain_capability_risk_row(risk.row(0, named=True), comps) == expected
