"""Talent Readiness server: ``app.py`` behind a start-up that warms it for its first visitor.

Run with ``streamlit run serve.py`` (``make run`` does). Streamlit finds the ``st.App``
below and serves ``app.py`` exactly as ``streamlit run app.py`` would, with one
difference: before the server answers any request (its health check included), it
imports every page's modules, loads the server's source (``TR_SOURCE``, else the bundled
sample) and computes its core metrics (``ui.warm``), so nobody's first page waits for
that. ``streamlit run app.py`` still works; its first visitor then pays the warm-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

ROUTER = Path(__file__).resolve().parent / "app.py"


@asynccontextmanager
async def warmed(_app: st.App) -> AsyncIterator[None]:
    """The server's lifespan: warm up (in a worker thread, so the event loop stays free), then serve."""
    from ui.state import server_source
    from ui.warm import warm_up

    logging.basicConfig(level=logging.INFO)
    await asyncio.to_thread(warm_up, server_source())
    yield


app = st.App(str(ROUTER), lifespan=warmed)
