"""In Debian's chromium: an upload on the data page, a definition link. (A bad folder: the failed-load test of
``test_pages_people_read``. Every page by its address, with its main chart or table and screenshots, is there too.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_until_idle

SHOTS = ROOT / "artifacts" / "screenshots"


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CHROMIUM} is required (REQUIRE_SERVICES=1): apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture(scope="module")
def browser_page():
    sync_playwright = _browser_or_skip()
    with streamlit_server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        yield base, page
        browser.close()


@pytest.mark.browser
def test_definition_link_opens_the_metric_definition(browser_page):
    base, page = browser_page
    page.goto(f"{base}/bench")
    wait_until_idle(page)
    link = page.locator("a[href='./definitions#bench-strength']").first
    link.scroll_into_view_if_needed()
    with page.context.expect_page() as opened:
        link.click()
    definition = opened.value
    wait_until_idle(definition)
    assert definition.url == f"{base}/definitions#bench-strength"
    top = definition.evaluate("document.getElementById('bench-strength').getBoundingClientRect().top")
    assert 0 <= top < 300  # scrolled to the heading
    definition.close()


@pytest.mark.browser
def test_uploading_export_files_loads_them_and_lists_the_rejects(browser_page):
    base, page = browser_page
    page.goto(f"{base}/data")
    wait_until_idle(page)
    page.get_by_role("tab", name="Upload files").click()
    files = sorted(str(p) for p in (ROOT / "tests" / "fixtures" / "defects").glob("*.csv"))
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Load uploaded files").click()
    page.wait_for_function(
        "() => document.body.innerText.includes('Rejected rows') && !document.body.innerText.includes('Every row was accepted')",
        timeout=60_000,
    )
    wait_until_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "talent-readiness-uploads" in sidebar  # the uploaded folder is now the source
    metric = page.locator("[data-testid='stMetric']", has_text="Rejected rows").inner_text()
    assert metric.strip().endswith("10")  # 5 employees + 5 evidence rows, as in the defect fixture
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "data-upload.png"), full_page=True)
