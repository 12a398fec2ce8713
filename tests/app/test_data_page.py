"""The Data page in streamlit's AppTest: source, rows per table, rejects, loading another source."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TIMEOUT = 120


def _app(source: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if source is not None:
        at.session_state["tr_source"] = source
    return at.switch_page("views/data.py").run()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_data_page_shows_rows_and_rejects_with_reasons():
    at = _app(str(FIXTURES / "defects"))
    assert not at.exception
    assert [t.value for t in at.title] == ["Data"]
    summary = at.dataframe[0].value
    assert list(summary["table"]) == ["roles", "competencies", "employees", "role_requirements", "evidence"]
    assert list(summary["rejected"]) == [0, 0, 5, 0, 5]
    rejects = at.dataframe[1].value
    assert len(rejects) == 10
    assert "unknown role id: 'XX9' is not in roles" in set(rejects["reason"])
    # narrowing to one table
    at.selectbox(key="rejects_table").select("evidence").run()
    assert set(at.dataframe[1].value["table"]) == {"evidence"}
    assert not at.exception


def test_bad_source_is_a_clear_message_not_a_traceback():
    at = _app(str(FIXTURES / "does-not-exist"))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("no such file or folder" in e for e in errors)
    assert not any("Traceback" in e for e in errors)


def test_loading_a_folder_from_the_form_switches_source():
    at = _app(str(FIXTURES / "defects"))
    at.text_input[0].input(str(FIXTURES / "tiny"))
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert at.session_state["tr_source"] == str(FIXTURES / "tiny")
    assert list(at.dataframe[0].value["rejected"]) == [0, 0, 0, 0, 0]
    assert "Every row was accepted." in _texts(at)


def test_a_failed_load_keeps_the_previous_source_and_says_why():
    at = _app(str(FIXTURES / "tiny"))
    at.text_input[0].input(str(FIXTURES / "nowhere"))
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["tr_source"] == str(FIXTURES / "tiny")
    assert any("no such file or folder" in e.value for e in at.error)


def test_database_password_is_never_shown():
    at = _app(str(FIXTURES / "tiny"))
    url_box = [t for t in at.text_input if t.label.startswith("SQLAlchemy URL")][0]
    pw_box = [t for t in at.text_input if t.label == "Password"][0]
    url_box.input("postgresql+psycopg://someone@127.0.0.1:1/nodb")
    pw_box.input("hunter2-secret")
    submit = [b for b in at.button if b.label == "Connect"][0]
    submit.click().run()
    assert not at.exception
    shown = _texts(at) + "\n".join(str(m.value) for m in at.metric)
    assert "hunter2-secret" not in shown
    assert any("cannot connect to the database" in e.value for e in at.error)
    assert any("postgresql+psycopg://someone:***@127.0.0.1:1/nodb" in e.value for e in at.error)
