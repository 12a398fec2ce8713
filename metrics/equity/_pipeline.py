"""Pipeline equity (``metrics.md`` §5): readiness for the next role by group, at the
window start, and how many of those ready were not promoted by the window end.

Same eligible population, groups and suppression as promotion equity (the
suppression mask is computed from the eligible counts, so the two tables hide
the same groups).

Per group:

- ``eligible``: employees active at S;
- ``assessed``: eligible employees with a readiness row for their next role at S
  (employees at the top of their ladder have none);
- ``mean_readiness``: mean readiness for the next role over ``assessed``;
- ``ready_now``: assessed employees in band ``ready_now`` for their next role;
- ``share_ready_now`` = ``ready_now / assessed``;
- ``ready_not_promoted``: among the group's ``ready_now`` employees, the share
  NOT promoted in (S, E]; null when the group has no one ready now;
- ``insufficient``: too little evidence at S to read the figures. A person's
  *evidence coverage* is the share of their next role's required competencies with
  at least one evidence item dated on or before S; a group is insufficient when its
  assessed people's mean coverage is below ``pipeline_min_evidence_share`` (half).
  The three figures above are then null (a mean readiness of 0.04 and 0% ready now
  would say "nobody was ready" when the truth is "most requirements had not been
  assessed yet"). Null when the evidence and role_requirements tables are not given
  or nobody in the group was assessed;
- ``suppression``: "fewer than {m}" or "suppressed" on suppressed rows.

The pipeline table publishes more counts than the promotion table (assessed, ready
now, ready and not promoted), so it is audited on its own together with the
promotion counts (``metrics.equity._audit``), starting from the promotion table's
suppression; it may hide more groups than the promotion table, never fewer. An
intersection's pipeline table is entirely suppressed: its sparse counts pin
suppressed cells (on the bundled sample the audit hid every cell anyway).

Example
-------
>>> PIPELINE_COLUMNS[-4:]
('ready_not_promoted', 'insufficient', 'suppressed', 'suppression')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from metrics.config import EquityConfig, MetricsConfig
from metrics.equity._audit import COMPLEMENTARY, PRIMARY
from metrics.equity._core import configured_attributes, equity_config, protected_counts
from metrics.equity._population import (
    PROMOTED,
    attribute_columns,
    attribute_label,
    category_expr,
    check_attribute,
    eligible_population,
    equity_window,
    group_expr,
)
from metrics.equity._suppression import (
    PIPELINE_EXTRA,
    Protected,
    blank_suppressed,
    protect_groups,
    suppression_label_expr,
)

ERR_READINESS_COLUMNS = "Pipeline equity needs the readiness frame with columns {needed}; missing: {missing}."
ERR_EVIDENCE_COLUMNS = "Pipeline equity needs the evidence table with columns employee_id, competency_id, observed_on."
ERR_REQUIREMENTS_COLUMNS = "Pipeline equity needs the role_requirements table with columns role_id, competency_id."
ERR_EVIDENCE_NEEDS_START = "Pipeline equity needs the window start to read the evidence table."

PIPELINE_SCHEMA: pl.Schema = pl.Schema(
    {
        "attribute": pl.String(),
        "group": pl.String(),
        "eligible": pl.Int64(),
        "assessed": pl.Int64(),
        "mean_readiness": pl.Float64(),
        "ready_now": pl.Int64(),
        "share_ready_now": pl.Float64(),
        "ready_not_promoted": pl.Float64(),
        "insufficient": pl.Boolean(),
        "suppressed": pl.Boolean(),
        "suppression": pl.String(),
    }
)
#: Columns nulled on suppressed rows.
_HIDDEN = (
    "eligible",
    "assessed",
    "mean_readiness",
    "ready_now",
    "share_ready_now",
    "ready_not_promoted",
    "insufficient",
)
#: Figures nulled when the evidence at S is too thin.
_FIGURES = ("mean_readiness", "share_ready_now", "ready_not_promoted")
#: Output columns of ``pipeline_equity``, in order.
PIPELINE_COLUMNS = tuple(PIPELINE_SCHEMA)
_READINESS_NEEDED = ("employee_id", "relation", "readiness", "band")


def _next_role_readiness(readiness: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    names = readiness.collect_schema().names()
    missing = [c for c in _READINESS_NEEDED if c not in names]
    if missing:
        raise ValueError(ERR_READINESS_COLUMNS.format(needed=", ".join(_READINESS_NEEDED), missing=", ".join(missing)))
    return (
        readiness.lazy()
        .filter(pl.col("relation") == "next")
        .group_by("employee_id")
        .agg(
            pl.col("readiness").mean().alias("__readiness"),
            (pl.col("band") == "ready_now").any().alias("__ready_now"),
        )
    )


def _coverage(
    readiness: pl.DataFrame | pl.LazyFrame,
    evidence: pl.DataFrame | pl.LazyFrame,
    requirements: pl.DataFrame | pl.LazyFrame,
    start: dt.date,
) -> pl.LazyFrame:
    """Per person: the share of their next role's required competencies with at least one
    evidence item dated on or before S (averaged over next roles when there are several)."""
    ev_names = evidence.collect_schema()
    if not {"employee_id", "competency_id", "observed_on"} <= set(ev_names.names()):
        raise ValueError(ERR_EVIDENCE_COLUMNS)
    if not {"role_id", "competency_id"} <= set(requirements.collect_schema().names()):
        raise ValueError(ERR_REQUIREMENTS_COLUMNS)
    observed = pl.col("observed_on")
    day = observed.dt.date() if ev_names["observed_on"] == pl.Datetime else observed
    seen = (
        evidence.lazy()
        .filter(day <= pl.lit(start, dtype=pl.Date))
        .select("employee_id", "competency_id")
        .unique()
        .with_columns(pl.lit(True).alias("__seen"))
    )
    needed = (
        readiness.lazy()
        .filter(pl.col("relation") == "next")
        .select("employee_id", "target_role_id")
        .join(
            requirements.lazy().select(pl.col("role_id").alias("target_role_id"), "competency_id"),
            on="target_role_id",
        )
    )
    return (
        needed.join(seen, on=["employee_id", "competency_id"], how="left")
        .group_by("employee_id", "target_role_id")
        .agg(pl.col("__seen").fill_null(False).mean().alias("__coverage"))
        .group_by("employee_id")
        .agg(pl.col("__coverage").mean())
    )


def _pipeline_people(
    population: pl.DataFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    evidence: pl.DataFrame | pl.LazyFrame | None,
    requirements: pl.DataFrame | pl.LazyFrame | None,
    window_start: dt.date | None,
) -> pl.DataFrame:
    """One row per eligible person: promoted, readiness for the next role, ready now, and
    the evidence coverage of the next role's requirements at S."""
    people = population.lazy().join(_next_role_readiness(readiness_at_start), on="employee_id", how="left")
    if evidence is not None and requirements is not None:
        if window_start is None:
            raise ValueError(ERR_EVIDENCE_NEEDS_START)
        coverage = _coverage(readiness_at_start, evidence, requirements, window_start)
        people = people.join(coverage, on="employee_id", how="left").with_columns(
            pl.when(pl.col("__readiness").is_not_null()).then(pl.col("__coverage").fill_null(0.0)),
            pl.lit(True).alias("__rule"),
        )
    else:
        people = people.with_columns(pl.lit(None, dtype=pl.Float64).alias("__coverage"), pl.lit(False).alias("__rule"))
    return people.with_columns(pl.col("__ready_now").fill_null(False)).collect()


