"""The framework page (views/framework.py) on a source whose competencies come from a CASE package."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.unit.test_credentials import case_package
from ui.state import Filters

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"


def test_framework_page_shows_the_case_hierarchy(tmp_path):
    folder = tmp_path / "src"
    shutil.copytree(TINY, folder)
    (folder / "competencies.csv").unlink()
    (folder / "competencies.json").write_text(json.dumps(case_package()))  # found without configuration
    at = AppTest.from_file(str(ROOT / "views" / "framework.py"), default_timeout=120)
    at.session_state["tr_source"] = str(folder)
    at.session_state["tr_filters"] = Filters(as_of=dt.date(2026, 9, 30))  # app.py's sidebar sets these
    at.run()
    assert not at.exception
    assert at.title[0].value == "Competency framework"
    assert at.code[0].value == (
        "DATA  Working with data\n  SQL  Query relational data with SQL\n  FC  Forecast demand\nSM  Manage stakeholders"
    )
    assert [m.value for m in at.metric] == ["4", "2"]
