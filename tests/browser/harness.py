"""Start the app (`streamlit run serve.py`, or another script) on a free port and drive it with playwright in Debian's chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
START_TIMEOUT_S = 60
#: How long ``wait_until_idle`` lets drawn charts settle at the end (not part of a page's own time).
SETTLE_MS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    env: dict[str, str] | None = None,
    extra_args: list[str] | None = None,
    port: int | None = None,
    script: Path | None = None,
    log_path: Path | None = None,
    start_timeout_s: float = START_TIMEOUT_S,
):
    """Yield the base URL of a running app (``app.py``, or ``script``); stop it afterwards.

    The server's output goes to ``log_path`` (a temporary file when not given), never to a pipe:
    a pipe nobody reads fills after some 64 KB of log and then blocks the server on its next
    write, which looked like a download that never came.
    """
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script or ROOT / "serve.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *(extra_args or []),
    ]
    with contextlib.ExitStack() as stack:
        if log_path is None:
            log_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tr-server-"))) / "server.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            yield _wait_for_health(f"http://127.0.0.1:{port}", start_timeout_s, log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_for_health(base: str, timeout_s: float, log_path: Path) -> str:
    """``base`` once its health endpoint answers; the log's tail in the error otherwise."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return base
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not start:\n{log_path.read_text()[-2000:]}")


def wait_until_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the page has drawn its title and the script has stopped running."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
            if (document.querySelector("[data-testid='stStatusWidgetRunningIcon']")) return false;
            if (document.querySelector("[data-testid='stSpinner']")) return false;
            // a chart's code loads after the script has ended: a skeleton stands in for it until then
            if (document.querySelector("[data-testid='stSkeleton']")) return false;
            return true;
        }""",
        timeout=timeout_ms,
    )
    # charts (vega-embed) draw after the script ends: wait until each has its svg or canvas
    page.wait_for_function(
        """() => [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('svg, canvas'))""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(SETTLE_MS)