def _counts(people: pl.DataFrame, attribute: str | Sequence[str]) -> pl.DataFrame:
    """Pipeline counts per group (every combination for an intersection, empty ones 0)."""
    columns = attribute_columns(attribute)
    keys = [group_expr(attribute)]
    if len(columns) == 2:
        keys += [category_expr(columns[0]).alias("first"), category_expr(columns[1]).alias("second")]
    counts = (
        people.lazy()
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("eligible"),
            pl.col(PROMOTED).sum().cast(pl.Int64).alias("promoted"),
            pl.col("__readiness").count().cast(pl.Int64).alias("assessed"),
            pl.col("__ready_now").sum().cast(pl.Int64).alias("ready_now"),
            (pl.col("__ready_now") & ~pl.col(PROMOTED)).sum().cast(pl.Int64).alias("ready_not_promoted"),
            pl.col("__readiness").mean().alias("mean_readiness"),
            pl.col("__coverage").mean().alias("__coverage"),
            pl.col("__rule").any().alias("__rule"),
        )
        .collect()
    )
    if len(columns) == 2:
        grid = counts.select("first").unique().join(counts.select("second").unique(), how="cross")
        counts = (
            grid.join(counts.drop("group"), on=["first", "second"], how="left")
            .with_columns(
                pl.concat_str(["first", "second"], separator=" × ").alias("group"),
                pl.col("eligible", "promoted", "assessed", "ready_now", "ready_not_promoted").fill_null(0),
            )
            .select(counts.columns)
        )
    return counts.sort("group")


