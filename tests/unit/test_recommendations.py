"""Recommendations for one person: each rule on a tiny hand-made frame."""

import polars as pl

from metrics.learning._recommendations import recommend_assets

GAPS = pl.DataFrame(
    {
        "competency_id": ["C1", "C2", "C3"],
        "required_level": [3, 2, 4],
        "level": [1, 2, 0],  # C2 is met: no gap
        "critical": [True, False, False],
        "gap": [2, 0, 4],
    }
)
ASSETS = pl.DataFrame(
    {
        "asset_id": ["A1", "A2", "A3", "A4", "A5", "A6", "A7"],
        "title": ["t"] * 7,
        "cluster": ["P", "P", "P", "N", "P", "Q", "P"],
        "competency_id": ["C1", "C1", "C2", "C1", "C3", "C3", "C1"],
        "target_level": [2, 4, 2, None, None, 3, 3],
    }
)
EFFECTS = pl.DataFrame(
    {"cluster": ["P", "N", "Q"], "effect": [0.10, 0.0, 0.30], "label": ["predictive", "no_evidence", "predictive"]}
)


def test_each_rule():
    got = recommend_assets(GAPS, ASSETS, EFFECTS, completed=["A7"])
    # A1: C1 gap, level 2 in (1, 3], cluster P predictive  -> yes (critical gap)
    # A2: target 4 above required 3                          -> no
    # A3: C2 has no gap                                      -> no
    # A4: cluster N not predictive                           -> no
    # A5: C3 gap, no target level, P predictive              -> yes
    # A6: C3 gap, level 3 in (0, 4], Q predictive (0.30)     -> yes, before A5 (larger effect)
    # A7: completed already                                  -> no
    assert got["asset_id"].to_list() == ["A1", "A6", "A5"]
    assert got["critical_gap"].to_list() == [True, False, False]
    assert got["cluster_effect"].to_list() == [0.10, 0.30, 0.10]
