"""First render of every page in Debian's chromium, on a cold server and warm, side by side.

For each page a fresh server is started (nothing cached, nothing imported beyond
what the app preloads), chromium opens the page's address, and two times are
taken from the navigation:

* **usable**: the first frame holding the page's main heading (``stMain h1``) has been
  painted, by the page's own clock from navigation start (the end of the second animation
  frame after the heading entered the document), i.e. a person can read the page; later
  parts (charts, a background learning fit) may still fill in. Playwright's own wait for a
  selector polls at growing intervals (up to 0.5 s), so it is not used for this figure;
* **complete**: the script has stopped running, no spinner is shown, every chart is drawn
  and no learning-impact part is still waiting for its fit (as playwright sees it).

Then the same page is opened again in a new tab of the same server (**warm**),
and a filter change (one team chosen in the sidebar) is timed on the Readiness page.
Ratios are to the 2-second target of issue 14. Usage::

    .venv/bin/python bench/bench_browser_pages.py [--pages overview readiness] [--no-write]

Figures are printed and written to bench/RESULTS.md between this bench's markers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results_md import write_section  # noqa: E402
from metrics.access import ADMIN, PAGES_BY_ROLE  # noqa: E402
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, SETTLE_MS, streamlit_server, wait_until_idle  # noqa: E402
from ui.components import MSG_FITTING  # noqa: E402

#: Every page an administrator may open (all of them).
PAGES = tuple(sorted(PAGES_BY_ROLE[ADMIN]))
TARGET_S = 2.0
#: The words a learning-impact part shows while its fit runs (``ui.components.MSG_FITTING``).
FITTING_PREFIX = MSG_FITTING.split("(")[0].strip()
RESULTS = ROOT / "bench" / "RESULTS.md"


#: Injected before the page's own code: notes (page clock, ms from navigation start) when the main
#: heading enters the document and the end of the second animation frame after that, i.e. once a
#: frame holding the heading has been painted.
HEADING_PAINTED_JS = """
window.__trHeading = {};
new MutationObserver((_, observer) => {
  if (document.querySelector("[data-testid='stMain'] h1")) {
    observer.disconnect();
    window.__trHeading.inserted = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__trHeading.painted = performance.now(); }));
  }
}).observe(document, {subtree: true, childList: true});
"""


def _timed(page, url: str) -> tuple[float, float]:
    """Seconds from navigation to the first painted frame holding the main heading (page clock), and
    to the page being idle (as playwright sees it)."""
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function("() => window.__trHeading && window.__trHeading.painted", timeout=300_000)
    usable = page.evaluate("window.__trHeading.painted") / 1000
    while True:  # idle, and no learning-impact part still waiting for its fit
        wait_until_idle(page, timeout_ms=300_000)
        if page.get_by_text(FITTING_PREFIX).count() == 0:
            break
        page.wait_for_timeout(200)
    complete = time.perf_counter() - t0 - SETTLE_MS / 1000  # wait_until_idle's fixed settle is not the page's time
    return usable, complete


def _filter_change(page, team: str) -> float:
    """Seconds from choosing ``team`` in the sidebar's Teams filter (a warm page) to the page being
    idle again, drawn for that team."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
    box.click()
    box.fill(team)
    page.get_by_role("option").filter(has_text=team).first.wait_for()
    t0 = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        "() => new URL(location.href).searchParams.getAll('team').length === 1", timeout=300_000
    )  # the script has run far enough to write the filter to the address
    wait_until_idle(page, timeout_ms=300_000)
    return time.perf_counter() - t0 - SETTLE_MS / 1000


