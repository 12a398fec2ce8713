"""Loading files: every defect the contract lists lands in rejects, counts reconcile."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from data_sources.config import SourceConfig, TableSource
from data_sources.errors import SourceError
from data_sources.loader import load_source
from data_sources.validate import validate_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def defects():
    return load_source(FIXTURES / "defects", as_of=AS_OF)


def test_every_defect_kind_is_rejected_with_line_column_and_reason(defects):
    got = {(r["table"], r["row"], r["column"], r["reason"]) for r in defects.report.rejects.iter_rows(named=True)}
    expected = {
        ("employees", "line 3", "team", "missing required value"),
        ("employees", "line 4", "role_id", "unknown role id: 'XX9' is not in roles"),
        ("employees", "line 5", "employee_id", "duplicate key employee_id=E1 (first seen at line 2)"),
        ("employees", "line 6", "hire_date", "wrong type: '2022-31-01' is not a date (YYYY-MM-DD)"),
        ("employees", "line 7", "manager_id", "unknown employee id: 'E99' is not in employees"),
        ("evidence", "line 3", "level", "out of range: 7 (expected 1 to 5)"),
        (
            "evidence",
            "line 4",
            "evidence_type",
            "not an allowed value: 'gut_feeling' (expected one of performance_task, rubric_review, "
            "customer_outcome, credential, manager_endorsement, peer_feedback, self_assessment)",
        ),
        ("evidence", "line 5", "level", "wrong type: 'three' is not a whole number"),
        ("evidence", "line 6", "observed_on", "date in the future: 2099-01-01 is after the as-of date 2026-11-22"),
        ("evidence", "line 7", "verified", "wrong type: 'maybe' is not true/false"),
    }
    assert got == expected


def test_counts_reconcile_per_table(defects):
    summary = {
        r["table"]: (r["read"], r["accepted"], r["rejected"]) for r in defects.report.summary().iter_rows(named=True)
    }
    assert summary["employees"] == (7, 2, 5)
    assert summary["evidence"] == (6, 1, 5)
    assert all(t.reconciles for t in defects.report.tables)
    # rejected counts distinct rows; each rejected row has at least one reject entry
    rejected_rows = defects.report.rejects.select("table", "row").unique().group_by("table").len()
    assert dict(rejected_rows.iter_rows()) == {"employees": 5, "evidence": 5}


def test_bom_crlf_and_stray_spaces_are_handled_and_reported(defects):
    emp = defects.get("employees")
    assert emp.columns[0] == "employee_id"  # BOM stripped from the header
    e6 = emp.filter(pl.col("employee_id") == "E6").row(0, named=True)
    assert (e6["role_id"], e6["team"], e6["gender"]) == ("AN1", "Data", "Woman")
    assert "employees.csv: trimmed stray spaces in 1 value(s) of column 'team' (e.g. line 8)" in defects.report.notes


def test_accepted_tables_have_contract_types_and_defaults():
    bundle = load_source(FIXTURES / "tiny", as_of=AS_OF)
    roles = bundle.get("roles")
    assert roles.schema["level"] == pl.Int64 and roles.schema["critical"] == pl.Boolean
    emp = bundle.get("employees")
    assert emp.schema["hire_date"] == pl.Date
    # blank ethnicity means "Not disclosed"
    assert emp.filter(pl.col("employee_id") == "E3")["ethnicity"].item() == "Not disclosed"
    assert bundle.equity_attributes == ("gender", "ethnicity", "age_band", "disability")
    assert bundle.missing_for("equity") == ("movements",)


def test_missing_required_column_is_one_clear_error(tmp_path):
    shutil.copytree(FIXTURES / "tiny", tmp_path / "src")
    (tmp_path / "src" / "roles.csv").write_text("role_id,ladder,level\nAN1,Data,1\n")
    with pytest.raises(SourceError) as err:
        load_source(tmp_path / "src", as_of=AS_OF)
    assert str(err.value) == (
        "roles.csv: required column 'title' of table 'roles' is missing "
        "(required columns: role_id, title, ladder, level)"
    )


def test_missing_required_table_names_it(tmp_path):
    shutil.copytree(FIXTURES / "tiny", tmp_path / "src")
    (tmp_path / "src" / "competencies.csv").unlink()
    with pytest.raises(SourceError, match="required table 'competencies' was not found"):
        load_source(tmp_path / "src", as_of=AS_OF)


def test_unreadable_file_is_one_clear_error(tmp_path):
    shutil.copytree(FIXTURES / "tiny", tmp_path / "src")
    (tmp_path / "src" / "roles.csv").unlink()
    (tmp_path / "src" / "roles.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(SourceError, match=r"roles.parquet: cannot be read as Parquet"):
        load_source(tmp_path / "src", as_of=AS_OF)


def test_other_date_formats_declared_in_configuration():
    raw = pl.DataFrame(
        {
            "_row": ["line 2", "line 3", "line 4"],
            "Worker": ["A", "B", "C"],
            "Job": ["R1"] * 3,
            "Org": ["T"] * 3,
            "Start": ["3/30/2015", "07/05/11", "2015-03-30"],
        }
    )
    mapping = TableSource.from_dict(
        "employees",
        {
            "columns": {"Worker": "employee_id", "Job": "role_id", "Org": "team", "Start": "hire_date"},
            "date_formats": {"hire_date": ["%m/%d/%Y", "%m/%d/%y"]},
        },
    )
    res = validate_table(raw, "employees", "hris.csv", as_of=AS_OF, mapping=mapping)
    assert res.accepted["hire_date"].to_list() == [dt.date(2015, 3, 30), dt.date(2011, 7, 5)]
    assert res.rejects.select("row", "reason").rows() == [
        ("line 4", "wrong type: '2015-03-30' is not a date (MM/DD/YYYY or MM/DD/YY)")
    ]


def test_value_maps_and_rescale():
    raw = pl.DataFrame(
        {
            "_row": ["line 2", "line 3"],
            "employee_id": ["A", "B"],
            "period_end": ["2025-12-31"] * 2,
            "score": ["Exceeds", "PIP"],
        }
    )
    mapping = TableSource.from_dict(
        "performance",
        {
            "columns": {"score": "rating"},
            "values": {"rating": {"Exceeds": "4", "PIP": "1"}},
            "rescale": {"rating": {"from": [1, 4], "to": [1, 5]}},
        },
    )
    res = validate_table(raw, "performance", "perf.csv", as_of=AS_OF, mapping=mapping)
    # 4 on 1..4 is 5 on 1..5; 1 stays 1
    assert res.accepted["rating"].to_list() == [5.0, 1.0]


def test_a_composite_key_seen_three_times_keeps_its_first_row_and_names_its_line():
    raw = pl.DataFrame(
        {
            "_row": ["line 2", "line 3", "line 4", "line 5", "line 6"],
            "employee_id": ["A", "B", "A", "A", "B"],
            "period_end": ["2025-12-31", "2025-12-31", "2025-12-31", "2025-12-31", "2025-06-30"],
            "rating": ["3", "4", "2", "5", "1"],
        }
    )
    res = validate_table(raw, "performance", "perf.csv", as_of=AS_OF)
    assert res.accepted.select("employee_id", "rating").rows() == [("A", 3.0), ("B", 4.0), ("B", 1.0)]
    assert res.rejects.select("row", "column", "reason").rows() == [
        (
            "line 4",
            "employee_id, period_end",
            "duplicate key employee_id=A, period_end=2025-12-31 (first seen at line 2)",
        ),
        (
            "line 5",
            "employee_id, period_end",
            "duplicate key employee_id=A, period_end=2025-12-31 (first seen at line 2)",
        ),
    ]


def test_timestamps_with_offsets_are_stored_as_utc():
    raw = pl.DataFrame(
        {
            "_row": ["line 2", "line 3", "line 4"],
            "employee_id": ["A"] * 3,
            "asset_id": ["X"] * 3,
            "verb": ["completed"] * 3,
            "timestamp": ["2026-01-05T10:00:00+02:00", "2026-01-05T10:00:00Z", "yesterday"],
        }
    )
    res = validate_table(raw, "learning_events", "lms.csv", as_of=AS_OF)
    assert [t.hour for t in res.accepted["timestamp"].to_list()] == [8, 10]
    assert res.accepted.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert res.rejects["reason"].to_list() == ["wrong type: 'yesterday' is not an ISO 8601 timestamp"]


def test_equity_attributes_stay_categories():
    raw = pl.DataFrame(
        {
            "_row": ["line 2", "line 3"],
            "employee_id": ["A", "B"],
            "role_id": ["R", "R"],
            "team": ["T", "T"],
            "hire_date": ["2020-01-01"] * 2,
            "disability": ["1", None],
            "veteran": ["yes", "no"],
        }
    )
    res = validate_table(raw, "employees", "e.csv", as_of=AS_OF, equity_attributes=("disability",))
    assert res.accepted["disability"].to_list() == ["1", "Not disclosed"]
    assert "veteran" not in res.accepted.columns


def test_same_configuration_loads_the_same_way_every_time(tmp_path):
    a = load_source(FIXTURES / "defects", as_of=AS_OF)
    b = load_source(FIXTURES / "defects", as_of=AS_OF)
    assert a.version == b.version
    for name in a.tables:
        assert a.get(name).equals(b.get(name))
    assert a.report.rejects.equals(b.report.rejects)


def test_unknown_configuration_key_is_a_clear_error(tmp_path):
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[tables.roles]\nfiel = "roles.csv"\n')
    with pytest.raises(SourceError, match=r"unknown key 'fiel' in \[tables.roles\]"):
        SourceConfig.from_toml(cfg)


def test_parquet_and_excel_folders_load_the_same_tables(tmp_path):
    csv = load_source(FIXTURES / "tiny", as_of=AS_OF)
    (tmp_path / "pq").mkdir()
    (tmp_path / "xl").mkdir()
    for name in csv.tables:
        raw = pl.read_csv(FIXTURES / "tiny" / f"{name}.csv", infer_schema=False)
        raw.write_parquet(tmp_path / "pq" / f"{name}.parquet")
        raw.write_excel(tmp_path / "xl" / f"{name}.xlsx")
    for folder in ("pq", "xl"):
        other = load_source(tmp_path / folder, as_of=AS_OF)
        assert set(other.tables) == set(csv.tables)
        for name, frame in csv.tables.items():
            assert other.get(name).equals(frame), (folder, name)
        assert other.report.rejects.height == 0
    # rows are named as a user finds them: a line in a sheet, a row in a Parquet file
    bad = pl.read_csv(FIXTURES / "tiny" / "roles.csv", infer_schema=False).with_columns(
        pl.when(pl.col("role_id") == "AN2").then(pl.lit("two")).otherwise(pl.col("level")).alias("level")
    )
    bad.write_excel(tmp_path / "xl" / "roles.xlsx")
    bad.write_parquet(tmp_path / "pq" / "roles.parquet")
    # AN2 is rejected for its level, and so AN1, whose next_role_id points at it
    xl = load_source(tmp_path / "xl", as_of=AS_OF).report.rejects.filter(table="roles")
    pq = load_source(tmp_path / "pq", as_of=AS_OF).report.rejects.filter(table="roles")
    assert xl.select("row", "column").rows() == [("line 2", "next_role_id"), ("line 3", "level")]
    assert pq.select("row", "column").rows() == [("row 1", "next_role_id"), ("row 2", "level")]
