"""No password reaches the screen: not in the sidebar's source line, not on the Data page, not in
an error message, whichever credential form the URL uses. And the person page exports an
employee whose id Excel refuses as a sheet name."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_sources.loader import load_source
from data_sources.sql import write_tables

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
TIMEOUT = 120


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [c.value for c in at.sidebar.caption]
    parts += [e.value for e in at.error] + [e.value for e in at.sidebar.error] + [str(m.value) for m in at.metric]
    parts += [str(m.help) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def _app(source: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["tr_source"] = source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pysqlite ignores (and warns about) the credential parameters
        return at.switch_page("views/data.py").run()


def test_the_sidebar_and_data_page_mask_passwords_in_url_parameters(tmp_path):
    db = tmp_path / "talent.db"
    write_tables(sa.create_engine(f"sqlite:///{db}"), load_source(TINY).tables)
    at = _app(f"sqlite:///{db}?password=hunter2&passwd=hunter3&access_token=hunter4")
    assert not at.exception and not at.error
    shown = _shown(at)
    assert "password=***" in shown and "access_token=***" in shown
    assert "hunter" not in shown


@pytest.mark.parametrize(
    "source",
    [
        "postgresql+psycopg://hr:hunter2@127.0.0.1:1/hr?sslpassword=hunter3",
        "postgresql+psycopg://hr@127.0.0.1:abc/hr?password=hunter2",
        "postgresql:/hr:hunter2@127.0.0.1/hr",
        "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BX%7D%3BPWD%3Dhunter2%3B",
    ],
)
def test_a_source_that_fails_never_shows_its_password(source):
    at = _app(source)
    assert not at.exception
    assert at.error  # it failed, and says so
    assert "hunter" not in _shown(at)


def test_the_person_page_exports_an_employee_whose_id_excel_refuses_as_a_sheet_name(tmp_path):
    odd = "E/2:[x]?*\\"
    source = tmp_path / "src"
    shutil.copytree(TINY, source)
    for name in ("employees.csv", "evidence.csv"):
        path = source / name
        path.write_text(path.read_text().replace("E2,", f'"{odd}",').replace(",E2\n", f',"{odd}"\n'))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["tr_source"] = str(source)
    at.query_params["employee"] = odd
    at = at.switch_page("views/person.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="person_employee").value == odd
