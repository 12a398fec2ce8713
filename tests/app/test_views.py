"""Every view in streamlit's AppTest on the sample organisation: no exception, key widgets change
what is shown, and a source without optional tables says which tables a view needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_sources.loader import load_source

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
TIMEOUT = 300
VIEWS = {
    "overview": "Talent readiness overview",
    "readiness": "Readiness by role",
    "bench": "Bench strength",
    "capability_risk": "Capability risk",
    "equity": "Progression equity",
    "learning_impact": "Learning impact",
    "assets": "Asset portfolio",
    "person": "Person profile",
    "data": "Data",
    "definitions": "Metric definitions",
    "talent_review": "Talent review",
    "succession": "Succession",
    "team": "My team",
}
UNEXPECTED = "Something went wrong"


def settle(at: AppTest) -> AppTest:
    """Let background learning-impact fits end, then draw again (pages never wait for them)."""
    from ui.compute import fit_runner

    fit_runner().wait_all(timeout=600)
    return at.run()


def open_view(view: str, source: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if source is not None:
        at.session_state["tr_source"] = source
    at.run()
    return settle(at.switch_page(f"views/{view}.py").run())


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if UNEXPECTED in e.value]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_runs_on_the_sample(view):
    at = open_view(view)
    assert_clean(at)
    titles = [t.value for t in at.title] + [m.value.lstrip("# ").splitlines()[0] for m in at.markdown[:1]]
    assert VIEWS[view] in titles


def test_team_filter_changes_readiness():
    at = open_view("readiness")
    everyone = metric(at, "Active employees")
    at.sidebar.multiselect[0].select("Data Science").run()
    assert_clean(at)
    one_team = metric(at, "Active employees")
    assert int(one_team.replace(",", "")) < int(everyone.replace(",", ""))


def test_ladder_filter_narrows_the_roles_table():
    at = open_view("readiness")
    before = set(at.dataframe[0].value["Ladder"])
    at.sidebar.multiselect[1].select("Finance").run()
    assert_clean(at)
    assert len(before) > 1 and set(at.dataframe[0].value["Ladder"]) == {"Finance"}


def test_role_drill_down_lists_the_people_in_that_role():
    at = open_view("readiness")
    at.selectbox(key="readiness_role").select("DAT-4").run()
    assert_clean(at)
    people = at.dataframe[1].value
    assert {r.rsplit("=", 1)[1] for r in people["Role id"]} == {"DAT-4"} and len(people) > 0
    assert all(e.startswith("./person?employee=E") for e in people["Employee id"])  # links to profiles


def test_bench_candidates_follow_the_role_picked():
    at = open_view("bench")
    at.selectbox(key="bench_role").select("FIN-4").run()
    assert_clean(at)
    candidates = at.dataframe[-1].value
    assert len(candidates) > 0 and set(candidates["Band"]) <= {"Developing", "Ready in 1–2 years"}


def test_equity_attribute_and_intersection_change_the_groups():
    at = open_view("equity")
    groups = set(at.dataframe[0].value["group"])
    assert groups == {"Man", "Woman", "Non-binary", "Not disclosed"}
    at.selectbox(key="equity_attribute").select("age_band").run()
    assert_clean(at)
    assert set(at.dataframe[0].value["group"]) == {"<25", "25-34", "35-44", "45-54", "55+"}
    at.selectbox(key="equity_second").select("disability").run()
    assert_clean(at)
    shown = at.dataframe[0].value
    assert all(" × " in g for g in shown["group"])
    suppressed = shown[shown["eligible"] == "fewer than 10"]
    # suppressed groups show nothing but their name
    assert len(suppressed) > 0
    assert (suppressed.drop(columns=["group", "eligible"]) == "").all().all()


def test_person_picker_changes_the_profile():
    at = open_view("person")
    options = at.selectbox(key="person_employee").options
    first_role = options[0].split(" · ")[1]
    other = next(o for o in options if o.split(" · ")[1] != first_role)
    assert at.metric[0].label.startswith(f"Own role: {first_role}")
    other_id = re.search(r"\((E\d+)\)", other.split(" · ")[0]).group(1)  # "Name (E000123) · role · team"
    at.selectbox(key="person_employee").select(other_id).run()
    assert_clean(at)
    assert at.metric[0].label.startswith(f"Own role: {other.split(' · ')[1]}")
    assert at.query_params["employee"] == other_id


def test_asset_filter_narrows_the_table():
    at = open_view("assets")
    at.multiselect(key="assets_rec").select("retire").run()
    assert_clean(at)
    assert set(at.dataframe[0].value["Recommendation"]) == {"Retire"}


@pytest.mark.parametrize(
    "view, tables",
    [
        ("capability_risk", "`capability_targets`"),
        ("equity", "`movements`"),
        ("learning_impact", "`assets`, `learning_events`, `performance`"),
        ("assets", "`assets`, `learning_events`"),
    ],
)
def test_views_without_their_tables_say_which_they_need(view, tables):
    at = open_view(view, str(TINY))
    assert_clean(at)
    infos = " ".join(i.value for i in at.info)
    assert f"This view needs the {tables} table" in infos


def test_overview_on_a_source_without_optional_tables():
    at = open_view("overview", str(TINY))
    assert_clean(at)
    assert any("capability_targets" in i.value for i in at.info)


@pytest.mark.parametrize("view", ["overview", "readiness", "equity", "person"])
def test_a_source_that_cannot_load_shows_the_clear_message(view):
    at = open_view(view, str(ROOT / "tests" / "fixtures" / "no-such-export"))
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert any("no such file or folder" in e for e in errors)
    assert not any("Traceback" in e for e in errors)


def test_person_profile_shows_no_demographic_attribute():
    at = open_view("person")
    assert_clean(at)
    employees = load_source(None).get("employees")
    attributes = ("gender", "ethnicity", "age_band", "disability")
    values = set()
    for a in attributes:
        values |= set(employees[a].unique().to_list()) - {"No", "Yes", "Not disclosed"}
    shown = []
    for frame in at.dataframe:
        df = frame.value
        shown += [str(c) for c in df.columns] + [str(v) for v in df.astype(str).values.ravel()]
    shown += [m.label for m in at.metric] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    shown += list(at.selectbox(key="person_employee").options[:50])
    text = "\n".join(shown)
    assert not [a for a in attributes if a in text]
    assert not [v for v in values if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text)]


def test_the_learning_fit_never_blocks_a_page_and_fills_in_when_it_ends(tmp_path, monkeypatch):
    import datetime as dt

    from ui.compute import fit_runner

    monkeypatch.setenv("TR_STATE_DIR", str(tmp_path / "state"))  # an empty store: nothing fitted yet
    monkeypatch.delenv("TR_STORE_URL", raising=False)
    fit_runner.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.sidebar.date_input[0].set_value(dt.date(2026, 8, 31)).run()  # an as-of nobody has fitted
    at.switch_page("views/learning_impact.py").run()
    assert_clean(at)
    assert any("in the background" in i.value for i in at.info)  # drawn at once, the fit still running
    assert [t.value for t in at.title] == ["Learning impact"]
    fit_runner().wait_all(timeout=600)
    at.run()
    assert_clean(at)
    assert not any("in the background" in i.value for i in at.info)
    assert at.dataframe  # the effects table filled in


def test_a_fitted_result_is_reused_from_the_store_by_a_new_server(tmp_path, monkeypatch):
    from ui.compute import fit_runner

    monkeypatch.setenv("TR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("TR_STORE_URL", raising=False)
    fit_runner.clear()  # nothing remembered in memory: the fit runs and is stored
    settle(open_view("learning_impact"))
    fit_runner.clear()  # a restarted server: a new runner, the same store
    at = open_view("learning_impact")
    assert_clean(at)
    assert any("kept in the store" in c.value for c in at.caption)
    assert at.dataframe


@pytest.mark.parametrize("as_of", ["2019-01-01", "2030-01-01"])
def test_an_as_of_outside_the_data_is_warned_with_the_datas_range(as_of):
    import datetime as dt

    at = open_view("overview")
    at.sidebar.date_input[0].set_value(dt.date.fromisoformat(as_of)).run()
    assert_clean(at)
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "The data runs from" in warning and ("before it" in warning or "after it" in warning)
