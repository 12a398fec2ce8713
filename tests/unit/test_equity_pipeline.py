"""Pipeline equity: readiness for the next role at S, by group, with the same suppression."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.config import EquityConfig
from metrics.equity._pipeline import PIPELINE_COLUMNS, PIPELINE_SCHEMA, pipeline_equity
from tests.unit.test_equity_support import AS_OF, MOVEMENT_SCHEMA, ROLES, build_org

READINESS_SCHEMA = {
    "employee_id": pl.String,
    "target_role_id": pl.String,
    "relation": pl.String,
    "readiness": pl.Float64,
    "band": pl.String,
    "n_gaps": pl.Int64,
    "n_critical_gaps": pl.Int64,
}


def readiness(rows) -> pl.DataFrame:
    return pl.DataFrame(
        [(e, "R2", rel, r, b, 0, 0) for e, rel, r, b in rows],
        schema=READINESS_SCHEMA,
        orient="row",
    )


def test_pipeline_hand_computed():
    # A: e00000..e00009 (e00000 promoted); B: e00010..e00019 (nobody promoted).
    employees, movements = build_org({"A": (10, 1), "B": (10, 0)})
    ready = readiness(
        [
            ("e00000", "next", 0.95, "ready_now"),  # promoted
            ("e00001", "next", 0.92, "ready_now"),  # not promoted
            ("e00002", "next", 0.91, "ready_soon"),  # critical gap: not ready_now
            ("e00002", "current", 1.00, "ready_now"),  # current role: ignored
            ("e00003", "next", 0.80, "ready_soon"),
            ("e00004", "next", 0.70, "ready_soon"),
            ("e00005", "next", 0.60, "developing"),
            ("e00006", "next", 0.50, "developing"),
            ("e00007", "next", 0.40, "developing"),
            ("e99999", "next", 0.99, "ready_now"),  # not eligible: ignored
        ]
    )
    table = pipeline_equity(employees, ready, movements, ROLES, AS_OF, "gender")
    assert table.columns == list(PIPELINE_COLUMNS)
    assert dict(table.schema) == PIPELINE_SCHEMA
    # A: 8 assessed (e00008, e00009 have no next role); mean = 5.78 / 8 = 0.7225;
    # ready_now 2 -> share 2/8 = 0.25; of those 2, e00001 not promoted -> 1/2 = 0.5.
    # B: nobody assessed -> mean, share and ready_not_promoted null; ready_now 0.
    a, b = table.iter_rows(named=True)
    assert (a["group"], a["eligible"], a["assessed"], a["ready_now"]) == ("A", 10, 8, 2)
    assert a["mean_readiness"] == pytest.approx(0.7225)
    assert a["share_ready_now"] == 0.25 and a["ready_not_promoted"] == 0.5
    assert a["suppressed"] is False
    assert (b["group"], b["eligible"], b["assessed"], b["ready_now"]) == ("B", 10, 0, 0)
    assert b["mean_readiness"] is None and b["share_ready_now"] is None
    assert b["ready_not_promoted"] is None


def test_pipeline_uses_promotion_equity_suppression():
    # C (3) is small; B (12) is the next smallest: both hidden, A shown. B: e00020 ready and
    # promoted, e00021 ready and not; C: e00032 ready and not promoted. Between them B and C
    # have 3 assessed, 3 ready, 1 ready and promoted: no count of either is pinned.
    employees, movements = build_org({"A": (20, 2), "B": (12, 1), "C": (3, 0)})
    ready = readiness(
        [
            ("e00020", "next", 0.95, "ready_now"),
            ("e00021", "next", 0.95, "ready_now"),
            ("e00032", "next", 0.95, "ready_now"),
            ("e00000", "next", 0.5, "developing"),
        ]
    )
    table = pipeline_equity(employees, ready, movements, ROLES, AS_OF, "gender")
    assert table.select("group", "suppressed", "suppression").rows() == [
        ("A", False, None),
        ("B", True, "suppressed"),
        ("C", True, "fewer than 10"),
    ]
    hidden = table.filter(pl.col("suppressed"))
    assert hidden.drop("attribute", "group", "suppressed", "suppression").null_count().row(0) == (2,) * 7
    assert table.row(0, named=True)["mean_readiness"] == 0.5


def test_pipeline_hides_more_when_its_counts_would_pin_a_group():
    # As above but only e00020 (B, promoted) is ready. With A shown, B and C share 1 ready
    # person and 0 "ready and not promoted": each group's ready-not-promoted count is pinned
    # at 0 ("nobody ready in C was passed over"). The pipeline table hides A too (the
    # promotion table still shows it).
    employees, movements = build_org({"A": (20, 2), "B": (12, 1), "C": (3, 0)})
    ready = readiness([("e00020", "next", 0.95, "ready_now"), ("e00000", "next", 0.5, "developing")])
    table = pipeline_equity(employees, ready, movements, ROLES, AS_OF, "gender")
    assert table["suppressed"].to_list() == [True, True, True]
    assert table["suppression"].to_list() == ["suppressed", "suppressed", "fewer than 10"]


def test_pipeline_promotion_after_window_end_counts_as_not_promoted():
    employees, _ = build_org({"A": (10, 0)})
    late = pl.DataFrame([("e00000", dt.date(2025, 12, 31), "R1", "R2", None)], schema=MOVEMENT_SCHEMA, orient="row")
    ready = readiness([("e00000", "next", 0.95, "ready_now")])
    row = pipeline_equity(employees, ready, late, ROLES, AS_OF, "gender", window_end=dt.date(2025, 12, 30)).row(
        0, named=True
    )
    assert row["ready_now"] == 1 and row["ready_not_promoted"] == 1.0


def test_pipeline_needs_readiness_columns():
    employees, movements = build_org({"A": (10, 0)})
    with pytest.raises(ValueError, match="missing: band"):
        pipeline_equity(
            employees,
            pl.DataFrame({"employee_id": ["e00000"], "relation": ["next"], "readiness": [0.5]}),
            movements,
            ROLES,
            AS_OF,
            "gender",
        )


def test_pipeline_all_attributes_matches_single_calls():
    from metrics.equity._pipeline import pipeline_equity_all

    cells = {("W", "A"): (12, 1), ("W", "B"): (15, 3), ("M", "A"): (20, 6), ("M", "B"): (25, 5)}
    employees, movements = build_org(cells, attributes=("gender", "ethnicity"))
    ready = readiness([("e00000", "next", 0.95, "ready_now")])
    table = pipeline_equity_all(employees, ready, movements, ROLES, AS_OF)
    assert table["attribute"].unique(maintain_order=True).to_list() == ["gender", "ethnicity", "gender × ethnicity"]
    single = pipeline_equity(employees, ready, movements, ROLES, AS_OF, ("gender", "ethnicity"))
    assert table.filter(pl.col("attribute") == "gender × ethnicity").equals(single)
    # Intersections' pipeline tables are not published: every cell suppressed, with its reason.
    assert single["suppressed"].all() and single["eligible"].null_count() == 4
    assert single["suppression"].to_list() == ["suppressed"] * 4
    # The one-way tables are: e00000 is W (27 eligible): ready now and promoted.
    row = table.filter((pl.col("attribute") == "gender") & (pl.col("group") == "W")).row(0, named=True)
    assert (row["eligible"], row["ready_now"], row["ready_not_promoted"]) == (27, 1, 0.0)


def test_thin_evidence_marks_the_figures_insufficient():
    # S = 2024-12-31; the next role R2 requires c1, c2, c3. A's assessed person e00000 has
    # evidence on c1 and c2 by S: coverage 2/3. B's e00010 has c1 by S (c2 only after S):
    # coverage 1/3. Half is the rule: A's figures stand, B's become "insufficient" (counts stay).
    employees, movements = build_org({"A": (10, 1), "B": (10, 0)})
    ready = readiness([("e00000", "next", 0.95, "ready_now"), ("e00010", "next", 0.1, "developing")])
    requirements = pl.DataFrame({"role_id": ["R2"] * 3, "competency_id": ["c1", "c2", "c3"]})
    before, after = dt.date(2024, 6, 1), dt.date(2025, 1, 15)
    evidence = pl.DataFrame(
        [("e00000", "c1", before), ("e00000", "c2", before), ("e00010", "c1", before), ("e00010", "c2", after)],
        schema={"employee_id": pl.String, "competency_id": pl.String, "observed_on": pl.Date},
        orient="row",
    )

    def run(config=None):
        return pipeline_equity(
            employees,
            ready,
            movements,
            ROLES,
            AS_OF,
            "gender",
            config,
            evidence=evidence,
            role_requirements=requirements,
        )

    a, b = run().iter_rows(named=True)
    figures = ("insufficient", "mean_readiness", "share_ready_now", "ready_not_promoted")
    assert tuple(a[k] for k in figures) == (False, 0.95, 1.0, 0.0)
    assert tuple(b[k] for k in figures) == (True, None, None, None)
    assert (b["assessed"], b["ready_now"]) == (1, 0)
    # Without the evidence and requirements the rule cannot be applied: null, figures kept.
    plain = pipeline_equity(employees, ready, movements, ROLES, AS_OF, "gender")
    assert plain["insufficient"].to_list() == [None, None] and plain["mean_readiness"].to_list() == [0.95, 0.1]
    # A stricter share (0.7) marks A too (2/3 < 0.7).
    assert run(EquityConfig(pipeline_min_evidence_share=0.7))["insufficient"].to_list() == [True, True]
