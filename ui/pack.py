"""Committee packs: one PDF and the same content as an Excel workbook, per equity review and per succession review.

A pack is built from the frames the page shows, already protected: the equity
tables come from ``metrics.equity`` with suppressed groups carrying no numbers,
and the succession pack's candidate lists are the ones the viewer may see (or
none). The builder never recomputes a metric and never reads a table the page
did not pass, so the pack cannot carry what the screen hides. As a second lock,
every number on an equity row marked ``suppressed`` is blanked again here,
whatever the caller passed.

The pack is described once (:class:`EquityPack`, :class:`SuccessionPack`), turned
into a document of sections, tables and charts, then written twice: a readable A4
landscape PDF (fpdf2, a Unicode font, page numbers, charts rendered by
vl-convert from the same Altair charts as the page) and an .xlsx workbook (one
sheet per table, an "About this pack" sheet, numbers kept as numbers, text cells
neutralised against formula injection as in ``ui.export``).

No ``st.*`` here: the pages call the builders and hand the bytes to a download
button.

Example
-------
>>> import datetime as dt
>>> meta = PackMeta(organisation="Acme", source="sample", as_of=dt.date(2026, 9, 30))
>>> about_rows(meta)[:2]
[('Organisation', 'Acme'), ('Data source', 'sample')]
>>> fmt_p(2e-255), fmt_pct(0.32291), fmt_ratio(0.6521)
('< 0.001', '32.3%', '0.65')
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from data_sources.outputs import neutralise_text
from metrics.config import EquityConfig, ReadinessConfig
from metrics.equity import SUPPRESSED_COLUMNS
from metrics.labels import BAND_LABELS, BENCH_STATUS_LABELS, band_rule, suppressed_text, suppression_rule
from ui import charts
from ui.export import EXCEL_MIME

PDF_MIME = "application/pdf"
__all__ = [
    "EXCEL_MIME",
    "PDF_MIME",
    "EquityPack",
    "GroupTable",
    "PackMeta",
    "SuccessionPack",
    "equity_excel",
    "equity_pack_from_result",
    "equity_pdf",
    "succession_excel",
    "succession_pack_from_frames",
    "succession_pdf",
]

#: Unicode fonts tried in order (Debian: fonts-dejavu-core); without one the PDF falls back to Helvetica.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts/dejavu"))
FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"

ERR_NO_GROUPS = "An equity pack needs at least one groups table."
ERR_EQUITY_COLUMNS = "The groups table for {attribute} lacks column(s) {missing} (expected metrics.equity output)."
ERR_BENCH_COLUMNS = "The critical-roles table lacks column(s) {missing} (expected metrics.bench output with titles)."

EQUITY_WHOLE_ORG = (
    "Equity is computed for the whole organisation: team and ladder filters are not applied to it, because "
    "comparing a filtered and an unfiltered view could reveal groups smaller than the minimum group size."
)
DASH = "–"


# --------------------------------------------------------------------------------------------
# What the page passes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackMeta:
    """Where a pack comes from, shown on its title page and in its "About this pack" sheet.

    Attributes
    ----------
    organisation : str
        The organisation (or source) name.
    source : str
        The data source as the page names it (never a password).
    as_of : datetime.date
        The as-of date in force.
    filters : tuple of str
        The filters in force in words, e.g. ``("Teams: Data Science",)``; empty for none.
    generated : datetime.datetime, optional
        When the pack was built (shown when given).
    prepared_for : str, optional
        Who the pack is for, e.g. "Talent committee, Q4 review".
    """

    organisation: str
    source: str
    as_of: dt.date
    filters: tuple[str, ...] = ()
    generated: dt.datetime | None = None
    prepared_for: str | None = None


@dataclass(frozen=True)
class GroupTable:
    """One attribute's (or intersection's) protected equity table and its reference group.

    ``table`` has the ``metrics.equity.OUTPUT_COLUMNS`` (suppressed rows without numbers);
    an optional ``suppression`` column gives each suppressed row's words ("fewer than 10",
    "suppressed"). ``reference_reason`` says why the reference was chosen, in words.
    """

    attribute: str
    table: pl.DataFrame
    reference: str | None
    reference_reason: str


@dataclass(frozen=True)
class EquityPack:
    """Everything an equity review pack shows.

    Attributes
    ----------
    meta : PackMeta
    config : EquityConfig
        The configuration in force (group size, threshold, alpha, confidence, flip count).
    window_start, window_end : datetime.date
        The window (start, end]: eligible = active at the start, promoted within the window.
    overall_rate : float or None
        Promoted / eligible over the whole eligible population.
    groups : tuple of GroupTable
        One per attribute or intersection the page shows.
    pipeline : polars.DataFrame or None
        ``metrics.equity.PIPELINE_COLUMNS`` for the same attributes (None: not available).
    findings : tuple of str
        The committee sentences, already ranked (most shortfall and most significant first).
    """

    meta: PackMeta
    config: EquityConfig
    window_start: dt.date
    window_end: dt.date
    overall_rate: float | None
    groups: tuple[GroupTable, ...]
    pipeline: pl.DataFrame | None = None
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuccessionPack:
    """Everything a succession review pack shows.

    Attributes
    ----------
    meta : PackMeta
    readiness : ReadinessConfig
        The band thresholds in force.
    roles : polars.DataFrame
        One row per critical role: ``role_id, title, incumbents, candidates, ready_now,
        ready_soon, bench_strength, status`` and optionally ``gap_competency,
        candidates_short, candidates_assessed`` (see ``succession_pack_from_frames``).
    coverage : float or None
        Share of critical roles covered (the organisation KPI).
    candidates : Mapping[str, polars.DataFrame] or None
        Per role id, the candidates the viewer may see (``employee_id``, optional
        ``display_name``, ``team, readiness, band, n_gaps``, optional ``explanation``);
        None when the viewer may not see person-level rows.
    extra : tuple of Section
        Further sections after the candidates (the talent review's: ``ui.pack_talent``).
    """

    meta: PackMeta
    readiness: ReadinessConfig
    roles: pl.DataFrame
    coverage: float | None
    candidates: Mapping[str, pl.DataFrame] | None = None
    extra: tuple[Section, ...] = ()


# --------------------------------------------------------------------------------------------
# Values as people read them
# --------------------------------------------------------------------------------------------


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage with one decimal ("" for missing).

    Example
    -------
    >>> fmt_pct(0.0951), fmt_pct(None), fmt_pct(1.0, 0)
    ('9.5%', '', '100%')
    """
    return "" if x is None else f"{100 * x:.{digits}f}%"


def fmt_p(p: float | None) -> str:
    """A p value: three decimals, "< 0.001" below that ("" for missing).

    Example
    -------
    >>> fmt_p(0.0532), fmt_p(0.0004), fmt_p(None)
    ('0.053', '< 0.001', '')
    """
    if p is None:
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_ratio(x: float | None) -> str:
    """A ratio with two decimals ("" for missing).

    Example
    -------
    >>> fmt_ratio(0.65217), fmt_ratio(None)
    ('0.65', '')
    """
    return "" if x is None else f"{x:.2f}"


def fmt_signed(x: float | None) -> str:
    """A signed number with one decimal and a true minus sign ("" for missing).

    Example
    -------
    >>> fmt_signed(17.83), fmt_signed(-0.57), fmt_signed(None)
    ('+17.8', '−0.6', '')
    """
    if x is None:
        return ""
    return f"{x:+.1f}".replace("-", "−")


def fmt_int(x: int | None) -> str:
    """An integer with thousands separators ("" for missing).

    Example
    -------
    >>> fmt_int(1484), fmt_int(None)
    ('1,484', '')
    """
    return "" if x is None else f"{x:,}"


def fmt_date(d: dt.date) -> str:
    """A date as people write it.

    Example
    -------
    >>> fmt_date(dt.date(2026, 9, 30))
    '30 Sep 2026'
    """
    return f"{d.day} {d:%b %Y}"


def _words(name: str) -> str:
    return name.replace("_", " ")


# --------------------------------------------------------------------------------------------
# The document both writers render
# --------------------------------------------------------------------------------------------

#: Column kinds: how a raw value is written (PDF text, Excel number format).
TEXT, INT, PCT, RATIO, P, SIGNED, DEC2 = "text", "int", "pct", "ratio", "p", "signed", "dec2"
_EXCEL_FORMATS = {
    INT: "#,##0",
    PCT: "0.0%",
    RATIO: "0.00",
    P: '[<0.001]"< 0.001";0.000',
    SIGNED: "+0.0;−0.0;0.0",
    DEC2: "0.00",
}
_PDF_FORMAT = {INT: fmt_int, PCT: fmt_pct, RATIO: fmt_ratio, P: fmt_p, SIGNED: fmt_signed, DEC2: fmt_ratio}


@dataclass(frozen=True)
class Column:
    """A table column: its header, kind, relative PDF width; ``pdf=False`` keeps it to the workbook."""

    header: str
    kind: str = TEXT
    width: float = 1.0
    pdf: bool = True


@dataclass(frozen=True)
class Table:
    """A table of raw values (numbers stay numbers; a text value in a number column is a label)."""

    title: str
    sheet: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    empty: str = "Nothing to show."


@dataclass(frozen=True)
class Section:
    """A heading, paragraphs, charts and tables, in that order."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    charts: tuple[alt.TopLevelMixin, ...] = ()
    tables: tuple[Table, ...] = ()
    numbered: bool = False  # paragraphs as a numbered list


@dataclass(frozen=True)
class Document:
    """A pack ready to write: title, the facts of the title page, sections."""

    title: str
    subtitle: str
    about: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


def pdf_text(column: Column, value: Any) -> str:
    """How a raw cell reads in the PDF.

    Example
    -------
    >>> pdf_text(Column("p", P), 2e-255), pdf_text(Column("n", INT), "fewer than 10"), pdf_text(Column("t"), None)
    ('< 0.001', 'fewer than 10', '')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    formatter = _PDF_FORMAT.get(column.kind)
    return formatter(value) if formatter is not None else str(value)


def about_rows(meta: PackMeta) -> list[tuple[str, str]]:
    """The facts about a pack's origin, in the order the title page shows them."""
    rows = [
        ("Organisation", meta.organisation),
        ("Data source", meta.source),
        ("As-of date", fmt_date(meta.as_of)),
        ("Filters in force", "; ".join(meta.filters) if meta.filters else "None (whole organisation)"),
    ]
    if meta.prepared_for:
        rows.append(("Prepared for", meta.prepared_for))
    if meta.generated is not None:
        rows.append(("Generated", f"{fmt_date(meta.generated.date())} {meta.generated:%H:%M}"))
    return rows


# --------------------------------------------------------------------------------------------
# Equity review
# --------------------------------------------------------------------------------------------

_EQUITY_NEEDED = ("group", "eligible", "promoted", "rate", "rate_low", "rate_high", "impact_ratio")
#: The numbers a suppressed row never carries (the equity table's own list).
_EQUITY_NUMBERS = SUPPRESSED_COLUMNS
_PIPELINE_NUMBERS = ("eligible", "assessed", "mean_readiness", "ready_now", "share_ready_now", "ready_not_promoted")


def protect(table: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Null the listed columns on rows marked ``suppressed`` (the pack's second lock).

    Example
    -------
    >>> protect(pl.DataFrame({"eligible": [4, 40], "suppressed": [True, False]}), ["eligible"]).rows()
    [(None, True), (40, False)]
    """
    if "suppressed" not in table.columns:
        return table
    present = [c for c in columns if c in table.columns]
    hidden = pl.col("suppressed").fill_null(False)
    return table.with_columns(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in present)


def _hidden_label(row: Mapping[str, Any], config: EquityConfig) -> str:
    label = row.get("suppression")
    return str(label) if label else suppressed_text(config)


def _four_fifths_word(row: Mapping[str, Any], is_ref: bool) -> str:
    if is_ref:
        return "Reference"
    if row["adverse_impact"] is None:
        return ""
    return "Below" if row["adverse_impact"] else "Not below"


def _robust_word(row: Mapping[str, Any], config: EquityConfig) -> str:
    """Only a flagged row has a robustness reading; it says what it means."""
    if not row["adverse_impact"]:
        return ""
    if row["robust"] and row["significant"]:
        return "Yes"
    if row["robust"]:
        return "Holds, but not significant"
    return f"No: {config.flip_n} more promotions lift it"


def _group_rows(group: GroupTable, config: EquityConfig) -> tuple[tuple[Any, ...], ...]:
    table = protect(group.table, _EQUITY_NUMBERS)
    rows = []
    for row in table.iter_rows(named=True):  # one row per group: a handful
        is_ref = row["group"] == group.reference
        if row.get("suppressed"):
            rows.append((row["group"], _hidden_label(row, config)) + (None,) * 10)
            continue
        significant = "" if is_ref or row["significant"] is None else ("Yes" if row["significant"] else "No")
        rows.append(
            (
                row["group"] + (" (reference)" if is_ref else ""),
                row["eligible"],
                row["promoted"],
                row["rate"],
                row["rate_low"],
                row["rate_high"],
                row["impact_ratio"],
                _four_fifths_word(row, is_ref),
                None if is_ref else row["p_value"],
                significant,
                row["shortfall"],
                _robust_word(row, config),
            )
        )
    return tuple(rows)


def _group_columns(config: EquityConfig) -> tuple[Column, ...]:
    conf = f"{100 * config.confidence:g}%"
    return (
        Column("Group", TEXT, 2.6),
        Column("Eligible", INT, 1.1),
        Column("Promoted", INT, 1.0),
        Column("Promotion rate", PCT, 1.1),
        Column(f"{conf} CI low", PCT, 1.0),
        Column(f"{conf} CI high", PCT, 1.0),
        Column("Impact ratio", RATIO, 0.9),
        Column("Four-fifths rule", TEXT, 1.1),
        Column("p value", P, 0.9),
        Column(f"Significant (p < {config.alpha:g})", TEXT, 1.1),
        Column("Shortfall (promotions)", SIGNED, 1.1),
        Column(f"Robust to {config.flip_n} more", TEXT, 1.6),
    )


def _check_columns(frame: pl.DataFrame, needed: Sequence[str], error: str, **names: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(error.format(missing=", ".join(missing), **names))


def _rates_chart(group: GroupTable, config: EquityConfig) -> alt.TopLevelMixin | None:
    shown = protect(group.table, _EQUITY_NUMBERS).filter(~pl.col("suppressed").fill_null(False))
    shown = shown.filter(pl.col("rate").is_not_null())
    if shown.height == 0:
        return None
    ref = shown.filter(pl.col("group") == group.reference).get_column("rate")
    line = config.four_fifths * ref.item() if ref.len() == 1 else None
    data = shown.select(
        "group", "rate", "rate_low", "rate_high", pl.col("adverse_impact").fill_null(False)
    ).with_columns(pl.lit(line, dtype=pl.Float64).alias("four_fifths_line"))
    return charts.rates_with_intervals(data, title=f"Promotion rate by {_words(group.attribute)}")


def _pipeline_table(pipeline: pl.DataFrame, attribute: str, config: EquityConfig) -> Table:
    frame = protect(pipeline.filter(pl.col("attribute") == attribute), _PIPELINE_NUMBERS)
    rows = []
    for row in frame.iter_rows(named=True):
        if row.get("suppressed"):
            rows.append((row["group"], _hidden_label(row, config), None, None, None, None))
        elif row.get("insufficient"):
            rows.append((row["group"], row["eligible"], row["assessed"], "too little evidence", None, None))
        else:
            rows.append(
                (
                    row["group"],
                    row["eligible"],
                    row["assessed"],
                    row["mean_readiness"],
                    row["share_ready_now"],
                    row["ready_not_promoted"],
                )
            )
    return Table(
        title=f"Pipeline by {_words(attribute)}",
        sheet=f"Pipeline {attribute}",
        columns=(
            Column("Group", TEXT, 2.6),
            Column("Eligible", INT, 1.0),
            Column("Assessed for next role", INT, 1.3),
            Column("Mean readiness for next role", DEC2, 1.5),
            Column("Ready now", PCT, 1.0),
            Column("Ready now but not promoted", PCT, 1.5),
        ),
        rows=tuple(rows),
        note=(
            "At the window start: mean readiness for the next role, the share ready now, and of those ready now "
            "the share not promoted by the window end (blank when nobody in the group was ready now). "
            "Suppressed groups show no figures."
        ),
    )


def _config_rows(config: EquityConfig) -> list[tuple[str, str]]:
    return [
        ("Minimum group size", f"{config.min_group_size} people"),
        ("Four-fifths threshold", f"{config.four_fifths:g} (impact ratio below it is flagged)"),
        ("Significance level (alpha)", f"{config.alpha:g} (Fisher exact test)"),
        ("Confidence intervals", f"{100 * config.confidence:g}% Wilson"),
        ("Robustness check", f"whether a flagged group stays below the threshold with {config.flip_n} more promotions"),
    ]


def equity_document(pack: EquityPack) -> Document:
    """The equity pack as a document (title facts, sections, tables, charts).

    Raises
    ------
    ValueError
        When no groups table is given or one lacks the equity columns.
    """
    if not pack.groups:
        raise ValueError(ERR_NO_GROUPS)
    cfg = pack.config
    for group in pack.groups:
        _check_columns(group.table, _EQUITY_NEEDED, ERR_EQUITY_COLUMNS, attribute=group.attribute)
    window = f"Promotions after {fmt_date(pack.window_start)} up to {fmt_date(pack.window_end)}"
    about = [
        *about_rows(pack.meta),
        ("Equity scope", EQUITY_WHOLE_ORG),
        ("Equity window", f"{window}; eligible: employees active on {fmt_date(pack.window_start)}"),
        ("Overall promotion rate", fmt_pct(pack.overall_rate) or DASH),
        *_config_rows(cfg),
    ]
    for group in pack.groups:
        about.append(
            (f"Reference group ({_words(group.attribute)})", f"{group.reference or 'none'}: {group.reference_reason}")
        )
    about.append(("Suppression rule", _suppression_words(cfg)))

    sections = []
    for group in pack.groups:
        chart = _rates_chart(group, cfg)
        table = Table(
            title=f"Groups by {_words(group.attribute)}",
            sheet=f"Groups {group.attribute}",
            columns=_group_columns(cfg),
            rows=_group_rows(group, cfg),
            note=_groups_note(group, cfg),
        )
        sections.append(
            Section(
                heading=f"Promotion equity by {_words(group.attribute)}",
                paragraphs=(f"Reference group: {group.reference or 'none'} ({group.reference_reason}).",),
                charts=(chart,) if chart is not None else (),
                tables=(table,),
            )
        )
    findings = pack.findings or (
        f"No group shown falls below {cfg.four_fifths:g} of its reference group's promotion rate.",
    )
    sections.append(
        Section(
            heading="Findings for the committee",
            paragraphs=findings,
            numbered=bool(pack.findings),
            tables=(
                Table(
                    "Findings, ranked",
                    "Findings",
                    (Column("Rank", INT, 0.4), Column("Finding", TEXT, 9.0)),
                    tuple((i + 1, s) for i, s in enumerate(pack.findings)),
                    empty=findings[0],
                ),
            ),
        )
    )
    if pack.pipeline is not None:
        sections.append(
            Section(
                heading="Pipeline",
                tables=tuple(_pipeline_table(pack.pipeline, g.attribute, cfg) for g in pack.groups),
            )
        )
    return Document(
        title="Equity review pack",
        subtitle=f"{pack.meta.organisation} · as of {fmt_date(pack.meta.as_of)}",
        about=tuple(about),
        sections=tuple(sections),
    )


def _suppression_words(config: EquityConfig) -> str:
    return (
        f"{suppression_rule(config)} Such a group reads “{suppressed_text(config)}”. Where one hidden group could be "
        "worked out from the totals, further groups are hidden too and read “suppressed”."
    )


def _groups_note(group: GroupTable, config: EquityConfig) -> str:
    return (
        f"Impact ratio: the group's rate ÷ the reference group's rate; below {config.four_fifths:g} fails the "
        "four-fifths rule, a flag for review, not proof of discrimination. Shortfall: promotions the group would "
        "have had at the overall rate minus those it had (positive: fewer than predicted). Robust: whether a "
        f"flagged group would still be below the threshold with {config.flip_n} more promotions; on a row that "
        "is not statistically significant the gap may be chance, so it is a signal to watch. "
        + _suppression_words(config)
    )


def equity_pack_from_result(
    meta: PackMeta,
    result: Any,
    attributes: Sequence[str],
    config: EquityConfig,
    pipeline: pl.DataFrame | None = None,
    reasons: Mapping[str, str] | None = None,
) -> EquityPack:
    """An equity pack for some attributes of a ``metrics.equity.EquityResult``.

    Parameters
    ----------
    meta : PackMeta
    result : metrics.equity.EquityResult
        Its ``table`` (protected), reference groups and window.
    attributes : sequence of str
        Attribute labels to include, e.g. ``["gender", "gender × ethnicity"]``.
    config : EquityConfig
        The configuration the result was computed with.
    pipeline : polars.DataFrame, optional
        ``pipeline_equity_all`` output (filtered to ``attributes`` here).
    reasons : mapping of attribute label to str, optional
        Why each reference was chosen; default from ``result.references`` when the
        result carries them, else the rule of ``metrics.equity.reference_group``.

    Returns
    -------
    EquityPack
        Findings are the ranked committee sentences of the attributes asked for.
    """
    refs: Mapping[str, Any] = getattr(result, "references", None) or {}
    groups = []
    for attribute in attributes:
        reference = result.reference_groups.get(attribute)
        reason = (reasons or {}).get(attribute) or getattr(refs.get(attribute), "reason", None)
        groups.append(
            GroupTable(
                attribute,
                result.table.filter(pl.col("attribute") == attribute),
                reference,
                reason or "the highest promotion rate among the groups shown",
            )
        )
    pipe = None if pipeline is None else pipeline.filter(pl.col("attribute").is_in(list(attributes)))
    return EquityPack(
        meta=meta,
        config=config,
        window_start=result.window.start,
        window_end=result.window.end,
        overall_rate=result.overall_rate,
        groups=tuple(groups),
        pipeline=pipe,
        findings=tuple(ranked_findings(result, attributes, config)),
    )


def ranked_findings(result: Any, attributes: Sequence[str], config: EquityConfig) -> list[str]:
    """The committee sentences of ``attributes``, most shortfall first, then lowest p value.

    Uses ``metrics.equity.committee_findings`` when it exists; otherwise ranks the
    sentences of ``committee_sentences`` (one per flagged row, in table order) here.
    """
    from metrics import equity

    table = result.table.filter(pl.col("attribute").is_in(list(attributes)))
    refs = {a: result.reference_groups.get(a) for a in attributes}
    if hasattr(equity, "committee_findings"):
        return [f.sentence for f in equity.committee_findings(table, refs, config)]
    sentences = equity.committee_sentences(table, refs, config)
    flagged = table.filter(pl.col("adverse_impact").fill_null(False) & ~pl.col("suppressed"))
    keys = zip(flagged["shortfall"].to_list(), flagged["p_value"].to_list(), range(flagged.height))
    order = sorted(keys, key=lambda k: (-(k[0] or 0.0), 1.0 if k[1] is None else k[1], k[2]))
    return [sentences[i] for _, _, i in order]


# --------------------------------------------------------------------------------------------
# Succession review
# --------------------------------------------------------------------------------------------

_BENCH_NEEDED = ("role_id", "title", "incumbents", "candidates", "ready_now", "ready_soon", "bench_strength", "status")


def succession_pack_from_frames(
    meta: PackMeta,
    bench: pl.DataFrame,
    roles: pl.DataFrame,
    readiness: ReadinessConfig,
    gaps: pl.DataFrame | None = None,
    competencies: pl.DataFrame | None = None,
    candidates: Mapping[str, pl.DataFrame] | None = None,
    extra: Sequence[Section] = (),
) -> SuccessionPack:
    """A succession pack from the bench table the page shows.

    Parameters
    ----------
    meta : PackMeta
    bench : polars.DataFrame
        ``metrics.bench.bench_strength`` output (the rows the page shows); critical roles are kept.
    roles : polars.DataFrame
        ``role_id, title`` (titles for the role ids).
    readiness : ReadinessConfig
    gaps : polars.DataFrame, optional
        ``metrics.bench.common_gaps`` output: the gap most candidates share per role.
    competencies : polars.DataFrame, optional
        ``competency_id, name`` for the gap's name.
    candidates : mapping of role id to polars.DataFrame, optional
        The candidates the viewer may see per role (None: person-level rows not allowed).
    extra : sequence of Section, optional
        Sections added after the candidates (``ui.pack_talent.talent_sections``).

    Returns
    -------
    SuccessionPack
    """
    from metrics.bench import critical_coverage

    frame = bench.filter(pl.col("critical")) if "critical" in bench.columns else bench
    if "title" not in frame.columns:
        frame = frame.join(roles.select("role_id", "title"), on="role_id", how="left")
    if gaps is not None:
        gap = gaps.select(
            "role_id",
            pl.col("competency_id").alias("gap_competency"),
            "candidates_short",
            pl.col("candidates").alias("candidates_assessed"),
        )
        if competencies is not None:
            names = competencies.select("competency_id", "name")
            gap = gap.join(names, left_on="gap_competency", right_on="competency_id", how="left").with_columns(
                pl.coalesce("name", "gap_competency").alias("gap_competency")
            )
            gap = gap.drop("name")
        frame = frame.join(gap, on="role_id", how="left")
    kpi = critical_coverage(frame.with_columns(pl.lit(True).alias("critical"))) if frame.height else None
    return SuccessionPack(meta, readiness, frame.sort("role_id"), kpi, candidates, tuple(extra))


def _successors_per_incumbent(row: Mapping[str, Any]) -> float | None:
    if not row["incumbents"]:
        return None
    return (row["ready_now"] + row["ready_soon"]) / row["incumbents"]


def _gap_words(row: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    if row.get("gap_competency") is None:
        if row.get("candidates_assessed"):
            return "None: no candidate is short", 0, row["candidates_assessed"]
        return "", None, None
    return row["gap_competency"], row["candidates_short"], row["candidates_assessed"]


def _roles_table(pack: SuccessionPack) -> Table:
    rows = []
    for row in pack.roles.iter_rows(named=True):
        gap, short, assessed = _gap_words(row)
        rows.append(
            (
                row["title"] or row["role_id"],
                row["incumbents"],
                row["candidates"],
                row["ready_now"],
                row["ready_soon"],
                row["bench_strength"],
                _successors_per_incumbent(row),
                BENCH_STATUS_LABELS.get(row["status"], row["status"]),
                gap,
                short,
                assessed,
                row["role_id"],
            )
        )
    return Table(
        title="Critical roles",
        sheet="Critical roles",
        columns=(
            Column("Role", TEXT, 2.3),
            Column("Incumbents", INT, 1.0),
            Column("Candidates", INT, 1.0),
            Column("Ready now", INT, 0.9),
            Column("Ready in 1–2 years", INT, 1.1),
            Column("Bench strength (ready now per incumbent)", DEC2, 1.4),
            Column("Successors per incumbent (now or 1–2 years)", DEC2, 1.4),
            Column("Status", TEXT, 1.4),
            Column("Gap most candidates share", TEXT, 1.9),
            Column("Candidates short of it", INT, 1.0),
            Column("Candidates assessed", INT, 1.0),
            Column("Role id", TEXT, 0.8, pdf=False),
        ),
        rows=tuple(rows),
        note=(
            "Candidates: active employees whose next role it is, from any team. Bench strength = candidates ready "
            "now ÷ incumbents; successors per incumbent counts those ready now or in 1–2 years. A role with many "
            "incumbents and one ready successor is covered in name only: read the bench strength. Status: covered "
            "(at least one ready now), ready in 1–2 years only, no successors. The gap most candidates share is the "
            "competency the most candidates are below the required level in."
        ),
        empty="No critical role in scope.",
    )


def _candidate_name(row: Mapping[str, Any]) -> str:
    name = row.get("display_name")
    return f"{name} ({row['employee_id']})" if name else str(row["employee_id"])


def _candidates_table(role_id: str, title: str, frame: pl.DataFrame) -> Table:
    rows = []
    for row in frame.iter_rows(named=True):
        rows.append(
            (
                _candidate_name(row),
                row.get("team"),
                row.get("readiness"),
                BAND_LABELS.get(row.get("band") or "", row.get("band")),
                row.get("n_gaps"),
                row.get("n_critical_gaps"),
                row.get("explanation"),
            )
        )
    return Table(
        title=f"Candidates for {title}",
        sheet=f"Cand {role_id}",
        columns=(
            Column("Candidate", TEXT, 1.8),
            Column("Team", TEXT, 1.3),
            Column("Readiness", DEC2, 0.8),
            Column("Band", TEXT, 1.1),
            Column("Gaps", INT, 0.6),
            Column("Critical gaps", INT, 0.7),
            Column("Why", TEXT, 5.0),
        ),
        rows=tuple(rows),
        empty="Nobody's next role is this one.",
    )


def succession_document(pack: SuccessionPack) -> Document:
    """The succession pack as a document.

    Raises
    ------
    ValueError
        When the critical-roles table lacks the bench columns.
    """
    _check_columns(pack.roles, _BENCH_NEEDED, ERR_BENCH_COLUMNS)
    roles = pack.roles
    counts = {s: roles.filter(pl.col("status") == s).height for s in BENCH_STATUS_LABELS}
    about = [
        *about_rows(pack.meta),
        ("Critical roles", fmt_int(roles.height)),
        ("Critical roles covered", fmt_pct(pack.coverage, 0) or DASH),
        *[(f"Status: {BENCH_STATUS_LABELS[s]}", fmt_int(n)) for s, n in counts.items()],
        ("Readiness bands", band_rule(pack.readiness)),
        ("Candidates", "Active employees whose current role leads to the role (counts are organisation-wide)."),
        (
            "Person-level rows",
            "Included: the candidates the viewer may see."
            if pack.candidates is not None
            else "Not included: the viewer may not see person-level rows.",
        ),
    ]
    chart_data = roles.select(pl.col("title").alias("role"), "status", "ready_now", "ready_soon", "incumbents")
    chart = charts.bench_status(chart_data) if roles.height else None
    sections = [Section("Bench strength", charts=(chart,) if chart is not None else (), tables=(_roles_table(pack),))]
    if pack.candidates is not None:
        titles = dict(zip(roles["role_id"].to_list(), roles["title"].to_list()))
        tables = tuple(
            _candidates_table(role_id, titles.get(role_id) or role_id, frame)
            for role_id, frame in pack.candidates.items()
        )
        sections.append(Section("Candidates per critical role", tables=tables))
    sections.extend(pack.extra)
    return Document(
        title="Succession review pack",
        subtitle=f"{pack.meta.organisation} · as of {fmt_date(pack.meta.as_of)}",
        about=tuple(about),
        sections=tuple(sections),
    )


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

_INK = (0, 0, 0)
_HEAD_FILL = (0xE8, 0xF1, 0xF8)  # a light tint of Okabe–Ito blue #0072B2
_RULE = (0x00, 0x72, 0xB2)
_LATIN = {"×": "x", "–": "-", "—": "-", "−": "-", "≥": ">=", "÷": "/", "·": "-", "“": '"', "”": '"', "’": "'"}


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """An Altair chart as PNG bytes (vl-convert; no browser, no network)."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(chart.to_json(), scale=scale))


def _font_dir() -> Path | None:
    for folder in FONT_DIRS:
        if (folder / FONT_REGULAR).exists() and (folder / FONT_BOLD).exists():
            return folder
    return None


def _pdf_class() -> type:
    from fpdf import FPDF

    class _PackPDF(FPDF):  # type: ignore[misc]
        pack_title = ""
        family = "Helvetica"
        unicode = False

        def footer(self) -> None:
            self.set_y(-11)
            self.set_font(self.family, "", 8)
            self.set_text_color(80, 80, 80)
            self.cell(0, 5, self.clean(self.pack_title), align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(*_INK)

        def clean(self, text: str) -> str:
            if self.unicode:
                return text
            for a, b in _LATIN.items():
                text = text.replace(a, b)
            return text.encode("latin-1", "replace").decode("latin-1")

    return _PackPDF


def _new_pdf(title: str) -> Any:
    pdf = _pdf_class()(orientation="L", unit="mm", format="A4")
    folder = _font_dir()
    if folder is not None:
        pdf.add_font("DejaVu", "", str(folder / FONT_REGULAR))
        pdf.add_font("DejaVu", "B", str(folder / FONT_BOLD))
        pdf.family, pdf.unicode = "DejaVu", True
    pdf.pack_title = title
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_title(title)
    pdf.set_creator("Talent Readiness")
    return pdf


def _heading(pdf: Any, text: str, size: float = 14) -> None:
    pdf.set_font(pdf.family, "B", size)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(0, size * 0.5, pdf.clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.4)
    pdf.line(pdf.l_margin, pdf.get_y() + 0.8, pdf.w - pdf.r_margin, pdf.get_y() + 0.8)
    pdf.ln(3)


def _paragraph(pdf: Any, text: str, size: float = 9.5, bold: bool = False) -> None:
    pdf.set_font(pdf.family, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.48, pdf.clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.2)


def _title_page(pdf: Any, doc: Document) -> None:
    from fpdf.fonts import FontFace

    pdf.add_page()
    pdf.set_font(pdf.family, "B", 22)
    pdf.cell(0, 11, pdf.clean(doc.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", 12)
    pdf.set_text_color(60, 60, 60)
    pdf.cell(0, 7, pdf.clean(doc.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*_INK)
    pdf.ln(3)
    pdf.set_font(pdf.family, "", 9)
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=(1.5, 4),
        first_row_as_headings=False,
        line_height=4.4,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
        padding=(1.0, 1.5),
    ) as grid:
        for label, value in doc.about:
            row = grid.row()
            row.cell(pdf.clean(label), style=FontFace(emphasis="BOLD"))
            row.cell(pdf.clean(value))


def column_widths(pdf: Any, columns: Sequence[Column], cells: Sequence[Sequence[str]], usable: float) -> list[float]:
    """Widths (mm) that fit each header's longest word and, where room allows, each column's longest value.

    Every column gets at least its longest header word and its longest short value
    (a number, a band); the rest of the page goes to the columns whose values are
    longer (names, reasons), in proportion to their length.
    """
    pad = 2.4
    pdf.set_font(pdf.family, "B", 8)
    head = [
        max(max(pdf.get_string_width(w) for w in pdf.clean(c.header).split()), pdf.get_string_width(c.header) / 3) + pad
        for c in columns
    ]  # the longest word, and at most three lines
    pdf.set_font(pdf.family, "", 8)
    longest = [
        max([pdf.get_string_width(pdf.clean(row[i])) for row in cells] or [0.0]) + pad for i in range(len(columns))
    ]
    floor = [max(h, min(v, 34.0)) for h, v in zip(head, longest)]
    extra = [max(0.0, v - f) for v, f in zip(longest, floor)]
    room = usable - sum(floor)
    if room <= 0:
        return [f * usable / sum(floor) for f in floor]
    if sum(extra) <= room:  # everything fits on one line: share the rest evenly
        spare = (room - sum(extra)) / len(columns)
        return [f + e + spare for f, e in zip(floor, extra)]
    return [f + room * e / sum(extra) for f, e in zip(floor, extra)]


def _pdf_table(pdf: Any, table: Table) -> None:
    from fpdf.fonts import FontFace

    cols = [c for c in table.columns if c.pdf]
    keep = [i for i, c in enumerate(table.columns) if c.pdf]
    if pdf.will_page_break(22):
        pdf.add_page()
    _paragraph(pdf, table.title, 11, bold=True)
    if not table.rows:
        _paragraph(pdf, table.empty)
        return
    cells = [[pdf_text(c, raw[i]) for i, c in zip(keep, cols)] for raw in table.rows]
    widths = column_widths(pdf, cols, cells, pdf.epw - 0.01)
    pdf.set_font(pdf.family, "", 8)
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.2)
    align = tuple("LEFT" if c.kind == TEXT else "RIGHT" for c in cols)
    with pdf.table(
        col_widths=tuple(widths),
        width=min(sum(widths), pdf.epw),
        align="LEFT",
        text_align=align,
        line_height=3.9,
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEAD_FILL),
        borders_layout="HORIZONTAL_LINES",
        padding=(0.8, 1.0),
        repeat_headings=1,
    ) as grid:
        head = grid.row()
        for c in cols:
            head.cell(pdf.clean(c.header))
        for texts in cells:
            row = grid.row()
            for text in texts:
                row.cell(pdf.clean(text))
    pdf.ln(1.5)
    if table.note:
        pdf.set_text_color(70, 70, 70)
        _paragraph(pdf, table.note, 8)
        pdf.set_text_color(*_INK)
    pdf.ln(2)


def _pdf_chart(pdf: Any, chart: alt.TopLevelMixin) -> None:
    from PIL import Image

    png = chart_png(chart)
    width_px, height_px = Image.open(io.BytesIO(png)).size
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    width = min(usable, width_px / 2 * 0.3)  # scale 2 images, shown at about 85 dpi
    height = width * height_px / width_px
    room = pdf.h - pdf.b_margin - pdf.t_margin
    if height > room:
        height, width = room, room * width_px / height_px
    if pdf.will_page_break(height):
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin, w=width, h=height)
    pdf.ln(3)


def document_pdf(doc: Document) -> bytes:
    """Write a document as an A4 landscape PDF: a title page, then each section on a new page."""
    pdf = _new_pdf(doc.title)
    _title_page(pdf, doc)
    for section in doc.sections:
        pdf.add_page()
        _heading(pdf, section.heading)
        for n, text in enumerate(section.paragraphs, start=1):
            _paragraph(pdf, f"{n}. {text}" if section.numbered else text)
        for chart in section.charts:
            _pdf_chart(pdf, chart)
        for table in section.tables:
            if section.numbered and table.sheet == "Findings":
                continue  # the numbered paragraphs are this table; the workbook keeps it as a sheet
            _pdf_table(pdf, table)
    return bytes(pdf.output())


def equity_pdf(pack: EquityPack) -> bytes:
    """The equity review pack as PDF bytes (``PDF_MIME``)."""
    return document_pdf(equity_document(pack))


def succession_pdf(pack: SuccessionPack) -> bytes:
    """The succession review pack as PDF bytes (``PDF_MIME``)."""
    return document_pdf(succession_document(pack))


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, used: set[str]) -> str:
    """An Excel-safe, unique sheet name (31 characters, none of ``[]:*?/\\``, no edge apostrophes).

    Example
    -------
    >>> used = set()
    >>> sheet_name("Groups gender × ethnicity × disability [2026]", used), sheet_name("History", used)
    ('Groups gender × ethnicity × dis', 'History (2)')
    >>> sheet_name("Groups gender × ethnicity × disability", used)
    'Groups gender × ethnicity × d 2'
    """
    base = _SHEET_BAD.sub(" ", title).strip().strip("'")[:31].strip() or "Sheet"
    name, n = base, 1
    while name.casefold() in used or name.casefold() == "history":
        n += 1
        suffix = f" ({n})" if len(base) <= 26 else f" {n}"
        name = base[: 31 - len(suffix)] + suffix
    used.add(name.casefold())
    return name


def safe_text(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (``data_sources.outputs``' rule: numbers stay).

    Example
    -------
    >>> safe_text("=HYPERLINK(1)"), safe_text("Woman"), safe_text("-1.6")
    ("'=HYPERLINK(1)", 'Woman', '-1.6')
    """
    return neutralise_text(text)


def _write_cell(sheet: Any, r: int, c: int, value: Any, fmt: Any, wrap: Any) -> None:
    if value is None:
        sheet.write_blank(r, c, None)
    elif isinstance(value, bool):
        sheet.write_string(r, c, "Yes" if value else "No")
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value, fmt)
    else:
        sheet.write_string(r, c, safe_text(str(value)), wrap)


def document_excel(doc: Document) -> bytes:
    """Write a document as an .xlsx workbook: "About this pack", then one sheet per table, then charts."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "valign": "top", "text_wrap": True})
    head = book.add_format({"bold": True, "bg_color": "#E8F1F8", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {k: book.add_format({"num_format": v, "valign": "top"}) for k, v in _EXCEL_FORMATS.items()}
    used: set[str] = set()

    about = book.add_worksheet(sheet_name("About this pack", used))
    about.set_column(0, 0, 34)
    about.set_column(1, 1, 110)
    about.write_string(0, 0, safe_text(doc.title), bold)
    about.write_string(0, 1, safe_text(doc.subtitle))
    for r, (label, value) in enumerate(doc.about, start=2):
        about.write_string(r, 0, safe_text(label), bold)
        about.write_string(r, 1, safe_text(value), wrap)

    chart_images: list[bytes] = []
    for section in doc.sections:
        chart_images.extend(chart_png(chart) for chart in section.charts)
        for table in section.tables:
            sheet = book.add_worksheet(sheet_name(table.sheet, used))
            sheet.write_string(0, 0, safe_text(table.title), bold)
            for c, col in enumerate(table.columns):
                sheet.write_string(2, c, safe_text(col.header), head)
                wide = col.header in ("Why", "Finding")
                sheet.set_column(c, c, 90 if wide else max(12, min(40, 7 * col.width + 4)))
            for r, raw in enumerate(table.rows, start=3):
                for c, (col, value) in enumerate(zip(table.columns, raw)):
                    _write_cell(sheet, r, c, value, formats.get(col.kind), wrap)
            last = 3 + len(table.rows)
            if not table.rows:
                sheet.write_string(3, 0, safe_text(table.empty))
                last += 1
            if table.note:
                sheet.write_string(last + 1, 0, safe_text(table.note))
            sheet.freeze_panes(3, 1)
    if chart_images:
        sheet = book.add_worksheet(sheet_name("Charts", used))
        row = 0
        for png in chart_images:
            from PIL import Image

            height_px = Image.open(io.BytesIO(png)).size[1]
            sheet.insert_image(row, 0, "chart.png", {"image_data": io.BytesIO(png), "x_scale": 0.5, "y_scale": 0.5})
            row += int(height_px * 0.5 / 20) + 3
    book.close()
    return buf.getvalue()


def equity_excel(pack: EquityPack) -> bytes:
    """The equity review pack as an .xlsx workbook (``EXCEL_MIME``)."""
    return document_excel(equity_document(pack))


def succession_excel(pack: SuccessionPack) -> bytes:
    """The succession review pack as an .xlsx workbook (``EXCEL_MIME``)."""
    return document_excel(succession_document(pack))
