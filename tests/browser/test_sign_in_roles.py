"""Sign-in with a real OpenID Connect provider (``oidc-provider-mock``) and what each role can open.

The test starts the identity provider on a free local port, writes a secrets file with an
``[auth]`` section and an access file mapping five people to the five roles, starts the app,
and signs in as each one in Debian's chromium: the navigation lists exactly the role's pages,
direct URLs outside the role are refused, a manager cannot open a person outside their
hierarchy by URL, and the audit log records every profile view and download (and nothing
demographic).
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from data_sources.audit import read_log
from data_sources.loader import DEFAULT_SAMPLE
from metrics.access import PAGES_BY_ROLE, hierarchy
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, free_port, streamlit_server, wait_until_idle
from tests.browser.test_pages_in_chromium import _browser_or_skip

AS_OF = dt.date(2026, 9, 30)
TITLES = {
    "overview": "Overview",
    "readiness": "Readiness by role",
    "bench": "Bench strength",
    "capability_risk": "Capability risk",
    "learning_impact": "Learning impact",
    "assets": "Asset portfolio",
    "equity": "Progression equity",
    "team": "My team",
    "person": "Person profile",
    "my_profile": "My profile",
    "data": "Data",
    "audit": "Audit log",
    "definitions": "Definitions",
}
DEMOGRAPHIC = ("gender", "ethnicity", "age_band", "disability", "Woman", "Man", "Non-binary")


def _small_team() -> tuple[str, frozenset[str], str]:
    """The manager with the smallest hierarchy in the sample, and someone outside it."""
    employees = pl.read_csv(DEFAULT_SAMPLE / "employees.csv", try_parse_dates=True)
    managers = employees.get_column("manager_id").drop_nulls().unique().sort().to_list()
    manager = min(managers, key=lambda m: len(hierarchy(employees, m, AS_OF)))
    team = hierarchy(employees, manager, AS_OF)
    active = employees.filter(pl.col("exit_date").is_null()).get_column("employee_id").to_list()
    outside = next(e for e in active if e not in team)
    return manager, team, outside


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory):
    sync_playwright = _browser_or_skip()
    from oidc_provider_mock import User, run_server_in_thread

    tmp = tmp_path_factory.mktemp("auth")
    manager, team, outside = _small_team()
    employee = sorted(team - {manager})[0]
    people = {
        "admin": ("ada@example.com", None),
        "hr": ("hana@example.com", None),
        "analyst": ("anil@example.com", None),
        "manager": ("maria@example.com", manager),
        "employee": ("emil@example.com", employee),
    }
    users = [
        User(sub=email, claims={"email": email, "name": email.split("@")[0].title()}) for email, _ in people.values()
    ]
    access = tmp / "access.toml"
    access.write_text(
        "\n".join(
            f'[users."{email}"]\nrole = "{role}"\n' + (f'employee_id = "{emp}"\n' if emp else "")
            for role, (email, emp) in people.items()
        )
    )
    store = tmp / "store.db"
    with run_server_in_thread(port=0, user_claims=users) as idp:
        port = free_port()
        secrets = tmp / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "test-cookie-secret-not-for-production-0123456789"\n'
            'client_id = "talent-readiness"\nclient_secret = "test-client-secret"\n'
            f'server_metadata_url = "http://localhost:{idp.server_port}/.well-known/openid-configuration"\n'
        )
        env = {"TR_ACCESS_FILE": str(access), "TR_STORE_URL": f"sqlite:///{store}"}
        with (
            streamlit_server(env=env, extra_args=["--secrets.files", str(secrets)], port=port) as _base,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser, f"http://localhost:{port}", people, (manager, team, outside), store
            browser.close()


def _sign_in(browser, base: str, email: str):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(base)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Authorize Client", timeout=60_000)
    page.locator("button[name='sub']", has_text=email).click()
    wait_until_idle(page)
    return context, page


@pytest.mark.browser
@pytest.mark.parametrize("role", ["admin", "hr", "analyst", "manager", "employee"])
def test_each_role_sees_exactly_its_pages(signed_in_app, role):
    browser, base, people, _, _ = signed_in_app
    context, page = _sign_in(browser, base, people[role][0])
    try:
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "Signed in as" in sidebar
        nav = "\n".join(page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").all_inner_texts())
        for url, title in TITLES.items():
            if url in PAGES_BY_ROLE[role]:
                assert title in nav, (role, title)
            else:
                assert title not in nav, (role, title)
        # a page outside the role, opened by its URL, never shows its content
        forbidden = [u for u in ("person", "data", "audit", "equity") if u not in PAGES_BY_ROLE[role]]
        for url in forbidden:
            page.goto(f"{base}/{url}")
            wait_until_idle(page)
            heading = page.locator("[data-testid='stMain'] h1").first.inner_text()
            assert heading != TITLES[url], (role, url)
    finally:
        context.close()


@pytest.mark.browser
def test_a_manager_cannot_open_someone_outside_their_hierarchy(signed_in_app):
    browser, base, people, (manager, team, outside), _ = signed_in_app
    context, page = _sign_in(browser, base, people["manager"][0])
    try:
        page.goto(f"{base}/person?employee={outside}")
        wait_until_idle(page)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert f"Employee {outside} is outside the people your role may see" in main
        assert "Evidence behind each level" not in main
        inside = sorted(team - {manager})[0]
        page.goto(f"{base}/person?employee={inside}")
        wait_until_idle(page)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "Evidence behind each level" in main
        options = page.locator("[data-testid='stSelectbox']").first.inner_text()
        assert outside not in options
    finally:
        context.close()


@pytest.mark.browser
def test_the_audit_log_records_profile_views_and_downloads(signed_in_app):
    browser, base, people, (manager, team, _), store = signed_in_app
    inside = sorted(team - {manager})[0]
    context, page = _sign_in(browser, base, people["hr"][0])
    try:
        page.goto(f"{base}/person?employee={inside}")
        wait_until_idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").first.click()
        assert download.value.suggested_filename.endswith(".csv")
        wait_until_idle(page)
    finally:
        context.close()
    log = read_log(sa.create_engine(f"sqlite:///{store}"))
    hana = log.filter(pl.col("who") == people["hr"][0])
    assert set(hana["action"]) >= {"sign_in", "profile_view", "download"}
    assert inside in hana.filter(pl.col("action") == "profile_view")["detail"].to_list()
    text = " ".join(log["detail"].to_list())
    assert not any(word in text for word in DEMOGRAPHIC)


@pytest.mark.browser
def test_an_analyst_sees_aggregates_but_no_person_rows(signed_in_app):
    browser, base, people, _, _ = signed_in_app
    context, page = _sign_in(browser, base, people["analyst"][0])
    try:
        page.goto(f"{base}/readiness")
        wait_until_idle(page)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "Person-level rows are not shown to your role (analyst)" in main
        assert not re.search(r"\bE\d{6}\b", main)
    finally:
        context.close()


@pytest.mark.browser
def test_an_analysts_succession_pack_names_nobody(signed_in_app):
    """The pack is built after the click, outside the session (Streamlit's deferred download): it must
    still be built for the analyst who asked, not for the local administrator the server falls back to."""
    import io
    from pathlib import Path

    import openpyxl

    browser, base, people, _, _ = signed_in_app
    context, page = _sign_in(browser, base, people["analyst"][0])
    try:
        page.goto(f"{base}/bench")
        wait_until_idle(page)
        with page.expect_download(timeout=180_000) as download:
            page.get_by_role("button", name="Committee pack (Excel)").click()
        book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    finally:
        context.close()
    text = "\n".join(cells)
    assert "Bench over time" in book.sheetnames  # the pack itself was built
    assert not re.findall(r"\bE\d{6}\b", text), re.findall(r"\bE\d{6}\b", text)[:5]
    assert "Anil" in text  # prepared for the analyst who downloaded it