def _protect(
    people: pl.DataFrame,
    attribute: str | Sequence[str],
    cfg: EquityConfig,
    promotion: dict[str, Protected],
    pipeline: dict[str, Protected],
) -> tuple[pl.DataFrame, Protected]:
    """The group counts and their pipeline suppression (audited with the promotion counts)."""
    columns = attribute_columns(attribute)
    m = cfg.min_group_size
    promo = protected_counts(people, attribute, m, promotion).counts
    hidden = promo.filter(pl.col("suppressed"))["group"].to_list()
    shown = promo.filter(~pl.col("suppressed"))["group"].to_list()
    counts = _counts(people, attribute)
    if len(columns) == 1:
        if columns[0] not in pipeline:
            pipeline[columns[0]] = protect_groups(counts, m, PIPELINE_EXTRA, hidden, shown)
        return counts, pipeline[columns[0]]
    # Intersections are not published: their sparse counts (ready now, ready and not
    # promoted) pin suppressed cells at 0 in practice, and on the bundled sample the audit
    # hid every cell of every intersection. Every cell is suppressed, with its reason.
    everything = counts.select("group", "eligible").with_columns(
        pl.lit(True).alias("suppressed"),
        pl.when(pl.col("eligible") < m).then(pl.lit(PRIMARY)).otherwise(pl.lit(COMPLEMENTARY)).alias("reason"),
    )
    return counts, Protected(everything, None, ())


def population_pipeline(
    population: pl.DataFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    attribute: str | Sequence[str],
    config: MetricsConfig | EquityConfig | None = None,
    evidence: pl.DataFrame | pl.LazyFrame | None = None,
    window_start: dt.date | None = None,
    _cache: tuple[dict[str, Protected], dict[str, Protected]] | None = None,
    role_requirements: pl.DataFrame | pl.LazyFrame | None = None,
) -> pl.DataFrame:
    """Pipeline equity for an eligible population (``eligible_population`` output).

    Parameters
    ----------
    population : polars.DataFrame
        Eligible employees with ``promoted``.
    readiness_at_start : polars.DataFrame or polars.LazyFrame
        Readiness at S (``employee_id, target_role_id, relation, readiness, band, ...``).
    attribute : str or pair of str
        Attribute column, or two for their intersection.
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.
    evidence : polars.DataFrame or polars.LazyFrame, optional
        The evidence table (``employee_id, competency_id, observed_on``).
    window_start : datetime.date, optional
        S; needed with ``evidence``.
    role_requirements : polars.DataFrame or polars.LazyFrame, optional
        ``role_id, competency_id``; with ``evidence``, sets ``insufficient`` (else null).

    Returns
    -------
    polars.DataFrame
        Exactly ``PIPELINE_COLUMNS``, sorted by group; suppressed rows carry no numbers.

    Example
    -------
    >>> pop = pl.DataFrame({"employee_id": [f"e{i}" for i in range(20)],
    ...                     "g": ["A"] * 10 + ["B"] * 10,
    ...                     "promoted": [True] + [False] * 19})
    >>> ready = pl.DataFrame({"employee_id": ["e0", "e1", "e10"], "relation": ["next"] * 3,
    ...                       "readiness": [0.95, 0.5, 0.92],
    ...                       "band": ["ready_now", "developing", "ready_now"]})
    >>> population_pipeline(pop, ready, "g").select(
    ...     "group", "assessed", "mean_readiness", "ready_now", "ready_not_promoted").rows()
    [('A', 2, 0.725, 1, 0.0), ('B', 1, 0.92, 1, 1.0)]
    """
    cfg = equity_config(config)
    check_attribute(population, attribute)
    if population.height == 0:
        return pl.DataFrame(schema=PIPELINE_SCHEMA)
    people = _pipeline_people(population, readiness_at_start, evidence, role_requirements, window_start)
    promotion, pipeline = _cache if _cache is not None else ({}, {})
    counts, protected = _protect(people, attribute, cfg, promotion, pipeline)
    mask = protected.counts.select("group", "suppressed", "reason")
    share = cfg.pipeline_min_evidence_share
    insufficient = (
        pl.when(pl.col("__rule").fill_null(False) & (pl.col("assessed") > 0))
        .then(pl.col("__coverage") < share)
        .otherwise(None)
    )
    table = (
        counts.join(mask, on="group", how="left")
        .with_columns(insufficient.alias("insufficient"))
        .sort("group")
        .select(
            pl.lit(attribute_label(attribute), dtype=pl.String).alias("attribute"),
            "group",
            "eligible",
            "assessed",
            "mean_readiness",
            "ready_now",
            pl.when(pl.col("assessed") > 0).then(pl.col("ready_now") / pl.col("assessed")).alias("share_ready_now"),
            pl.when(pl.col("ready_now") > 0)
            .then(pl.col("ready_not_promoted") / pl.col("ready_now"))
            .alias("ready_not_promoted"),
            "insufficient",
            "suppressed",
            suppression_label_expr(cfg.min_group_size).alias("suppression"),
        )
        .with_columns(
            pl.when(pl.col("insufficient").fill_null(False)).then(None).otherwise(pl.col(c)).alias(c) for c in _FIGURES
        )
        .cast(PIPELINE_SCHEMA)
    )
    return blank_suppressed(table, _HIDDEN)


