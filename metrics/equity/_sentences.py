"""Committee findings: one plain sentence per flagged (adverse-impact) group, ranked.

Each sentence states the group's promotion rate with its 95% interval, the
reference group's rate, the impact ratio against the four-fifths threshold, the
Fisher p-value and what it means, the shortfall against the overall rate, and the
flip-two check worded for a committee: on a statistically significant row,
"robust" means the finding does not hang on one or two decisions; on a row that
is not significant the sentence says the gap may be chance and is a signal to
watch, never just "robust". Suppressed groups never get a sentence.

Findings are ranked by shortfall (most missing promotions first), then by p-value
(lowest first), then by attribute and group.

Example
-------
>>> table = pl.DataFrame({
...     "attribute": ["gender", "gender"], "group": ["Man", "Woman"],
...     "eligible": [250, 148], "promoted": [31, 12],
...     "rate": [31 / 250, 12 / 148], "rate_low": [0.088, 0.047], "rate_high": [0.171, 0.136],
...     "impact_ratio": [1.0, (12 * 250) / (148 * 31)], "adverse_impact": [False, True],
...     "p_value": [None, 0.0532], "significant": [None, False],
...     "shortfall": [-4.9, 4.9], "robust": [False, True], "suppressed": [False, False]})
>>> print(committee_sentences(table, {"gender": "Man"})[0])  # doctest: +NORMALIZE_WHITESPACE
The "Woman" group (gender) was promoted at 8.1% (95% CI 4.7–13.6%) against 12.4% for
"Man", the reference group: impact ratio 0.65, below the four-fifths threshold; p = 0.053,
not statistically significant at the 5% level, so the gap may be chance; 4.9 fewer
promotions than the overall rate predicts; 2 more promotions would still leave the ratio
below the threshold (0.76), but as the gap is not statistically significant this is a
signal to watch, not a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from metrics.config import EquityConfig

ERR_MISSING_REFERENCE = (
    "Attribute '{attribute}' has a flagged group but its reference group '{reference}' is not in the table."
)


@dataclass(frozen=True)
class Finding:
    """One flagged group: the numbers the ranking uses and the committee sentence."""

    attribute: str
    group: str
    shortfall: float
    p_value: float | None
    significant: bool
    robust: bool
    sentence: str


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _ratio_text(ratio: float, threshold: float, below: bool) -> str:
    """Two decimals, more when rounding would put the number on the wrong side."""
    for digits in (2, 3, 4, 6):
        text = f"{ratio:.{digits}f}"
        if (float(text) < threshold) == below:
            return text
    return repr(ratio)


def _threshold_name(threshold: float) -> str:
    return "the four-fifths threshold" if threshold == 0.8 else f"the {threshold:g} threshold"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _sentence(row: Mapping, ref: Mapping, reference: str, cfg: EquityConfig) -> str:
    conf = f"{100 * cfg.confidence:g}%"
    name = _threshold_name(cfg.four_fifths)
    parts = [
        f'The "{row["group"]}" group ({row["attribute"]}) was promoted at {_pct(row["rate"])} '
        f"({conf} CI {_pct(row['rate_low'])[:-1]}–{_pct(row['rate_high'])}) "
        f'against {_pct(ref["rate"])} for "{reference}", the reference group: impact ratio '
        f"{_ratio_text(row['impact_ratio'], cfg.four_fifths, True)}, below {name}",
    ]
    level = f"at the {100 * cfg.alpha:g}% level"
    significant = bool(row["significant"])
    if significant:
        parts.append(f"{_p_text(row['p_value'])}, statistically significant {level} (unlikely to be chance alone)")
    else:
        parts.append(f"{_p_text(row['p_value'])}, not statistically significant {level}, so the gap may be chance")
    shortfall = row["shortfall"]
    if shortfall > 0:
        parts.append(f"{shortfall:.1f} fewer promotions than the overall rate predicts")
    else:
        parts.append(f"no shortfall against the overall rate ({-shortfall:.1f} more promotions than it predicts)")
    flipped = min(row["promoted"] + cfg.flip_n, row["eligible"])
    flip_ratio = (flipped / row["eligible"]) / ref["rate"]
    more = f"{cfg.flip_n} more promotion{'s' if cfg.flip_n != 1 else ''}"
    if row["robust"] and significant:
        parts.append(
            f"robust: with {more} the ratio would still be "
            f"{_ratio_text(flip_ratio, cfg.four_fifths, True)}, so the finding does not hang on one or two decisions"
        )
    elif row["robust"]:
        parts.append(
            f"{more} would still leave the ratio below the threshold "
            f"({_ratio_text(flip_ratio, cfg.four_fifths, True)}), but as the gap is not statistically "
            "significant this is a signal to watch, not a finding"
        )
    else:
        parts.append(
            f"fragile: {more} would lift the ratio to "
            f"{_ratio_text(flip_ratio, cfg.four_fifths, False)}, no longer below the threshold"
        )
    return "; ".join(parts) + "."


def committee_findings(
    table: pl.DataFrame,
    reference_groups: Mapping[str, str | None],
    config: EquityConfig | None = None,
) -> list[Finding]:
    """One finding per unsuppressed group with ``adverse_impact`` true, ranked by
    shortfall (largest first), then p-value (lowest first), then attribute and group.

    Parameters
    ----------
    table : polars.DataFrame
        A promotion-equity table (``metrics.equity.OUTPUT_COLUMNS``).
    reference_groups : Mapping[str, str | None]
        Reference group per attribute label.
    config : EquityConfig, optional
        Threshold, alpha, confidence and flip count; defaults to the spec's.

    Returns
    -------
    list of Finding

    Example
    -------
    >>> t = pl.DataFrame({"attribute": ["gender"], "group": ["Woman"], "adverse_impact": [None],
    ...                   "suppressed": [True]})
    >>> committee_findings(t, {"gender": None})
    []
    """
    cfg = config or EquityConfig()
    flagged = table.filter(pl.col("adverse_impact").fill_null(False) & ~pl.col("suppressed"))
    findings: list[Finding] = []
    for row in flagged.iter_rows(named=True):  # flagged groups: a handful
        attribute, reference = row["attribute"], reference_groups.get(row["attribute"])
        ref_rows = table.filter((pl.col("attribute") == attribute) & (pl.col("group") == reference))
        if ref_rows.height == 0:
            raise ValueError(ERR_MISSING_REFERENCE.format(attribute=attribute, reference=reference))
        findings.append(
            Finding(
                attribute=attribute,
                group=row["group"],
                shortfall=float(row["shortfall"]),
                p_value=row["p_value"],
                significant=bool(row["significant"]),
                robust=bool(row["robust"]),
                sentence=_sentence(row, ref_rows.row(0, named=True), str(reference), cfg),
            )
        )
    return rank_findings(findings)


def rank_findings(findings: list[Finding]) -> list[Finding]:
    """Most shortfall first, then lowest p-value, then attribute and group.

    Example
    -------
    >>> f = lambda g, s, p: Finding("gender", g, s, p, p < 0.05, True, g)
    >>> [x.group for x in rank_findings([f("A", 1.0, 0.01), f("B", 3.0, 0.2), f("C", 3.0, 0.04)])]
    ['C', 'B', 'A']
    """
    return sorted(
        findings,
        key=lambda f: (-f.shortfall, 1.0 if f.p_value is None else f.p_value, f.attribute, f.group),
    )


def committee_sentences(
    table: pl.DataFrame,
    reference_groups: Mapping[str, str | None],
    config: EquityConfig | None = None,
) -> list[str]:
    """The sentences of ``committee_findings``, in ranked order.

    Example
    -------
    >>> t = pl.DataFrame({"attribute": ["gender"], "group": ["Woman"], "adverse_impact": [None],
    ...                   "suppressed": [True]})
    >>> committee_sentences(t, {"gender": None})
    []
    """
    return [f.sentence for f in committee_findings(table, reference_groups, config)]
