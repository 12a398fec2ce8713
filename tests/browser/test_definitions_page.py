"""The Definitions page in chromium: every definition link lands on an open heading, notes are folded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_until_idle
from ui.components import definition_url

#: Headings other pages link to (tests/unit/test_docs.py checks the full list against the views).
LINKED = (
    "Demonstrated proficiency",
    "Readiness",
    "Readiness by role",
    "Bench strength",
    "Capability risk",
    "Progression equity",
    "Pipeline equity",
    "Learning impact",
    "Asset portfolio",
)


@pytest.fixture(scope="module")
def server_and_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CHROMIUM} is required (REQUIRE_SERVICES=1): apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with streamlit_server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield base, browser
        browser.close()


PROBE = """(id) => {
        const e = document.getElementById(id);
        if (!e) return null;
        return {top: e.getBoundingClientRect().top, folded: e.closest("[data-testid='stExpander']") !== null,
                text: e.innerText};
    }"""
#: Headings whose link is followed in a page of its own: the first, one the suite once saw land low, the last.
FOLLOWED = ("Demonstrated proficiency", "Pipeline equity", "Asset portfolio")
#: The heading must be on the first screen (the viewport is 1000 px tall) once the page has settled.
FIRST_SCREEN_PX = 600


@pytest.mark.browser
def test_every_linked_definition_is_an_open_heading(server_and_browser):
    base, browser = server_and_browser
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{base}/definitions")
    wait_until_idle(page)
    for heading in LINKED:
        anchor = definition_url(heading).split("#", 1)[1]
        where = page.evaluate(PROBE, anchor)
        assert where is not None, f"no heading #{anchor}"
        assert not where["folded"], f"#{anchor} is inside an expander"
        assert heading in where["text"], (anchor, where["text"])
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("heading", FOLLOWED)
def test_a_definition_link_opens_at_its_heading(server_and_browser, heading):
    base, browser = server_and_browser
    anchor = definition_url(heading).split("#", 1)[1]
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{base}/definitions#{anchor}")
    wait_until_idle(page)
    # the app scrolls to the heading once the page has drawn; under load the last blocks above it can
    # finish after that first scroll, so give the position a few seconds to settle before reading it
    where = page.evaluate(PROBE, anchor)
    for _ in range(10):
        if where is None or 0 <= where["top"] < FIRST_SCREEN_PX:
            break
        page.wait_for_timeout(500)
        where = page.evaluate(PROBE, anchor)
    page.close()
    assert where is not None, f"no heading #{anchor}"
    assert 0 <= where["top"] < FIRST_SCREEN_PX, f"#{anchor} not scrolled to: top {where['top']}"


@pytest.mark.browser
def test_implementation_notes_are_folded_and_open_on_demand(server_and_browser):
    base, browser = server_and_browser
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{base}/definitions")
    wait_until_idle(page)
    main = page.locator("[data-testid='stMain']")
    expanders = main.locator("[data-testid='stExpander']")
    # a summary's text is its icon's ligature name, then the label
    labels = [label.strip().splitlines()[-1] for label in expanders.locator("summary").all_inner_texts()]
    assert "Implementation notes: readiness" in labels
    assert len(labels) >= 8  # the page's own notes and one per family
    # config keys are in the DOM only inside the folded notes
    assert not main.get_by_text("readiness.ready_now_min").first.is_visible()
    assert main.get_by_text("readiness.ready_now_min").count() == 0  # sent only when opened
    expanders.filter(has_text="Implementation notes: readiness").locator("summary").click()
    main.get_by_text("readiness.ready_now_min").first.wait_for(state="visible", timeout=30_000)
    wait_until_idle(page)
    # the contents lines link within the page, and a click scrolls to the family
    anchors = {h: definition_url(h).split("#", 1)[1] for h in LINKED}
    for heading in ("Demonstrated proficiency", "Readiness", "Bench strength", "Capability risk"):
        assert main.locator(f"li a[href='#{anchors[heading]}']").count() == 1, heading
    main.locator(f"li a[href='#{anchors['Capability risk']}']").click()
    page.wait_for_timeout(1000)
    top = page.evaluate(f"document.getElementById('{anchors['Capability risk']}').getBoundingClientRect().top")
    assert 0 <= top < 300, top
    page.close()
