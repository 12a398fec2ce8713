"""A nomination made in Debian's chromium survives a server restart, with the product's store in
SQLite (the default), and the succession committee pack carries it. (The store on PostgreSQL and
MariaDB, across a new engine as a new process opens it: tests/services/test_talent_store.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_until_idle

NOMINEE = "E000001"  # active in the bundled sample
NOTE = "Ran the year-end close; chromium restart test"


def _script() -> Path | None:
    """The app's own router (it lists the talent pages)."""
    return None


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CHROMIUM} is required (REQUIRE_SERVICES=1): apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture()
def store_env(tmp_path):
    """Environment for the app's store: a fresh SQLite state folder."""
    return {"TR_STATE_DIR": str(tmp_path / "state"), "TR_STORE_URL": ""}


def _open_nominations(page, base: str) -> None:
    page.goto(f"{base}/talent_review")
    wait_until_idle(page, timeout_ms=180_000)
    page.get_by_role("tab", name="Nominations and pools").click()
    page.wait_for_timeout(500)


@pytest.mark.browser
def test_a_nomination_made_in_chromium_survives_a_server_restart(store_env):
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        with streamlit_server(store_env, script=_script()) as base:
            _open_nominations(page, base)
            page.get_by_label("Your name (recorded with what you save)").fill("Ana Costa")
            page.get_by_label("Your name (recorded with what you save)").press("Enter")
            wait_until_idle(page, timeout_ms=120_000)
            page.get_by_role("tab", name="Nominations and pools").click()
            form = page.locator("[data-testid='stForm']").first
            form.get_by_label("Employee id").fill(NOMINEE)
            form.get_by_text("Ready in 1–2 years").click()
            form.get_by_label("Note").fill(NOTE)
            form.get_by_role("button", name="Save nomination").click()
            page.get_by_text("Saved nomination 1").wait_for(timeout=120_000)
            wait_until_idle(page, timeout_ms=120_000)
            assert page.get_by_text("No nominations saved yet").count() == 0
        # a new server process: nothing in memory survives, only the store
        with streamlit_server(store_env, script=_script()) as base:
            _open_nominations(page, base)
            assert page.locator("[data-testid='stException']").count() == 0
            assert page.get_by_text("No nominations saved yet").count() == 0
            metric = page.locator("[data-testid='stMetric']").filter(
                has_text="Nominations where the committee and the evidence disagree"
            )
            assert metric.inner_text().strip().endswith("of 1")
            # the nominee is a nominated successor on the succession chart too
            page.goto(f"{base}/succession")
            wait_until_idle(page, timeout_ms=180_000)
            nominated = page.locator("[data-testid='stMetric']").filter(
                has_text="Critical roles with a nominated successor"
            )
            assert nominated.inner_text().strip().endswith("1 of 5")
            _pack_lists_the_nomination(page)
        browser.close()


def _pack_lists_the_nomination(page) -> None:
    """The succession committee pack, downloaded as a user would, carries the saved nomination."""
    import io

    import openpyxl

    with page.expect_download(timeout=240_000) as download:
        page.get_by_role("button", name="Committee pack (Excel)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert {"Nominations", "Talent pools", "Nine-box", "Bench over time"} <= set(book.sheetnames)
    rows = list(book["Nominations"].iter_rows(min_row=4, values_only=True))
    ours = [r for r in rows if r and r[-1] == NOMINEE]
    assert len(ours) == 1 and ours[0][2] == "Ready in 1–2 years" and ours[0][9] == NOTE
