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


def test_a_gap_no_predictive_cluster_covers_gets_aligned_assets_marked_not_established():
    gaps = pl.DataFrame(
        {
            "competency_id": ["C1", "C4"],
            "required_level": [3, 2],
            "level": [1, 0],
            "critical": [False, True],
            "gap": [2, 2],
        }
    )
    assets = pl.DataFrame(
        {
            "asset_id": ["A1", "B1", "B2", "B3"],
            "title": ["t"] * 4,
            "cluster": ["P", "N", "H", None],
            "competency_id": ["C1", "C4", "C4", "C4"],
            "target_level": [2, 2, 1, None],
        }
    )
    effects = pl.DataFrame(
        {"cluster": ["P", "N", "H"], "effect": [0.2, 0.01, -0.3], "label": ["predictive", "no_evidence", "harmful"]}
    )
    got = recommend_assets(gaps, assets, effects, completed=[])
    # C4 (critical) has no predictive asset: B1 (no evidence) and B3 (no cluster) are offered,
    # B2's cluster is harmful and never offered; C1 is covered by A1 (predictive).
    assert got.select("asset_id", "effect_established").rows() == [("B1", False), ("B3", False), ("A1", True)]
    assert got.filter(~pl.col("effect_established"))["cluster_effect"].to_list() == [None, None]
