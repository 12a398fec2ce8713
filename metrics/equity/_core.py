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

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

import polars as pl

from data_sources.contract import NOT_DISCLOSED
from metrics.config import REFERENCE_HIGHEST_RATE, REFERENCE_LARGEST, EquityConfig, MetricsConfig
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
from metrics.equity._sentences import Finding, committee_findings, rank_findings
from metrics.equity._stats import (
    below_threshold,
    fisher_p_value,
    threshold_fraction,
    wilson_interval,
)
from metrics.equity._suppression import (
    Protected,
    blank_suppressed,
    protect_groups,
    protect_intersection,
    suppression_label_expr,
)

ERR_UNKNOWN_ATTRIBUTE_LABEL = "No equity table for '{label}'; the result has: {known}."
ERR_REFERENCE_NOT_SHOWN = (
    "'{group}' cannot be the reference group of {attribute}: it is not one of its shown groups ({shown})."
)

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
OUTPUT_SCHEMA: pl.Schema = pl.Schema(
    {
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
)
#: Columns nulled on suppressed rows (everything but attribute, group, suppressed).
SUPPRESSED_COLUMNS = OUTPUT_COLUMNS[2:-1]


@dataclass(frozen=True)
class Reference:
    """The group every other group of an attribute is compared with, and why.

    ``rule`` is one of ``"highest_rate"`` (the spec's size rule), ``"largest"`` (no group
    met the size rule, or the configuration asks for the largest), ``"configured"`` (named
    in the configuration), ``"chosen"`` (chosen by the user) or ``"none"`` (every group
    is suppressed). ``reason`` says the same in plain words.
    """

    group: str | None
    reason: str
    rule: str


@dataclass(frozen=True)
class AttributeEquity:
    """One attribute's (or intersection's) protected table, its reference and findings.

    Attributes
    ----------
    attribute : str
        The label, e.g. ``"gender"`` or ``"gender × ethnicity"``.
    table : polars.DataFrame
        ``OUTPUT_COLUMNS``; suppressed rows carry no numbers.
    reference : Reference
        The reference group and why.
    findings : tuple of Finding
        Flagged groups, ranked by shortfall then p-value, each with its sentence.
    suppression : polars.DataFrame
        ``attribute, group, label`` for each suppressed row: "fewer than {m}" (too small)
        or "suppressed" (hidden so that a smaller group cannot be worked out).
    total_eligible, total_promoted : int
        The whole eligible population (suppressed groups included).
    config : EquityConfig
        The configuration the table was computed with.
    unprotectable : tuple of str
        Suppressed rows the totals alone pin down (a population too small to protect);
        empty in any organisation with more than a handful of people.
    """

    attribute: str
    table: pl.DataFrame
    reference: Reference
    findings: tuple[Finding, ...]
    suppression: pl.DataFrame
    total_eligible: int
    total_promoted: int
    config: EquityConfig
    unprotectable: tuple[str, ...] = ()

    @property
    def reference_group(self) -> str | None:
        """The reference group's name (None when every group is suppressed)."""
        return self.reference.group

    @property
    def reference_reason(self) -> str:
        """Why that group is the reference, in plain words."""
        return self.reference.reason

    @property
    def sentences(self) -> tuple[str, ...]:
        """The committee sentences, ranked."""
        return tuple(f.sentence for f in self.findings)

    def with_reference(self, group: str) -> AttributeEquity:
        """The same table compared with another shown group (chosen by the user).

        Only the comparisons change (impact ratio, adverse impact, p-value, significant,
        robust, the findings); counts, rates, intervals, shortfall and suppression do not.

        Example
        -------
        >>> pop = pl.DataFrame({"gender": ["W"] * 40 + ["M"] * 40,
        ...                     "promoted": [True] * 8 + [False] * 32 + [True] * 20 + [False] * 20})
        >>> res = attribute_equity(pop, "gender")
        >>> res.reference_group, res.with_reference("W").table["impact_ratio"].to_list()
        ('M', [2.5, 1.0])
        """
        shown = self.table.filter(~pl.col("suppressed"))["group"].to_list()
        if group not in shown:
            raise ValueError(
                ERR_REFERENCE_NOT_SHOWN.format(group=group, attribute=self.attribute, shown=", ".join(shown))
            )
        counts = self.table.select("group", "eligible", "promoted", "suppressed")
        reference = Reference(group, "chosen by the user", "chosen")
        table = _statistics(counts, self.attribute, group, self.total_eligible, self.total_promoted, self.config)
        findings = tuple(committee_findings(table, {self.attribute: group}, self.config))
        return dataclasses.replace(self, table=table, reference=reference, findings=findings)


@dataclass(frozen=True)
class EquityResult:
    """Everything the equity page shows.

    Attributes
    ----------
    table : polars.DataFrame
        The spec table (``OUTPUT_COLUMNS``) for every attribute and intersection.
    attributes : Mapping[str, AttributeEquity]
        Per ``attribute`` label: its table, reference (and why), findings, suppression labels.
    overall_rate : float | None
        Promoted / eligible over the whole eligible population (None when nobody is eligible).
    window : EquityWindow
        The window (S, E].
    findings : tuple of Finding
        Every flagged group of every attribute, ranked by shortfall then p-value.
    """

    table: pl.DataFrame
    attributes: Mapping[str, AttributeEquity]
    overall_rate: float | None
    window: EquityWindow
    findings: tuple[Finding, ...]

    @property
    def reference_groups(self) -> Mapping[str, str | None]:
        """Reference group per attribute label."""
        return MappingProxyType({k: v.reference.group for k, v in self.attributes.items()})

    @property
    def references(self) -> Mapping[str, Reference]:
        """Reference group and reason per attribute label."""
        return MappingProxyType({k: v.reference for k, v in self.attributes.items()})

    @property
    def sentences(self) -> tuple[str, ...]:
        """Every committee sentence, ranked by shortfall then p-value."""
        return tuple(f.sentence for f in self.findings)

    @property
    def suppression(self) -> pl.DataFrame:
        """``attribute, group, label`` for every suppressed row of ``table``."""
        return pl.concat([_empty_suppression(), *(a.suppression for a in self.attributes.values())])

    def attribute(self, label: str) -> AttributeEquity:
        """One attribute's table, reference, reason and findings.

        Example
        -------
        >>> import datetime as dt
        >>> emp = pl.DataFrame({"employee_id": [f"e{i}" for i in range(40)],
        ...     "hire_date": [dt.date(2020, 1, 1)] * 40, "exit_date": pl.Series([None] * 40, dtype=pl.Date),
        ...     "gender": ["W"] * 20 + ["M"] * 20})
        >>> no_moves = pl.DataFrame(schema={"employee_id": pl.String, "effective_date": pl.Date,
        ...     "from_role_id": pl.String, "to_role_id": pl.String, "movement_type": pl.String})
        >>> res = equity_result(emp, no_moves, pl.DataFrame({"role_id": ["R"], "level": [1]}), dt.date(2025, 12, 31))
        >>> res.attribute("gender").reference_reason
        'largest group: no group had at least 30 people'
        """
        if label not in self.attributes:
            raise KeyError(ERR_UNKNOWN_ATTRIBUTE_LABEL.format(label=label, known=", ".join(self.attributes)))
        return self.attributes[label]

    def with_reference(self, label: str, group: str) -> AttributeEquity:
        """One attribute recomputed against a reference group the user chose
        (see ``AttributeEquity.with_reference``)."""
        return self.attribute(label).with_reference(group)

    def references_record(self) -> dict[str, dict[str, str | None]]:
        """Reference group and reason per attribute, JSON-ready (for manifest.json).

        Example
        -------
        >>> import datetime as dt
        >>> EquityResult(empty_equity_table(), {}, None, EquityWindow(dt.date(2025, 1, 31), dt.date(2025, 12, 31)),
        ...              ()).references_record()
        {}
        """
        return {k: {"group": v.group, "reason": v.reason} for k, v in self.references.items()}


def _empty_suppression() -> pl.DataFrame:
    return pl.DataFrame(schema={"attribute": pl.String, "group": pl.String, "label": pl.String})


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


def protected_counts(
    population: pl.DataFrame,
    attribute: str | Sequence[str],
    min_group_size: int,
    one_way: Mapping[str, Protected] | None = None,
) -> Protected:
    """Per group ``group, eligible, promoted, suppressed, reason`` after suppression and
    the disclosure audit (``metrics.equity._suppression``).

    Parameters
    ----------
    population : polars.DataFrame
        Eligible employees with ``promoted`` (``eligible_population``).
    attribute : str or pair of str
        Attribute column, or two for the intersection (audited together with both
        one-way tables, whose suppression it inherits).
    min_group_size : int
        Primary suppression threshold.
    one_way : Mapping[str, Protected], optional
        Already protected one-way tables by column (computed when absent).

    Returns
    -------
    Protected
        Counts are not yet blanked; callers must null them on suppressed rows.

    Example
    -------
    >>> pop = pl.DataFrame({"g": ["A"] * 12 + ["B"] * 3, "promoted": [False] * 15})
    >>> protected_counts(pop, "g", 10).counts.rows()   # B alone would be recoverable: A hidden too
    [('A', 12, 0, True, 'complementary'), ('B', 3, 0, True, 'primary')]
    """
    columns = attribute_columns(attribute)
    if len(columns) == 1:
        if one_way is not None and columns[0] in one_way:
            return one_way[columns[0]]
        return protect_groups(_group_counts(population, attribute), min_group_size)
    tables = [protected_counts(population, c, min_group_size, one_way).counts for c in columns]
    protected = protect_intersection(_group_counts(population, attribute), tables[0], tables[1], min_group_size)
    return dataclasses.replace(protected, counts=protected.counts.drop("first", "second"))


def suppressed_counts(population: pl.DataFrame, attribute: str | Sequence[str], min_group_size: int) -> pl.DataFrame:
    """Per group: ``group, eligible, promoted, suppressed, reason`` (see ``protected_counts``).

    Example
    -------
    >>> pop = pl.DataFrame({"g": ["A"] * 12 + ["B"] * 3, "promoted": [False] * 15})
    >>> suppressed_counts(pop, "g", 10)["suppressed"].to_list()
    [True, True]
    """
    return protected_counts(population, attribute, min_group_size).counts


def _is_not_disclosed() -> pl.Expr:
    return pl.col("group").str.split(INTERSECTION_SEPARATOR).list.contains(NOT_DISCLOSED)


def _largest(shown: pl.DataFrame) -> str:
    return shown.sort(["eligible", "group"], descending=[True, False])["group"][0]


def choose_reference(
    counts: pl.DataFrame,
    config: MetricsConfig | EquityConfig | None = None,
    total_eligible: int | None = None,
    attribute: str = "",
) -> Reference:
    """The reference group (``metrics.md`` §5) and why.

    The spec's rule: the highest-rate shown group among those with
    ``eligible >= max(reference_min_size, reference_min_share × total eligible)``,
    never "Not disclosed" (nor an intersection cell containing it); ties go to the
    larger group, then the first name. When no group qualifies: the largest shown group.
    ``EquityConfig.reference`` may instead ask for ``"largest"`` or name a group (a
    named group that is suppressed or absent falls back to the rule, and the reason
    says so). A suppressed group is never the reference.

    Parameters
    ----------
    counts : polars.DataFrame
        ``group, eligible, promoted, suppressed``.
    config : MetricsConfig or EquityConfig, optional
        Defaults to the spec's.
    total_eligible : int, optional
        The whole eligible population (default: the sum of ``eligible``).
    attribute : str
        The attribute label, for the reason's wording.

    Returns
    -------
    Reference

    Example
    -------
    >>> counts = pl.DataFrame({"group": ["A", "B", "C"], "eligible": [400, 500, 12],
    ...                        "promoted": [60, 50, 6], "suppressed": [False, False, False]})
    >>> choose_reference(counts)   # C's 50% is the highest rate, but C has 12 < 30 people
    Reference(group='A', reason='highest promotion rate among groups of at least 30 people and 2% of the eligible', rule='highest_rate')
    """
    cfg = equity_config(config)
    shown = counts.filter(~pl.col("suppressed"))
    if shown.height == 0:
        return Reference(None, "no reference: every group is suppressed", "none")
    if cfg.reference == REFERENCE_LARGEST:
        return Reference(_largest(shown), "largest group (the configuration asks for the largest)", "largest")
    prefix = ""
    if cfg.reference != REFERENCE_HIGHEST_RATE:
        if cfg.reference in shown["group"].to_list():
            return Reference(cfg.reference, "named in the configuration", "configured")
        where = f" of {attribute}" if attribute else ""
        hidden = counts.filter(pl.col("suppressed"))["group"].to_list()
        state = "is suppressed" if cfg.reference in hidden else f"is not a group{where}"
        prefix = f'"{cfg.reference}", named in the configuration, {state}; '
    total = int(counts["eligible"].sum()) if total_eligible is None else total_eligible
    share = Fraction(str(cfg.reference_min_share))
    eligible = shown.filter(
        (pl.col("eligible") >= cfg.reference_min_size)
        & (pl.col("eligible") * share.denominator >= share.numerator * total)
        & ~_is_not_disclosed()
    )
    if eligible.height == 0:
        floor = max(cfg.reference_min_size, -(-share.numerator * total // share.denominator))
        return Reference(_largest(shown), f"{prefix}largest group: no group had at least {floor} people", "largest")
    best = eligible.with_columns((pl.col("promoted") / pl.col("eligible")).alias("__rate")).sort(
        ["__rate", "eligible", "group"], descending=[True, True, False]
    )
    rule = (
        f"highest promotion rate among groups of at least {cfg.reference_min_size} people "
        f"and {100 * cfg.reference_min_share:g}% of the eligible"
    )
    return Reference(best["group"][0], prefix + rule, "highest_rate")


def reference_group(counts: pl.DataFrame, config: MetricsConfig | EquityConfig | None = None) -> str | None:
    """The reference group's name (see ``choose_reference``); None when every group is suppressed.

    Example
    -------
    >>> counts = pl.DataFrame({"group": ["A", "B", "C"], "eligible": [40, 60, 5],
    ...                        "promoted": [12, 18, 5], "suppressed": [False, False, True]})
    >>> reference_group(counts)   # A and B tie at 30%; B is larger; C is suppressed
    'B'
    """
    return choose_reference(counts, config).group


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
    is_ref = (counts["group"] == reference).to_numpy() if reference is not None else [False] * counts.height
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
    one_way: Mapping[str, Protected] | None = None,
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
    one_way : Mapping[str, Protected], optional
        Already protected one-way tables by column (an intersection reuses them).

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
    label = attribute_label(attribute)
    if population.height == 0:
        none = Reference(None, "no reference: nobody is eligible", "none")
        return AttributeEquity(label, empty_equity_table(), none, (), _empty_suppression(), 0, 0, cfg)
    threshold_fraction(cfg.four_fifths)  # validate early with a clear message
    protected = protected_counts(population, attribute, cfg.min_group_size, one_way)
    counts = protected.counts
    total_promoted = int(population[PROMOTED].sum())
    reference = choose_reference(counts, cfg, population.height, label)
    table = _statistics(counts, label, reference.group, population.height, total_promoted, cfg)
    findings = tuple(committee_findings(table, {label: reference.group}, cfg))
    suppression = (
        counts.filter(pl.col("suppressed"))
        .sort("group")
        .select(
            pl.lit(label, dtype=pl.String).alias("attribute"),
            "group",
            suppression_label_expr(cfg.min_group_size).alias("label"),
        )
    )
    return AttributeEquity(
        label,
        table,
        reference,
        findings,
        suppression,
        population.height,
        total_promoted,
        cfg,
        protected.unprotectable,
    )


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
    results: dict[str, AttributeEquity] = {}
    one_way: dict[str, Protected] = {}
    for attribute in configured_attributes(employees, cfg):
        if isinstance(attribute, str) and population.height:
            one_way[attribute] = protected_counts(population, attribute, cfg.min_group_size)
        result = attribute_equity(population, attribute, cfg, one_way)
        tables.append(result.table)
        results[result.attribute] = result
    table = pl.concat(tables, how="vertical")
    mean = population[PROMOTED].cast(pl.Float64).mean()
    overall = None if population.height == 0 or not isinstance(mean, float) else mean
    findings = rank_findings([f for r in results.values() for f in r.findings])
    return EquityResult(
        table=table,
        attributes=MappingProxyType(results),
        overall_rate=overall,
        window=window,
        findings=tuple(findings),
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
    "Reference",
    "attribute_equity",
    "choose_reference",
    "configured_attributes",
    "empty_equity_table",
    "equity_result",
    "promotion_equity",
    "promotion_equity_all",
    "protected_counts",
    "reference_group",
    "suppressed_counts",
]
