"""Import, once and before any session runs, every module a page may import on first use.

Streamlit runs each session's script in its own thread. On a fresh server the
first ~20 sessions would otherwise import pandas, pyarrow, scikit-learn and the
metric packages at the same time from different threads; Python's import
deadlock detection then hands one thread a half-imported module ("partially
initialized module 'pandas' has no attribute ..."), and about one page in seven
failed. ``app.py`` calls ``preload()`` before ``st.navigation`` so every later
import is a dictionary lookup. ``tests/unit/test_preload.py`` checks that every
import a page or a function makes lazily is in ``PRELOAD``.

Example
-------
>>> "pandas" in preload()
True
"""

from __future__ import annotations

import importlib
import threading

#: Third-party modules imported lazily by streamlit (tables, charts) or inside functions, then the
#: project's own modules the pages import (at the top of a view, or inside a cached function).
PRELOAD: tuple[str, ...] = (
    "numpy",
    "pandas",
    "pyarrow",
    "polars",
    "altair",
    "narwhals",
    "sqlalchemy",
    "jsonschema",
    "xlsxwriter",
    "PIL",
    "fpdf",
    "fpdf.fonts",
    "vl_convert",
    "scipy.stats",
    "statsmodels.api",
    "sklearn.compose",
    "sklearn.ensemble",
    "sklearn.model_selection",
    "sklearn.impute",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "data_sources.audit",
    "data_sources.case",
    "data_sources.contract",
    "data_sources.errors",
    "data_sources.loader",
    "data_sources.sql",
    "data_sources.store",
    "data_sources.talent_store",
    "data_sources.uploads",
    "metrics.access",
    "metrics.coaching",
    "metrics.bench",
    "metrics.common",
    "metrics.engines",
    "metrics.equity",
    "metrics.equity._population",
    "metrics.labels",
    "metrics.learning",
    "metrics.learning._features",
    "metrics.proficiency",
    "metrics.run",
    "ui.auth",
    "ui.charts",
    "ui.components",
    "ui.definitions_doc",
    "ui.compute",
    "ui.export",
    "ui.pack",
    "ui.present",
    "ui.profile",
    "ui.state",
    "ui.talent",
)


#: Held while importing: a session that arrives meanwhile waits until every module is whole
#: (altair, for one, takes ``sys.modules["pandas"]`` as it is, even half-imported).
_IMPORTING = threading.Lock()


#: Optional extras (requirements-spark.txt): imported when used, never preloaded.
OPTIONAL: tuple[str, ...] = ("pyspark", "metrics.engines.spark")


def preload() -> tuple[str, ...]:
    """Import every module of ``PRELOAD``, one thread at a time; returns their names.

    Called by every session's script before any page code runs, so no page can
    see a module another session is still importing.
    """
    with _IMPORTING:
        for name in PRELOAD:
            importlib.import_module(name)
    return PRELOAD
