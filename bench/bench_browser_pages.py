"""First render of every page in Debian's chromium, on a cold server and warm, side by side.

For each page a fresh server is started (nothing cached, nothing imported beyond
what the app preloads), chromium opens the page's address, and two times are
taken from the navigation:

* **usable**: the page's main heading is drawn (``stMain h1``), i.e. a person can
  read the page; later parts (a background learning fit, charts) may still fill in;
* **complete**: the script has stopped running and no spinner is shown.

Then the same page is opened again in a new tab of the same server (**warm**),
and a filter change (one team chosen in the address) is timed on the Readiness page.
Ratios are to the 2-second target of issue 14. Usage::

    .venv/bin/python bench/bench_browser_pages.py [--pages overview readiness] [--no-write]

Figures are printed and written to bench/RESULTS.md between this bench's markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results_md import write_section  # noqa: E402
from metrics.access import ADMIN, PAGES_BY_ROLE  # noqa: E402
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, SETTLE_MS, streamlit_server, wait_until_idle  # noqa: E402

#: Every page an administrator may open (all of them).
PAGES = tuple(sorted(PAGES_BY_ROLE[ADMIN]))
TARGET_S = 2.0
RESULTS = ROOT / "bench" / "RESULTS.md"


def _timed(page, url: str) -> tuple[float, float]:
    """Seconds from navigation to the main heading, and to the page being idle."""
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=300_000)
    usable = time.perf_counter() - t0
    wait_until_idle(page, timeout_ms=300_000)
    complete = time.perf_counter() - t0 - SETTLE_MS / 1000  # wait_until_idle's fixed settle is not the page's time
    return usable, complete


def measure(pages: tuple[str, ...]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in pages:
            with tempfile.TemporaryDirectory() as state, streamlit_server({"TR_STATE_DIR": state}) as base:
                cold_page = browser.new_page(viewport={"width": 1440, "height": 1000})
                cold = _timed(cold_page, f"{base}/{name}")
                cold_page.close()
                warm_page = browser.new_page(viewport={"width": 1440, "height": 1000})
                warm = _timed(warm_page, f"{base}/{name}")
                change = None
                if name == "readiness":
                    change = _timed(warm_page, f"{base}/{name}?team=Data%20Science")
                warm_page.close()
            row = {"page": name, "cold": cold, "warm": warm, "filter_change": change}
            print(row, flush=True)
            rows.append(row)
        browser.close()
    return rows


def table(rows: list[dict]) -> str:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Pages in chromium: first render cold and warm (bench/bench_browser_pages.py)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, {os.cpu_count()} CPUs; load average "
        f"{load}. Command: `.venv/bin/python bench/bench_browser_pages.py`. A fresh server per page (cold); "
        "usable = the page's heading drawn, complete = script finished and no spinner; the warm columns open the "
        "same page again on the same server. Ratios are to the 2 s target.",
        "",
        "| page | cold usable (s) | cold complete (s) | cold usable / 2 s | warm usable (s) | warm complete (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        (cu, cc), (wu, wc) = r["cold"], r["warm"]
        lines.append(f"| {r['page']} | {cu:.2f} | {cc:.2f} | {cu / TARGET_S:.2f} | {wu:.2f} | {wc:.2f} |")
    change = next((r["filter_change"] for r in rows if r["filter_change"]), None)
    if change:
        lines += [
            "",
            f"Filter change (Readiness, one team, warm): usable {change[0]:.2f} s, complete {change[1]:.2f} s.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    body = table(measure(tuple(args.pages)))
    print(body)
    if not args.no_write:
        write_section(RESULTS, "bench_browser_pages", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
