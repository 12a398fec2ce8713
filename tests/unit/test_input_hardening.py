"""Issue 10, data side: no crash on any input, nothing accepted that is not data, nothing lost silently.

Each test here reproduces one defect that was found on main and shows the fixed behaviour.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import cli
from data_sources.errors import SourceError
from data_sources.loader import DEFAULT_SAMPLE, load_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AS_OF = dt.date(2026, 11, 22)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_a_deleted_role_gives_rejects_not_a_rust_panic(tmp_path):
    """``sed -i '/^ENG-1,/d' roles.csv`` on the sample made the foreign-key message panic inside polars."""
    folder = tmp_path / "sample"
    folder.mkdir()
    for f in DEFAULT_SAMPLE.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    roles = folder / "roles.csv"
    roles.write_text("".join(line for line in roles.read_text().splitlines(True) if not line.startswith("ENG-1,")))
    bundle = load_source(folder, as_of=dt.date(2026, 9, 30))
    rej = bundle.report.rejects
    emp = rej.filter((pl.col("table") == "employees") & (pl.col("column") == "role_id"))
    assert emp.height > 0
    assert set(emp["value"]) == {"ENG-1"}
    assert set(emp["reason"]) == {"unknown role id: 'ENG-1' is not in roles"}
    assert emp["row"].str.starts_with("line ").all()
    assert all(t.reconciles for t in bundle.report.tables)


def _tiny(tmp_path: Path) -> Path:
    return _copy(FIXTURES / "tiny", tmp_path / "tiny")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _rejects(bundle) -> set[tuple]:
    return {
        (r["table"], r["row"], r["column"], r["value"], r["reason"], r["cause"])
        for r in bundle.report.rejects.iter_rows(named=True)
    }


def test_non_finite_weight_level_and_range_overflow_are_rejected(tmp_path):
    """A NaN weight put people at readiness NaN, band ready_now; inf and 1e308 loaded as numbers."""
    folder = _tiny(tmp_path)
    _edit(folder / "role_requirements.csv", "AN1,SQL,2,1,false", "AN1,SQL,2,NaN,false")
    _edit(folder / "role_requirements.csv", "AN2,SQL,3,2,true", "AN2,SQL,3,inf,true")
    _edit(folder / "role_requirements.csv", "AN2,FC,2,1,false", "AN2,FC,2,1e308,false")
    _edit(folder / "role_requirements.csv", "AN3,SM,4,2,true", "AN3,SM,-inf,2,true")
    bundle = load_source(folder, as_of=AS_OF)
    assert _rejects(bundle) == {
        (
            "role_requirements",
            "line 2",
            "weight",
            "NaN",
            "not a finite number: NaN (NaN and infinity are not data)",
            None,
        ),
        (
            "role_requirements",
            "line 4",
            "weight",
            "inf",
            "not a finite number: inf (NaN and infinity are not data)",
            None,
        ),
        (
            "role_requirements",
            "line 5",
            "weight",
            "1e308",
            "out of range: 1e308 (numbers must lie between -1e+12 and 1e+12)",
            None,
        ),
        ("role_requirements", "line 8", "required_level", "-inf", "wrong type: '-inf' is not a whole number", None),
    }
    weights = bundle.get("role_requirements")["weight"]
    assert weights.is_finite().all() and weights.len() == 3


def test_performance_ratings_are_checked_against_a_declared_scale(tmp_path):
    folder = _tiny(tmp_path)
    (folder / "performance.csv").write_text(
        "employee_id,period_end,rating\nE1,2026-03-31,4\nE2,2026-03-31,7\nE3,2026-03-31,nan\nE4,2026-03-31,0.5\n"
    )
    (folder / "source.toml").write_text("[source]\npath = '.'\n[tables.performance]\nscale = [1, 5]\n")
    bundle = load_source(folder / "source.toml", as_of=AS_OF)
    assert {(r[1], r[4]) for r in _rejects(bundle)} == {
        ("line 3", "out of range: 7.0 (expected 1 to 5)"),
        ("line 4", "not a finite number: nan (NaN and infinity are not data)"),
        ("line 5", "out of range: 0.5 (expected 1 to 5)"),
    }
    assert bundle.get("performance")["rating"].to_list() == [4.0]
    # without a declared scale any finite rating loads, but NaN never does
    plain = load_source(folder, as_of=AS_OF)
    assert plain.get("performance")["rating"].to_list() == [4.0, 7.0, 0.5]


def test_dates_that_contradict_each_other_and_same_role_moves_are_rejected(tmp_path):
    folder = _tiny(tmp_path)
    _edit(folder / "employees.csv", "E4,AN1,Data,E2,2022-09-01,,", "E4,AN1,Data,E2,2022-09-01,2021-01-01,")
    _edit(folder / "employees.csv", "E5,AN1,Data,E2,2020-01-01,2025-06-30,", "E5,AN1,Data,E2,2027-01-01,,")
    (folder / "movements.csv").write_text(
        "employee_id,effective_date,from_role_id,to_role_id,movement_type\n"
        "E2,2020-03-01,AN1,AN2,promotion\n"
        "E3,2020-01-01,AN1,AN2,promotion\n"
        "E2,2021-03-01,AN2,AN2,promotion\n"
    )
    bundle = load_source(folder, as_of=AS_OF)
    assert {(r[0], r[1], r[2], r[4]) for r in _rejects(bundle)} == {
        ("employees", "line 5", "exit_date", "exit date 2021-01-01 is before the hire date 2022-09-01"),
        ("employees", "line 6", "hire_date", "date in the future: 2027-01-01 is after the as-of date 2026-11-22"),
        ("evidence", "line 6", "employee_id", "employee 'E4' was rejected: see employees line 5"),
        (
            "movements",
            "line 3",
            "effective_date",
            "movement dated 2020-01-01 is before the employee's hire date 2021-06-01",
        ),
        (
            "movements",
            "line 4",
            "to_role_id",
            "a movement to the same role: from_role_id and to_role_id are both 'AN2'",
        ),
    }
    assert bundle.get("movements").height == 1
    assert all(t.reconciles for t in bundle.report.tables)


def test_a_next_role_cycle_rejects_every_role_on_it_and_knocks_on(tmp_path):
    folder = _tiny(tmp_path)
    _edit(folder / "roles.csv", "AN3,Lead Analyst,Data,3,,true", "AN3,Lead Analyst,Data,3,AN2,true")
    bundle = load_source(folder, as_of=AS_OF)
    rej = bundle.report.rejects
    roles = rej.filter(pl.col("table") == "roles")
    assert set(zip(roles["row"], roles["reason"], roles["cause"], strict=True)) == {
        ("line 3", "next_role_id cycle: AN2 → AN3 → AN2", None),
        ("line 4", "next_role_id cycle: AN3 → AN2 → AN3", None),
        ("line 2", "role 'AN2' was rejected: see roles line 3", "roles line 3"),
    }
    # every employee sits in a rejected role; the root cause is named, employees' own managers too
    emp = {
        (r["row"], r["column"], r["cause"]) for r in rej.filter(pl.col("table") == "employees").iter_rows(named=True)
    }
    assert emp == {
        ("line 2", "role_id", "roles line 4"),
        ("line 3", "role_id", "roles line 3"),
        ("line 4", "role_id", "roles line 3"),
        ("line 5", "role_id", "roles line 3"),
        ("line 6", "role_id", "roles line 3"),
    }
    assert all(t.reconciles for t in bundle.report.tables)


def test_knock_on_rejects_name_the_row_they_follow_from(tmp_path):
    folder = _tiny(tmp_path)
    _edit(folder / "employees.csv", "E2,AN2,Data,E1,2019-03-01", "E2,AN2,,E1,2019-03-01")  # team missing
    bundle = load_source(folder, as_of=AS_OF)
    got = {(r[0], r[1], r[2], r[4], r[5]) for r in _rejects(bundle)}
    assert got == {
        ("employees", "line 3", "team", "missing required value", None),
        # E3, E4, E5 report to E2: knock-on within the table
        ("employees", "line 4", "manager_id", "employee 'E2' was rejected: see employees line 3", "employees line 3"),
        ("employees", "line 5", "manager_id", "employee 'E2' was rejected: see employees line 3", "employees line 3"),
        ("employees", "line 6", "manager_id", "employee 'E2' was rejected: see employees line 3", "employees line 3"),
        # evidence of E2 (directly) and of E3, E4 (whose root is E2's row)
        ("evidence", "line 2", "employee_id", "employee 'E2' was rejected: see employees line 3", "employees line 3"),
        ("evidence", "line 3", "employee_id", "employee 'E2' was rejected: see employees line 3", "employees line 3"),
        ("evidence", "line 4", "employee_id", "employee 'E3' was rejected: see employees line 4", "employees line 3"),
        ("evidence", "line 5", "employee_id", "employee 'E3' was rejected: see employees line 4", "employees line 3"),
        ("evidence", "line 6", "employee_id", "employee 'E4' was rejected: see employees line 5", "employees line 3"),
    }
    counts = {t.table: (t.read, t.accepted, t.rejected) for t in bundle.report.tables}
    assert counts["employees"] == (5, 1, 4) and counts["evidence"] == (5, 0, 5)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[source]\nas_of = 5\n", '[source] as_of must be a date such as "2026-09-30", got 5'),
        ('[source]\nas_of = "last week"\n', "[source] as_of must be a date such as \"2026-09-30\", got 'last week'"),
        ("[tables.employees]\nvalues = 5\n", "[tables.employees] values must be a table of value maps"),
        ("[tables.employees.values]\ngender = 5\n", "[tables.employees.values] gender must be a table of source value"),
        ("[tables.roles]\nfile = 7\n", "[tables.roles] file must be text (a quoted string), got 7"),
        ('[tables.roles]\ncolumns = ["a"]\n', "[tables.roles] columns must be a table of text values"),
        ('[tables.roles]\ndistinct = "yes"\n', "[tables.roles] distinct must be true or false, got 'yes'"),
        ("tables = 3\n", "[top level] tables must be a table of [tables.<name>] sections, got 3"),
        ('source = "x"\n', "[top level] source must be a table [source], got 'x'"),
        ("[tables]\nroles = 1\n", "[tables] roles must be a table [tables.roles], got 1"),
        ("[tables.performance]\nscale = [5, 1]\n", "[tables.performance] scale must be [lowest, highest] rating"),
        ("[tables.performance]\nscale = [1, nan]\n", "[tables.performance] scale must be [lowest, highest] rating"),
        ("[tables.evidence]\nscale = [1, 5]\n", "[tables.evidence] scale applies only to [tables.performance]"),
        (
            "[tables.evidence.rescale.level]\nfrom = [0, 0]\nto = [1, 5]\n",
            "[tables.evidence.rescale.level] from must be two different finite numbers [a, b], got [0, 0]",
        ),
        ("[tables.evidence.rescale]\nlevel = 3\n", "[tables.evidence.rescale] level must be"),
        ("[tables.evidence.date_formats]\nobserved_on = 3\n", "[tables.evidence.date_formats] observed_on must be"),
        ('[tables.learning_events.identity]\nactor = "nobody"\n', "[tables.learning_events.identity] actor must be"),
        ("[tables.learning_events.identity]\nmap = 1\n", "[tables.learning_events.identity] map must be"),
        ("[tables.roles]\nconstants = { critical = [1] }\n", "[tables.roles] constants must be"),
        ('[source]\nextra_equity_attributes = "veteran"\n', "[source] extra_equity_attributes must be a list"),
    ],
)
def test_wrong_types_in_a_source_configuration_are_one_line_naming_file_and_key(tmp_path, toml, message, capsys):
    folder = _tiny(tmp_path)
    cfg = folder / "source.toml"
    cfg.write_text(toml)
    with pytest.raises(SourceError) as info:
        load_source(cfg, as_of=AS_OF)
    text = str(info.value)
    assert text.startswith(f"{cfg}: {message}") and "\n" not in text
    # and through the CLI: exit 2, one line, no traceback
    assert cli.main(["load", "--source", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and message in err


def test_ragged_csv_lines_are_rejected_with_the_field_counts(tmp_path):
    """An extra unquoted comma used to shift nothing and lose the last field silently."""
    folder = _tiny(tmp_path)
    _edit(folder / "employees.csv", "E3,AN1,Data,E2,2021-06-01,,Leeds,", "E3,AN1,Data,E2,2021-06-01,,Leeds, UK,")
    _edit(folder / "employees.csv", "E4,AN1,Data,E2,2022-09-01,,Leeds,Man,Black,<25,No", "E4,AN1,Data,E2,2022-09-01")
    bundle = load_source(folder, as_of=AS_OF)
    emp = bundle.report.rejects.filter(pl.col("table") == "employees")
    assert emp.select("row", "column", "reason").rows() == [
        ("line 4", "(whole row)", "ragged line: expected 11 fields (as in the header), found 12"),
        ("line 5", "(whole row)", "ragged line: expected 11 fields (as in the header), found 5"),
    ]
    assert sorted(bundle.get("employees")["employee_id"]) == ["E1", "E2", "E5"]
    report = {t.table: (t.read, t.accepted, t.rejected) for t in bundle.report.tables}
    assert report["employees"] == (5, 3, 2)
    # E3 and E4 are gone; their evidence follows them, naming the ragged line as the cause
    ev = bundle.report.rejects.filter(pl.col("table") == "evidence")
    assert set(ev["cause"]) == {"employees line 4", "employees line 5"}


def test_a_quoted_comma_is_not_ragged(tmp_path):
    folder = _tiny(tmp_path)
    _edit(folder / "employees.csv", "E3,AN1,Data,E2,2021-06-01,,Leeds,", 'E3,AN1,Data,E2,2021-06-01,,"Leeds, UK",')
    bundle = load_source(folder, as_of=AS_OF)
    assert bundle.report.rejects.height == 0
    assert "Leeds, UK" in bundle.get("employees")["location"].to_list()


def test_a_duplicated_header_is_one_clear_error(tmp_path):
    folder = _tiny(tmp_path)
    _edit(
        folder / "roles.csv",
        "role_id,title,ladder,level,next_role_id,critical",
        "role_id,title,ladder,level,level,critical",
    )
    with pytest.raises(SourceError, match=r"roles.csv: column 'level' appears more than once in the header"):
        load_source(folder, as_of=AS_OF)
    _edit(
        folder / "roles.csv", "role_id,title,ladder,level,level,critical", "role_id,title,ladder, level,level ,critical"
    )
    with pytest.raises(SourceError, match=r"roles.csv: column 'level' appears more than once in the header"):
        load_source(folder, as_of=AS_OF)


def test_a_parquet_list_or_struct_column_is_one_clear_error(tmp_path):
    folder = _tiny(tmp_path)
    roles = pl.read_csv(folder / "roles.csv", infer_schema=False)
    (folder / "roles.csv").unlink()
    roles.with_columns(pl.col("level").map_elements(lambda v: [int(v)], return_dtype=pl.List(pl.Int64))).write_parquet(
        folder / "roles.parquet"
    )
    with pytest.raises(SourceError, match=r"roles.parquet: column 'level' holds nested values \(List\(Int64\)\)"):
        load_source(folder, as_of=AS_OF)
    roles.with_columns(pl.struct(pl.col("title")).alias("title")).write_parquet(folder / "roles.parquet")
    with pytest.raises(SourceError, match=r"roles.parquet: column 'title' holds nested values \(Struct"):
        load_source(folder, as_of=AS_OF)


def test_parquet_numbers_that_are_not_finite_or_too_large_for_an_integer_are_rejected(tmp_path):
    folder = _tiny(tmp_path)
    req = pl.read_csv(folder / "role_requirements.csv")
    (folder / "role_requirements.csv").unlink()
    req.with_columns(
        pl.Series("weight", [float("nan"), 1.0, float("inf"), 1.0, 1.0, 1.0, 1.0]),
        pl.Series("required_level", [2.0, 1e300, 3.0, 2.0, 3.0, 4.0, 4.0]),
    ).write_parquet(folder / "role_requirements.parquet")
    bundle = load_source(folder, as_of=AS_OF)
    got = bundle.report.rejects.select("row", "column", "reason").rows()
    assert got == [
        ("row 1", "weight", "not a finite number: NaN (NaN and infinity are not data)"),
        ("row 2", "required_level", "wrong type: '1e+300' is not a whole number"),
        ("row 3", "weight", "not a finite number: inf (NaN and infinity are not data)"),
    ]


def test_a_panic_inside_validation_is_one_line_not_an_escape(tmp_path, monkeypatch, capsys):
    """Last line of defence: a Rust panic is a BaseException and escaped every ``except Exception``."""
    from polars.exceptions import PanicException

    import data_sources.loader as loader

    def panics(*args, **kwargs):
        raise PanicException("assertion failed: i < self.len()")

    monkeypatch.setattr(loader, "validate_table", panics)
    assert cli.main(["load", "--source", str(FIXTURES / "tiny")]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: roles.csv: table 'roles' could not be validated (assertion failed: i < self.len()); the file was "
        "not loaded. This is a defect of the product: please report it with the file\n"
    )


def test_xapi_fields_of_the_wrong_json_type_are_rejects_not_crashes(tmp_path):
    """``"verb": "completed"`` (a string, not an object) raised AttributeError in statement_row."""
    import json

    folder = _tiny(tmp_path)
    (folder / "assets.csv").write_text("asset_id,title,cluster\nA1,SQL basics,Data\n")
    good = {
        "actor": {"account": {"name": "E3"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "A1"},
        "timestamp": "2026-01-05T10:00:00Z",
    }
    statements = [good, {**good, "verb": "completed"}, {**good, "actor": ["E3"]}, {**good, "result": "passed"}, 5]
    (folder / "learning_events.json").write_text(json.dumps(statements))
    bundle = load_source(folder, as_of=AS_OF)
    rej = bundle.report.rejects.filter(pl.col("table") == "learning_events")
    # each wrong type is a reject naming the field (issue 12), never a crash nor "missing value"
    assert rej.select("row", "column", "reason").rows() == [
        ("statement 2", "verb", "verb is not an object with an id (got a string 'completed')"),
        ("statement 3", "employee_id", "actor is not an object (got a list)"),
        ("statement 4", "score", "result is not an object (got a string 'passed')"),
        ("statement 5", "(whole row)", "not a statement: a JSON number, not an object"),
    ]
    assert bundle.get("learning_events").height == 1


def test_json_nested_100000_deep_is_one_line(tmp_path, capsys):
    """``json.loads`` raised RecursionError, which escaped as a traceback."""
    folder = _tiny(tmp_path)
    (folder / "assets.csv").write_text("asset_id,title,cluster\nA1,SQL basics,Data\n")
    (folder / "learning_events.json").write_text("[" * 100_000 + "]" * 100_000)
    assert cli.main(["load", "--source", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "learning_events.json: JSON nested too deeply to read" in err
    # in NDJSON, only that line is rejected
    (folder / "learning_events.json").unlink()
    line = '{"actor": {"account": {"name": "E3"}}, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, '
    line += '"object": {"id": "A1"}, "timestamp": "2026-01-05T10:00:00Z"}'
    (folder / "learning_events.ndjson").write_text(line + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    bundle = load_source(folder, as_of=AS_OF)
    assert bundle.report.rejects.select("row", "reason").rows() == [("line 2", "not valid JSON: nested too deeply")]
    assert bundle.get("learning_events").height == 1


def test_a_duplicated_header_that_is_not_used_is_only_ignored(tmp_path):
    folder = _tiny(tmp_path)
    _edit(
        folder / "roles.csv",
        "role_id,title,ladder,level,next_role_id,critical",
        "role_id,title,ladder,level,next_role_id,critical,note,note",
    )
    text = (folder / "roles.csv").read_text().splitlines()
    (folder / "roles.csv").write_text("\n".join([text[0]] + [line + ",a,b" for line in text[1:]]) + "\n")
    bundle = load_source(folder, as_of=AS_OF)
    assert bundle.get("roles").height == 3 and bundle.report.rejects.height == 0


def test_cr_only_and_utf16_files_load_whole(tmp_path):
    """A CR-only (old Mac) file was read as one header and no rows: every employee lost silently."""
    folder = _tiny(tmp_path)
    text = (folder / "employees.csv").read_text()
    (folder / "employees.csv").write_bytes(text.replace("\n", "\r").encode())
    (folder / "roles.csv").write_bytes((folder / "roles.csv").read_text().encode("utf-16"))
    bundle = load_source(folder, as_of=AS_OF)
    assert bundle.get("employees").height == 5 and bundle.get("roles").height == 3
    assert bundle.report.rejects.height == 0


def test_rows_the_csv_reader_would_lose_are_a_whole_file_error(tmp_path):
    folder = _tiny(tmp_path)
    (folder / "competencies.csv").write_bytes(b"competency_id,name\nSQL,SQL\rFC,Forecasting\rSM,Stakeholders\r")
    with pytest.raises(SourceError) as info:
        load_source(folder, as_of=AS_OF)
    assert str(info.value).endswith(
        "competencies.csv: 3 non-blank record(s) by the CSV quoting rules but 1 row(s) read; "
        "check the file's quotes and line ends, nothing was loaded from it"
    )


def test_a_file_that_is_not_utf8_names_the_line(tmp_path):
    folder = _tiny(tmp_path)
    text = (folder / "employees.csv").read_text().replace("Leeds,Man,Black", "Bogotá,Man,Black")
    (folder / "employees.csv").write_bytes(text.encode("cp1252"))
    with pytest.raises(SourceError) as info:
        load_source(folder, as_of=AS_OF)
    assert str(info.value).endswith(
        'employees.csv: line 5 is not UTF-8 text (byte 0xe1); save the file as UTF-8 ("CSV UTF-8" in Excel)'
    )


def test_excel_date_cells_are_dates_not_wrong_types(tmp_path):
    """An Excel date cell reads as '2018-01-15 00:00:00', which was rejected as 'not a date'."""
    folder = _tiny(tmp_path)
    emp = pl.read_csv(folder / "employees.csv", infer_schema=False).with_columns(
        pl.col("hire_date", "exit_date").str.to_date()
    )
    (folder / "employees.csv").unlink()
    emp.write_excel(folder / "employees.xlsx")
    bundle = load_source(folder, as_of=AS_OF)
    assert bundle.report.rejects.height == 0
    assert bundle.get("employees")["hire_date"].to_list() == emp["hire_date"].to_list()


def test_infinite_numbers_from_a_database_are_rejected(tmp_path):
    """Numbers read from SQL are checked like numbers read from files (SQLite stores 9e999 as inf)."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 't.db'}"
    assert cli.main(["load-db", "--source", str(FIXTURES / "tiny"), "--url", url, "--as-of", AS_OF.isoformat()]) == 0
    engine = sa.create_engine(url)
    with engine.begin() as con:
        con.execute(
            sa.text("UPDATE role_requirements SET weight = 9e999 WHERE role_id = 'AN1' AND competency_id = 'SQL'")
        )
    engine.dispose()
    bundle = load_source(url, as_of=AS_OF)
    rej = bundle.report.rejects
    assert rej.select("table", "column", "value").rows() == [("role_requirements", "weight", "inf")]
    assert rej["reason"].item() == "not a finite number: inf (NaN and infinity are not data)"


