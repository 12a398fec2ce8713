"""Issue 9: loading source after source in one app process keeps a bounded number of them.

Each loaded bundle is held only by Streamlit's bounded resource cache (``ui.state.MAX_BUNDLES``);
there is no module-level registry, so once more sources than the bound have been loaded the
oldest ones are freed. Weak references tell which bundles are still alive.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture
def sources(tmp_path) -> list[Path]:
    folders = []
    for i in range(12):
        folder = tmp_path / f"src{i}"
        shutil.copytree(TINY, folder)
        with open(folder / "competencies.csv", "a") as fh:  # a different content hash per source
            fh.write(f"EXTRA{i},Extra competency {i},Other\n")
        folders.append(folder)
    return folders


def test_only_a_bounded_number_of_loaded_sources_stay_in_memory(sources):
    from ui import compute, state

    state._load_cached.clear()
    alive: list[weakref.ref] = []
    versions = set()
    for folder in sources:
        bundle = state._load_cached(str(folder), dt.date(2026, 11, 22))
        versions.add(bundle.version)
        compute.core(bundle, dt.date(2026, 9, 30))  # results cached alongside, also bounded
        alive.append(weakref.ref(bundle))
        del bundle
    gc.collect()
    assert len(versions) == len(sources)  # every source really is a different dataset
    still = sum(1 for ref in alive if ref() is not None)
    assert still <= state.MAX_BUNDLES, f"{still} of {len(sources)} bundles still in memory"
    assert alive[-1]() is not None  # the current one is kept
