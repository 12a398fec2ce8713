"""The event-level aggregations written once, as Ibis expressions over the canonical tables.

Each function takes Ibis tables with the contract's columns and returns an Ibis
table; an engine compiles it to its own SQL dialect (DuckDB, PostgreSQL,
MySQL/MariaDB, Spark SQL, Trino, Snowflake, BigQuery ...) and runs it where the
data lies. Only the aggregates travel back, as Arrow, into small polars frames.
The semantics are exactly those of the polars implementations:

* :func:`proficiency_expr` — ``metrics.proficiency.proficiency`` (spec §1);
* :func:`exposure_expr` — the per-observation aggregates of
  ``metrics.learning.build_learning_features`` (spec §6: distinct completions in
  ``(P - window, P]`` per rating, per cluster; spacing; difficulty);
* :func:`asset_window_expr` and :func:`asset_last_expr` — the two aggregates of
  ``metrics.learning.asset_activity`` (spec §7).

Only portable operations are used (no ``MEDIAN``: the median of the gaps is the
mean of the middle one or two rows by ``ROW_NUMBER``), so the same expression
compiles for every backend.

Example
-------
>>> import datetime as dt
>>> from metrics.config import ProficiencyConfig
>>> ev = canonical_table("evidence")
>>> sql = ibis.to_sql(proficiency_expr(ev, dt.date(2026, 1, 1), ProficiencyConfig()), dialect="postgres")
>>> "GROUP BY" in sql
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from data_sources.contract import CONTRACT
from metrics.config import ProficiencyConfig
from metrics.proficiency import MAX_LEVEL, MIN_LEVEL

#: Ibis type of each logical contract type.
IBIS_TYPES: dict[str, str] = {
    "str": "string",
    "date": "date",
    "timestamp": "timestamp('UTC')",
    "int": "int64",
    "float": "float64",
    "bool": "boolean",
}
#: Verbs that count as completing an asset (as ``metrics.learning.COMPLETION_VERBS``).
_DONE = ("completed", "passed")
_OBS = ("employee_id", "period_end")

#: Turns an intermediate expression into a table the engine has stored (with an index on the
#: given columns), for engines whose planner would otherwise recompute or nested-loop it.
Materialize = Callable[[ir.Table, tuple[str, ...]], ir.Table]


def date_literal(day: dt.date) -> ir.DateValue:
    """A date as ``CAST('YYYY-MM-DD' AS DATE)`` in every dialect.

    ``ibis.date(day)`` compiles to a date-from-parts call whose name depends on
    process-wide compiler state: after a Snowflake compile, the same process wrote
    PostgreSQL's as ``DATE_FROM_PARTS``, which PostgreSQL does not have.

    Example
    -------
    >>> "2026-01-01" in str(ibis.to_sql(ibis.table({"d": "date"}, name="t").filter(
    ...     ibis._.d <= date_literal(dt.date(2026, 1, 1))), dialect="postgres"))
    True
    """
    return ibis.literal(day.isoformat()).cast("date")


def inline(expr: ir.Table, index: tuple[str, ...]) -> ir.Table:
    """The default :data:`Materialize`: leave the expression as it is (the planner handles it).

    Example
    -------
    >>> t = canonical_table("assets")
    >>> inline(t, ("asset_id",)) is t
    True
    """
    return expr


def canonical_table(table: str, name: str | None = None) -> ir.Table:
    """An unbound Ibis table with the contract's columns of ``table``, named ``name`` (default: ``table``).

    Example
    -------
    >>> canonical_table("performance").columns
    ('employee_id', 'period_end', 'rating')
    """
    schema = {c.name: IBIS_TYPES[c.type] for c in CONTRACT[table].columns}
    return ibis.table(schema, name=name or table)


def cluster_column(index: int) -> str:
    """The SQL-safe name of the ``index``-th cluster's exposure column (cluster names are free text).

    Example
    -------
    >>> cluster_column(3)
    'x_3'
    """
    return f"x_{index}"


def proficiency_expr(evidence: ir.Table, as_of: dt.date, config: ProficiencyConfig) -> ir.Table:
    """Spec §1 as an Ibis expression: ``PROFICIENCY_COLUMNS`` per (employee, competency) with evidence ≤ T.

    Example
    -------
    >>> expr = proficiency_expr(canonical_table("evidence"), dt.date(2026, 1, 1), ProficiencyConfig())
    >>> expr.columns
    ('employee_id', 'competency_id', 'level', 'evidence_weight', 'n_evidence', 'last_observed_on')
    """
    t = date_literal(as_of)
    ev = evidence.filter(evidence.observed_on <= t)
    age = t.delta(ev.observed_on, unit="day").cast("float64")
    weights = [(kind, float(w)) for kind, w in config.type_weights.items()]
    type_w = (
        ev.evidence_type.cases(*weights, else_=ibis.literal(0.0, "float64"))
        if weights
        else ibis.literal(0.0, "float64")
    )
    verified_w = ibis.ifelse(
        ev.verified.fill_null(False),
        ibis.literal(float(config.verified_factor), "float64"),
        ibis.literal(float(config.unverified_factor), "float64"),
    )
    decay = ibis.literal(0.5, "float64") ** (age / float(config.half_life_days))
    ev = ev.mutate(_w=type_w * verified_w * decay)
    levels = range(MIN_LEVEL, MAX_LEVEL + 1)
    agg = ev.group_by("employee_id", "competency_id").aggregate(
        **{f"w_ge_{lvl}": ibis.ifelse(ev.level >= lvl, ev._w, 0.0).sum() for lvl in levels},
        n_evidence=ev.count(),
        last_observed_on=ev.observed_on.max(),
    )
    threshold = float(config.evidence_threshold - config.tolerance)
    top_down = [lvl for lvl in reversed(levels)]
    level = ibis.cases(*[(agg[f"w_ge_{lvl}"] >= threshold, lvl) for lvl in top_down], else_=0)
    weight = ibis.cases(
        *[(agg[f"w_ge_{lvl}"] >= threshold, agg[f"w_ge_{lvl}"]) for lvl in top_down],
        else_=ibis.literal(0.0, "float64"),
    )
    return agg.select(
        "employee_id",
        "competency_id",
        level=level.cast("int64"),
        evidence_weight=weight.cast("float64"),
        n_evidence=agg.n_evidence.cast("int64"),
        last_observed_on=agg.last_observed_on,
    )


def exposure_expr(
    performance: ir.Table,
    events: ir.Table,
    assets: ir.Table,
    as_of: dt.date,
    window_days: int,
    clusters: tuple[str, ...],
    materialize: Materialize = inline,
) -> ir.Table:
    """Spec §6 exposures as an Ibis expression: one row per observation with at least one completion.

    Columns ``employee_id, period_end``, then ``x_0 .. x_k`` (distinct assets of
    ``clusters[i]`` completed in ``(P - window_days, P]``; null for none),
    ``spacing_days``, ``n_completed`` and ``difficulty``. ``materialize`` may store
    the observations, the completions and the per-asset first completions on the way.

    Example
    -------
    >>> expr = exposure_expr(canonical_table("performance"), canonical_table("learning_events"),
    ...                      canonical_table("assets"), dt.date(2026, 1, 1), 365, ("A", "B"))
    >>> expr.columns
    ('employee_id', 'period_end', 'x_0', 'x_1', 'spacing_days', 'n_completed', 'difficulty')
    """
    t = date_literal(as_of)
    obs = materialize(performance.filter(performance.period_end <= t).select(*_OBS).distinct(), ("employee_id",))
    done = materialize(
        events.filter(events.verb.isin(_DONE))
        .select("employee_id", "asset_id", date=events.timestamp.date())
        .distinct(),
        ("employee_id",),
    )
    pairs = obs.join(done, "employee_id")
    pairs = pairs.filter(
        (pairs.date <= pairs.period_end) & (pairs.date > pairs.period_end - ibis.interval(days=window_days))
    )
    first = pairs.group_by(*_OBS, "asset_id").aggregate(first_date=pairs.date.min())
    per_asset = materialize(first.join(assets.select("asset_id", "cluster", "difficulty"), "asset_id"), _OBS)
    keys = (*_OBS, "cluster")

    # gaps between consecutive first completions within (observation, cluster), and their median:
    # one pass of window functions and one group-by, no self-join (planners without hash joins)
    by_date = ibis.window(group_by=list(keys), order_by=per_asset.first_date)
    gaps = per_asset.mutate(_prev=per_asset.first_date.lag().over(by_date))
    gaps = gaps.mutate(_gap=gaps.first_date.delta(gaps._prev, unit="day"))
    by_gap = ibis.window(group_by=list(keys), order_by=gaps._gap)  # nulls (the first) sort last
    whole = ibis.window(group_by=list(keys))
    ranked = gaps.mutate(_rn=ibis.row_number().over(by_gap), _cnt=gaps._gap.count().over(whole))
    middle = ranked._gap.notnull() & ((ranked._rn == (ranked._cnt - 1) // 2) | (ranked._rn == ranked._cnt // 2))
    per_cluster = ranked.group_by(*keys).aggregate(
        n=ranked.count(),
        gap=ranked._gap.cast("float64").mean(where=middle),
        d_sum=ranked.difficulty.cast("float64").sum(),
        d_n=ranked.difficulty.count(),
    )
    return (
        per_cluster.group_by(*_OBS)
        .aggregate(
            **{
                cluster_column(i): per_cluster.n.sum(where=per_cluster.cluster == name)
                for i, name in enumerate(clusters)
            },
            spacing_days=per_cluster.gap.mean(),
            n_completed=per_cluster.n.sum(),
            _d_sum=per_cluster.d_sum.sum(),
            _d_n=per_cluster.d_n.sum(),
        )
        .mutate(difficulty=lambda t: ibis.ifelse(t._d_n > 0, t._d_sum / t._d_n.cast("float64"), ibis.null("float64")))
        .select(
            *_OBS,
            *[cluster_column(i) for i in range(len(clusters))],
            "spacing_days",
            "n_completed",
            "difficulty",
        )
    )


def asset_window_expr(events: ir.Table, as_of: dt.date, window_days: int) -> ir.Table:
    """Spec §7 window aggregates per asset: ``asset_id, learners, completers, mean_score``.

    Events dated (UTC) in ``(T - window_days, T]``; completers and the mean score
    count only completed/passed events.

    Example
    -------
    >>> asset_window_expr(canonical_table("learning_events"), dt.date(2026, 1, 1), 365).columns
    ('asset_id', 'learners', 'completers', 'mean_score')
    """
    t = date_literal(as_of)
    ev = events.mutate(_date=events.timestamp.date())
    ev = ev.filter((ev._date <= t) & (ev._date > t - ibis.interval(days=window_days)))
    is_done = ev.verb.isin(_DONE)
    return ev.group_by("asset_id").aggregate(
        learners=ev.employee_id.nunique(),
        completers=ev.employee_id.nunique(where=is_done),
        mean_score=ev.score.mean(where=is_done),
    )


def asset_last_expr(events: ir.Table, as_of: dt.date) -> ir.Table:
    """Spec §7 last activity per asset: ``asset_id, last_activity`` (latest event date ≤ T, all history).

    Example
    -------
    >>> asset_last_expr(canonical_table("learning_events"), dt.date(2026, 1, 1)).columns
    ('asset_id', 'last_activity')
    """
    ev = events.mutate(_date=events.timestamp.date())
    ev = ev.filter(ev._date <= date_literal(as_of))
    return ev.group_by("asset_id").aggregate(last_activity=ev._date.max())


def row_count_expr(table: ir.Table) -> ir.Table:
    """One row, one column ``n``: the table's row count (to check the engine sees the accepted rows).

    Example
    -------
    >>> row_count_expr(canonical_table("evidence")).columns
    ('n',)
    """
    return table.aggregate(n=table.count())