def test_the_report_lists_root_causes_with_their_knock_on_counts(tmp_path):
    folder = _tiny(tmp_path)
    _edit(folder / "employees.csv", "E2,AN2,Data,E1,2019-03-01", "E2,AN2,,E1,2019-03-01")  # team missing
    _edit(folder / "evidence.csv", "V5,E4,FC,self_assessment,2", "V5,E4,FC,self_assessment,9")  # a root of its own
    bundle = load_source(folder, as_of=AS_OF)
    assert bundle.report.causes().rows() == [("employees line 3", "missing required value", 7, "employees, evidence")]


def test_a_ragged_evidence_line_beside_credentials_is_a_reject_like_the_bad_credential(tmp_path):
    """Ragged lines are rows of the frame, bad credentials are not: both kinds of early rejects merge."""
    folder = _tiny(tmp_path)
    _edit(folder / "evidence.csv", "V5,E4,FC,self_assessment,2,2026-03-01,false,self", "V5,E4,FC,self,assessment,2")
    (folder / "bad.credential.json").write_text('["text"]')
    bundle = load_source(folder, as_of=AS_OF)
    ev = bundle.report.rejects.filter(pl.col("table") == "evidence")
    assert ev.select("row", "column", "reason").rows() == [
        ("line 6", "(whole row)", "ragged line: expected 8 fields (as in the header), found 6"),
        ("bad.credential.json credential 1", "(whole row)", "not a credential: expected a JSON object"),
    ]
    rep = next(t for t in bundle.report.tables if t.table == "evidence")
    assert (rep.read, rep.accepted, rep.rejected) == (6, 4, 2)


def test_case_and_credential_json_nested_100000_deep_are_one_line(tmp_path, capsys):
    deep = "[" * 100_000 + "]" * 100_000
    folder = _tiny(tmp_path)
    (folder / "competencies.csv").unlink()
    (folder / "competencies.json").write_text(deep)
    assert cli.main(["load", "--source", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "competencies.json: JSON nested too deeply to read" in err
    other = _copy(FIXTURES / "tiny", tmp_path / "other")
    (other / "x.credential.json").write_text(deep)
    assert cli.main(["load", "--source", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.credential.json: JSON nested too deeply to read" in err
