"""Bench strength (metrics.md §3) on tiny hand-computed frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from metrics.bench import BENCH_COLUMNS, TEAM_BENCH_COLUMNS, bench_strength, common_gaps, critical_coverage, team_bench
from metrics.explain import explain_bench, explain_bench_row
from metrics.readiness import readiness

T = dt.date(2025, 1, 1)
HIRED = dt.date(2020, 1, 1)

# Ladder: A → B → C; D → E.  B, C, E are critical.  F is a role nobody holds or feeds.
ROLES = pl.DataFrame(
    {
        "role_id": ["A", "B", "C", "D", "E", "F"],
        "title": ["Analyst", "Lead", "Head of Data", "Engineer", "Architect", "Fellow"],
        "ladder": ["data", "data", "data", "eng", "eng", "eng"],
        "level": [1, 2, 3, 1, 2, 3],
        "next_role_id": ["B", "C", None, "E", None, None],
        "critical": [False, True, True, False, True, False],
    }
)


def employees(*rows: tuple) -> pl.DataFrame:
    """rows: (employee_id, role_id, team[, hire_date, exit_date])."""
    full = [r if len(r) == 5 else (*r, HIRED, None) for r in rows]
    return pl.DataFrame(
        {
            "employee_id": [r[0] for r in full],
            "role_id": [r[1] for r in full],
            "team": [r[2] for r in full],
            "hire_date": [r[3] for r in full],
            "exit_date": [r[4] for r in full],
        },
        schema_overrides={"exit_date": pl.Date},
    )


def next_bands(*rows: tuple) -> pl.DataFrame:
    """Readiness rows for the next role: (employee_id, target_role_id, band)."""
    return pl.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "target_role_id": [r[1] for r in rows],
            "relation": ["next"] * len(rows),
            "readiness": [None] * len(rows),
            "band": [r[2] for r in rows],
            "n_gaps": [0] * len(rows),
            "n_critical_gaps": [0] * len(rows),
        },
        schema={
            "employee_id": pl.String,
            "target_role_id": pl.String,
            "relation": pl.String,
            "readiness": pl.Float64,
            "band": pl.String,
            "n_gaps": pl.Int64,
            "n_critical_gaps": pl.Int64,
        },
    )


EMP = employees(
    ("a1", "A", "Data"),
    ("a2", "A", "Data"),
    ("a3", "A", "Ops"),
    ("a_left", "A", "Data", HIRED, dt.date(2024, 6, 30)),  # left: neither candidate nor incumbent
    ("b1", "B", "Data"),
    ("b2", "B", "Ops"),
    ("c1", "C", "Data"),
    ("d1", "D", "Ops"),
    ("d2", "D", "Ops", dt.date(2025, 3, 1), None),  # not yet hired at T
)
BANDS = next_bands(
    ("a1", "B", "ready_now"),
    ("a2", "B", "ready_soon"),
    ("a3", "B", "developing"),
    ("a_left", "B", "ready_now"),
    ("b1", "C", "ready_soon"),
    ("b2", "C", "developing"),
    ("d1", "E", "developing"),
    ("d2", "E", "ready_now"),
)


def test_bench_strength_per_role() -> None:
    out = bench_strength(EMP, ROLES, BANDS, T)
    assert tuple(out.columns) == BENCH_COLUMNS
    assert out.dtypes == [pl.String, pl.Boolean, pl.Int64, pl.Int64, pl.Int64, pl.Int64, pl.Float64, pl.String]
    assert out.rows() == [
        # A: 3 active incumbents, no feeder role → 0/3 = 0.0, no_successors
        ("A", False, 3, 0, 0, 0, 0.0, "no_successors"),
        # B: 2 incumbents; candidates a1 a2 a3 (a_left excluded); 1 ready now → 1/2 = 0.5, covered
        ("B", True, 2, 3, 1, 1, 0.5, "covered"),
        # C: 1 incumbent; candidates b1 (soon), b2 → 0/1 = 0.0, ready_in_future
        ("C", True, 1, 2, 0, 1, 0.0, "ready_in_future"),
        # D: 1 active incumbent (d2 hired after T)
        ("D", False, 1, 0, 0, 0, 0.0, "no_successors"),
        # E: no incumbents → bench strength null; candidate d1 developing → no_successors
        ("E", True, 0, 1, 0, 0, None, "no_successors"),
        # F: nobody
        ("F", False, 0, 0, 0, 0, None, "no_successors"),
    ]


def test_current_role_bands_do_not_count_as_successors() -> None:
    # b1's readiness for its *current* role B says ready_now; only "next" rows count for C
    current = BANDS.filter(pl.col("employee_id") == "b1").with_columns(
        relation=pl.lit("current"), target_role_id=pl.lit("B"), band=pl.lit("ready_now")
    )
    out = bench_strength(EMP, ROLES, pl.concat([BANDS, current]), T)
    assert out.filter(pl.col("role_id") == "C").select("ready_now", "status").row(0) == (0, "ready_in_future")


def test_bench_from_real_readiness() -> None:
    # one requirement for B (sql ≥ 2): a1 has 2 → ready_now; a2 has 1 → 0.5 developing
    req = pl.DataFrame(
        {"role_id": ["B"], "competency_id": ["sql"], "required_level": [2], "weight": [1.0], "critical": [True]}
    )
    emp = employees(("a1", "A", "Data"), ("a2", "A", "Data"), ("b1", "B", "Data"))
    prof = pl.DataFrame({"employee_id": ["a1", "a2"], "competency_id": ["sql", "sql"], "level": [2, 1]})
    rd = readiness(emp, ROLES, req, prof, T)
    row = bench_strength(emp, ROLES, rd, T).filter(pl.col("role_id") == "B").row(0)
    assert row == ("B", True, 1, 2, 1, 0, 1.0, "covered")


def test_critical_coverage() -> None:
    # critical roles B (covered), C (ready_in_future), E (no_successors) → 1/3
    bench = bench_strength(EMP, ROLES, BANDS, T)
    assert critical_coverage(bench) == 1 / 3
    assert critical_coverage(bench.filter(~pl.col("critical"))) is None


def test_team_bench_counts_a_role_for_every_team_holding_it() -> None:
    # Data holds critical B (covered) and C (ready_in_future) → 2 roles, 1 covered, 0.5
    # Ops holds critical B (via b2) → 1 role, 1 covered, 1.0; A and D are not critical
    out = team_bench(EMP, bench_strength(EMP, ROLES, BANDS, T), T)
    assert tuple(out.columns) == TEAM_BENCH_COLUMNS
    assert out.rows() == [("Data", 2, 1, 0.5), ("Ops", 1, 1, 1.0)]


def test_team_without_critical_roles_has_null_share() -> None:
    emp = employees(("a1", "A", "Solo"))
    out = team_bench(emp, bench_strength(emp, ROLES, next_bands(), T), T)
    assert out.rows() == [("Solo", 0, 0, None)]


def test_explanations() -> None:
    bench = bench_strength(EMP, ROLES, BANDS, T)
    out = explain_bench(bench, ROLES)
    assert out.columns == [*BENCH_COLUMNS, "explanation"]
    assert out["explanation"].to_list() == [
        "Analyst has no successors: no candidates; bench strength 0.00 (0 ready now for 3 incumbents)",
        "Lead (critical) is covered: 1 of 3 candidates ready now, 1 more within 1–2 years; "
        "bench strength 0.50 (1 ready now for 2 incumbents)",
        "Head of Data (critical) has successors only in 1–2 years: 1 of 2 candidates ready within "
        "1–2 years, none ready now; bench strength 0.00 (0 ready now for 1 incumbent)",
        "Engineer has no successors: no candidates; bench strength 0.00 (0 ready now for 1 incumbent)",
        "Architect (critical) has no successors: 1 candidate, none ready now or within 1–2 years; "
        "no incumbents, so no bench strength",
        "Fellow has no successors: no candidates; no incumbents, so no bench strength",
    ]
    assert explain_bench_row(bench.row(1, named=True), ROLES) == out["explanation"][1]


def _gap_rows(rows):
    return pl.DataFrame(
        rows,
        schema=["employee_id", "target_role_id", "relation", "competency_id", "critical", "gap"],
        orient="row",
    )


def test_common_gaps_counts_candidates_short_per_competency():
    gaps = _gap_rows(
        [
            ("a", "R", "next", "x", False, 1),
            ("a", "R", "next", "y", False, 1),
            ("b", "R", "next", "x", False, 0),
            ("b", "R", "next", "y", False, 2),
            ("c", "R", "next", "x", False, 0),
            ("c", "R", "next", "y", False, 1),
            ("a", "R", "current", "x", False, 3),  # own role: not a candidate row
            ("d", "R", "current", "x", False, 3),
        ]
    )
    assert common_gaps(gaps).rows() == [("R", 3, "y", 3, 1.0)]


def test_common_gaps_ties_go_to_critical_then_levels_then_id():
    gaps = _gap_rows(
        [
            ("a", "R", "next", "x", False, 3),
            ("a", "R", "next", "y", True, 1),  # same count as x: critical wins
            ("a", "S", "next", "p", False, 1),
            ("a", "S", "next", "q", False, 2),  # same count, more levels short
            ("a", "T", "next", "m", False, 1),
            ("a", "T", "next", "k", False, 1),  # full tie: smaller id
        ]
    )
    assert common_gaps(gaps).rows() == [("R", 1, "y", 1, 1.0), ("S", 1, "q", 1, 1.0), ("T", 1, "k", 1, 1.0)]
