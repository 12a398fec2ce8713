"""Run every metric family on a set of canonical tables: what ``cli.py compute`` writes.

Each family runs only when its tables are present; otherwise it is listed in
``skipped`` with the tables it needs. Outputs carry the spec's names and columns:
proficiency, readiness, bench, capability_risk, equity, learning_impact, assets.

Example
-------
>>> import datetime as dt
>>> from data_sources.loader import load_source
>>> from pathlib import Path
>>> tiny = load_source(Path(__file__).parent.parent / "tests/fixtures/tiny", as_of=dt.date(2026, 11, 22))
>>> res = run_all(tiny.tables, as_of=dt.date(2026, 9, 30))
>>> sorted(res.outputs)
['bench', 'proficiency', 'readiness']
>>> res.skipped["equity"]
'needs table(s): movements'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from data_sources.contract import VIEW_REQUIREMENTS
from metrics.bench import bench_strength
from metrics.capability_risk import capability_risk
from metrics.common import default_as_of
from metrics.config import DEFAULT_CONFIG, MetricsConfig
from metrics.equity import equity_result, pipeline_equity_all
from metrics.learning import asset_portfolio, learning_impact
from metrics.movements import roles_at
from metrics.proficiency import proficiency
from metrics.readiness import readiness

SKIP_NEEDS = "needs table(s): {tables}"

#: Tables each family needs beyond the four required ones (the views' needs, from the contract).
FAMILY_TABLES: dict[str, tuple[str, ...]] = {"proficiency": ("evidence",), **VIEW_REQUIREMENTS}


@dataclass(frozen=True)
class PipelineResult:
    """The outputs by name, the as-of date used, seconds per stage, and skipped families."""

    as_of: dt.date
    outputs: Mapping[str, pl.DataFrame]
    seconds: Mapping[str, float]
    skipped: Mapping[str, str]
    extras: Mapping[str, object] = dataclasses.field(default_factory=dict)


def run_all(
    tables: Mapping[str, pl.DataFrame],
    *,
    as_of: dt.date | None = None,
    config: MetricsConfig = DEFAULT_CONFIG,
    equity_attributes: tuple[str, ...] | None = None,
) -> PipelineResult:
    """Compute every family whose tables are present.

    Parameters
    ----------
    tables : mapping of table name to accepted frame
    as_of : datetime.date, optional
        T; default the spec's (latest date in evidence, learning events, performance, movements).
    config : MetricsConfig
    equity_attributes : tuple of str, optional
        The equity attributes the source declares (default: the configuration's).
    """
    t = as_of or default_as_of(tables)
    if equity_attributes is not None:
        config = dataclasses.replace(
            config, equity=dataclasses.replace(config.equity, attributes=tuple(equity_attributes))
        )
    outputs: dict[str, pl.DataFrame] = {}
    seconds: dict[str, float] = {}
    skipped: dict[str, str] = {}
    extras: dict[str, object] = {}

    def stage(name: str, fn: Callable[[], pl.DataFrame | None]) -> None:
        missing = [x for x in FAMILY_TABLES[name] if x not in tables]
        if missing:
            skipped[name] = SKIP_NEEDS.format(tables=", ".join(missing))
            return
        start = time.perf_counter()
        out = fn()
        seconds[name] = time.perf_counter() - start
        if out is not None:
            outputs[name] = out

    emp, roles, reqs = tables["employees"], tables["roles"], tables["role_requirements"]
    stage("proficiency", lambda: proficiency(tables["evidence"], t, config.proficiency))
    prof = outputs.get("proficiency")
    stage("readiness", lambda: readiness(emp, roles, reqs, prof, t, config.readiness))
    ready = outputs.get("readiness")
    stage("bench", lambda: bench_strength(emp, roles, ready, t))
    stage(
        "capability_risk",
        lambda: capability_risk(emp, tables["capability_targets"], prof, t, config.capability_risk),
    )
    for name, runner in _optional_families().items():
        stage(name, lambda runner=runner: runner(tables, t, config, outputs, extras))
    return PipelineResult(as_of=t, outputs=outputs, seconds=seconds, skipped=skipped, extras=extras)


def readiness_at(
    tables: Mapping[str, pl.DataFrame], date: dt.date, config: MetricsConfig = DEFAULT_CONFIG
) -> pl.DataFrame:
    """Readiness as it stood on ``date``: evidence up to then, and each employee's role then.

    Example
    -------
    >>> from data_sources.loader import load_source
    >>> from pathlib import Path
    >>> tiny = load_source(Path(__file__).parent.parent / "tests/fixtures/tiny", as_of=dt.date(2026, 11, 22))
    >>> # E2's two items (SQL level 3, 0.79 weight; Stakeholder mgmt level 3, 0.75) each weigh < 1.0
    >>> readiness_at(tiny.tables, dt.date(2026, 9, 30)).filter(pl.col("employee_id") == "E2").rows()
    [('E2', 'AN2', 'current', 0.0, 'developing', 3, 2), ('E2', 'AN3', 'next', 0.0, 'developing', 2, 2)]
    """
    employees = tables["employees"]
    if "movements" in tables:
        employees = roles_at(employees, tables["movements"], date)
    prof = proficiency(tables["evidence"], date, config.proficiency)
    return readiness(employees, tables["roles"], tables["role_requirements"], prof, date, config.readiness)


def _equity(tables, t, config, outputs, extras) -> pl.DataFrame:
    result = equity_result(tables["employees"], tables["movements"], tables["roles"], t, config)
    extras["equity"] = result
    if "evidence" in tables:
        start = result.window.start
        extras["pipeline_equity"] = pipeline_equity_all(
            tables["employees"], readiness_at(tables, start, config), tables["movements"], tables["roles"], t, config
        )
    return result.table


def _learning_impact(tables, t, config, outputs, extras) -> pl.DataFrame:
    result = learning_impact(tables, t, config.learning_impact)
    extras["learning_impact"] = result
    return result.effects


def _assets(tables, t, config, outputs, extras) -> pl.DataFrame:
    return asset_portfolio(tables, outputs.get("learning_impact"), t, config.assets, config.learning_impact)


def _optional_families() -> dict[str, Callable]:
    """Families beyond sections 1–4, in order: equity, learning impact, assets (which use the
    learning-impact labels when they were computed)."""
    return {"equity": _equity, "learning_impact": _learning_impact, "assets": _assets}
