"""Readiness (metrics.md §2) on tiny hand-computed frames."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from metrics.config import DEFAULT_CONFIG
from metrics.explain import explain_readiness, explain_readiness_row
from metrics.proficiency import proficiency
from metrics.readiness import (
    BY_ROLE_COLUMNS,
    GAP_COLUMNS,
    READINESS_COLUMNS,
    readiness,
    readiness_by_role,
    readiness_gaps,
)

T = dt.date(2025, 1, 1)
HIRED = dt.date(2020, 1, 1)

ROLES = pl.DataFrame(
    {
        "role_id": ["AN", "SA", "EMPTY"],
        "title": ["Analyst", "Senior Analyst", "Explorer"],
        "ladder": ["data"] * 3,
        "level": [1, 2, 1],
        "next_role_id": ["SA", None, None],
        "critical": [False, True, False],
    }
)
COMPETENCIES = pl.DataFrame(
    {
        "competency_id": ["sh", "fc", "sql", "viz"],
        "name": ["Stakeholder management", "Forecasting", "SQL", "Visualisation"],
        "category": [None] * 4,
    }
)
# SA: sh r3 w2 critical; fc r4 w1; sql r2 w1.   AN: sql r2 w1.   EMPTY: no requirements.
REQUIREMENTS = pl.DataFrame(
    {
        "role_id": ["SA", "SA", "SA", "AN"],
        "competency_id": ["sh", "fc", "sql", "sql"],
        "required_level": [3, 4, 2, 2],
        "weight": [2.0, 1.0, 1.0, 1.0],
        "critical": [True, False, False, False],
    }
)


def employees(*rows: tuple) -> pl.DataFrame:
    """rows: (employee_id, role_id) or (employee_id, role_id, hire_date, exit_date)."""
    full = [r if len(r) == 4 else (*r, HIRED, None) for r in rows]
    return pl.DataFrame(
        {
            "employee_id": [r[0] for r in full],
            "role_id": [r[1] for r in full],
            "team": ["Data"] * len(full),
            "manager_id": [None] * len(full),
            "hire_date": [r[2] for r in full],
            "exit_date": [r[3] for r in full],
            "location": [None] * len(full),
        },
        schema_overrides={"manager_id": pl.String, "location": pl.String, "exit_date": pl.Date},
    )


def prof(*rows: tuple) -> pl.DataFrame:
    """rows: (employee_id, competency_id, level)."""
    return pl.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "competency_id": [r[1] for r in rows],
            "level": [r[2] for r in rows],
        },
        schema={"employee_id": pl.String, "competency_id": pl.String, "level": pl.Int64},
    )


def single_role(required: list[int], weights: list[float], critical: list[bool]) -> tuple:
    """A one-role organisation (role X, competencies k0, k1, ...) and employee 'e' in it."""
    n = len(required)
    roles = pl.DataFrame(
        {"role_id": ["X"], "title": ["X"], "next_role_id": [None]}, schema_overrides={"next_role_id": pl.String}
    )
    req = pl.DataFrame(
        {
            "role_id": ["X"] * n,
            "competency_id": [f"k{i}" for i in range(n)],
            "required_level": required,
            "weight": weights,
            "critical": critical,
        }
    )
    return employees(("e", "X")), roles, req


def run_single(required, weights, critical, levels) -> dict:
    emp, roles, req = single_role(required, weights, critical)
    p = prof(*[("e", f"k{i}", lvl) for i, lvl in enumerate(levels) if lvl is not None])
    return readiness(emp, roles, req, p, T).row(0, named=True)


def test_weighted_readiness_and_gap_counts() -> None:
    # a is an Analyst; against SA: sh 2/3 (w2, critical), fc 2/4 = 0.5 (w1), sql 2/2 = 1 (w1)
    # readiness = (2×2/3 + 0.5 + 1) / 4 = (4/3 + 3/2) / 4 = 17/24 = 0.708333…
    # → ready_soon; gaps: sh and fc (2), critical gaps: sh (1)
    out = readiness(
        employees(("a", "AN")),
        ROLES,
        REQUIREMENTS,
        prof(("a", "sh", 2), ("a", "fc", 2), ("a", "sql", 2)),
        T,
    )
    assert out.rows() == [
        ("a", "AN", "current", 1.0, "ready_now", 0, 0),
        ("a", "SA", "next", pytest.approx(17 / 24, abs=1e-12), "ready_soon", 2, 1),
    ]


def test_output_columns_and_dtypes_are_exact() -> None:
    out = readiness(employees(("a", "AN")), ROLES, REQUIREMENTS, prof(("a", "sql", 1)), T)
    assert tuple(out.columns) == READINESS_COLUMNS
    assert out.dtypes == [pl.String, pl.String, pl.String, pl.Float64, pl.String, pl.Int64, pl.Int64]


def test_missing_proficiency_row_counts_as_level_zero() -> None:
    # no evidence at all: a = 0 for every requirement → readiness 0, developing, all gaps
    out = readiness(employees(("b", "SA")), ROLES, REQUIREMENTS, prof(), T)
    assert out.rows() == [("b", "SA", "current", 0.0, "developing", 3, 1)]


def test_attainment_is_capped_at_one() -> None:
    # level 5 against required 2 counts as 1, not 2.5: (1×1 + 1×0)/2 = 0.5
    row = run_single([2, 2], [1.0, 1.0], [False, False], [5, 0])
    assert row["readiness"] == 0.5


def test_boundary_090_is_ready_now_even_with_a_non_critical_gap() -> None:
    # weights 0.1, 0.2, 0.7; k0 missing (a 0), k1 and k2 met (a 1):
    # readiness = (0 + 0.2 + 0.7) / 1.0 = 0.9 exactly (0.8999999999999999 in floats)
    # → ready_now: ≥ 0.90 within tolerance and the only gap is not critical
    row = run_single([1, 1, 1], [0.1, 0.2, 0.7], [False, False, False], [0, 1, 1])
    assert row["readiness"] == pytest.approx(0.9, abs=1e-12)
    assert (row["band"], row["n_gaps"], row["n_critical_gaps"]) == ("ready_now", 1, 0)
    # without the tolerance the float rounding would drop it to ready_soon
    emp, roles, req = single_role([1, 1, 1], [0.1, 0.2, 0.7], [False, False, False])
    strict = dataclasses.replace(DEFAULT_CONFIG.readiness, tolerance=0.0)
    out = readiness(emp, roles, req, prof(("e", "k1", 1), ("e", "k2", 1)), T, strict)
    assert out["band"].to_list() == ["ready_soon"]


def test_boundary_070_is_ready_soon() -> None:
    # k0 level 2 of 5 → 0.4, k1 met → 1; equal weights: (0.4 + 1)/2 = 0.7 → ready_soon
    row = run_single([5, 1], [1.0, 1.0], [False, False], [2, 1])
    assert row["readiness"] == pytest.approx(0.7, abs=1e-12)
    assert row["band"] == "ready_soon"


def test_just_below_070_is_developing() -> None:
    # k0 level 1 of 5 → 0.2, k1 met: (0.2 + 1)/2 = 0.6 → developing
    row = run_single([5, 1], [1.0, 1.0], [False, False], [1, 1])
    assert row["readiness"] == pytest.approx(0.6, abs=1e-12)
    assert row["band"] == "developing"


def test_just_below_090_is_ready_soon() -> None:
    # k0 level 3 of 4 → 0.75, k1 met: (0.75 + 1)/2 = 0.875 → ready_soon
    row = run_single([4, 1], [1.0, 1.0], [False, False], [3, 1])
    assert (row["readiness"], row["band"]) == (0.875, "ready_soon")


def test_critical_gap_blocks_ready_now() -> None:
    # k0 critical, level 4 of 5 → 0.8; k1..k3 met; weights 1 each:
    # (0.8 + 3)/4 = 0.95 ≥ 0.90 but the critical requirement is unmet → ready_soon
    row = run_single([5, 1, 1, 1], [1.0] * 4, [True, False, False, False], [4, 1, 1, 1])
    assert row["readiness"] == pytest.approx(0.95, abs=1e-12)
    assert (row["band"], row["n_gaps"], row["n_critical_gaps"]) == ("ready_soon", 1, 1)


def test_band_boundaries_come_from_config() -> None:
    # readiness 0.875 (see above) is ready_now when ready_now_min is 0.85
    emp, roles, req = single_role([4, 1], [1.0, 1.0], [False, False])
    cfg = dataclasses.replace(DEFAULT_CONFIG.readiness, ready_now_min=0.85)
    out = readiness(emp, roles, req, prof(("e", "k0", 3), ("e", "k1", 1)), T, cfg)
    assert out["band"].to_list() == ["ready_now"]


def test_only_active_employees_get_rows() -> None:
    emp = employees(
        ("a", "AN"),
        ("left", "AN", HIRED, dt.date(2024, 12, 31)),
        ("left_at_t", "AN", HIRED, T),  # exit_date = T is no longer active
        ("future", "AN", dt.date(2025, 1, 2), None),
        ("hired_at_t", "SA", T, None),  # hire_date = T is active
    )
    out = readiness(emp, ROLES, REQUIREMENTS, prof(), T)
    assert out.select("employee_id", "target_role_id", "relation").rows() == [
        ("a", "AN", "current"),
        ("a", "SA", "next"),
        ("hired_at_t", "SA", "current"),
    ]


def test_role_without_requirements_has_null_readiness() -> None:
    out = readiness(employees(("x", "EMPTY")), ROLES, REQUIREMENTS, prof(("x", "sql", 5)), T)
    assert out.rows() == [("x", "EMPTY", "current", None, None, 0, 0)]


def test_null_weight_and_critical_take_contract_defaults() -> None:
    # weight null → 1, critical null → false: k0 1/2 = 0.5, k1 met → (0.5+1)/2 = 0.75, no critical gap
    emp, roles, req = single_role([2, 1], [1.0, 1.0], [False, False])
    req = req.with_columns(weight=pl.lit(None, pl.Float64), critical=pl.lit(None, pl.Boolean))
    out = readiness(emp, roles, req, prof(("e", "k0", 1), ("e", "k1", 1)), T)
    assert out.select("readiness", "n_critical_gaps").row(0) == (0.75, 0)


def test_end_to_end_from_evidence() -> None:
    # sql: two unverified performance tasks at level 2 at T → 0.5 + 0.5 = 1.0 → level 2
    ev = pl.DataFrame(
        {
            "evidence_id": ["e1", "e2"],
            "employee_id": ["a", "a"],
            "competency_id": ["sql", "sql"],
            "evidence_type": ["performance_task", "performance_task"],
            "level": [2, 2],
            "observed_on": [T, T],
            "verified": [False, False],
            "source": [None, None],
        },
        schema_overrides={"source": pl.String},
    )
    out = readiness(employees(("a", "AN")), ROLES, REQUIREMENTS, proficiency(ev, T), T)
    # current AN: sql 2/2 → 1.0 ready_now; next SA: (0 + 0 + 1×1)/4 = 0.25 developing
    assert out.select("target_role_id", "readiness", "band").rows() == [
        ("AN", 1.0, "ready_now"),
        ("SA", 0.25, "developing"),
    ]


def test_gap_detail() -> None:
    gaps = readiness_gaps(employees(("a", "AN")), ROLES, REQUIREMENTS, prof(("a", "sh", 2), ("a", "sql", 3)), T)
    assert tuple(gaps.columns) == GAP_COLUMNS
    # critical first, then largest gap: sh (3-2=1, critical), fc (4-0=4), sql (met, 0)
    assert gaps.filter(pl.col("relation") == "next").rows() == [
        ("a", "SA", "next", "sh", 3, 2, 2.0, True, 1),
        ("a", "SA", "next", "fc", 4, 0, 1.0, False, 4),
        ("a", "SA", "next", "sql", 2, 3, 1.0, False, 0),
    ]
    only = readiness_gaps(
        employees(("a", "AN"), ("b", "AN")),
        ROLES,
        REQUIREMENTS,
        prof(("a", "sh", 2), ("a", "sql", 3)),
        T,
        employee_ids=["a"],
        only_gaps=True,
    )
    assert only.select("competency_id", "gap").rows() == [("sh", 1), ("fc", 4)]


def test_readiness_by_role() -> None:
    # AN incumbents a (sql 2 → 1.0 ready_now) and b (sql 1 → 0.5 developing): mean 0.75, share 0.5
    # feeders of SA: a → (0 + 0 + 1)/4 = 0.25 developing; b → (0 + 0 + 0.5)/4 = 0.125 developing
    # SA incumbent c: sh 3, fc 4, sql 2 → 1.0 ready_now; EMPTY: nobody
    emp = employees(("a", "AN"), ("b", "AN"), ("c", "SA"))
    p = prof(("a", "sql", 2), ("b", "sql", 1), ("c", "sh", 3), ("c", "fc", 4), ("c", "sql", 2))
    rd = readiness(emp, ROLES, REQUIREMENTS, p, T)
    out = readiness_by_role(ROLES, rd)
    assert tuple(out.columns) == BY_ROLE_COLUMNS
    assert out.rows() == [
        ("AN", 2, 0.75, 0.5, 0, 0, 0),
        ("EMPTY", 0, None, None, 0, 0, 0),
        ("SA", 1, 1.0, 1.0, 0, 0, 2),
    ]


def test_explanation_names_gaps_levels_and_band() -> None:
    # the 17/24 = 0.708 case: ready_soon for Senior Analyst, short on sh (critical) and fc
    emp = employees(("a", "AN"))
    p = prof(("a", "sh", 2), ("a", "fc", 2), ("a", "sql", 2))
    rd = readiness(emp, ROLES, REQUIREMENTS, p, T)
    gaps = readiness_gaps(emp, ROLES, REQUIREMENTS, p, T)
    out = explain_readiness(rd, gaps, ROLES, COMPETENCIES)
    assert out.columns == [*READINESS_COLUMNS, "explanation"]
    assert out["explanation"].to_list() == [
        "Ready now for Analyst: 1.00 readiness; no gaps",
        "Ready in 1–2 years for Senior Analyst: 0.71 readiness; short on "
        "Stakeholder management (2 Apply of 3 Adapt, critical) and Forecasting (2 Apply of 4 Optimize)",
    ]
    assert explain_readiness_row(rd.row(1, named=True), gaps, ROLES, COMPETENCIES) == out["explanation"][1]


def test_explanation_lists_at_most_max_items() -> None:
    # four unmet requirements of equal weight; max_items 2 → two named, "and 2 more"
    emp, roles, req = single_role([1, 1, 1, 1], [1.0] * 4, [False] * 4)
    comps = pl.DataFrame({"competency_id": ["k0", "k1", "k2", "k3"], "name": ["A", "B", "C", "D"]})
    rd = readiness(emp, roles, req, prof(), T)
    gaps = readiness_gaps(emp, roles, req, prof(), T)
    text = explain_readiness(rd, gaps, roles, comps, max_items=2)["explanation"][0]
    assert text == (
        "Developing for X: 0.00 readiness; short on A (none of 1 Identify), B (none of 1 Identify) and 2 more"
    )


def test_explanation_for_role_without_requirements() -> None:
    rd = readiness(employees(("x", "EMPTY")), ROLES, REQUIREMENTS, prof(), T)
    gaps = readiness_gaps(employees(("x", "EMPTY")), ROLES, REQUIREMENTS, prof(), T)
    assert explain_readiness(rd, gaps, ROLES, COMPETENCIES)["explanation"].to_list() == [
        "No readiness for Explorer: the role has no requirements"
    ]