def _new_page(browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.add_init_script(HEADING_PAINTED_JS)
    return page


#: The floor: what Streamlit's own front end costs on this machine, a page with a heading and nothing else.
FLOOR_PAGE = "(floor: a one-heading Streamlit page)"
FLOOR_SCRIPT = 'import streamlit as st\n\nst.title("A one-heading page")\n'


def _visit(browser, name: str, folder: Path) -> dict:
    """One fresh server: its start, then the page cold, then warm (and the filter change on Readiness)."""
    script = None
    path = name
    if name == FLOOR_PAGE:
        script = folder / "floor.py"
        script.write_text(FLOOR_SCRIPT)
        path = ""
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        base = stack.enter_context(streamlit_server({"TR_STATE_DIR": str(folder / "state")}, script=script))
        start = time.perf_counter() - started
        cold_page = _new_page(browser)
        cold = _timed(cold_page, f"{base}/{path}")
        cold_page.close()
        warm_page = _new_page(browser)
        warm = _timed(warm_page, f"{base}/{path}")
        change = _filter_change(warm_page, "Data Science") if name == "readiness" else None
        warm_page.close()
    return {"page": name, "start": start, "cold": cold, "warm": warm, "filter_change": change}


def measure(pages: tuple[str, ...], repeat: int) -> list[dict]:
    """Per page, the median of ``repeat`` fresh servers' figures, and the slowest cold usable time.

    Rounds go over every page in turn, so a slow spell of the machine spreads over pages."""
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[dict]] = {name: [] for name in pages}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(repeat):
            for name in pages:
                with tempfile.TemporaryDirectory() as folder:
                    row = _visit(browser, name, Path(folder))
                print(row, flush=True)
                runs[name].append(row)
        browser.close()
    rows = []
    for name, got in runs.items():
        changes = [r["filter_change"] for r in got if r["filter_change"] is not None]
        rows.append(
            {
                "page": name,
                "start": median(r["start"] for r in got),
                "cold": (median(r["cold"][0] for r in got), median(r["cold"][1] for r in got)),
                "cold_worst": max(r["cold"][0] for r in got),
                "warm": (median(r["warm"][0] for r in got), median(r["warm"][1] for r in got)),
                "filter_change": median(changes) if changes else None,
                "runs": len(got),
            }
        )
    return rows


def table(rows: list[dict], repeat: int) -> str:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Pages in chromium: first render cold and warm (bench/bench_browser_pages.py)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, {os.cpu_count()} CPUs; load average "
        f"at the end {load}. Command: `.venv/bin/python bench/bench_browser_pages.py --repeat {repeat}`. Each "
        f"figure is the median of {repeat} fresh servers per page (the worst cold usable time is shown too). "
        "server start = from starting `streamlit run serve.py` to its health check answering (it warms up first: "
        "`ui/warm.py`); usable = the first painted frame holding the page's heading, by the page's clock from "
        "navigation start; complete = script finished, no spinner, charts drawn, learning impact filled in; the warm "
        "columns open the same page again on the same server. Ratios are to the 2 s target. The floor row is a "
        "Streamlit page holding only a heading: what Streamlit's own front end costs on this machine.",
        "",
        "| page | server start (s) | cold usable (s) | worst cold usable (s) | cold complete (s) | cold usable / 2 s "
        "| warm usable (s) | warm complete (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        (cu, cc), (wu, wc) = r["cold"], r["warm"]
        lines.append(
            f"| {r['page']} | {r['start']:.2f} | {cu:.2f} | {r['cold_worst']:.2f} | {cc:.2f} | {cu / TARGET_S:.2f} "
            f"| {wu:.2f} | {wc:.2f} |"
        )
    app_rows = [r for r in rows if r["page"] != FLOOR_PAGE]
    if app_rows:
        worst = max(app_rows, key=lambda r: r["cold"][0])
        lines += ["", f"Slowest page by median cold usable time: {worst['page']}, {worst['cold'][0]:.2f} s."]
    change = next((r["filter_change"] for r in rows if r["filter_change"]), None)
    if change:
        lines += [
            "",
            f"Filter change (Readiness, Teams = Data Science chosen in the sidebar, warm): {change:.2f} s to the page "
            "idle again (target under 1 s).",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    parser.add_argument("--repeat", type=int, default=3, help="fresh servers per page (median reported)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    body = table(measure((FLOOR_PAGE, *args.pages), args.repeat), args.repeat)
    print(body)
    if not args.no_write:
        write_section(RESULTS, "bench_browser_pages", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
