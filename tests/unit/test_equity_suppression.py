"""Small-group suppression: primary, complementary, intersections, and a property test."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.config import EquityConfig
from metrics.equity._core import attribute_equity, promotion_equity
from metrics.equity._population import eligible_population, equity_window
from metrics.equity._suppression import suppress_groups, suppress_intersection
from tests.unit.test_equity_support import (
    AS_OF,
    ROLES,
    assert_suppression_safe,
    build_org,
)


def run(cells, config=None) -> pl.DataFrame:
    employees, movements = build_org(cells)
    return promotion_equity(employees, movements, ROLES, AS_OF, "gender", config)


def test_group_of_nine_and_next_smallest_suppressed():
    # A 9 < 10 is suppressed; it is the only one, so the next-smallest, D (12), is too.
    table = run({"A": (9, 1), "B": (15, 3), "C": (30, 6), "D": (12, 2)})
    assert table.select("group", "suppressed").rows() == [("A", True), ("B", False), ("C", False), ("D", True)]
    assert_suppression_safe(table)


def test_suppressed_rows_carry_no_numbers():
    table = run({"A": (9, 1), "B": (15, 3), "C": (30, 6), "D": (12, 2)})
    hidden = table.filter(pl.col("suppressed"))
    assert hidden.drop("attribute", "group", "suppressed").null_count().row(0) == (2,) * 11


def test_two_small_groups_need_no_complement():
    table = run({"A": (9, 1), "B": (8, 0), "C": (50, 5)})
    assert table["suppressed"].to_list() == [True, True, False]


def test_nobody_promoted_in_the_suppressed_groups_is_protected():
    # A 9/0 and B 8/0: total promoted 5 minus C's 5 pins both at 0 ("nobody in A was
    # promoted"): C is suppressed too, leaving each count between 0 and 5.
    table = run({"A": (9, 0), "B": (8, 0), "C": (50, 5)})
    assert table["suppressed"].to_list() == [True, True, True]


def test_group_of_exactly_min_size_is_shown():
    table = run({"A": (10, 0), "B": (10, 10)})
    # 0 promoted and all promoted are both shown per spec (eligible >= 10).
    assert table.select("group", "promoted", "suppressed").rows() == [("A", 0, False), ("B", 10, False)]


def test_suppressed_group_is_never_the_reference():
    # A 5/5 (rate 1.0) is small; the complement is D 11/5 (next smallest).
    # Among the shown groups B 6/30 = 0.2 beats C 4/40 = 0.1: B is the reference.
    employees, movements = build_org({"A": (5, 5), "B": (30, 6), "C": (40, 4), "D": (11, 5)})
    population = eligible_population(employees, movements, ROLES, equity_window(AS_OF, EquityConfig()))
    result = attribute_equity(population, "gender")
    assert result.reference_group == "B"
    table = {r["group"]: r for r in result.table.iter_rows(named=True)}
    assert table["C"]["impact_ratio"] == pytest.approx(0.5)
    # Shortfall uses the overall rate over everyone, suppressed groups included:
    # 20/86 × 40 − 4 = 5.302...
    assert table["C"]["shortfall"] == pytest.approx(20 / 86 * 40 - 4)


def test_all_groups_suppressed_gives_no_reference():
    employees, movements = build_org({"A": (5, 1), "B": (4, 1)})
    table = promotion_equity(employees, movements, ROLES, AS_OF, "gender")
    assert table["suppressed"].to_list() == [True, True]
    assert table["impact_ratio"].null_count() == 2


def test_min_group_size_is_configurable():
    table = run({"A": (12, 1), "B": (30, 6), "C": (40, 4)}, EquityConfig(min_group_size=15))
    # A 12 < 15 suppressed, complement B (30).
    assert table["suppressed"].to_list() == [True, True, False]


def test_complement_ties_broken_by_name():
    counts = pl.DataFrame({"group": ["Z", "Y", "X"], "eligible": [3, 20, 20]})
    assert suppress_groups(counts, 10)["suppressed"].to_list() == [True, False, True]


def test_intersection_complements_rows_and_columns():
    # W×A 9, W×B 30, M×A 30, M×B 30; no one-way suppression (W 39, M 60, A 39, B 60).
    # W×A alone would be W's total minus W×B; its complement in the whole table is the
    # smallest other cell (tie at 30: "M×A" first by name), then row W needs one more
    # (W×B), then column B (M×B): all four, as any 2×2 with published margins needs.
    cells = pl.DataFrame(
        {
            "group": ["W×A", "W×B", "M×A", "M×B"],
            "first": ["W", "W", "M", "M"],
            "second": ["A", "B", "A", "B"],
            "eligible": [9, 30, 30, 30],
        }
    )
    assert suppress_intersection(cells, [], [], 10)["suppressed"].all()


def test_intersection_inherits_one_way_suppression():
    # Ethnicity C (25) and D (23) are suppressed in their own table (say C was small and
    # D its complement): their cells are hidden even when >= 10, since C = W×C + M×C.
    # Rows W and M then hold two hidden cells each, so W×B and M×B stay shown.
    cells = pl.DataFrame(
        {
            "group": ["W×B", "W×C", "W×D", "M×B", "M×C", "M×D"],
            "first": ["W", "W", "W", "M", "M", "M"],
            "second": ["B", "C", "D", "B", "C", "D"],
            "eligible": [40, 12, 11, 40, 13, 12],
        }
    )
    out = suppress_intersection(cells, [], ["C", "D"], 10)
    assert out["suppressed"].to_list() == [False, True, True, False, True, True]


def test_intersection_row_complement_when_one_cell_hidden():
    # Only C hidden one-way would be inconsistent, but the row rule still protects it:
    # row W = W×B + W×C with W's total published, so W×B is hidden too (likewise M×B).
    cells = pl.DataFrame(
        {
            "group": ["W×B", "W×C", "M×B", "M×C"],
            "first": ["W", "W", "M", "M"],
            "second": ["B", "C", "B", "C"],
            "eligible": [40, 12, 40, 13],
        }
    )
    assert suppress_intersection(cells, [], ["C"], 10)["suppressed"].all()


@st.composite
def populations(draw):
    n_groups = draw(st.integers(min_value=2, max_value=6))
    sizes = draw(st.lists(st.integers(1, 40), min_size=n_groups, max_size=n_groups))
    promoted = [draw(st.integers(0, n)) for n in sizes]
    return {f"G{i}": (n, p) for i, (n, p) in enumerate(zip(sizes, promoted))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_property_suppression_cannot_be_undone(cells):
    rows = [(g, i < p) for g, (n, p) in cells.items() for i in range(n)]
    population = pl.DataFrame(rows, schema={"gender": pl.String, "promoted": pl.Boolean}, orient="row")
    result = attribute_equity(population, "gender")
    table = result.table
    hidden = table.filter(pl.col("suppressed"))
    shown = table.filter(~pl.col("suppressed"))
    # 0 or >= 2 suppressed: total − sum(shown) is then a sum of >= 2 unknowns.
    assert hidden.height != 1
    # Every group below the threshold is suppressed; suppressed rows carry no numbers.
    small = {g for g, (n, _) in cells.items() if n < 10}
    assert small <= set(hidden["group"].to_list())
    assert hidden.drop("attribute", "group", "suppressed").null_count().sum_horizontal().item() == (11 * hidden.height)
    # What is shown is exact, and the reference is a shown group.
    for row in shown.iter_rows(named=True):
        assert (row["eligible"], row["promoted"]) == cells[row["group"]]
    assert result.reference_group is None or result.reference_group in shown["group"].to_list()
    # Any one suppressed group's count is not determined: total − shown = sum of >= 2 groups.
    total = sum(n for n, _ in cells.values())
    remainder = total - sum(shown["eligible"].to_list())
    for g in hidden["group"].to_list():
        assert cells[g][0] < remainder
    assert_suppression_safe(table)
