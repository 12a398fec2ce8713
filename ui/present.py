"""How a metric frame reads on a page and in its downloads: human headers, words for codes,
dates as dates, percentages as percentages, and no spurious precision.

Pure (no ``st.*``): ``present`` returns the frame to show and to download, and the column
settings a page passes to ``st.dataframe``.

Example
-------
>>> import polars as pl
>>> shown = present(pl.DataFrame({"role_id": ["R1"], "band": ["ready_now"], "share_ready_now": [0.3229]}))
>>> shown.frame.columns, shown.frame.row(0)
(['Role id', 'Band', 'Ready now (%)'], ('R1', 'Ready now', 32.3))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import polars as pl

from metrics.labels import (
    BAND_LABELS,
    BENCH_STATUS_LABELS,
    LEARNING_LABELS,
    RECOMMENDATION_LABELS,
    RELATION_LABELS,
    RISK_LABELS,
)

#: Column headers as people read them; others become "Sentence case" of their name.
HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "employee_id": "Employee id",
        "display_name": "Name",
        "role_id": "Role id",
        "target_role_id": "Role id",
        "title": "Role",
        "target_title": "Role",
        "competency_id": "Competency id",
        "name": "Competency",
        "n_gaps": "Gaps",
        "n_critical_gaps": "Critical gaps",
        "explanation": "Why",
        "reason": "Why",
        "relation": "Readiness for",
        "band": "Band",
        "status": "Status",
        "bench_strength": "Ready now per incumbent",
        "ready_now": "Ready now",
        "ready_soon": "Ready in 1–2 years",
        "mean_readiness": "Mean readiness",
        "feeder_ready_now": "Feeders ready now",
        "feeder_ready_soon": "Feeders ready in 1–2 years",
        "feeder_developing": "Feeders developing",
        "single_point_of_failure": "Single point of failure",
        "target_level": "Target level",
        "target_headcount": "People needed",
        "supply": "People at level",
        "cluster_label": "Cluster finding",
        "label": "Finding",
        "n_exposed": "Learners exposed",
        "ci_low": "95% CI low",
        "ci_high": "95% CI high",
        "p_value": "p",
        "q_value": "q (false discovery rate)",
        "last_activity": "Last activity",
        "observed_on": "Observed on",
        "age_days": "Age (days)",
        "evidence_type": "Evidence type",
        "verified": "Verified",
        "critical": "Critical",
        "incumbents": "Incumbents",
        "candidates": "Candidates",
        "recommendation": "Recommendation",
        "completion_rate": "Completion (%)",
        "mean_score": "Mean score",
    }
)
#: Coded columns and the words their values read as.
VALUE_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "band": BAND_LABELS,
        "status": BENCH_STATUS_LABELS,
        "label": LEARNING_LABELS,
        "cluster_label": LEARNING_LABELS,
        "recommendation": RECOMMENDATION_LABELS,
        "relation": RELATION_LABELS,
        "risk_band": RISK_LABELS,
    }
)
#: Shares (0–1) shown as percentages with one decimal.
PERCENT_COLUMNS = frozenset(
    {"share_ready_now", "coverage", "completion_rate", "share_covered", "rate", "rate_low", "rate_high", "share"}
)
#: Long sentences that a page shows whole in a detail panel.
TEXT_COLUMNS = frozenset({"explanation", "reason"})
P_COLUMNS = frozenset({"p_value", "q_value"})
#: Code columns whose values read as words once "_" is a space and the first letter a capital.
CODE_COLUMNS = frozenset(
    {"format", "evidence_type", "impact", "category", "action", "performance_tier", "readiness_tier"}
)


def code_words(value: str | None) -> str | None:
    """A code as a word: ``job_aid`` → ``Job aid``.

    Example
    -------
    >>> code_words("performance_task"), code_words("high"), code_words(None)
    ('Performance task', 'High', None)
    """
    if value is None:
        return None
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def _code_words_expr(col: pl.Expr) -> pl.Expr:
    text = col.str.replace_all("_", " ")
    return text.str.slice(0, 1).str.to_uppercase() + text.str.slice(1)


@dataclass(frozen=True)
class Presented:
    """A frame ready to show and download, and what the page needs to draw it."""

    frame: pl.DataFrame
    #: Header of the long-text column, if any (shown whole when a row is selected).
    text_column: str | None = None
    #: Header of the employee id column and of the role id column, if any (for links).
    employee_column: str | None = None
    role_column: str | None = None
    percent_columns: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def header(column: str) -> str:
    """The human header of a column.

    Example
    -------
    >>> header("n_critical_gaps"), header("share_ready_now"), header("some_thing")
    ('Critical gaps', 'Ready now (%)', 'Some thing')
    """
    if column in HEADERS:
        return HEADERS[column]
    if column in PERCENT_COLUMNS:
        base = column.removeprefix("share_").replace("_", " ")
        return f"{base[:1].upper()}{base[1:]} (%)"
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


def p_text(p: float | None) -> str:
    """A p value as a person reads it.

    Example
    -------
    >>> p_text(2e-255), p_text(0.04321), p_text(None)
    ('< 0.001', '0.043', '')
    """
    if p is None:
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def present(frame: pl.DataFrame) -> Presented:
    """The frame with human headers and values (see the module docstring)."""
    exprs = []
    percent: list[str] = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if name in VALUE_WORDS and dtype == pl.String:
            col = col.replace(dict(VALUE_WORDS[name]))
        elif name in CODE_COLUMNS and dtype == pl.String:
            col = _code_words_expr(col)
        elif name in P_COLUMNS:
            col = col.map_elements(p_text, return_dtype=pl.String)
        elif dtype == pl.Boolean:
            col = pl.when(col).then(pl.lit("Yes")).when(col.not_()).then(pl.lit("No")).otherwise(pl.lit(""))
        elif dtype == pl.Date:
            col = col.dt.strftime("%d %b %Y")
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.strftime("%d %b %Y %H:%M")
        elif name in PERCENT_COLUMNS and dtype.is_float():
            col = (col * 100).round(1)
            percent.append(header(name))
        elif dtype.is_float():
            col = col.round(2)
        label = "Asset" if name == "title" and "asset_id" in frame.columns else header(name)
        exprs.append(col.alias(label))
    shown = frame.select(exprs) if exprs else frame
    text = next((header(c) for c in frame.columns if c in TEXT_COLUMNS), None)
    employee = header("employee_id") if "employee_id" in frame.columns else None
    role = next((header(c) for c in ("role_id", "target_role_id") if c in frame.columns), None)
    return Presented(
        shown,
        text,
        employee,
        role,
        tuple(percent),
        MappingProxyType({c: header(c) for c in frame.columns}),
    )


def today_text(day: dt.date) -> str:
    """A date as it reads in a sentence.

    Example
    -------
    >>> today_text(dt.date(2026, 9, 30))
    '30 Sep 2026'
    """
    return f"{day:%d %b %Y}"


def person_label(name: str | None, employee_id: str) -> str:
    """How a person is named on a page: "Name (id)", or the id alone when the source gives no name.

    Example
    -------
    >>> person_label("Ana Costa", "E000001"), person_label(None, "E000002")
    ('Ana Costa (E000001)', 'E000002')
    """
    return f"{name} ({employee_id})" if name else employee_id


def person_label_expr(
    frame: pl.DataFrame, id_column: str = "employee_id", name_column: str = "display_name"
) -> pl.Expr:
    """``person_label`` as a polars expression over ``frame``'s columns (the id alone when the frame
    has no name column, or a row no name).

    Example
    -------
    >>> f = pl.DataFrame({"employee_id": ["E1", "E2"], "display_name": ["Ana Costa", None]})
    >>> f.select(person_label_expr(f)).to_series().to_list()
    ['Ana Costa (E1)', 'E2']
    """
    if name_column not in frame.columns:
        return pl.col(id_column).alias("person")
    return (
        pl.when(pl.col(name_column).is_null() | (pl.col(name_column) == ""))
        .then(pl.col(id_column))
        .otherwise(pl.format("{} ({})", name_column, id_column))
        .alias("person")
    )