def pipeline_equity(
    employees: pl.DataFrame | pl.LazyFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    attribute: str | Sequence[str],
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
    evidence: pl.DataFrame | pl.LazyFrame | None = None,
    role_requirements: pl.DataFrame | pl.LazyFrame | None = None,
) -> pl.DataFrame:
    """Pipeline equity per group of one attribute (or pair) over the window (S, E].

    Parameters
    ----------
    employees, movements, roles : polars.DataFrame or polars.LazyFrame
        Canonical tables.
    readiness_at_start : polars.DataFrame or polars.LazyFrame
        The readiness frame (``metrics.md`` §2) computed as of S, the window start.
    as_of : datetime.date
        The as-of date T.
    attribute : str or pair of str
        Attribute column, or two for their intersection.
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.
    window_start, window_end : datetime.date, optional
        Default E = T, S = 12 months before E (both month ends).
    evidence, role_requirements : polars.DataFrame or polars.LazyFrame, optional
        Given both, groups whose evidence at S is too thin are marked ``insufficient``.

    Returns
    -------
    polars.DataFrame
        Exactly ``PIPELINE_COLUMNS``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "hire_date": [dt.date(2020, 1, 1)],
    ...                     "exit_date": pl.Series([None], dtype=pl.Date), "g": ["A"]})
    >>> moves = pl.DataFrame(schema={"employee_id": pl.String, "effective_date": pl.Date,
    ...     "from_role_id": pl.String, "to_role_id": pl.String, "movement_type": pl.String})
    >>> ready = pl.DataFrame(schema={"employee_id": pl.String, "relation": pl.String,
    ...                              "readiness": pl.Float64, "band": pl.String})
    >>> pipeline_equity(emp, ready, moves, pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...                 dt.date(2025, 12, 31), "g").select("group", "suppressed").rows()
    [('A', True)]
    """
    cfg = equity_config(config)
    check_attribute(employees, attribute)
    window = equity_window(as_of, cfg, window_start, window_end)
    population = eligible_population(employees, movements, roles, window)
    return population_pipeline(
        population, readiness_at_start, attribute, cfg, evidence, window.start, role_requirements=role_requirements
    )


def pipeline_equity_all(
    employees: pl.DataFrame | pl.LazyFrame,
    readiness_at_start: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
    evidence: pl.DataFrame | pl.LazyFrame | None = None,
    role_requirements: pl.DataFrame | pl.LazyFrame | None = None,
) -> pl.DataFrame:
    """Pipeline equity for every configured attribute present and their intersections
    (same order as ``promotion_equity_all``); ``evidence`` and ``role_requirements`` as
    for ``pipeline_equity``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a"], "hire_date": [dt.date(2020, 1, 1)],
    ...                     "exit_date": pl.Series([None], dtype=pl.Date),
    ...                     "gender": ["W"], "age_band": ["<25"]})
    >>> moves = pl.DataFrame(schema={"employee_id": pl.String, "effective_date": pl.Date,
    ...     "from_role_id": pl.String, "to_role_id": pl.String, "movement_type": pl.String})
    >>> ready = pl.DataFrame(schema={"employee_id": pl.String, "relation": pl.String,
    ...                              "readiness": pl.Float64, "band": pl.String})
    >>> pipeline_equity_all(emp, ready, moves, pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...                     dt.date(2025, 12, 31))["attribute"].to_list()
    ['gender', 'age_band', 'gender × age_band']
    """
    cfg = equity_config(config)
    window = equity_window(as_of, cfg, window_start, window_end)
    population = eligible_population(employees, movements, roles, window)
    tables = [pl.DataFrame(schema=PIPELINE_SCHEMA)]
    cache: tuple[dict[str, Protected], dict[str, Protected]] = ({}, {})
    for attribute in configured_attributes(employees, cfg):
        tables.append(
            population_pipeline(
                population, readiness_at_start, attribute, cfg, evidence, window.start, cache, role_requirements
            )
        )
    return pl.concat(tables, how="vertical")
