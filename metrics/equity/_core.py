"""Progression equity (``metrics.md`` §5): promotion rates by group, the four-fifths
rule, Fisher tests, shortfall, the flip-two check, with small-group suppression.

Every table this module returns is already protected: suppressed groups carry
no numbers, so every consumer (page, export, CLI) gets the same safe table.

Example
-------
>>> import datetime as dt
>>> emp = pl.DataFrame({
...     "employee_id": [f"e{i}" for i in range(40)],
...     "hire_date": [dt.date(2020, 1, 1)] * 40,
...     "exit_date": pl.Series([None] * 40, dtype=pl.Date),
...     "gender": ["Woman"] * 20 + ["Man"] * 20})
>>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "level": [1, 2]})
>>> promoted = [f"e{i}" for i in range(4)] + [f"e{i}" for i in range(20, 30)]   # 4 women, 10 men
>>> moves = pl.DataFrame({"employee_id": promoted,
...                       "effective_date": [dt.date(2025, 6, 1)] * 14,
...                       "from_role_id": ["R1"] * 14, "to_role_id": ["R2"] * 14,
...                       "movement_type": pl.Series([None] * 14, dtype=pl.String)})
>>> t = promotion_equity(emp, moves, roles, dt.date(2025, 12, 31), "gender")
>>> t.select("group", "promoted", "rate", "impact_ratio", "adverse_impact").rows()
[('Man', 10, 0.5, 1.0, False), ('Woman', 4, 0.2, 0.4, True)]
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import polars as pl

from data_sources.contract import NOT_DISCLOSED
from metrics.config import EquityConfig, MetricsConfig
from metrics.equity._population import (
    INTERSECTION_SEPARATOR,
    PROMOTED,
    EquityWindow,
    attribute_columns,
    attribute_label,
    category_expr,
    check_attribute,
    eligible_population,
    equity_window,
    group_expr,
)
from metrics.equity._sentences import committee_sentences
from metrics.equity._stats import (
    below_threshold,
    fisher_p_value,
    threshold_fraction,
    wilson_interval,
)
from metrics.equity._suppression import blank_suppressed, suppress_groups, suppress_intersection

#: The spec's output columns, in order.
OUTPUT_COLUMNS = (
    "attribute",
    "group",
    "eligible",
    "promoted",
    "rate",
    "rate_low",
    "rate_high",
    "impact_ratio",
    "adverse_impact",
    "p_value",
    "significant",
    "shortfall",
    "robust",
    "suppressed",
)
OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "attribute": pl.String(),
    "group": pl.String(),
    "eligible": pl.Int64(),
    "promoted": pl.Int64(),
    "rate": pl.Float64(),
    "rate_low": pl.Float64(),
    "rate_high": pl.Float64(),
    "impact_ratio": pl.Float64(),
    "adverse_impact": pl.Boolean(),
    "p_value": pl.Float64(),
    "significant": pl.Boolean(),
    "shortfall": pl.Float64(),
    "robust": pl.Boolean(),
    "suppressed": pl.Boolean(),
}
#: Columns nulled on suppressed rows (everything but attribute, group, suppressed).
SUPPRESSED_COLUMNS = OUTPUT_COLUMNS[2:-1]


@dataclass(frozen=True)
class AttributeEquity:
    """One attribute's protected table plus its reference group (None when every group
    is suppressed)."""

    table: pl.DataFrame
    reference_group: str | None


@dataclass(frozen=True)
class EquityResult:
    """Everything the equity page shows.

    Attributes
    ----------
    table : polars.DataFrame
        The spec table (``OUTPUT_COLUMNS``) for every attribute and intersection.
    reference_groups : Mapping[str, str | None]
        Reference group per ``attribute`` label.
    overall_rate : float | None
        Promoted / eligible over the whole eligible population (None when nobody is eligible).
    window : EquityWindow
        The window (S, E].
    sentences : tuple of str
        One committee sentence per adverse (flagged) group.
    """

    table: pl.DataFrame
    reference_groups: Mapping[str, str | None]
    overall_rate: float | None
    window: EquityWindow
    sentences: tuple[str, ...]


def equity_config(config: MetricsConfig | EquityConfig | None) -> EquityConfig:
    """The equity section from a full configuration, an equity section, or None (defaults).

    Example
    -------
    >>> equity_config(None).min_group_size
    10
    """
    if config is None:
        return EquityConfig()
    if isinstance(config, MetricsConfig):
        return config.equity
    return config


def empty_equity_table() -> pl.DataFrame:
    """An empty frame with the output schema.

    Example
    -------
    >>> empty_equity_table().columns == list(OUTPUT_COLUMNS)
    True
    """
    return pl.DataFrame(schema=OUTPUT_SCHEMA)


def _group_counts(population: pl.DataFrame, attribute: str | Sequence[str]) -> pl.DataFrame:
    """Eligible and promoted per group. An intersection lists every combination of the
    two attributes' values, empty ones with 0 (so they are suppressed too): otherwise a
    missing cell would be a published zero that lets a lone cell be subtracted."""
    columns = attribute_columns(attribute)
    keys = ["group"]
    extra: list[pl.Expr] = [group_expr(attribute)]
    if len(columns) == 2:
        extra += [
            category_expr(columns[0]).alias("first"),
            category_expr(columns[1]).alias("second"),
        ]
        keys += ["first", "second"]
    counts = (
        population.lazy()
        .select(*extra, pl.col(PROMOTED))
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("eligible"),
            pl.col(PROMOTED).sum().cast(pl.Int64).alias("promoted"),
        )
    )
    if len(columns) == 2:
        firsts = counts.select("first").unique()
        seconds = counts.select("second").unique()
        counts = (
            firsts.join(seconds, how="cross")
            .join(counts.drop("group"), on=["first", "second"], how="left")
            .with_columns(
                pl.concat_str(["first", "second"], separator=INTERSECTION_SEPARATOR).alias("group"),
                pl.col("eligible", "promoted").fill_null(0),
            )
            .select(keys + ["eligible", "promoted"])
        )
    return counts.sort("group").collect()


def suppressed_counts(population: pl.DataFrame, attribute: str | Sequence[str], min_group_size: int) -> pl.DataFrame:
    """Per group: ``group, eligible, promoted, suppressed`` (suppression rules applied).

    Parameters
    ----------
    population : polars.DataFrame
        Eligible employees with ``promoted`` (``eligible_population``).
    attribute : str or pair of str
        Attribute column, or two for the intersection (which also inherits the
        one-way suppression of both attributes).
    min_group_size : int
        Primary suppression threshold.

    Returns
    -------
    polars.DataFrame
        Counts are not yet blanked; callers must null them on suppressed rows.

    Example
    -------
    >>> pop = pl.DataFrame({"g": ["A"] * 12 + ["B"] * 3, "promoted": [False] * 15})
    >>> suppressed_counts(pop, "g", 10).rows()   # B alone would be recoverable: A hidden too
    [('A', 12, 0, True), ('B', 3, 0, True)]
    """
    counts = _group_counts(population, attribute)
    columns = attribute_columns(attribute)
    if len(columns) == 1:
        return suppress_groups(counts, min_group_size)
    hidden = []
    for column in columns:
        one_way = suppress_groups(_group_counts(population, column), min_group_size)
        hidden.append(one_way.filter(pl.col("suppressed"))["group"].to_list())
    return suppress_intersection(counts, hidden[0], hidden[1], min_group_size).drop("first", "second")


def reference_group(counts: pl.DataFrame, not_disclosed: bool = True) -> str | None:
    """The unsuppressed group with the highest rate; ties go to the largest group
    (most eligible), then the first group name in alphabetical order.

    Parameters
    ----------
    counts : polars.DataFrame
        Columns ``group, eligible, promoted, suppressed``.
    not_disclosed : bool
        When False, a group that is (or, in an intersection, contains) "Not disclosed"
        cannot be the reference (``EquityConfig.not_disclosed_as_reference``).

    Returns
    -------
    str or None
        None when every group is suppressed.

    Example
    -------
    >>> counts = pl.DataFrame({"group": ["A", "B", "C"], "eligible": [10, 20, 5],
    ...                        "promoted": [3, 6, 5], "suppressed": [False, False, True]})
    >>> reference_group(counts)   # A and B tie at 30%; B is larger; C is suppressed
    'B'
    """
    shown = counts.filter(~pl.col("suppressed"))
    if not not_disclosed:
        parts = pl.col("group").str.split(INTERSECTION_SEPARATOR)
        shown = shown.filter(~parts.list.contains(NOT_DISCLOSED))
    if shown.height == 0:
        return None
    best = shown.with_columns((pl.col("promoted") / pl.col("eligible")).alias("__rate")).sort(
        ["__rate", "eligible", "group"], descending=[True, True, False]
    )
    return best["group"][0]


@dataclass(frozen=True)
class _Comparison:
    """One group against the reference (all None when there is no reference)."""

    impact_ratio: float | None = None
    adverse_impact: bool | None = None
    robust: bool | None = None
    p_value: float | None = None


def _compare(
    promoted: int,
    eligible: int,
    ref_promoted: int,
    ref_eligible: int,
    is_reference: bool,
    config: EquityConfig,
) -> _Comparison:
    """Impact ratio, four-fifths flag, flip-n robustness and Fisher p against the reference.

    The reference's own row: ratio 1.0, not adverse, not robust, p-value None (a group
    is not tested against itself). Reference rate 0: ratio, flag and robust are None.
    """
    p_value = None if is_reference else fisher_p_value(promoted, eligible, ref_promoted, ref_eligible)
    adverse = below_threshold(promoted, eligible, ref_promoted, ref_eligible, config.four_fifths)
    if adverse is None:
        return _Comparison(p_value=p_value)
    ratio = 1.0 if is_reference else (promoted * ref_eligible) / (eligible * ref_promoted)
    flipped = min(promoted + config.flip_n, eligible)
    still = below_threshold(flipped, eligible, ref_promoted, ref_eligible, config.four_fifths)
    return _Comparison(ratio, adverse, bool(adverse and still), p_value)


def _statistics(
    counts: pl.DataFrame,
    label: str,
    reference: str | None,
    total_eligible: int,
    total_promoted: int,
    config: EquityConfig,
) -> pl.DataFrame:
    """The spec columns for one attribute's suppressed-flagged counts. Statistics are
    computed for shown groups only; suppressed rows get nulls."""
    hidden = counts.filter(pl.col("suppressed"))
    counts = counts.filter(~pl.col("suppressed"))
    eligible = counts["eligible"].to_numpy()
    promoted = counts["promoted"].to_numpy()
    low, high = wilson_interval(promoted, eligible, config.confidence)
    is_ref = (counts["group"] == reference).to_numpy() if reference is not None else None
    if reference is None:
        ref_p = ref_e = 0
    else:
        ref_row = counts.filter(pl.col("group") == reference)
        ref_p, ref_e = int(ref_row["promoted"][0]), int(ref_row["eligible"][0])

    compared = [
        _compare(p, e, ref_p, ref_e, bool(is_ref[i]), config) if reference is not None else _Comparison()
        for i, (p, e) in enumerate(zip(promoted.tolist(), eligible.tolist()))
    ]
    ratio = [c.impact_ratio for c in compared]
    adverse = [c.adverse_impact for c in compared]
    robust = [c.robust for c in compared]
    p_values = [c.p_value for c in compared]

    table = counts.select(
        pl.lit(label, dtype=pl.String).alias("attribute"),
        pl.col("group"),
        pl.col("eligible"),
        pl.col("promoted"),
        (pl.col("promoted") / pl.col("eligible")).alias("rate"),
        pl.Series("rate_low", low, dtype=pl.Float64),
        pl.Series("rate_high", high, dtype=pl.Float64),
        pl.Series("impact_ratio", ratio, dtype=pl.Float64),
        pl.Series("adverse_impact", adverse, dtype=pl.Boolean),
        pl.Series("p_value", p_values, dtype=pl.Float64),
        pl.Series("p_value", p_values, dtype=pl.Float64).lt(config.alpha).alias("significant"),
        (pl.col("eligible") * total_promoted / total_eligible - pl.col("promoted")).alias("shortfall"),
        pl.Series("robust", robust, dtype=pl.Boolean),
        pl.col("suppressed"),
    )
    blanks = hidden.select(
        pl.lit(label, dtype=pl.String).alias("attribute"),
        pl.col("group"),
        *[pl.lit(None, dtype=OUTPUT_SCHEMA[c]).alias(c) for c in SUPPRESSED_COLUMNS],
        pl.col("suppressed"),
    )
    table = pl.concat([table.cast(OUTPUT_SCHEMA), blanks.cast(OUTPUT_SCHEMA)]).sort("group")
    return blank_suppressed(table, SUPPRESSED_COLUMNS)


def attribute_equity(
    population: pl.DataFrame,
    attribute: str | Sequence[str],
    config: MetricsConfig | EquityConfig | None = None,
) -> AttributeEquity:
    """The protected equity table of one attribute (or pair) for an eligible population.

    Parameters
    ----------
    population : polars.DataFrame
        Output of ``eligible_population`` (eligible employees with ``promoted``).
    attribute : str or pair of str
        An equity attribute column, or two for their intersection.
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.

    Returns
    -------
    AttributeEquity

    Example
    -------
    >>> pop = pl.DataFrame({"gender": ["W"] * 10 + ["M"] * 10,
    ...                     "promoted": [True] * 3 + [False] * 7 + [True] * 6 + [False] * 4})
    >>> res = attribute_equity(pop, "gender")
    >>> res.reference_group, res.table["shortfall"].to_list()   # overall 9/20 = 0.45
    ('M', [-1.5, 1.5])
    """
    cfg = equity_config(config)
    check_attribute(population, attribute)
    if population.height == 0:
        return AttributeEquity(empty_equity_table(), None)
    threshold_fraction(cfg.four_fifths)  # validate early with a clear message
    counts = suppressed_counts(population, attribute, cfg.min_group_size)
    reference = reference_group(counts, cfg.not_disclosed_as_reference)
    total_promoted = int(population[PROMOTED].sum())
    table = _statistics(counts, attribute_label(attribute), reference, population.height, total_promoted, cfg)
    return AttributeEquity(table, reference)


def promotion_equity(
    employees: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    attribute: str | Sequence[str],
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
) -> pl.DataFrame:
    """Promotion equity for one attribute (or a pair: their intersection).

    Parameters
    ----------
    employees, movements, roles : polars.DataFrame or polars.LazyFrame
        Canonical tables; ``employees`` carries the attribute column(s).
    as_of : datetime.date
        The as-of date T.
    attribute : str or pair of str
        e.g. ``"gender"`` or ``("gender", "ethnicity")`` (labelled ``"gender × ethnicity"``).
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.
    window_start, window_end : datetime.date, optional
        The window (S, E]; default E = T and S = 12 months before E.

    Returns
    -------
    polars.DataFrame
        Exactly ``OUTPUT_COLUMNS``; one row per group, sorted by group; suppressed
        rows carry only ``attribute``, ``group`` and ``suppressed``.

    Example
    -------
    >>> import datetime as dt
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "hire_date": [dt.date(2020, 1, 1)] * 2,
    ...                     "exit_date": pl.Series([None, None], dtype=pl.Date),
    ...                     "gender": ["Woman", None]})
    >>> t = promotion_equity(emp, pl.DataFrame(schema={"employee_id": pl.String,
    ...     "effective_date": pl.Date, "from_role_id": pl.String, "to_role_id": pl.String,
    ...     "movement_type": pl.String}), pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...     dt.date(2025, 12, 31), "gender")
    >>> t.select("group", "eligible", "suppressed").rows()   # two groups of 1: both hidden
    [('Not disclosed', None, True), ('Woman', None, True)]
    """
    cfg = equity_config(config)
    check_attribute(employees, attribute)
    window = equity_window(as_of, cfg, window_start, window_end)
    population = eligible_population(employees, movements, roles, window)
    return attribute_equity(population, attribute, cfg).table


def configured_attributes(
    employees: pl.DataFrame | pl.LazyFrame, config: MetricsConfig | EquityConfig | None = None
) -> list[str | tuple[str, str]]:
    """The configured attributes present as columns, then (when ``intersections``) every
    pair of them in configuration order.

    Example
    -------
    >>> configured_attributes(pl.DataFrame({"gender": ["W"], "age_band": ["30-39"]}))
    ['gender', 'age_band', ('gender', 'age_band')]
    """
    cfg = equity_config(config)
    names = set(employees.collect_schema().names())
    present = [a for a in cfg.attributes if a in names]
    pairs = list(itertools.combinations(present, 2)) if cfg.intersections else []
    return [*present, *pairs]


def equity_result(
    employees: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
) -> EquityResult:
    """Promotion equity for every configured attribute and intersection, with sentences.

    Parameters
    ----------
    employees, movements, roles, as_of, config, window_start, window_end
        As for ``promotion_equity``.

    Returns
    -------
    EquityResult
        ``table`` concatenates the attributes in ``configured_attributes`` order.

    Example
    -------
    >>> import datetime as dt
    >>> emp = pl.DataFrame({"employee_id": ["a"], "hire_date": [dt.date(2020, 1, 1)],
    ...                     "exit_date": pl.Series([None], dtype=pl.Date)})
    >>> res = equity_result(emp, pl.DataFrame(schema={"employee_id": pl.String,
    ...     "effective_date": pl.Date, "from_role_id": pl.String, "to_role_id": pl.String,
    ...     "movement_type": pl.String}), pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...     dt.date(2025, 12, 31))
    >>> res.table.height, res.overall_rate   # no attribute columns: nothing to compare
    (0, 0.0)
    """
    cfg = equity_config(config)
    window = equity_window(as_of, cfg, window_start, window_end)
    population = eligible_population(employees, movements, roles, window)
    tables = [empty_equity_table()]
    references: dict[str, str | None] = {}
    for attribute in configured_attributes(employees, cfg):
        result = attribute_equity(population, attribute, cfg)
        tables.append(result.table)
        references[attribute_label(attribute)] = result.reference_group
    table = pl.concat(tables, how="vertical")
    overall = None if population.height == 0 else float(population[PROMOTED].mean())
    return EquityResult(
        table=table,
        reference_groups=MappingProxyType(references),
        overall_rate=overall,
        window=window,
        sentences=tuple(committee_sentences(table, references, cfg)),
    )


def promotion_equity_all(
    employees: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    config: MetricsConfig | EquityConfig | None = None,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
) -> pl.DataFrame:
    """The spec table for every configured attribute present, and their intersections.

    Example
    -------
    >>> import datetime as dt
    >>> emp = pl.DataFrame({"employee_id": ["a"], "hire_date": [dt.date(2020, 1, 1)],
    ...                     "exit_date": pl.Series([None], dtype=pl.Date), "gender": ["W"]})
    >>> promotion_equity_all(emp, pl.DataFrame(schema={"employee_id": pl.String,
    ...     "effective_date": pl.Date, "from_role_id": pl.String, "to_role_id": pl.String,
    ...     "movement_type": pl.String}), pl.DataFrame({"role_id": ["R"], "level": [1]}),
    ...     dt.date(2025, 12, 31))["attribute"].to_list()
    ['gender']
    """
    return equity_result(employees, movements, roles, as_of, config, window_start, window_end).table


__all__ = [
    "OUTPUT_COLUMNS",
    "OUTPUT_SCHEMA",
    "AttributeEquity",
    "EquityResult",
    "EquityWindow",
    "attribute_equity",
    "configured_attributes",
    "empty_equity_table",
    "equity_result",
    "promotion_equity",
    "promotion_equity_all",
    "reference_group",
    "suppressed_counts",
]
