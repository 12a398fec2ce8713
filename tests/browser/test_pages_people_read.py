"""Every page as people read it, in Debian's chromium, on one server for the whole module (issue 14).

- every page opens by its own address (and ``/`` opens the first page), at 1440 px, with a
  screenshot (``REFRESH_SCREENSHOTS=1`` copies them to docs/screenshots/);
- the same pages at 1024 px: no metric label cut off, no axis title over its labels, no
  horizontal overflow of the main block (screenshots under artifacts/screenshots/1024/);
- a filter that matches nobody: a sentence says so (or says the page is not filtered), and no
  chart is drawn without marks;
- a failed load, then every page through the sidebar: the banner says the load failed and the
  previous source is still shown, and no traceback;
- an as-of date outside the data: the sidebar names the data's range on every page;
- person and role links of the tables open the right profile and role;
- the committee packs download, the PDF renders page by page, the workbook opens.

Checks do not depend on exact numbers (other work still changes the pages).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app import PAGES
from data_sources.loader import DEFAULT_SAMPLE
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_until_idle
from tests.browser.test_pages_in_chromium import _browser_or_skip

SHOTS = ROOT / "artifacts" / "screenshots"
DOC_SHOTS = ROOT / "docs" / "screenshots"
#: Screenshots in docs/ stay small enough to keep the repository light.
MAX_DOC_SHOT_BYTES = 400_000
URLS = [url for _, _, _, _, url in PAGES]
TITLES = {url: title for _, _, title, _, url in PAGES}
#: The main chart or table each page draws with the bundled sample.
MAIN = {
    "overview": "[data-testid='stVegaLiteChart']",
    "readiness": "[data-testid='stVegaLiteChart']",
    "bench": "[data-testid='stVegaLiteChart']",
    "capability_risk": "[data-testid='stVegaLiteChart']",
    "equity": "[data-testid='stVegaLiteChart']",
    "learning_impact": "[data-testid='stVegaLiteChart']",
    "assets": "[data-testid='stDataFrame']",
    "person": "[data-testid='stVegaLiteChart']",
    "talent_review": "[data-testid='stVegaLiteChart']",
    "succession": "[data-testid='stVegaLiteChart']",
    "data": "[data-testid='stDataFrame']",
    "framework": "[data-testid='stDataFrame']",
    "definitions": "[data-testid='stMain'] h2",
}
#: Pages whose content does not depend on the team and ladder filters at all.
UNFILTERED = {"data", "audit", "definitions", "framework", "my_profile"}
#: A page with a filter that matches nobody says so in words, or says that it is not filtered.
EMPTY_STATE = re.compile(
    r"Nothing to list here|Nobody active|Nobody in this team|Nobody matches|No active employee|No role|"
    r"not applied|does not apply|never filtered",
)
NOBODY = "team=Data%20Science&ladder=Finance"
# Marks of a vega chart (svg renderer): data marks are groups with class role-mark; an empty chart
# has axes and a title but no mark item in any of them.
JS_EMPTY_CHARTS = """() => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart']"))
    .filter(c => c.querySelector('svg') && c.querySelectorAll('g.role-mark > *').length === 0)
    .map(c => (c.querySelector('svg').getAttribute('aria-label') || c.innerText).slice(0, 80))"""
JS_CUT_LABELS = """() => Array.from(document.querySelectorAll("[data-testid='stMetricLabel'], [data-testid='stMetricLabel'] *"))
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText.slice(0, 60))"""
JS_OVERFLOW = """() => { const m = document.querySelector("[data-testid='stMainBlockContainer']")
    || document.querySelector("[data-testid='stMain']");
    return m.scrollWidth - m.clientWidth; }"""
# An axis title overlaps its tick labels when their boxes intersect by more than 2 px both ways.
JS_AXIS_OVERLAP = """() => {
    const out = [];
    for (const axis of document.querySelectorAll("[data-testid='stVegaLiteChart'] g.role-axis")) {
        const title = axis.querySelector('g.role-axis-title text');
        if (!title || !title.textContent.trim()) continue;
        const t = title.getBoundingClientRect();
        for (const label of axis.querySelectorAll('g.role-axis-label text')) {
            const l = label.getBoundingClientRect();
            const dx = Math.min(t.right, l.right) - Math.max(t.left, l.left);
            const dy = Math.min(t.bottom, l.bottom) - Math.max(t.top, l.top);
            if (dx > 2 && dy > 2) { out.push(title.textContent + ' / ' + label.textContent); break; }
        }
    }
    return out; }"""


#: The servers' logs stay here after the run, to be read when a test fails.
LOGS = ROOT / "artifacts" / "server-logs"


@pytest.fixture(scope="module")
def app(worker_id):
    sync_playwright = _browser_or_skip()
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"people_read-{worker_id}-{os.getpid()}.log"
    with streamlit_server(log_path=log_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser, base
        browser.close()


@pytest.fixture()
def page(app):
    browser, _ = app
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    yield context.new_page()
    context.close()


def _main(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _assert_no_failure(page, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, where
    text = _main(page)
    for bad in ("Something went wrong", "Page not found", "Traceback"):
        assert bad not in text, (where, bad)


def _assert_title(page, url: str) -> None:
    heading = page.locator("[data-testid='stMain'] h1").first.inner_text().strip()
    assert TITLES[url].lower() in heading.lower(), (url, heading)


#: The tests of one state each (a failed load, an as-of outside the data, links, packs) run as a group of
#: their own under ``--dist loadgroup``, beside the page-by-page tests, each group with its own server.
STATES = pytest.mark.xdist_group("people_read_states")
#: The tallest screenshot taken (the Definitions page is long).
MAX_SHOT_HEIGHT = 6000


def _shot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, not the document, so the
    window is made as tall as the main block's content for the screenshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    tall = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(tall, size["height"]), MAX_SHOT_HEIGHT)})
    page.wait_for_timeout(700)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    assert path.stat().st_size > 10_000, path


def _to_docs(shot: Path) -> None:
    """Copy a screenshot to docs/screenshots/, reduced to a palette PNG when it is too large."""
    from PIL import Image

    target = DOC_SHOTS / shot.name
    shutil.copy(shot, target)
    if target.stat().st_size > MAX_DOC_SHOT_BYTES:
        Image.open(shot).convert("RGB").quantize(colors=128).save(target, optimize=True)
    assert target.stat().st_size < MAX_DOC_SHOT_BYTES, target


def _sample_employees_with_ladder() -> pl.DataFrame:
    employees = pl.read_csv(DEFAULT_SAMPLE / "employees.csv", try_parse_dates=True)
    roles = pl.read_csv(DEFAULT_SAMPLE / "roles.csv")
    return employees.join(roles.select("role_id", "ladder"), on="role_id", how="left")


# 1 and 7 (1440 px): every page by its address ------------------------------------------------


@pytest.mark.browser
def test_the_root_address_opens_the_first_page(page, app):
    _, base = app
    page.goto(base)
    wait_until_idle(page)
    _assert_no_failure(page, "/")
    _assert_title(page, URLS[0])
    assert page.url.split("?")[0].rstrip("/").endswith("/" + URLS[0])


def _fits(page, url: str, width: int) -> None:
    """Screenshot the page at ``width``, then check it: no failure, its title, its main chart or table,
    no metric label cut off, no horizontal overflow, no axis title over its labels."""
    shot = SHOTS / ("" if width == 1440 else str(width)) / f"{url}.png"
    _shot(page, shot)  # first, so that a failure below can be looked at
    _assert_no_failure(page, url)
    _assert_title(page, url)
    if url in MAIN:
        assert page.locator(MAIN[url]).count() >= 1, f"{url}: no {MAIN[url]}"
    assert page.evaluate(JS_CUT_LABELS) == [], (url, width)
    assert page.evaluate(JS_OVERFLOW) <= 1, (url, width)
    assert page.evaluate(JS_AXIS_OVERLAP) == [], (url, width)
    if width == 1440 and os.environ.get("REFRESH_SCREENSHOTS") == "1":
        _to_docs(shot)


@pytest.mark.browser
@pytest.mark.parametrize("url", URLS)
def test_every_page_opens_by_its_address_and_fits(page, app, url):
    """At 1440 px, then narrowed to 1024 px (the page re-lays itself out as a narrowed window does)."""
    _, base = app
    page.goto(f"{base}/{url}")
    wait_until_idle(page)
    _fits(page, url, 1440)
    page.set_viewport_size({"width": 1024, "height": 1000})
    page.wait_for_timeout(500)
    wait_until_idle(page)
    _fits(page, url, 1024)


# 2: a filter that matches nobody --------------------------------------------------------------


def test_the_nobody_filter_really_matches_nobody_in_the_sample():
    both = _sample_employees_with_ladder().filter((pl.col("team") == "Data Science") & (pl.col("ladder") == "Finance"))
    assert both.height == 0


@pytest.mark.browser
@pytest.mark.parametrize("url", URLS)
def test_a_filter_that_matches_nobody_is_said_in_words(page, app, url):
    _, base = app
    page.goto(f"{base}/{url}?{NOBODY}")
    wait_until_idle(page)
    _assert_no_failure(page, url)
    # the filter from the address is in force (the sidebar's multiselects show it)
    page.wait_for_function(
        """() => { const s = document.querySelector("[data-testid='stSidebar']").innerText;
                   return s.includes('Data Science') && s.includes('Finance'); }""",
        timeout=30_000,
    )
    if url not in UNFILTERED:
        assert EMPTY_STATE.search(_main(page)), url
    assert page.evaluate(JS_EMPTY_CHARTS) == [], url


# 3: a failed load, then every page ------------------------------------------------------------


def _open_from_sidebar(page, url: str) -> None:
    links = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a")
    link = links.filter(has=page.locator(f"xpath=self::*[@href='{url}' or substring-after(@href, '/')='{url}']"))
    link.first.click()
    page.wait_for_function(f"() => location.pathname.endsWith('/{url}')", timeout=30_000)
    wait_until_idle(page)


@STATES
@pytest.mark.browser
def test_after_a_failed_load_every_page_says_the_previous_source_is_shown(page, app):
    _, base = app
    page.goto(f"{base}/data")
    wait_until_idle(page)
    page.get_by_role("tab", name="Folder or configuration").click()
    box = page.get_by_role("textbox", name=re.compile("Folder of exports"))
    box.fill(str(ROOT / "tests" / "fixtures" / "no-such-folder"))
    page.get_by_role("button", name="Load", exact=True).click()
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    wait_until_idle(page)
    for url in URLS:
        _open_from_sidebar(page, url)
        _assert_no_failure(page, url)
        _assert_title(page, url)
        text = _main(page)
        assert "The last load failed" in text, url
        assert "previous source is still shown" in text, url
        assert "no such file or folder" in text, url


# 4: an as-of date outside the data ------------------------------------------------------------


@STATES
@pytest.mark.browser
@pytest.mark.parametrize(
    "as_of", ["2030-01-01"]
)  # one side of the range keeps the suite short; the AppTest checks both
def test_an_as_of_outside_the_data_is_warned_on_every_page(page, app, as_of):
    _, base = app
    day = dt.date.fromisoformat(as_of)
    for url in URLS:
        page.goto(f"{base}/{url}?as_of={as_of}")
        wait_until_idle(page)
        _assert_no_failure(page, url)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        warning = re.search(r"The data runs from (\d\d \w{3} \d{4}) to (\d\d \w{3} \d{4}); (\d\d \w{3} \d{4})", sidebar)
        assert warning, (url, sidebar[-400:])
        first, last, asked = (dt.datetime.strptime(g, "%d %b %Y").date() for g in warning.groups())
        assert asked == day and first <= last and not first <= day <= last, (url, warning.group(0))


# 5: person and role links ---------------------------------------------------------------------


def _grid_links(page, prefix: str) -> list[str]:
    """The link targets of every glide-grid cell starting with ``prefix`` (read from the grid's
    accessible table, which mirrors the canvas)."""
    return page.evaluate(
        """(prefix) => Array.from(document.querySelectorAll("[data-testid='stDataFrame'] table td, [data-testid='stDataFrame'] table a"))
            .map(td => (td.querySelector('a') ? td.querySelector('a').getAttribute('href') : null) || td.getAttribute('href') || td.textContent)
            .filter(t => t && t.includes(prefix))""",
        prefix,
    )


def _selected(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).last.input_value()


def _critical_role_with_incumbents() -> tuple[str, str]:
    employees = _sample_employees_with_ladder().filter(pl.col("exit_date").is_null())
    roles = pl.read_csv(DEFAULT_SAMPLE / "roles.csv")
    counts = employees.group_by("role_id").len()
    held = roles.join(counts, on="role_id").filter(pl.col("len").is_between(2, 30)).sort("role_id")
    row = held.row(0, named=True)
    return row["role_id"], row["title"]


@STATES
@pytest.mark.browser
def test_a_person_link_of_a_role_opens_that_persons_profile(page, app):
    _, base = app
    role, title = _critical_role_with_incumbents()
    page.goto(f"{base}/readiness?role={role}")
    wait_until_idle(page)
    chosen = _selected(page, "Role")
    assert role in chosen and title in chosen, chosen
    people = page.locator("[data-testid='stDataFrame']").last
    people.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    links = _grid_links(page, "E")
    ids = sorted({m for link in links for m in re.findall(r"\bE\d{6}\b", link)})
    holders = set(_sample_employees_with_ladder().filter(pl.col("role_id") == role).get_column("employee_id"))
    assert ids and set(ids) <= holders, (links[:5], sorted(holders)[:5])
    employee = ids[0]
    page.goto(f"{base}/person?employee={employee}")
    wait_until_idle(page)
    _assert_no_failure(page, "person")
    chosen = _selected(page, "Employee")
    assert employee in chosen, chosen


@STATES
@pytest.mark.browser
def test_a_role_link_preselects_that_role(page, app):
    _, base = app
    role, _ = _critical_role_with_incumbents()
    page.goto(f"{base}/bench")
    wait_until_idle(page)
    roles = sorted({m for link in _grid_links(page, "role") for m in re.findall(r"role=([\w-]+)", link)})
    target = roles[0] if roles else role
    page.goto(f"{base}/readiness?role={target}")
    wait_until_idle(page)
    _assert_no_failure(page, "readiness")
    chosen = _selected(page, "Role")
    assert f"({target})" in chosen, (target, chosen)


# 6: the committee packs -----------------------------------------------------------------------


@STATES
@pytest.mark.browser
@pytest.mark.parametrize("url", ["equity", "bench"])
def test_the_committee_pack_downloads_and_opens(page, app, url, tmp_path):
    import openpyxl

    _, base = app
    page.goto(f"{base}/{url}")
    wait_until_idle(page)
    # the as-of date in force, as the sidebar's date input shows it (YYYY/MM/DD)
    shown = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] input").first.input_value()
    as_of = dt.date(*map(int, re.findall(r"\d+", shown)[:3]))
    saved = {}
    for kind in ("PDF", "Excel"):
        button = page.get_by_role("button", name=f"Committee pack ({kind})")
        button.scroll_into_view_if_needed()
        # Twice at most: in one CI run of four the equity pack's first click gave no download at all
        # (cause not found; the server log is kept under artifacts/server-logs/). A lost first click is
        # reported as a warning, so that it stays visible; two lost clicks fail the test.
        for attempt in (1, 2):
            try:
                with page.expect_download(timeout=90_000) as download:
                    button.click()
                break
            except PlaywrightTimeoutError as exc:
                if attempt == 2:
                    tails = "\n".join(
                        f"--- {f.name}\n{f.read_text()[-2000:]}" for f in sorted(LOGS.glob("people_read-*.log"))
                    )
                    raise AssertionError(f"{url} {kind}: no download after two clicks; server logs:\n{tails}") from exc
                warnings.warn(f"{url} {kind}: the first click gave no download in 90 s; clicked again", stacklevel=1)
                wait_until_idle(page)
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        saved[kind] = path
    pdf, xlsx = saved["PDF"], saved["Excel"]
    assert pdf.suffix == ".pdf" and xlsx.suffix == ".xlsx"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert any(day in text for day in (f"{as_of:%d %b %Y}", f"{as_of:%-d %B %Y}", as_of.isoformat())), text[:500]
    out = SHOTS / "packs" / url
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page")], check=True)
    pages = sorted(out.glob("page-*.png"))
    assert pages and all(p.stat().st_size > 5_000 for p in pages), pages
    book = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()), read_only=True)
    assert book.sheetnames and any(sheet.max_row and sheet.max_row > 1 for sheet in book.worksheets)
    if os.environ.get("REFRESH_SCREENSHOTS") == "1":
        name = {"equity": "equity_pack.png", "bench": "succession_pack.png"}[url]
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(DOC_SHOTS / Path(name).stem),
            ],
            check=True,
        )
