"""Real HRIS exports nobody here wrote, through the example configurations in docs/examples/."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from data_sources.config import ALLOWED_ROOTS_ENV, SourceConfig
from data_sources.errors import SourceError
from data_sources.loader import load_source

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is absent")


@pytest.fixture(scope="module", autouse=True)
def allow_the_real_data():
    """The examples read exports outside their folder: the operator allows that folder (TR_ALLOWED_ROOTS)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ALLOWED_ROOTS_ENV, str(REAL))
        yield


@pytest.fixture(scope="module")
def hr14():
    return load_source(ROOT / "docs" / "examples" / "hr_dataset_v14.toml")


@pytest.fixture(scope="module")
def ibm():
    return load_source(ROOT / "docs" / "examples" / "ibm_hr_attrition.toml")


def test_the_examples_need_the_operator_to_allow_the_real_data(monkeypatch):
    monkeypatch.delenv(ALLOWED_ROOTS_ENV)
    with pytest.raises(SourceError, match="outside the configuration's folder"):
        load_source(ROOT / "docs" / "examples" / "hr_dataset_v14.toml")


def _counts(bundle):
    return {t.table: (t.read, t.accepted, t.rejected) for t in bundle.report.tables}


def test_hr14_loads_with_the_rejects_a_user_expects(hr14):
    assert _counts(hr14) == {
        "roles": (33, 30, 3),
        "competencies": (0, 0, 0),
        "employees": (311, 311, 0),
        "role_requirements": (0, 0, 0),
        "performance": (311, 311, 0),
    }
    # PositionID 13 names three positions and 23 two: the later ones are duplicate keys
    rejects = hr14.report.rejects.select("row", "column", "value").rows()
    assert rejects == [
        ("line 192", "role_id", "role_id=13"),
        ("line 229", "role_id", "role_id=23"),
        ("line 245", "role_id", "role_id=13"),
    ]


def test_hr14_mixed_dates_trailing_spaces_and_bom(hr14):
    emp = hr14.get("employees")
    ait = emp.filter(pl.col("employee_id") == "10084").row(0, named=True)
    # "3/30/2015" and "6/16/2016" in the export
    assert (ait["hire_date"], ait["exit_date"]) == (dt.date(2015, 3, 30), dt.date(2016, 6, 16))
    assert set(emp["gender"]) == {"Woman", "Man"}  # "M " trimmed, then mapped
    assert "Production" in set(emp["team"])  # "Production       " trimmed
    perf = hr14.get("performance")
    assert set(perf["rating"]) == {1.0, 2.0, 3.0, 4.0}
    assert any("trimmed stray spaces in 135 value(s) of column 'gender'" in n for n in hr14.report.notes)


def test_ibm_loads_whole_and_marks_leavers(ibm):
    counts = _counts(ibm)
    assert counts["employees"] == (1470, 1470, 0)
    emp = ibm.get("employees")
    # 237 employees have Attrition = Yes in the IBM sample
    assert emp.filter(pl.col("exit_date").is_not_null()).height == 237
    first = emp.filter(pl.col("employee_id") == "1").row(0, named=True)
    # Age 41, YearsAtCompany 6, Sales Executive at JobLevel 2
    assert (first["age_band"], first["hire_date"], first["role_id"], first["gender"]) == (
        "35-44",
        dt.date(2011, 12, 31),
        "Sales / Sales Executive L2",
        "Woman",
    )
    assert ibm.equity_attributes == ("gender", "age_band")


def test_ibm_split_file_without_header_is_one_clear_error():
    """The 4 rows split off the IBM sample have no header row (and quoted values):
    the first data row is read as the header, so the mapped columns are missing."""
    cfg = SourceConfig.from_toml(ROOT / "docs" / "examples" / "ibm_hr_attrition.toml")
    tables = dict(cfg.tables)
    tables["roles"] = dataclasses.replace(tables["roles"], file="attrition-test_as_found_4rows.csv")
    with pytest.raises(SourceError) as err:
        load_source(dataclasses.replace(cfg, tables=tables))
    assert str(err.value) == (
        "attrition-test_as_found_4rows.csv: required column 'Department' of table 'roles' is missing "
        "(required columns: role_id, title, ladder, level; 'Department' is mapped to ladder)"
    )
