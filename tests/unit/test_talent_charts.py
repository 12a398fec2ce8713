"""Talent charts: every builder returns a titled chart with axis titles and tooltips, and refuses
more rows than a browser should draw."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ui import talent_charts as tc

D = dt.date


def _spec(chart) -> str:
    return str(chart.to_dict())


CASES = {
    "nine_box_grid": lambda: tc.nine_box_grid(
        pl.DataFrame(
            {
                "performance_tier": ["high", "low"],
                "readiness_tier": ["high", "low"],
                "box_label": ["Ready to move up", "Needs attention"],
                "people": [3, 0],
                "mean_rating": [4.2, None],
                "mean_readiness": [0.95, None],
            }
        )
    ),
    "candidate_bars": lambda: tc.candidate_bars(
        pl.DataFrame(
            {"employee_id": ["E1"], "readiness": [0.8], "band": ["ready_soon"], "move": ["one up"], "role": ["A (A1)"]}
        )
    ),
    "comparison_levels": lambda: tc.comparison_levels(
        pl.DataFrame(
            {
                "competency": ["SQL"],
                "employee_id": ["E1"],
                "level": [3],
                "required_level": [4],
                "n_evidence": [2],
                "last_observed_on": [D(2026, 1, 1)],
            }
        )
    ),
    "rating_lines": lambda: tc.rating_lines(
        pl.DataFrame({"employee_id": ["E1"], "period_end": [D(2026, 6, 30)], "rating": [3.5]})
    ),
    "bench_over_time": lambda: tc.bench_over_time(
        pl.DataFrame(
            {
                "quarter_end": [D(2026, 6, 30)],
                "role": ["Lead (L)"],
                "ready_now": [1],
                "ready_soon": [2],
                "status": ["Covered"],
            }
        )
    ),
    "coverage_lapse": lambda: tc.coverage_lapse(
        pl.DataFrame(
            {
                "role": ["Lead (L)"],
                "start": [D(2026, 9, 30)],
                "covered_until": [D(2027, 1, 1)],
                "ready_now": [1],
                "last_ready_employee_id": ["E1"],
            }
        ),
        "30 Sep 2026",
    ),
    "impact_by_role": lambda: tc.impact_by_role(
        pl.DataFrame({"role": ["Lead (L)"], "impact": ["high"], "positions": [2]})
    ),
    "org_branch": lambda: tc.org_branch(
        pl.DataFrame(
            {
                "employee_id": ["a", "b"],
                "manager_id": [None, "a"],
                "depth": [1, 2],
                "order": [5, 6],
                "role": ["Head (H)", "Lead (L)"],
                "status": ["Not critical", "Covered"],
            }
        )
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_talent_chart_has_a_title_axis_titles_and_tooltips(name):
    spec = CASES[name]().to_dict()
    text = str(spec)
    assert spec["title"]["text"]
    assert "'tooltip'" in text
    assert text.count("'title':") >= 3  # chart title plus axis titles


def test_the_org_branch_draws_elbow_connectors_from_the_manager():
    chart = CASES["org_branch"]()
    edges = next(layer for layer in chart.to_dict()["layer"] if layer["mark"]["type"] == "rule")
    assert edges["data"]["values"] == [
        {"employee_id": "b", "x1": 0, "y1": 0, "x2": 0, "y2": 1},
        {"employee_id": "b", "x1": 0, "y1": 1, "x2": 1, "y2": 1},
    ]
    assert edges["encoding"]["x"]["title"] == "Levels below the head of the branch"


def test_charts_refuse_too_many_rows():
    big = pl.DataFrame({"employee_id": [f"E{i}" for i in range(6000)], "readiness": [0.5] * 6000})
    big = big.with_columns(band=pl.lit("developing"), move=pl.lit("lateral"), role=pl.lit("A"))
    with pytest.raises(ValueError, match="6000 rows"):
        tc.candidate_bars(big)


def test_bench_over_time_is_a_grid_of_counts_coloured_by_status():
    spec = CASES["bench_over_time"]().to_dict()
    cells, counts = spec["layer"]
    assert cells["mark"]["type"] == "rect" and counts["mark"]["type"] == "text"
    assert cells["encoding"]["color"]["field"] == "status"
    assert cells["encoding"]["color"]["scale"] == {
        "domain": ["No successors", "Ready in 1–2 years only", "Covered"],
        "range": ["#D55E00", "#E69F00", "#0072B2"],
    }
    assert counts["encoding"]["text"]["field"] == "ready_now"
    assert cells["encoding"]["x"]["field"] == "quarter" and cells["encoding"]["y"]["field"] == "role"
    assert spec["data"]["values"][0]["quarter"] == "30 Jun 2026"


def test_coverage_lapse_dates_read_as_months():
    x = CASES["coverage_lapse"]().to_dict()["encoding"]["x"]
    assert x["axis"]["format"] == "%b %Y"


def test_compare_candidates_gives_each_candidate_a_lane_and_the_tick_spans_them():
    frame = pl.DataFrame(
        {
            "competency": ["SQL", "SQL", "FC", "FC"],
            "employee_id": ["Ana (E1)", "Ben (E2)", "Ana (E1)", "Ben (E2)"],
            "level": [2, 4, 3, 3],
            "required_level": [3, 3, 4, 4],
            "n_evidence": [1, 1, 1, 1],
            "last_observed_on": [D(2026, 1, 1)] * 4,
        }
    )
    points, ticks = tc.comparison_levels(frame).to_dict()["layer"]
    assert points["mark"]["type"] == "point" and points["encoding"]["yOffset"]["field"] == "employee_id"
    assert points["encoding"]["y"]["scale"] == {"type": "band"}
    assert ticks["mark"]["size"] == 2 * tc.COMPARISON_LANE_PX
