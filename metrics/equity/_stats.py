"""Statistics for progression equity: Wilson intervals, Fisher tests, the four-fifths rule.

Intervals and tests come from statsmodels and scipy. The four-fifths comparison
is done in exact integer arithmetic: ``rate_g / rate_ref < 4/5`` is evaluated as
``promoted_g × eligible_ref × 5 < 4 × promoted_ref × eligible_g``, so an impact
ratio of exactly 0.80 (e.g. 48% against 60%) is never flagged because of
floating-point rounding (rates 8% and 10%: ``0.08 / 0.1 == 0.7999999999999999``).

Example
-------
>>> threshold_fraction(0.8)
(4, 5)
>>> 0.08 / 0.1 < 0.8                       # the floating-point trap
True
>>> below_threshold(8, 100, 10, 100, 0.8), below_threshold(45, 100, 60, 100, 0.8)
(False, True)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint

ERR_THRESHOLD = "The four-fifths threshold must be a number in (0, 1]; got {value!r}."


def threshold_fraction(threshold: float) -> tuple[int, int]:
    """The threshold as a small exact fraction ``(numerator, denominator)``.

    Example
    -------
    >>> threshold_fraction(0.75)
    (3, 4)
    """
    if not 0 < threshold <= 1:
        raise ValueError(ERR_THRESHOLD.format(value=threshold))
    frac = Fraction(str(threshold)).limit_denominator(10_000)
    return frac.numerator, frac.denominator


def below_threshold(
    promoted: int, eligible: int, ref_promoted: int, ref_eligible: int, threshold: float
) -> bool | None:
    """Whether ``(promoted/eligible) / (ref_promoted/ref_eligible) < threshold``, exactly.

    ``None`` when the reference rate is zero (the ratio is undefined).

    Example
    -------
    >>> below_threshold(3, 10, 0, 10, 0.8) is None
    True
    """
    if ref_promoted == 0:
        return None
    num, den = threshold_fraction(threshold)
    return promoted * ref_eligible * den < num * ref_promoted * eligible


def wilson_interval(successes: np.ndarray, trials: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for each proportion (statsmodels ``method="wilson"``).

    Example
    -------
    >>> low, high = wilson_interval(np.array([0]), np.array([20]), 0.95)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.0, 0.1611)
    """
    low, high = proportion_confint(np.asarray(successes), np.asarray(trials), alpha=1 - confidence, method="wilson")
    return np.atleast_1d(np.asarray(low, dtype=float)), np.atleast_1d(np.asarray(high, dtype=float))


def fisher_p_value(promoted: int, eligible: int, ref_promoted: int, ref_eligible: int) -> float:
    """Two-sided Fisher exact p-value of ``[[promoted, not promoted]]`` for g vs the reference.

    Example
    -------
    >>> round(fisher_p_value(3, 4, 1, 4), 4)   # Fisher's tea-tasting table [[3, 1], [1, 3]]
    0.4857
    """
    table = [[promoted, eligible - promoted], [ref_promoted, ref_eligible - ref_promoted]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)
