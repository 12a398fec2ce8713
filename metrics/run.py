"""The one run path: every metric family from the canonical tables, one as-of date and one configuration.

``cli.py compute`` and the app both call :func:`run_metrics`; the app narrows the
results to its sidebar filters afterwards and caches them, nothing more. Each
family runs only when its tables are present; otherwise it is listed in
``skipped`` with the tables it needs. The event-level aggregations (proficiency
from evidence, learning exposures) go through an ``EventEngine`` (see
``metrics.engine``), so they can run in another engine.

Example
-------
>>> import datetime as dt
>>> from data_sources.loader import load_source
>>> from pathlib import Path
>>> tiny = load_source(Path(__file__).parent.parent / "tests/fixtures/tiny", as_of=dt.date(2026, 11, 22))
>>> res = run_metrics(tiny.tables, as_of=dt.date(2026, 9, 30))
>>> sorted(res.outputs())
['bench', 'proficiency', 'readiness']
>>> res.skipped["equity"]
'needs table(s): movements'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import polars as pl

from data_sources.contract import VIEW_REQUIREMENTS
from metrics.bench import bench_strength
from metrics.capability_risk import capability_risk
from metrics.common import default_as_of
from metrics.config import DEFAULT_CONFIG, MetricsConfig
from metrics.engine import POLARS_ENGINE, EventEngine
from metrics.equity import EquityResult, equity_result, pipeline_equity_all
from metrics.learning import LearningImpactResult, asset_portfolio, estimate_learning_impact
from metrics.movements import roles_at
from metrics.readiness import readiness

SKIP_NEEDS = "needs table(s): {tables}"

#: Every family, in the order they run (later ones may use earlier ones' results).
FAMILIES: tuple[str, ...] = (
    "proficiency",
    "readiness",
    "bench",
    "capability_risk",
    "equity",
    "learning_impact",
    "assets",
)
#: The quick families the pages draw at once (the learning fit can take longer).
CORE_FAMILIES: tuple[str, ...] = ("proficiency", "readiness", "bench", "capability_risk")

#: Tables each family needs beyond the four required ones (the views' needs, from the contract).
FAMILY_TABLES: dict[str, tuple[str, ...]] = {"proficiency": ("evidence",), **VIEW_REQUIREMENTS}
#: Families each family needs computed first.
FAMILY_NEEDS: dict[str, tuple[str, ...]] = {
    "readiness": ("proficiency",),
    "bench": ("readiness",),
    "capability_risk": ("proficiency",),
}


@dataclass(frozen=True)
class RunResult:
    """Every family's typed result for one as-of date and one configuration.

    A family that did not run is None and, when it was asked for, named in
    ``skipped`` with the reason.
    """

    as_of: dt.date
    config: MetricsConfig
    proficiency: pl.DataFrame | None = None
    readiness: pl.DataFrame | None = None
    bench: pl.DataFrame | None = None
    capability_risk: pl.DataFrame | None = None
    equity: EquityResult | None = None
    pipeline_equity: pl.DataFrame | None = None
    learning_impact: LearningImpactResult | None = None
    assets: pl.DataFrame | None = None
    engine: str = POLARS_ENGINE.name
    seconds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: Output rows of each stage that ran (for the manifest and the progress lines).
    rows: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    skipped: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def outputs(self) -> dict[str, pl.DataFrame]:
        """The spec's output tables by name (what ``cli.py compute`` writes), in run order.

        Example
        -------
        >>> RunResult(dt.date(2026, 1, 1), DEFAULT_CONFIG).outputs()
        {}
        """
        frames: dict[str, pl.DataFrame | None] = {
            "proficiency": self.proficiency,
            "readiness": self.readiness,
            "bench": self.bench,
            "capability_risk": self.capability_risk,
            "equity": self.equity.table if self.equity is not None else None,
            "learning_impact": self.learning_impact.effects if self.learning_impact is not None else None,
            "assets": self.assets,
        }
        return {name: frame for name, frame in frames.items() if frame is not None}


def with_equity_attributes(config: MetricsConfig, attributes: tuple[str, ...] | None) -> MetricsConfig:
    """``config`` with the equity attributes a source declares (unchanged when None).

    Example
    -------
    >>> with_equity_attributes(DEFAULT_CONFIG, ("gender",)).equity.attributes
    ('gender',)
    """
    if attributes is None:
        return config
    return dataclasses.replace(config, equity=dataclasses.replace(config.equity, attributes=tuple(attributes)))


def run_metrics(
    tables: Mapping[str, pl.DataFrame],
    *,
    as_of: dt.date | None = None,
    config: MetricsConfig = DEFAULT_CONFIG,
    families: tuple[str, ...] = FAMILIES,
    engine: EventEngine = POLARS_ENGINE,
    learning: LearningImpactResult | None = None,
    progress: Callable[[str, int, float], None] | None = None,
) -> RunResult:
    """Compute the asked-for families whose tables are present.

    Parameters
    ----------
    tables : mapping of table name to accepted frame
    as_of : datetime.date, optional
        T; default the spec's (latest date in evidence, learning events, performance, movements).
    config : MetricsConfig
        Every parameter, including the equity attributes (see ``with_equity_attributes``).
    families : tuple of str
        Which families to run (``FAMILIES`` by default); the families they need run too.
    engine : EventEngine
        Where the event-level aggregations run (default: polars in process).
    learning : LearningImpactResult, optional
        An already fitted learning-impact result for the same inputs, as-of date and
        configuration (the app's stored fit): used instead of fitting again.
    progress : callable, optional
        Called after each stage with its name, output rows and seconds (``cli.py compute``
        prints it).

    Returns
    -------
    RunResult
    """
    t = as_of or default_as_of(tables)
    wanted = _with_needs(families)
    results: dict[str, object] = {}
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    skipped: dict[str, str] = {}

    def done(name: str, value: object, took: float) -> None:
        seconds[name] = took
        rows[name] = _row_count(value)
        if progress is not None:
            progress(name, rows[name], took)

    def stage(name: str, fn: Callable[[], object]) -> None:
        if name not in wanted:
            return
        missing = [x for x in FAMILY_TABLES[name] if x not in tables]
        if missing:
            skipped[name] = SKIP_NEEDS.format(tables=", ".join(missing))
            return
        start = time.perf_counter()
        results[name] = fn()
        done(name, results[name], time.perf_counter() - start)

    emp, roles, reqs = tables["employees"], tables["roles"], tables["role_requirements"]
    stage("proficiency", lambda: engine.proficiency(tables, t, config.proficiency))
    prof = _frame(results.get("proficiency"))
    if prof is not None:
        stage("readiness", lambda: readiness(emp, roles, reqs, prof, t, config.readiness))
        ready = _frame(results.get("readiness"))
        if ready is not None:
            stage("bench", lambda: bench_strength(emp, roles, ready, t))
        stage(
            "capability_risk",
            lambda: capability_risk(emp, tables["capability_targets"], prof, t, config.capability_risk),
        )
    else:
        for name in ("readiness", "bench", "capability_risk"):
            if name in wanted and name not in skipped:
                skipped[name] = skipped.get("proficiency", SKIP_NEEDS.format(tables="evidence"))
    stage("equity", lambda: equity_result(emp, tables["movements"], roles, t, config))
    equity = results.get("equity")
    pipeline = None
    if isinstance(equity, EquityResult) and "evidence" in tables:
        start = time.perf_counter()
        pipeline = pipeline_equity_all(
            emp,
            readiness_at(tables, equity.window.start, config, engine),
            tables["movements"],
            roles,
            t,
            config,
            evidence=tables["evidence"],
            role_requirements=reqs,
        )
        done("pipeline_equity", pipeline, time.perf_counter() - start)
    if learning is not None and "learning_impact" in wanted:
        results["learning_impact"] = learning
    else:
        stage(
            "learning_impact",
            lambda: estimate_learning_impact(
                engine.learning_features(tables, t, config.learning_impact), config.learning_impact
            ),
        )
    impact = results.get("learning_impact")
    effects = impact.effects if isinstance(impact, LearningImpactResult) else None
    stage(
        "assets",
        lambda: asset_portfolio(
            tables,
            effects,
            t,
            config.assets,
            config.learning_impact,
            activity=engine.asset_activity(tables, t, config.assets),
        ),
    )
    return RunResult(
        as_of=t,
        config=config,
        proficiency=_frame(results.get("proficiency")),
        readiness=_frame(results.get("readiness")),
        bench=_frame(results.get("bench")),
        capability_risk=_frame(results.get("capability_risk")),
        equity=equity if isinstance(equity, EquityResult) else None,
        pipeline_equity=pipeline,
        learning_impact=impact if isinstance(impact, LearningImpactResult) else None,
        assets=_frame(results.get("assets")),
        engine=engine.name,
        seconds=MappingProxyType(seconds),
        rows=MappingProxyType(rows),
        skipped=MappingProxyType(skipped),
    )


def readiness_at(
    tables: Mapping[str, pl.DataFrame],
    date: dt.date,
    config: MetricsConfig = DEFAULT_CONFIG,
    engine: EventEngine = POLARS_ENGINE,
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
    prof = engine.proficiency(tables, date, config.proficiency)
    return readiness(employees, tables["roles"], tables["role_requirements"], prof, date, config.readiness)


def _with_needs(families: tuple[str, ...]) -> set[str]:
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(ERR_UNKNOWN_FAMILY.format(family=unknown[0], known=", ".join(FAMILIES)))
    wanted = set(families)
    for name in families:
        stack = list(FAMILY_NEEDS.get(name, ()))
        while stack:
            need = stack.pop()
            if need not in wanted:
                wanted.add(need)
                stack.extend(FAMILY_NEEDS.get(need, ()))
    return wanted


def _row_count(value: object) -> int:
    if isinstance(value, pl.DataFrame):
        return value.height
    if isinstance(value, EquityResult):
        return value.table.height
    if isinstance(value, LearningImpactResult):
        return value.effects.height
    return 0


def _frame(value: object) -> pl.DataFrame | None:
    return value if isinstance(value, pl.DataFrame) else None


ERR_UNKNOWN_FAMILY = "Unknown metric family {family!r}; expected one of: {known}."
