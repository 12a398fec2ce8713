"""Promotion equity (metrics.md §5) on tiny hand-computed populations."""

from __future__ import annotations

import datetime as dt
from math import comb, sqrt

import numpy as np
import polars as pl
import pytest

from metrics.config import EquityConfig, MetricsConfig
from metrics.equity._core import (
    OUTPUT_COLUMNS,
    OUTPUT_SCHEMA,
    attribute_equity,
    configured_attributes,
    equity_result,
    promotion_equity,
    promotion_equity_all,
    reference_group,
)
from metrics.equity._population import EquityWindow, eligible_population, equity_window
from metrics.equity._stats import below_threshold, fisher_p_value, wilson_interval
from tests.unit.test_equity_support import (
    AS_OF,
    MOVEMENT_SCHEMA,
    ROLES,
    START,
    assert_suppression_safe,
    build_org,
)

Z95 = 1.959963984540054  # standard normal 97.5% quantile


def hypergeometric_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Independent Fisher exact two-sided p for [[a, b], [c, d]] (sum of table
    probabilities not above the observed one), written from the textbook definition."""
    n1, n2, k = a + b, c + d, a + c
    total = comb(n1 + n2, k)

    def prob(x: int) -> float:
        return comb(n1, x) * comb(n2, k - x) / total

    observed = prob(a)
    xs = range(max(0, k - n2), min(k, n1) + 1)
    return sum(prob(x) for x in xs if prob(x) <= observed * (1 + 1e-7))


def wilson_closed_form(x: int, n: int) -> tuple[float, float]:
    """Wilson (1927) score interval from its closed form."""
    p = x / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return centre - half, centre + half


def run(cells, config=None, **kwargs) -> pl.DataFrame:
    employees, movements = build_org(cells)
    return promotion_equity(employees, movements, ROLES, AS_OF, "gender", config, **kwargs)


def by_group(table: pl.DataFrame) -> dict[str, dict]:
    return {row["group"]: row for row in table.iter_rows(named=True)}


# --- every column -------------------------------------------------------------------------


def test_every_column_hand_computed():
    # Man 10/20, Woman 4/20, Not disclosed (null) 2/10. Overall 16/50 = 0.32.
    # Reference Man (rate 0.5). Woman: ratio 0.2/0.5 = 0.4, adverse; flip two: 6/20 = 0.3,
    # 0.3/0.5 = 0.6 < 0.8 -> robust. Not disclosed: ratio 0.4, adverse; flip two: 4/10 = 0.4,
    # 0.4/0.5 = 0.8, not < 0.8 -> NOT robust.
    # Shortfall = 0.32 × eligible − promoted: Man 6.4 − 10 = −3.6, Woman 6.4 − 4 = 2.4,
    # Not disclosed 3.2 − 2 = 1.2.
    # Fisher two-sided (hypergeometric sums): [[4,16],[10,10]] = 0.095846,
    # [[2,8],[10,10]] = 0.235270.
    # Wilson 95%: 10/20 = (0.299298, 0.700702), 4/20 = (0.080658, 0.416017),
    # 2/10 = (0.056682, 0.509838).
    table = run({"Man": (20, 10), "Woman": (20, 4), None: (10, 2)})
    assert table.columns == list(OUTPUT_COLUMNS)
    assert dict(table.schema) == OUTPUT_SCHEMA
    assert table["group"].to_list() == ["Man", "Not disclosed", "Woman"]
    assert table["attribute"].to_list() == ["gender"] * 3
    assert table["eligible"].to_list() == [20, 10, 20]
    assert table["promoted"].to_list() == [10, 2, 4]
    assert table["rate"].to_list() == [0.5, 0.2, 0.2]
    assert table["rate_low"].to_list() == pytest.approx([0.299298, 0.056682, 0.080658], abs=1e-6)
    assert table["rate_high"].to_list() == pytest.approx([0.700702, 0.509838, 0.416017], abs=1e-6)
    assert table["impact_ratio"].to_list() == pytest.approx([1.0, 0.4, 0.4])
    assert table["adverse_impact"].to_list() == [False, True, True]
    assert table["p_value"][0] is None  # the reference is not tested against itself
    assert table["p_value"][1:].to_list() == pytest.approx([0.235270, 0.095846], abs=1e-6)
    assert table["significant"].to_list() == [None, False, False]
    assert table["shortfall"].to_list() == pytest.approx([-3.6, 1.2, 2.4])
    assert table["robust"].to_list() == [False, False, True]
    assert table["suppressed"].to_list() == [False, False, False]


def test_significant_difference():
    # Woman 5/50 vs Man 25/50: Fisher [[5,45],[25,25]] two-sided = 2.0295e-05 < 0.05.
    table = by_group(run({"Man": (50, 25), "Woman": (50, 5)}))
    assert table["Woman"]["p_value"] == pytest.approx(2.0295e-05, rel=1e-3)
    assert table["Woman"]["significant"] is True


def test_independent_fisher_and_wilson_helpers_agree_with_hand_values():
    # The helpers themselves, in the test, against the hand-computed values above.
    assert hypergeometric_two_sided(4, 16, 10, 10) == pytest.approx(0.095846, abs=1e-6)
    assert wilson_closed_form(4, 20) == pytest.approx((0.080658, 0.416017), abs=1e-6)


# --- published reference values -----------------------------------------------------------


def test_uniform_guidelines_four_fifths_examples():
    # 1979 Uniform Guidelines Q&A: selection rates 60% (highest), 45%, 48%, 51%
    # -> impact ratios 0.75 (adverse), 0.80 (boundary: NOT adverse), 0.85 (not adverse).
    # Counts of 100 per group. Overall 204/400 = 0.51; shortfall A −9, B 6, C 3, D 0.
    # Flip two for B: 47/100 / 0.60 = 0.783 < 0.8 -> robust.
    table = run({"A": (100, 60), "B": (100, 45), "C": (100, 48), "D": (100, 51)})
    assert table["impact_ratio"].to_list() == pytest.approx([1.0, 0.75, 0.80, 0.85])
    assert table["adverse_impact"].to_list() == [False, True, False, False]
    assert table["robust"].to_list() == [False, True, False, False]
    assert table["shortfall"].to_list() == pytest.approx([-9.0, 6.0, 3.0, 0.0])
    expected_p = [hypergeometric_two_sided(p, 100 - p, 60, 40) for p in (45, 48, 51)]
    assert table["p_value"][1:].to_list() == pytest.approx(expected_p, rel=1e-9)
    assert table["p_value"][1] == pytest.approx(0.0472, abs=1e-4)
    assert table["significant"].to_list() == [None, True, False, False]


def test_boundary_is_exact_despite_floating_point():
    # Rates 8% and 10%: (8/100) / (10/100) is 0.7999999999999999 in floating point,
    # yet the ratio is exactly 4/5, so the group is NOT adverse.
    assert (8 / 100) / (10 / 100) < 0.8  # the float trap the exact comparison avoids
    assert below_threshold(8, 100, 10, 100, 0.8) is False
    assert below_threshold(7, 100, 10, 100, 0.8) is True
    table = by_group(run({"A": (100, 10), "B": (100, 8)}))
    assert table["B"]["impact_ratio"] == pytest.approx(0.8)
    assert table["B"]["adverse_impact"] is False
    assert table["B"]["robust"] is False


def test_fisher_tea_tasting():
    # Fisher (1935), lady tasting tea: [[3, 1], [1, 3]], two-sided p = 0.4857 (= 34/70).
    assert fisher_p_value(3, 4, 1, 4) == pytest.approx(34 / 70, abs=1e-12)
    # Through the table (groups must reach the floor of 5): [[6, 2], [2, 6]], hypergeometric
    # tails k in {0, 1, 2, 6, 7, 8} of C(8,k)C(8,8-k)/C(16,8): 2 x (784 + 64 + 1) / 12870.
    table = by_group(run({"A": (8, 6), "B": (8, 2)}, EquityConfig(min_group_size=5)))
    assert table["B"]["p_value"] == pytest.approx(1698 / 12870, abs=1e-12)


def test_wilson_against_newcombe_1998():
    # Newcombe (1998), Stat Med 17:857, Table I, method 3 (score interval, no correction).
    low, high = wilson_interval(np.array([81, 15, 0, 1]), np.array([263, 148, 20, 29]), 0.95)
    assert np.round(low, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(high, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]


# --- reference group ----------------------------------------------------------------------


def test_reference_rate_zero_gives_null_ratio():
    # Nobody promoted: rate_ref = 0 -> impact_ratio, adverse_impact and robust null;
    # Fisher [[0,10],[0,12]] = 1.0, not significant. Tie at 0 -> larger group B is reference.
    table = by_group(run({"A": (10, 0), "B": (12, 0)}))
    assert table["A"]["impact_ratio"] is None and table["B"]["impact_ratio"] is None
    assert table["A"]["adverse_impact"] is None and table["A"]["robust"] is None
    assert table["A"]["p_value"] == 1.0 and table["A"]["significant"] is False
    assert table["B"]["p_value"] is None


def test_tie_for_highest_rate_goes_to_largest_then_name():
    # A 3/10 and B 6/20 tie at 0.3: B (more eligible) is the reference; A's ratio 1.0.
    # C 1/10: ratio (1/10)/(6/20) = 1/3, adverse; flip two: 3/10 / 0.3 = 1.0 -> not robust.
    # Fisher A vs B [[3,7],[6,14]] = 1.0.
    employees, movements = build_org({"A": (10, 3), "B": (20, 6), "C": (10, 1)})
    window = equity_window(AS_OF, EquityConfig())
    result = attribute_equity(eligible_population(employees, movements, ROLES, window), "gender")
    assert result.reference_group == "B"
    table = by_group(result.table)
    assert table["A"]["impact_ratio"] == 1.0 and table["A"]["adverse_impact"] is False
    assert table["A"]["p_value"] == pytest.approx(1.0)
    assert table["C"]["impact_ratio"] == pytest.approx(1 / 3)
    assert table["C"]["adverse_impact"] is True and table["C"]["robust"] is False
    # Equal rate and size: alphabetical first.
    counts = pl.DataFrame({"group": ["Y", "X"], "eligible": [10, 10], "promoted": [3, 3], "suppressed": [False] * 2})
    assert reference_group(counts) == "X"


# --- window and eligibility ---------------------------------------------------------------


def _edge_case_org() -> tuple[pl.DataFrame, pl.DataFrame]:
    d = dt.date
    employees = pl.DataFrame(
        {
            "employee_id": [
                "on_start",
                "on_end",
                "after_end",
                "typed",
                "lateral",
                "twice",
                "hired_after",
                "exited_before",
                "exited_on_start",
                "hired_on_start",
                "exited_in_window",
            ],
            "role_id": ["R1"] * 11,
            "hire_date": [d(2020, 1, 1)] * 6
            + [d(2025, 1, 1), d(2020, 1, 1), d(2020, 1, 1), d(2024, 12, 31), d(2020, 1, 1)],
            "exit_date": [None] * 7 + [d(2024, 6, 1), d(2024, 12, 31), None, d(2025, 3, 1)],
            "gender": ["X"] * 11,
        },
        schema_overrides={"exit_date": pl.Date},
    )
    rows = [
        ("on_start", d(2024, 12, 31), "R1", "R2", None),  # == S: excluded
        ("on_end", d(2025, 12, 31), "R1", "R2", None),  # == E: included
        ("typed", d(2025, 5, 1), "R1", "R1b", "promotion"),  # given type kept (same level)
        ("lateral", d(2025, 5, 1), "R1", "R1b", None),  # inferred lateral: not a promotion
        ("twice", d(2025, 2, 1), "R1", "R2", None),  # two promotions count once
        ("twice", d(2025, 8, 1), "R2", "R3", None),
        ("hired_after", d(2025, 6, 1), "R1", "R2", None),  # not eligible
        ("hired_on_start", d(2025, 6, 1), "R1", "R2", None),  # eligible (hire_date <= S)
        ("exited_in_window", d(2025, 2, 1), "R1", "R2", None),  # eligible, promoted
    ]
    movements = pl.DataFrame(rows, schema=MOVEMENT_SCHEMA, orient="row")
    return employees, movements


EDGE_ROLES = pl.DataFrame({"role_id": ["R1", "R1b", "R2", "R3"], "level": [1, 1, 2, 3]})


def test_window_edges_and_eligibility():
    employees, movements = _edge_case_org()
    window = EquityWindow(START, AS_OF)
    population = eligible_population(employees, movements, EDGE_ROLES, window)
    # Eligible: active at S = 2024-12-31 -> not hired_after (2025-01-01), not exited_before,
    # not exited_on_start (exit must be AFTER S); hired_on_start and exited_in_window are in.
    assert sorted(population["employee_id"].to_list()) == sorted(
        ["on_start", "on_end", "after_end", "typed", "lateral", "twice", "hired_on_start", "exited_in_window"]
    )
    promoted = set(population.filter(pl.col("promoted"))["employee_id"].to_list())
    assert promoted == {"on_end", "typed", "twice", "hired_on_start", "exited_in_window"}


def test_window_end_before_as_of_excludes_later_promotions():
    employees, movements = _edge_case_org()
    cfg = EquityConfig(min_group_size=5)
    table = promotion_equity(
        employees,
        movements,
        EDGE_ROLES,
        AS_OF,
        "gender",
        cfg,
        window_start=START,
        window_end=dt.date(2025, 12, 30),
    )
    # E snaps back to the month end 2025-11-30. Same 8 eligible; on_end (2025-12-31) now
    # falls after E: 4 promoted.
    assert table.select("eligible", "promoted").row(0) == (8, 4)


def test_window_ends_snap_to_month_ends():
    cfg = EquityConfig()
    # As-of dates a day apart inside December give the same window (2024-11-30, 2025-11-30].
    windows = {equity_window(dt.date(2025, 12, day), cfg) for day in range(1, 31)}
    assert windows == {EquityWindow(dt.date(2024, 11, 30), dt.date(2025, 11, 30))}
    # The month end itself is kept; a requested start snaps back too; leap years handled.
    assert equity_window(dt.date(2025, 12, 31), cfg, window_start=dt.date(2025, 3, 15)) == EquityWindow(
        dt.date(2025, 2, 28), dt.date(2025, 12, 31)
    )
    assert equity_window(dt.date(2025, 2, 28), cfg) == EquityWindow(dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    assert equity_window(dt.date(2026, 3, 31), EquityConfig(window_months=6)) == EquityWindow(
        dt.date(2025, 9, 30), dt.date(2026, 3, 31)
    )
    # A start and end in the same month collapse to one month end: refused.
    with pytest.raises(ValueError, match="must be before"):
        equity_window(AS_OF, cfg, window_start=dt.date(2025, 12, 5), window_end=dt.date(2025, 12, 20))


def test_views_a_day_apart_give_identical_tables():
    # One promotion on 2025-12-10: as-of 2025-12-10 and 2025-12-11 must not differ (both
    # windows end 2025-11-30), so the promoted person cannot be singled out by subtraction.
    employees, movements = build_org({"W": (20, 3), "M": (20, 5)})
    late = pl.DataFrame([("e00010", dt.date(2025, 12, 10), "R1", "R2", None)], schema=MOVEMENT_SCHEMA, orient="row")
    moves = pl.concat([movements, late])
    a = promotion_equity(employees, moves, ROLES, dt.date(2025, 12, 10), "gender")
    b = promotion_equity(employees, moves, ROLES, dt.date(2025, 12, 11), "gender")
    assert a.equals(b)


def test_default_window_is_twelve_months_before_as_of():
    assert equity_window(AS_OF, EquityConfig()) == EquityWindow(START, AS_OF)
    with pytest.raises(ValueError, match="after the as-of date"):
        equity_window(AS_OF, EquityConfig(), window_end=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="must be before"):
        equity_window(AS_OF, EquityConfig(), window_start=AS_OF)


def test_unknown_attribute_is_a_clear_error():
    employees, movements = build_org({"W": (10, 1)})
    with pytest.raises(ValueError, match="no equity attribute column 'ethnicity'"):
        promotion_equity(employees, movements, ROLES, AS_OF, "ethnicity")


# --- several attributes and intersections -------------------------------------------------


def test_all_attributes_and_intersections():
    cells = {
        ("W", "A"): (12, 1),
        ("W", "B"): (15, 3),
        ("W", "C"): (3, 0),
        ("M", "A"): (20, 6),
        ("M", "B"): (25, 5),
        ("M", "C"): (4, 2),
    }
    employees, movements = build_org(cells, attributes=("gender", "ethnicity"))
    cfg = MetricsConfig()
    assert configured_attributes(employees, cfg) == ["gender", "ethnicity", ("gender", "ethnicity")]
    result = equity_result(employees, movements, ROLES, AS_OF, cfg)
    table = result.table
    assert table["attribute"].unique(maintain_order=True).to_list() == ["gender", "ethnicity", "gender × ethnicity"]
    # ethnicity: A 32, B 40, C 7 -> C suppressed, A (next smallest) suppressed too.
    eth = by_group(table.filter(pl.col("attribute") == "ethnicity"))
    assert [eth[g]["suppressed"] for g in "ABC"] == [True, False, True]
    assert result.reference_groups["ethnicity"] == "B"
    # Intersection: W×C, M×C small; W×A, M×A inherit A's suppression; W×B, M×B shown.
    cross = by_group(table.filter(pl.col("attribute") == "gender × ethnicity"))
    assert sorted(g for g, r in cross.items() if not r["suppressed"]) == ["M × B", "W × B"]
    # M×B 5/25 = 0.2 and W×B 3/15 = 0.2 tie: M×B larger -> reference.
    assert result.reference_groups["gender × ethnicity"] == "M × B"
    # Overall 17/79; gender: W 4/30, M 13/49.
    assert result.overall_rate == pytest.approx(17 / 79)
    assert by_group(table.filter(pl.col("attribute") == "gender"))["W"]["promoted"] == 4
    assert_suppression_safe(table)
    assert promotion_equity_all(employees, movements, ROLES, AS_OF, cfg).equals(table)


def test_intersection_single_call_matches_report():
    cells = {("W", "A"): (5, 1), ("W", "B"): (25, 3), ("M", "A"): (25, 6), ("M", "B"): (5, 0)}
    employees, movements = build_org(cells, attributes=("gender", "ethnicity"))
    table = promotion_equity(employees, movements, ROLES, AS_OF, ("gender", "ethnicity"))
    # Two small cells on the diagonal: each row and column has one hidden cell, so the
    # other cell of each row is hidden too -> all four hidden (a 2×2 with known margins).
    assert table["suppressed"].to_list() == [True, True, True, True]
    assert table["attribute"].unique().to_list() == ["gender × ethnicity"]


def test_intersections_can_be_switched_off():
    employees, _ = build_org({("W", "A"): (1, 0)}, attributes=("gender", "ethnicity"))
    assert configured_attributes(employees, EquityConfig(intersections=False)) == ["gender", "ethnicity"]


# --- independent cross-check with fairlearn -----------------------------------------------


def test_rates_and_ratios_match_fairlearn():
    pd = pytest.importorskip("pandas")
    metrics = pytest.importorskip("fairlearn.metrics")
    rng = np.random.default_rng(2024)
    sizes = {"Asian": 60, "Black": 80, "White": 150, "Mixed": 40, "Not disclosed": 30}
    rates = {"Asian": 0.15, "Black": 0.10, "White": 0.20, "Mixed": 0.25, "Not disclosed": 0.12}
    cells = {g: (n, int(rng.binomial(n, rates[g]))) for g, n in sizes.items()}
    employees, movements = build_org(cells)
    table = run(cells).sort("group")
    groups = employees["gender"].to_list()
    promoted_ids = set(movements["employee_id"].to_list())
    y_pred = [int(e in promoted_ids) for e in employees["employee_id"].to_list()]
    frame = metrics.MetricFrame(
        metrics=metrics.selection_rate,
        y_true=y_pred,
        y_pred=y_pred,
        sensitive_features=pd.Series(groups, name="gender"),
    )
    by = frame.by_group.sort_index()
    assert table["group"].to_list() == by.index.to_list()
    assert table["rate"].to_list() == pytest.approx(by.to_list(), abs=1e-12)
    assert table["impact_ratio"].to_list() == pytest.approx((by / by.max()).to_list(), abs=1e-12)
    assert min(table["impact_ratio"].to_list()) == pytest.approx(frame.ratio(method="between_groups"), abs=1e-12)
