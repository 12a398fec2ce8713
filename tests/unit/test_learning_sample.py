"""The planted learning truths of the default sample: what an L&D analyst would be told."""

from __future__ import annotations

import polars as pl
import pytest


@pytest.fixture(scope="module")
def learning(sample_run):
    truth, result = sample_run
    planted = truth["learning_impact"]["clusters"]
    effects = result.outputs()["learning_impact"]
    naive = result.learning_impact.naive
    return planted, effects.join(naive.select("cluster", "naive_difference"), on="cluster")


def test_every_planted_truth_is_labelled_as_planted(learning):
    planted, effects = learning
    labels = dict(zip(effects["cluster"], effects["label"]))
    assert set(labels) == set(planted)
    for cluster, spec in planted.items():
        if spec["truth"] == "predictive":
            assert labels[cluster] == "predictive", cluster
        elif spec["truth"] == "harmful":
            assert labels[cluster] == "harmful", cluster
        else:
            assert labels[cluster] != "predictive", cluster


def test_intervals_cover_the_planted_effects_mostly(learning):
    planted, effects = learning
    covered = [
        row["ci_low"] <= planted[row["cluster"]]["theta"] <= row["ci_high"] for row in effects.iter_rows(named=True)
    ]
    assert sum(covered) >= 0.8 * len(covered)


def test_the_naive_figure_is_visibly_wrong(learning):
    planted, effects = learning
    wrong = effects.filter(
        ((pl.col("naive_difference") < pl.col("ci_low")) | (pl.col("naive_difference") > pl.col("ci_high")))
        & (
            (
                pl.col("naive_difference")
                - pl.col("cluster").replace_strict({k: v["theta"] for k, v in planted.items()})
            ).abs()
            > 0.1
        )
    )
    # the confounding: learners were stronger performers already, so null clusters look helpful
    assert wrong.height >= 1
    harmful = effects.filter(pl.col("cluster") == "Multitasking Mastery").row(0, named=True)
    assert harmful["naive_difference"] > harmful["ci_high"]


def test_asset_portfolio_retires_the_stale_legacy_assets(sample_run):
    _, result = sample_run
    assets = result.outputs()["assets"]
    retired = assets.filter(pl.col("recommendation") == "retire")
    for asset in ("A012", "A040", "A069", "A094"):  # no activity after 2025-10 (sample_data/README.md)
        row = retired.filter(pl.col("asset_id") == asset)
        assert row.height == 1, asset
        assert row["reason"].item().startswith("Retire: no activity since"), row["reason"].item()
