"""Committee sentences for flagged groups."""

from __future__ import annotations

import polars as pl

from metrics.config import EquityConfig
from metrics.equity._core import equity_result
from metrics.equity._sentences import committee_sentences
from tests.unit.test_equity_support import AS_OF, ROLES, build_org


def sentences(cells, config=None) -> tuple[str, ...]:
    employees, movements = build_org(cells)
    return equity_result(employees, movements, ROLES, AS_OF, config).sentences


def test_uniform_guidelines_sentence_significant_and_robust():
    # B: 45/100, Wilson 95% (0.3561, 0.5476); A 60%; ratio 0.75; Fisher p = 0.0472;
    # overall 204/400 = 0.51 -> shortfall 51 − 45 = 6.0; flip two: 0.47/0.60 = 0.783.
    out = sentences({"A": (100, 60), "B": (100, 45), "C": (100, 48), "D": (100, 51)})
    assert out == (
        'The "B" group (gender) was promoted at 45.0% (95% CI 35.6–54.8%) against 60.0% '
        'for "A", the reference group: impact ratio 0.75, below the four-fifths threshold; p = 0.047, '
        "statistically significant at the 5% level (unlikely to be chance alone); 6.0 fewer promotions "
        "than the overall rate predicts; robust: with 2 more promotions the ratio would still be 0.78, "
        "so the finding does not hang on one or two decisions.",
    )


def test_sentences_not_significant_and_not_robust():
    # Man 10/20 (ref, 50%); Not disclosed 2/10: Wilson (0.0567, 0.5098), ratio 0.40,
    # Fisher p = 0.2353, shortfall 0.32 × 10 − 2 = 1.2, flip two: 0.4/0.5 = 0.80 (not below).
    # Woman 4/20: Wilson (0.0807, 0.4160), p = 0.0958, shortfall 2.4, flip two 0.3/0.5 = 0.60.
    # No group has 30 people: the reference is the largest (Man and Woman tie at 20: Man by
    # name). Ranked by shortfall: Woman (2.4) before Not disclosed (1.2). Woman's gap
    # survives two more promotions but is not significant: the sentence must say what that
    # means rather than "robust".
    out = sentences({"Man": (20, 10), "Woman": (20, 4), None: (10, 2)})
    assert out == (
        'The "Woman" group (gender) was promoted at 20.0% (95% CI 8.1–41.6%) against 50.0% '
        'for "Man", the reference group: impact ratio 0.40, below the four-fifths threshold; p = 0.096, '
        "not statistically significant at the 5% level, so the gap may be chance; 2.4 fewer promotions "
        "than the overall rate predicts; 2 more promotions would still leave the ratio below the "
        "threshold (0.60), but as the gap is not statistically significant this is a signal to watch, "
        "not a finding.",
        'The "Not disclosed" group (gender) was promoted at 20.0% (95% CI 5.7–51.0%) against '
        '50.0% for "Man", the reference group: impact ratio 0.40, below the four-fifths threshold; '
        "p = 0.235, not statistically significant at the 5% level, so the gap may be chance; 1.2 fewer "
        "promotions than the overall rate predicts; fragile: 2 more promotions would lift the ratio "
        "to 0.80, no longer below the threshold.",
    )
    assert all("robust" not in s for s in out)


def test_negative_shortfall_is_said_plainly_and_ranked_last():
    # A 10/10 named as the reference, B 70/100 (ratio 0.70), C 10/100. Overall 90/210 = 3/7:
    # B's shortfall 100 × 3/7 − 70 = −27.14 -> more promotions than predicted; C's
    # 100 × 3/7 − 10 = 32.86 comes first.
    out = sentences({"A": (10, 10), "B": (100, 70), "C": (100, 10)}, EquityConfig(reference="A"))
    assert out[0].startswith('The "C" group') and "p < 0.001" in out[0] and "32.9 fewer promotions" in out[0]
    assert out[1].startswith('The "B" group')
    assert "no shortfall against the overall rate (27.1 more promotions than it predicts)" in out[1]


def test_findings_ranked_by_shortfall_then_p_value():
    # Reference R 60/100. X 20/100 and Y 20/100 have the same shortfall and p; Z 40/100
    # less shortfall. Overall (60 + 20 + 20 + 40 + 10) / 500 = 0.3: shortfalls X, Y 10.0,
    # Z -10, W 10/100 -> 20. Order: W (20), then X and Y tie (same p: by name), then Z.
    out = equity_result(
        *build_org({"R": (100, 60), "W": (100, 10), "X": (100, 20), "Y": (100, 20), "Z": (100, 40)}),
        ROLES,
        AS_OF,
    )
    assert [(f.group, round(f.shortfall, 6)) for f in out.findings] == [
        ("W", 20.0),
        ("X", 10.0),
        ("Y", 10.0),
        ("Z", -10.0),
    ]
    assert out.findings[1].p_value == out.findings[2].p_value
    assert out.attribute("gender").sentences == out.sentences


def test_no_sentence_about_suppressed_groups():
    # A 9/0 suppressed, B 15/1 its complement (both would be adverse); D 30/3 adverse.
    out = sentences({"A": (9, 0), "B": (15, 1), "C": (30, 15), "D": (30, 3)})
    assert len(out) == 1 and out[0].startswith('The "D" group (gender)')
    assert '"A"' not in out[0] and '"B"' not in out[0]


def test_ratio_text_never_rounds_across_the_threshold():
    # 79/100 vs 100/100: ratio 0.79 -> "0.79"; a flagged 0.7996 must not print "0.80".
    table = pl.DataFrame(
        {
            "attribute": ["g", "g"],
            "group": ["R", "X"],
            "eligible": [10000, 10000],
            "promoted": [10000, 7996],
            "rate": [1.0, 0.7996],
            "rate_low": [0.9996, 0.79],
            "rate_high": [1.0, 0.81],
            "impact_ratio": [1.0, 0.7996],
            "adverse_impact": [False, True],
            "p_value": [None, 1e-9],
            "significant": [None, True],
            "shortfall": [-1000.0, 1000.0],
            "robust": [False, True],
            "suppressed": [False, False],
        }
    )
    out = committee_sentences(table, {"g": "R"}, EquityConfig())
    assert "impact ratio 0.800," not in out[0] and "impact ratio 0.7996, below" in out[0]
