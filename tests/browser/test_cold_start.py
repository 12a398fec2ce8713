"""A fresh server answers its first 20 concurrent sessions without a failed page.

Before ``ui.preload``, sessions racing on the first import of pandas made about one page in
two to seven fail ("partially initialized module 'pandas' has no attribute 'Timestamp'":
altair takes ``sys.modules['pandas']`` as it finds it). Each session here is what a browser
does on a first page load: open the app's websocket and ask for a page; every script run must
finish without an exception or an error element, and the server log must not mention a
partially initialised module. Bounded: 20 sessions, 240 s each at most. (This test also found
two sessions racing to create the store's tables on a fresh server: ``store.ensure_tables``.)

The race is run against ``streamlit run app.py``, which has no warm-up: ``serve.py`` (what
``make run`` and the other browser tests start) imports everything before it answers, so no
session of it can meet a half-imported module; its own test checks that it warmed up before its
health check answered.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.browser.harness import ROOT, streamlit_server
from ui.warm import MSG_WARMED

SESSIONS = 20
PAGES = ("overview", "readiness", "bench", "capability_risk", "equity", "assets", "person", "data", "definitions")
SESSION_TIMEOUT_S = 240
START_TIMEOUT_S = 90


async def _first_load(host: str, page: str) -> list[str]:
    """Open one session, ask for ``page``, return what went wrong (exception/error elements)."""
    import websockets
    from streamlit.proto.Alert_pb2 import Alert
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    problems: list[str] = []
    async with websockets.connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], max_size=None) as ws:
        request = BackMsg()
        request.rerun_script.query_string = ""
        request.rerun_script.page_name = page
        await ws.send(request.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=SESSION_TIMEOUT_S))
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                return problems
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    problems.append(f"{page}: exception {element.exception.type}: {element.exception.message}")
                elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
                    problems.append(f"{page}: error {element.alert.body}")


async def _all(host: str) -> list:
    loads = [_first_load(host, PAGES[i % len(PAGES)]) for i in range(SESSIONS)]
    return await asyncio.gather(*loads, return_exceptions=True)


@pytest.mark.slow
def test_twenty_concurrent_first_sessions_on_a_fresh_server(tmp_path):
    log_path = tmp_path / "server.log"
    env = {"TR_STATE_DIR": str(tmp_path / "state")}
    with streamlit_server(env, log_path=log_path, start_timeout_s=START_TIMEOUT_S, script=ROOT / "app.py") as base:
        results = asyncio.run(_all(base.removeprefix("http://")))
    failed = [repr(r) if isinstance(r, BaseException) else r for r in results if isinstance(r, BaseException) or r]
    log = log_path.read_text()
    assert "partially initialized" not in log
    assert failed == [], f"{len(failed)} of {SESSIONS} first loads failed: {failed[:3]}\nserver log:\n{log[-4000:]}"


@pytest.mark.slow
def test_the_server_is_warm_before_it_answers(tmp_path):
    """``serve.py`` loads the sample and computes its core metrics before its health check answers,
    and a first session then finds the modules, source and metrics ready."""
    log_path = tmp_path / "server.log"
    env = {"TR_STATE_DIR": str(tmp_path / "state")}
    with streamlit_server(env, log_path=log_path, start_timeout_s=START_TIMEOUT_S) as base:
        warmed = log_path.read_text()
        problems = asyncio.run(_first_load(base.removeprefix("http://"), "overview"))
    expected = MSG_WARMED.format(source="bundled sample organisation", as_of="DATE", seconds=0.0)
    pattern = re.escape(expected).replace("DATE", r"\d{4}-\d{2}-\d{2}").replace(r"0\.0", r"\d+\.\d")
    assert re.search(pattern, warmed), warmed[-2000:]
    assert "missing ScriptRunContext" not in warmed  # the warm-up's cached calls outside a session are quiet
    assert problems == []
