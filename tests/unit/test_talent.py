"""Talent review (metrics/talent): hand-computed expectations on tiny organisations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from data_sources.loader import load_source
from metrics.bench import bench_strength
from metrics.config import DEFAULT_CONFIG, MetricsConfig, MetricsConfigError
from metrics.movements import roles_at
from metrics.proficiency import proficiency
from metrics.readiness import readiness
from metrics.talent import (
    AGREES,
    COMMITTEE_HIGHER,
    EVIDENCE_HIGHER,
    NOMINEE_LEFT,
    ORPHANED_EMPLOYEE,
    ORPHANED_ROLE,
    bench_history,
    branch,
    candidates_for_role,
    compare_candidates,
    coverage_forecast,
    evidence_behind,
    hierarchy,
    impact_of_loss,
    nine_box,
    nine_box_by_group,
    nominations_view,
    quarter_ends,
    role_readiness,
    succession,
)

ROOT = Path(__file__).resolve().parents[2]
T = dt.date(2026, 9, 30)
D = dt.date


def _employees(rows):
    return pl.DataFrame(
        rows,
        schema={
            "employee_id": pl.String,
            "role_id": pl.String,
            "team": pl.String,
            "manager_id": pl.String,
            "hire_date": pl.Date,
            "exit_date": pl.Date,
        },
        orient="row",
    )


ROLES = pl.DataFrame(
    {
        "role_id": ["A1", "A2", "B1", "B2", "X3"],
        "title": ["Analyst", "Senior Analyst", "Buyer", "Senior Buyer", "Head of Risk"],
        "ladder": ["A", "A", "B", "B", "X"],
        "level": [1, 2, 1, 2, 3],
        "next_role_id": ["A2", None, "B2", None, None],
        "critical": [False, False, False, False, True],
    }
)
# X3 (critical) is nobody's next role: c1 at level 4 (weight 2, critical), c2 at level 2 (weight 1)
REQS = pl.DataFrame(
    {
        "role_id": ["X3", "X3", "A2", "B2"],
        "competency_id": ["c1", "c2", "c1", "c2"],
        "required_level": [4, 2, 2, 2],
        "weight": [2.0, 1.0, 1.0, 1.0],
        "critical": [True, False, False, False],
    }
)
EMP = _employees(
    [
        ("e1", "A2", "Risk", "e4", D(2020, 1, 1), None),
        ("e2", "B1", "Buying", "e4", D(2021, 1, 1), None),
        ("e3", "A1", "Risk", "e1", D(2022, 1, 1), None),
        ("e4", "X3", "Risk", None, D(2015, 1, 1), None),
        ("e5", "B2", "Buying", "e4", D(2019, 1, 1), None),
        ("e6", "A2", "Risk", "e4", D(2018, 1, 1), D(2026, 6, 30)),  # left before T
    ]
)
PROF = pl.DataFrame(
    {
        "employee_id": ["e1", "e1", "e2", "e2", "e3", "e3", "e6", "e6"],
        "competency_id": ["c1", "c2", "c1", "c2", "c1", "c2", "c1", "c2"],
        "level": [4, 1, 3, 2, 4, 2, 5, 5],
        "evidence_weight": [1.5, 1.0, 2.0, 1.2, 1.1, 3.0, 2.0, 2.0],
        "n_evidence": [2, 1, 3, 2, 1, 4, 2, 2],
        "last_observed_on": [D(2026, 9, 1)] * 8,
    }
)
MOVES = pl.DataFrame(
    {"employee_id": ["e1"], "effective_date": [D(2024, 3, 1)], "from_role_id": ["A1"], "to_role_id": ["A2"]}
)


# ------------------------------------------------------------------ candidates for any role


def test_candidates_for_a_critical_role_that_is_nobodys_next_role_are_ranked():
    assert "X3" not in ROLES["next_role_id"].to_list()
    # the ladder-based bench finds nobody for it
    rd = readiness(EMP, ROLES, REQS, PROF, T)
    assert bench_strength(EMP, ROLES, rd, T).filter(pl.col("role_id") == "X3")["candidates"].item() == 0
    found = candidates_for_role(EMP, ROLES, REQS, PROF, "X3", T, MOVES)
    # e3: (2·1 + 1·1)/3 = 1; e1: (2·1 + 1·0.5)/3 = 0.8333, no critical gap; e2: (2·0.75 + 1)/3 = 0.8333 with
    # the critical c1 short, so after e1; e5: no evidence, 0. e4 holds X3 and e6 has left: not listed.
    assert found.ranked.select("rank", "employee_id", "move", "band", "n_gaps", "n_critical_gaps").rows() == [
        (1, "e3", "two up", "ready_now", 0, 0),
        (2, "e1", "one up", "ready_soon", 1, 0),
        (3, "e2", "two up", "ready_soon", 1, 1),
        (4, "e5", "one up", "developing", 2, 1),
    ]
    assert found.ranked["readiness"].to_list() == pytest.approx([1.0, 2.5 / 3, 2.5 / 3, 0.0], abs=1e-12)
    # time in role: e1 since the 2024-03-01 promotion, e2 since hire
    times = dict(found.ranked.select("employee_id", "days_in_role").rows())
    assert times["e1"] == (T - D(2024, 3, 1)).days and times["e2"] == (T - D(2021, 1, 1)).days
    # evidence behind the levels: summed over the role's competencies
    ev = found.ranked.filter(pl.col("employee_id") == "e2").select("n_evidence", "evidence_weight").row(0)
    assert ev == (5, pytest.approx(3.2))
    gaps = found.requirements.filter(pl.col("employee_id") == "e2").select("competency_id", "level", "gap").rows()
    assert gaps == [("c1", 3, 1), ("c2", 2, 0)]


def test_candidate_filters_ladder_team_and_level_distance():
    def ids(**kw):
        return candidates_for_role(EMP, ROLES, REQS, PROF, "X3", T, **kw).ranked["employee_id"].to_list()

    assert ids(distances=[1]) == ["e1", "e5"]
    assert ids(distances=[2]) == ["e3", "e2"]
    assert ids(ladders=["B"]) == ["e2", "e5"]
    assert ids(teams=["Risk"]) == ["e3", "e1"]
    # e4 holds X3; with no evidence it ties with e5 and comes first by id
    assert ids(include_incumbents=True) == ["e3", "e1", "e2", "e4", "e5"]
    assert ids(limit=2) == ["e3", "e1"]
    with pytest.raises(ValueError, match="Unknown role 'NOPE'"):
        candidates_for_role(EMP, ROLES, REQS, PROF, "NOPE", T)


def test_role_readiness_equals_the_readiness_metric_for_every_role_on_the_sample():
    sample = load_source(None, as_of=D(2026, 11, 22)).tables
    prof = proficiency(sample["evidence"], T)
    rd = readiness(sample["employees"], sample["roles"], sample["role_requirements"], prof, T)
    for role in sample["roles"]["role_id"].to_list():
        mine = role_readiness(sample["employees"], sample["role_requirements"], prof, role, T)
        ref = rd.filter(pl.col("target_role_id") == role).join(mine, on="employee_id", suffix="_any")
        assert ref.height == rd.filter(pl.col("target_role_id") == role).height > 0
        assert (ref["band"] == ref["band_any"]).all()
        assert (ref["n_gaps"] == ref["n_gaps_any"]).all()
        assert ((ref["readiness"] - ref["readiness_any"]).abs() < 1e-12).all()


def test_evidence_behind_a_level_marks_the_items_that_support_it():
    ev = pl.DataFrame(
        {
            "evidence_id": ["v1", "v2", "v3", "v4"],
            "employee_id": ["e1", "e1", "e1", "e2"],
            "competency_id": ["c1", "c1", "c2", "c1"],
            "evidence_type": ["performance_task", "peer_feedback", "credential", "credential"],
            "level": [4, 3, 2, 5],
            "observed_on": [D(2026, 9, 30), D(2026, 3, 1), D(2025, 9, 30), D(2026, 1, 1)],
            "verified": [True, False, True, True],
        }
    )
    out = evidence_behind(ev, PROF, ["e1"], ["c1"], T)
    assert out.select("evidence_id", "supports_level").rows() == [("v1", True), ("v2", False)]
    assert out["weight"].to_list() == pytest.approx([1.0, 0.5 * 0.5 * 0.5 ** (213 / 365)])


# ------------------------------------------------------------------ nine-box


def test_nine_box_counts_equal_hand_computed_counts():
    ids = [f"p{i}" for i in range(1, 11)]
    emp = _employees([(i, "A1" if i != "p10" else "A2", "Risk", None, D(2020, 1, 1), None) for i in ids])
    perf = pl.DataFrame(
        {
            "employee_id": ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p8", "p10"],
            "period_end": [D(2026, 6, 30)] * 7 + [D(2024, 6, 30), D(2023, 12, 31), D(2026, 6, 30)],
            "rating": [4.0, 4.5, 3.0, 2.99, 3.99, 5.0, 1.0, 4.0, 3.0, 4.0],
        }
    )
    # p9 has no rating; p8's latest rating (2024-06-30) is older than 730 days before T
    # p10 holds A2, which has no next role
    nxt = {"p1": 0.9, "p2": 0.89, "p3": 0.7, "p4": 0.95, "p5": 0.69, "p6": 0.2, "p7": 0.5, "p8": 1.0, "p9": 1.0}
    rd = pl.DataFrame(
        {
            "employee_id": list(nxt),
            "target_role_id": ["A2"] * len(nxt),
            "relation": ["next"] * len(nxt),
            "readiness": list(nxt.values()),
            "band": ["x"] * len(nxt),
            "n_gaps": [0] * len(nxt),
            "n_critical_gaps": [0] * len(nxt),
        }
    )
    nb = nine_box(emp, ROLES, REQS, perf, rd, PROF.head(0), T)
    # performance: ≥ 4 high, ≥ 3 medium; readiness: ≥ 0.9 high, ≥ 0.7 medium
    placed = dict(nb.placements.select("employee_id", "box").rows())
    assert placed == {"p1": 9, "p2": 8, "p3": 5, "p4": 3, "p5": 4, "p6": 7, "p7": 1}
    assert dict(nb.grid.select("box", "people").rows()) == {1: 1, 2: 0, 3: 1, 4: 1, 5: 1, 6: 0, 7: 1, 8: 1, 9: 1}
    assert nb.unplaced.rows() == [("no next role on the ladder", 1), ("no rating in the window", 2)]
    # the cut points come from configuration
    cfg = dataclasses.replace(DEFAULT_CONFIG.talent, performance_high_min=4.5, readiness_high_min=0.95)
    moved = dict(
        nine_box(emp, ROLES, REQS, perf, rd, PROF.head(0), T, cfg).placements.select("employee_id", "box").rows()
    )
    assert (moved["p1"], moved["p2"], moved["p4"]) == (5, 8, 3)  # 4.0 & 0.90 now medium; 0.95 still high


def _recoverable(table: pl.DataFrame) -> set[str]:
    """Suppressed cells whose count follows from the shown cells and the row and column totals."""
    cells = table.with_columns(pl.format("{}|{}", "box", "group").alias("cell"))
    hidden = cells.filter(pl.col("suppressed"))["cell"].to_list()
    if not hidden:
        return set()
    margins = [cells.filter(pl.col("box") == b) for b in cells["box"].unique()]
    margins += [cells.filter(pl.col("group") == g) for g in cells["group"].unique()]
    a = np.array(
        [[1.0 if c in m.filter(pl.col("suppressed"))["cell"].to_list() else 0.0 for c in hidden] for m in margins]
    )
    rank = np.linalg.matrix_rank(a)
    out = set()
    for i, c in enumerate(hidden):
        unit = np.zeros(len(hidden))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.add(c)
    return out


def test_group_counts_inside_boxes_obey_suppression():
    rows = [(9, "W")] * 6 + [(9, "M")] * 6 + [(5, "W")] * 7 + [(5, "M")] * 2 + [(1, "W")] * 5 + [(1, "M")] * 5
    placements = pl.DataFrame(
        {
            "employee_id": [f"p{i}" for i in range(len(rows))],
            "box": [b for b, _ in rows],
            "box_label": ["x"] * len(rows),
            "rating": [4.0] * len(rows),
            "readiness": [0.9] * len(rows),
        }
    )
    emp = pl.DataFrame({"employee_id": placements["employee_id"], "gender": [g for _, g in rows]})
    out = nine_box_by_group(placements, emp, "gender", 5)
    # 5·M (2) is under 5; its box then hides 5·W; column M then hides its next smallest, 1·M (5);
    # column W hides 1·W (5). Only box 9 is shown.
    assert out.select("box", "group", "people", "suppressed").rows() == [
        (1, "M", None, True),
        (1, "W", None, True),
        (5, "M", None, True),
        (5, "W", None, True),
        (9, "M", 6, False),
        (9, "W", 6, False),
    ]
    truth = placements.join(emp, on="employee_id").group_by("box", pl.col("gender").alias("group")).len()
    assert not _recoverable(out.join(truth, on=["box", "group"]))
    with pytest.raises(ValueError, match="no column 'religion'"):
        nine_box_by_group(placements, emp, "religion", 5)


def test_nine_box_on_the_sample_places_everyone_once_and_group_tables_stay_protected():
    sample = load_source(None, as_of=D(2026, 11, 22)).tables
    prof = proficiency(sample["evidence"], T)
    rd = readiness(sample["employees"], sample["roles"], sample["role_requirements"], prof, T)
    nb = nine_box(sample["employees"], sample["roles"], sample["role_requirements"], sample["performance"], rd, prof, T)
    active = sample["employees"].filter(pl.col("exit_date").is_null() | (pl.col("exit_date") > T)).height
    assert nb.placements["employee_id"].n_unique() == nb.placements.height
    assert nb.grid["people"].sum() + nb.unplaced["people"].sum() == active
    for attribute in ("gender", "ethnicity", "disability"):
        table = nine_box_by_group(nb.placements, sample["employees"], attribute, 10)
        shown = table.filter(~pl.col("suppressed"))
        assert (shown["people"] >= 10).all()
        truth = (
            nb.placements.join(
                sample["employees"].select("employee_id", pl.col(attribute).fill_null("Not disclosed").alias("group")),
                on="employee_id",
            )
            .group_by("box", "group")
            .len()
        )
        assert not _recoverable(table.join(truth, on=["box", "group"]))


def test_talent_configuration_refuses_bad_cut_points():
    with pytest.raises(MetricsConfigError, match=r"readiness_medium_min \(0.95\) must be below readiness_high_min"):
        MetricsConfig.from_dict({"talent": {"readiness_medium_min": 0.95}})
    with pytest.raises(MetricsConfigError, match="suggested_successors = 0 is not allowed"):
        MetricsConfig.from_dict({"talent": {"suggested_successors": 0}})
    assert MetricsConfig.from_dict({"talent": {"performance_high_min": 4.5}}).talent.performance_high_min == 4.5


# ------------------------------------------------------------------ bench over time


def _history_org():
    """Lead (critical) fed by Analyst. q1 becomes ready for Lead with evidence in May 2026;
    q2 is promoted Analyst → Lead in August 2026; q3 is an Analyst throughout."""
    emp = pl.DataFrame(
        {
            "employee_id": ["q1", "q2", "q3", "q4"],
            "role_id": ["AN", "LD", "AN", "LD"],
            "team": ["T"] * 4,
            "hire_date": [D(2020, 1, 1)] * 4,
            "exit_date": [None] * 4,
        },
        schema_overrides={"exit_date": pl.Date},
    )
    roles = pl.DataFrame(
        {
            "role_id": ["AN", "LD"],
            "title": ["Analyst", "Lead"],
            "ladder": ["D", "D"],
            "level": [1, 2],
            "next_role_id": ["LD", None],
            "critical": [False, True],
        }
    )
    reqs = pl.DataFrame({"role_id": ["LD", "AN"], "competency_id": ["c", "c"], "required_level": [3, 1]})
    ev = pl.DataFrame(
        {
            "evidence_id": ["v1", "v2"],
            "employee_id": ["q1", "q3"],
            "competency_id": ["c", "c"],
            "evidence_type": ["performance_task", "performance_task"],
            "level": [3, 2],
            "observed_on": [D(2026, 5, 1), D(2025, 11, 1)],
            "verified": [True, True],
        }
    )
    moves = pl.DataFrame(
        {
            "employee_id": ["q2"],
            "effective_date": [D(2026, 8, 15)],
            "from_role_id": ["AN"],
            "to_role_id": ["LD"],
            "movement_type": ["promotion"],
        }
    )
    comps = pl.DataFrame({"competency_id": ["c"], "name": ["C"]})
    return {
        "employees": emp,
        "roles": roles,
        "role_requirements": reqs,
        "evidence": ev,
        "movements": moves,
        "competencies": comps,
    }


def test_bench_history_matches_readiness_recomputed_at_each_quarter_end():
    tables = _history_org()
    history = bench_history(tables, T)
    assert quarter_ends(T) == [D(2025, 12, 31), D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30)]
    # Hand-computed: q1's level-3 item (1.0 on 2026-05-01) decays below 1.0 the next day, so q1 is ready
    # now on no quarter end; on 2026-06-30 its weight is 0.5^(60/365) = 0.89 < 1 → level 0.
    # Candidates: q1, q3 and (before August) q2; incumbents: q4, plus q2 from 2026-08-15.
    assert history.select("quarter_end", "incumbents", "candidates", "ready_now", "status").rows() == [
        (D(2025, 12, 31), 1, 3, 0, "no_successors"),
        (D(2026, 3, 31), 1, 3, 0, "no_successors"),
        (D(2026, 6, 30), 1, 3, 0, "no_successors"),
        (D(2026, 9, 30), 2, 2, 0, "no_successors"),
    ]
    # and the same as recomputing readiness from scratch at each quarter end
    for q in quarter_ends(T):
        emp_q = roles_at(tables["employees"], tables["movements"], q)
        rd_q = readiness(emp_q, tables["roles"], tables["role_requirements"], proficiency(tables["evidence"], q), q)
        expected = bench_strength(emp_q, tables["roles"], rd_q, q).filter(pl.col("critical")).drop("critical")
        got = history.filter(pl.col("quarter_end") == q).drop("quarter_end").select(expected.columns)
        assert got.equals(expected)


def test_bench_history_on_the_sample_matches_recomputation():
    tables = load_source(None, as_of=D(2026, 11, 22)).tables
    history = bench_history(tables, T)
    assert history["quarter_end"].n_unique() == 4
    for q in quarter_ends(T):
        emp_q = roles_at(tables["employees"], tables["movements"], q)
        prof_q = proficiency(tables["evidence"], q)
        rd_q = readiness(emp_q, tables["roles"], tables["role_requirements"], prof_q, q)
        expected = bench_strength(emp_q, tables["roles"], rd_q, q).filter(pl.col("critical")).drop("critical")
        got = history.filter(pl.col("quarter_end") == q).drop("quarter_end").select(expected.columns)
        assert got.equals(expected)


def test_coverage_lapses_when_the_evidence_ages_and_recomputation_agrees():
    tables = _history_org()
    # two verified level-3 items on T: W = 2, held while 2·0.5^(d/365) ≥ 1, i.e. until d = 365
    ev = pl.DataFrame(
        {
            "evidence_id": ["w1", "w2"],
            "employee_id": ["q1", "q1"],
            "competency_id": ["c", "c"],
            "evidence_type": ["performance_task", "rubric_review"],
            "level": [3, 3],
            "observed_on": [T, T],
            "verified": [True, True],
        }
    )
    emp = tables["employees"]
    prof = proficiency(ev, T)
    rd = readiness(emp, tables["roles"], tables["role_requirements"], prof, T)
    fc = coverage_forecast(emp, tables["roles"], tables["role_requirements"], ev, rd, T)
    assert fc.roles.rows() == [("LD", 1, T + dt.timedelta(days=365), T + dt.timedelta(days=366), "q1")]
    for day, band in ((365, "ready_now"), (366, "developing")):
        d = T + dt.timedelta(days=day)
        again = readiness(emp, tables["roles"], tables["role_requirements"], proficiency(ev, d), d)
        assert again.filter((pl.col("employee_id") == "q1") & (pl.col("relation") == "next"))["band"].item() == band
    restore = fc.restore.row(0, named=True)
    assert (restore["competency_id"], restore["required_level"], restore["level_at_lapse"]) == ("c", 3, 0)
    assert restore["weight_needed"] == pytest.approx(1 - 2 * 0.5 ** (366 / 365))
    assert restore["evidence_types"].startswith("performance task, rubric review, customer outcome")


# ------------------------------------------------------------------ impact, comparison, nominations, chart


def test_impact_of_loss_counts_single_points_of_failure():
    bench = bench_strength(EMP, ROLES, readiness(EMP, ROLES, REQS, PROF, T), T)
    targets = pl.DataFrame(
        {
            "team": ["Risk", "Risk", "Buying"],
            "competency_id": ["c1", "c9", "c1"],
            "target_level": [5, 1, 1],
            "target_headcount": [1, 1, 1],
        }
    )
    prof = pl.concat(
        [
            PROF.select("employee_id", "competency_id", "level"),
            pl.DataFrame({"employee_id": ["e4"], "competency_id": ["c1"], "level": [5]}),
        ]
    )
    out = impact_of_loss(EMP, ROLES, bench, prof, T, targets)
    # e4 is X3's only incumbent, X3 has no ladder candidate ready now, and e4 alone holds c1 ≥ 5 in Risk
    assert out.positions.select(
        "role_id", "employee_id", "incumbents", "ready_now", "targets_held", "single_points_of_failure", "impact"
    ).rows() == [("X3", "e4", 1, 0, 1, 1, "high")]
    assert out.targets.select("competency_id", "supply", "supply_without", "single_point_of_failure").rows() == [
        ("c1", 1, 0, True)
    ]


def test_comparison_of_two_to_four_candidates():
    perf = pl.DataFrame(
        {
            "employee_id": ["e1", "e1", "e2"],
            "period_end": [D(2025, 12, 31), D(2026, 6, 30), D(2026, 6, 30)],
            "rating": [3.5, 3.0, 4.0],
        }
    )
    c = compare_candidates(EMP, ROLES, REQS, PROF, "X3", ["e2", "e1"], T, perf, MOVES)
    assert c.summary.select("employee_id", "n_critical_gaps", "latest_rating", "rating_change", "trend").rows() == [
        ("e2", 1, 4.0, None, None),
        ("e1", 0, 3.0, -0.5, "falling"),
    ]
    assert c.requirements.select("employee_id", "competency_id", "level", "required_level").rows() == [
        ("e2", "c1", 3, 4),
        ("e2", "c2", 2, 2),
        ("e1", "c1", 4, 4),
        ("e1", "c2", 1, 2),
    ]
    with pytest.raises(ValueError, match="Compare two to four different candidates; got 1"):
        compare_candidates(EMP, ROLES, REQS, PROF, "X3", ["e1", "e1"], T)
    with pytest.raises(ValueError, match="Unknown employee 'zz'"):
        compare_candidates(EMP, ROLES, REQS, PROF, "X3", ["e1", "zz"], T)
    with pytest.raises(ValueError, match="'e6' is not active on 2026-09-30"):
        compare_candidates(EMP, ROLES, REQS, PROF, "X3", ["e1", "e6"], T)


def test_nominations_beside_the_evidence_with_leavers_and_orphans():
    noms = pl.DataFrame(
        {
            "nomination_id": [1, 2, 3, 4, 5, 6],
            "role_id": ["X3", "X3", "X3", "X3", "GONE", "X3"],
            "employee_id": ["e3", "e1", "e5", "e6", "e1", "e99"],
            "judgement": ["ready_now", "ready_now", "ready_1_2_years", "ready_now", "ready_now", "ready_now"],
            "note": [""] * 6,
            "nominated_by": ["ana"] * 6,
            "nominated_at": [dt.datetime(2026, 9, 1, tzinfo=dt.UTC)] * 6,
        }
    )
    out = nominations_view(noms, EMP, ROLES, REQS, PROF, T)
    assert out.select("nomination_id", "state", "band", "agreement").rows() == [
        (5, ORPHANED_ROLE, None, None),
        (1, "active", "ready_now", AGREES),
        (2, "active", "ready_soon", COMMITTEE_HIGHER),
        (3, "active", "developing", COMMITTEE_HIGHER),
        (4, NOMINEE_LEFT, None, None),
        (6, ORPHANED_EMPLOYEE, None, None),
    ]
    # the evidence can also be ahead of the committee
    late = noms.head(1).with_columns(judgement=pl.lit("ready_3_plus_years"))
    assert nominations_view(late, EMP, ROLES, REQS, PROF, T)["agreement"].to_list() == [EVIDENCE_HIGHER]
    assert out.filter(pl.col("state") == NOMINEE_LEFT)["exit_date"].to_list() == [D(2026, 6, 30)]


def test_hierarchy_branch_and_succession_positions():
    tree = hierarchy(EMP, ROLES, T)
    # e6 has left; e3 reports to e1, who reports to e4
    assert tree.select("employee_id", "depth", "direct_reports", "branch_size").rows() == [
        ("e4", 0, 3, 5),
        ("e1", 1, 1, 2),
        ("e3", 2, 0, 1),
        ("e2", 1, 0, 1),
        ("e5", 1, 0, 1),
    ]
    assert branch(tree, "e1")["employee_id"].to_list() == ["e1", "e3"]
    assert branch(tree, "e4", levels=1)["employee_id"].to_list() == ["e4", "e1", "e2", "e5"]
    with pytest.raises(ValueError, match="'e6' is not in the hierarchy"):
        branch(tree, "e6")
    bench = bench_strength(EMP, ROLES, readiness(EMP, ROLES, REQS, PROF, T), T)
    noms = pl.DataFrame({"role_id": ["X3", "X3"], "employee_id": ["e5", "e6"]})
    s = succession(EMP, ROLES, REQS, PROF, bench, noms, T)
    # suggested: the best three at least ready soon (e3, e1, e2); nominated: active nominees only (e6 left)
    assert s.positions.select("role_id", "incumbent_ids", "nominated", "suggested", "status").rows() == [
        ("X3", ["e4"], ["e5"], ["e3", "e1", "e2"], "no_successors")
    ]
    assert s.tree.filter(pl.col("employee_id") == "e4")["status"].item() == "no_successors"


def test_a_reporting_cycle_does_not_hang_the_hierarchy():
    emp = _employees(
        [
            ("a", "A1", "T", "b", D(2020, 1, 1), None),
            ("b", "A1", "T", "a", D(2020, 1, 1), None),
            ("c", "A1", "T", "a", D(2020, 1, 1), None),
        ]
    )
    tree = hierarchy(emp, ROLES, T)
    assert tree.height == 3
    assert tree.filter(pl.col("depth") == 0).height >= 1
    assert tree["branch_size"].max() <= 3
