"""Committee sentences: one plain sentence per flagged (adverse-impact) group.

Each sentence states the group's promotion rate with its 95% interval, the
reference group's rate, the impact ratio against the four-fifths threshold, the
Fisher p-value and whether it is statistically significant, the shortfall
against the overall rate, and whether the finding survives two more promotions
(the flip-two check). Suppressed groups never get a sentence: they carry no
numbers in the table and are skipped.

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
"Man": impact ratio 0.65, below the four-fifths threshold; p = 0.053, not statistically
significant at the 5% level; 4.9 fewer promotions than the overall rate predicts; robust:
with 2 more promotions the ratio would still be 0.76.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from metrics.config import EquityConfig

ERR_MISSING_REFERENCE = (
    "Attribute '{attribute}' has a flagged group but its reference group '{reference}' is not in the table."
)


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


def committee_sentences(
    table: pl.DataFrame,
    reference_groups: Mapping[str, str | None],
    config: EquityConfig | None = None,
) -> list[str]:
    """One sentence per unsuppressed group with ``adverse_impact`` true.

    Parameters
    ----------
    table : polars.DataFrame
        A promotion-equity table (``metrics.equity.OUTPUT_COLUMNS``).
    reference_groups : Mapping[str, str | None]
        Reference group per attribute label (from ``EquityResult``).
    config : EquityConfig, optional
        Threshold, alpha, confidence and flip count; defaults to the spec's.

    Returns
    -------
    list of str
        In table order. Empty when nothing is flagged.

    Example
    -------
    >>> t = pl.DataFrame({"attribute": ["gender"], "group": ["Woman"], "adverse_impact": [None],
    ...                   "suppressed": [True]})
    >>> committee_sentences(t, {"gender": None})
    []
    """
    cfg = config or EquityConfig()
    flagged = table.filter(pl.col("adverse_impact").fill_null(False) & ~pl.col("suppressed"))
    sentences: list[str] = []
    conf = f"{100 * cfg.confidence:g}%"
    name = _threshold_name(cfg.four_fifths)
    for row in flagged.iter_rows(named=True):  # flagged groups: a handful
        attribute, reference = row["attribute"], reference_groups.get(row["attribute"])
        ref_rows = table.filter((pl.col("attribute") == attribute) & (pl.col("group") == reference))
        if ref_rows.height == 0:
            raise ValueError(ERR_MISSING_REFERENCE.format(attribute=attribute, reference=reference))
        ref = ref_rows.row(0, named=True)
        parts = [
            f'The "{row["group"]}" group ({attribute}) was promoted at {_pct(row["rate"])} '
            f"({conf} CI {_pct(row['rate_low'])[:-1]}–{_pct(row['rate_high'])}) "
            f'against {_pct(ref["rate"])} for "{reference}": impact ratio '
            f"{_ratio_text(row['impact_ratio'], cfg.four_fifths, True)}, below {name}",
        ]
        level = f"at the {100 * cfg.alpha:g}% level"
        significance = (
            f"statistically significant {level}" if row["significant"] else f"not statistically significant {level}"
        )
        parts.append(f"{_p_text(row['p_value'])}, {significance}")
        shortfall = row["shortfall"]
        if shortfall > 0:
            parts.append(f"{shortfall:.1f} fewer promotions than the overall rate predicts")
        else:
            parts.append(f"no shortfall against the overall rate ({-shortfall:.1f} more promotions than it predicts)")
        flipped = min(row["promoted"] + cfg.flip_n, row["eligible"])
        flip_ratio = (flipped / row["eligible"]) / ref["rate"]
        if row["robust"]:
            parts.append(
                f"robust: with {cfg.flip_n} more promotions the ratio would still be "
                f"{_ratio_text(flip_ratio, cfg.four_fifths, True)}"
            )
        else:
            parts.append(
                f"not robust: {cfg.flip_n} more promotions would lift the ratio to "
                f"{_ratio_text(flip_ratio, cfg.four_fifths, False)}, no longer below the threshold"
            )
        sentences.append("; ".join(parts) + ".")
    return sentences
