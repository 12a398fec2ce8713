"""The talent-review sections of the succession committee pack (ui/pack_talent.py), on tiny
hand-built frames: what each table lists, that person-level parts stay out when the viewer may
not see people, and that a suppressed box × group cell never carries a number."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from ui import pack
from ui.pack_talent import PEOPLE_HIDDEN, TalentParts, talent_sections

AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
TITLES = {"R1": "Finance Lead", "R2": "Data Lead"}
NAMES = {"E1": "Ada Obi", "E2": "Bo Lind"}

HISTORY = pl.DataFrame(
    {
        "quarter_end": [dt.date(2026, 6, 30), dt.date(2026, 9, 30)],
        "role_id": ["R1", "R1"],
        "incumbents": [2, 2],
        "candidates": [3, 4],
        "ready_now": [0, 1],
        "ready_soon": [1, 2],
        "bench_strength": [0.0, 0.5],
        "status": ["ready_in_future", "covered"],
    }
)
GRID = pl.DataFrame(
    {
        "box": [1, 9],
        "performance_tier": ["low", "high"],
        "readiness_tier": ["low", "high"],
        "box_label": ["Needs attention", "Ready to move up"],
        "people": [4, 2],
        "mean_rating": [1.5, 4.5],
        "mean_readiness": [0.2, 0.95],
    }
)
BOX_GROUPS = pl.DataFrame(
    {
        "attribute": ["gender"] * 3,
        "box": [1, 9, 9],
        "box_label": ["Needs attention", "Ready to move up", "Ready to move up"],
        "group": ["W", "M", "W"],
        # a caller that forgot to blank the suppressed row: the pack must not print its 1
        "people": [4, 1, 1],
        "mean_rating": [1.5, 4.0, 5.0],
        "mean_readiness": [0.2, 0.9, 1.0],
        "suppressed": [False, True, True],
    }
)
NOMINATIONS = pl.DataFrame(
    {
        "nomination_id": [1, 2],
        "role_id": ["R1", "GONE"],
        "employee_id": ["E1", "E2"],
        "judgement": ["ready_now", "ready_1_2_years"],
        "note": ['=HYPERLINK("x")', ""],
        "nominated_by": ["Ana", "Ben"],
        "nominated_at": [AT, AT],
        "state": ["active", "orphaned: role no longer in the source"],
        "exit_date": [None, None],
        "readiness": [0.72, None],
        "band": ["ready_soon", None],
        "agreement": ["committee more optimistic than the evidence", None],
    },
    schema_overrides={"exit_date": pl.Date, "readiness": pl.Float64, "band": pl.String, "agreement": pl.String},
)
POOLS = pl.DataFrame({"pool_id": [1, 2], "name": ["Future leads", "Data bench"], "description": ["Q4", ""]})
MEMBERS = pl.DataFrame(
    {"pool_id": [1], "employee_id": ["E2"], "note": ["strong Q3"], "added_by": ["Ana"], "added_at": [AT]}
)
LOSS = pl.DataFrame(
    {
        "role_id": ["R1"],
        "employee_id": ["E1"],
        "team": ["Finance"],
        "incumbents": [1],
        "candidates": [3],
        "ready_now": [0],
        "ready_soon": [1],
        "bench_strength": [0.0],
        "status": ["ready_in_future"],
        "targets_held": [2],
        "single_points_of_failure": [1],
        "impact": ["high"],
    }
)


def full_parts(**changes) -> TalentParts:
    parts = TalentParts(
        titles=TITLES,
        names=NAMES,
        history=HISTORY,
        grid=GRID,
        box_groups=(BOX_GROUPS,),
        loss=LOSS,
        nominations=NOMINATIONS,
        pools=POOLS,
        pool_members=MEMBERS,
    )
    return TalentParts(**{**parts.__dict__, **changes})


def tables(parts: TalentParts) -> dict[str, pack.Table]:
    return {t.sheet: t for s in talent_sections(parts) for t in s.tables}


def test_sections_come_in_reading_order():
    assert [s.heading for s in talent_sections(full_parts())] == [
        "Nominations and talent pools",
        "Evidence-based nine-box",
        "Impact of loss",
        "Bench over time",
    ]


def test_nominations_set_the_committee_beside_the_evidence_and_keep_orphans():
    section = talent_sections(full_parts())[0]
    assert section.paragraphs == ("2 saved nomination(s); in 1 the committee's judgement and the evidence disagree.",)
    rows = tables(full_parts())["Nominations"].rows
    assert [r[:7] for r in rows] == [
        (
            "GONE",
            "Bo Lind (E2)",
            "Ready in 1–2 years",
            "no requirements",
            None,
            "",
            "orphaned: role no longer in the source",
        ),
        (
            "Finance Lead",
            "Ada Obi (E1)",
            "Ready now",
            "Ready in 1–2 years",
            0.72,
            "committee more optimistic than the evidence",
            "active",
        ),
    ]
    assert rows[1][7:] == ("Ana", "02 Nov 2026 09:30 UTC", '=HYPERLINK("x")', "R1", "E1")


def test_pools_list_members_and_empty_pools():
    assert [r[:3] for r in tables(full_parts())["Talent pools"].rows] == [
        ("Future leads", "Bo Lind (E2)", "strong Q3"),
        ("Data bench", "(no member)", ""),
    ]


def test_nine_box_grid_and_a_suppressed_cell_carries_no_number():
    t = tables(full_parts())
    assert t["Nine-box"].rows == (
        (9, "High", "High", "Ready to move up", 2, 4.5, 0.95),
        (1, "Low", "Low", "Needs attention", 4, 1.5, 0.2),
    )
    assert t["Nine-box gender"].rows == (
        (9, "Ready to move up", "M", "suppressed", None, None),
        (9, "Ready to move up", "W", "suppressed", None, None),
        (1, "Needs attention", "W", 4, 1.5, 0.2),
    )


def test_loss_and_history_read_in_words():
    t = tables(full_parts())
    assert t["Impact of loss"].rows == (
        ("Finance Lead", "Ada Obi (E1)", "Finance", 1, 0, 0.0, "Ready in 1–2 years only", 2, 1, "High", "R1"),
    )
    assert [r[:2] + r[4:8] for r in t["Bench over time"].rows] == [
        ("Finance Lead", "30 Jun 2026", 0, 1, 0.0, "Ready in 1–2 years only"),
        ("Finance Lead", "30 Sep 2026", 1, 2, 0.5, "Covered"),
    ]


def test_without_person_level_rights_nobody_is_named():
    parts = full_parts(names={}, loss=None, nominations=None, pool_members=None)
    sections = talent_sections(parts)
    assert sections[0].paragraphs == ("Nominations: " + PEOPLE_HIDDEN,)
    every_cell = [str(c) for s in sections for t in s.tables for r in t.rows for c in r]
    assert not any("E1" in c or "E2" in c or "Ada" in c or "Bo Lind" in c for c in every_cell)
    assert ("Future leads", PEOPLE_HIDDEN, "", "", "", "Q4") in tables(parts)["Talent pools"].rows
    assert "Impact of loss" not in [s.heading for s in sections]


def test_a_store_that_cannot_be_read_is_said_not_hidden():
    sections = talent_sections(full_parts(store_error="The product's store could not be read (x)."))
    assert sections[0].paragraphs == ("The product's store could not be read (x).",)
    assert sections[0].tables == ()


@pytest.fixture(scope="module")
def workbook() -> openpyxl.Workbook:
    meta = pack.PackMeta("Acme", "tiny", dt.date(2026, 9, 30))
    bench = pl.DataFrame(
        {
            "role_id": ["R1"],
            "critical": [True],
            "incumbents": [2],
            "candidates": [4],
            "ready_now": [1],
            "ready_soon": [2],
            "bench_strength": [0.5],
            "status": ["covered"],
        }
    )
    roles = pl.DataFrame({"role_id": ["R1"], "title": ["Finance Lead"]})
    from metrics.config import DEFAULT_CONFIG

    built = pack.succession_pack_from_frames(
        meta, bench, roles, DEFAULT_CONFIG.readiness, extra=talent_sections(full_parts())
    )
    return openpyxl.load_workbook(io.BytesIO(pack.succession_excel(built)))


def test_the_workbook_carries_every_talent_sheet_with_numbers_as_numbers(workbook):
    assert {"Nominations", "Talent pools", "Nine-box", "Nine-box gender", "Impact of loss", "Bench over time"} <= set(
        workbook.sheetnames
    )
    noms = list(workbook["Nominations"].iter_rows(min_row=4, values_only=True))
    finance = next(r for r in noms if r[0] == "Finance Lead")
    assert finance[4] == 0.72
    assert finance[9] == '\'=HYPERLINK("x")'  # a note a spreadsheet would run is neutralised
    cells = list(workbook["Nine-box gender"].iter_rows(min_row=4, max_row=5, values_only=True))
    assert cells == [(9, "Ready to move up", "M", "suppressed", None, None)] + [
        (9, "Ready to move up", "W", "suppressed", None, None)
    ]
