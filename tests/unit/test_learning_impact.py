"""Learning impact: the DML estimator, its clustered standard error and the labels."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from metrics.config import LearningImpactConfig
from metrics.learning._dml import LearnerSpec, clustered_theta, grouped_folds, partial_out
from metrics.learning._features import _example_tables, build_learning_features
from metrics.learning._impact import (
    EFFECT_COLUMNS,
    MODEL_CHECK_COLUMNS,
    NAIVE_COLUMNS,
    SECONDARY_COLUMNS,
    estimate_learning_impact,
    label_effects,
    learning_impact,
)
from sample_data.learning_simulation import simulate_learning_tables

FAST = LearningImpactConfig(learner_max_iter=40)


@pytest.fixture(scope="module")
def confounded():
    """300 employees x 5 ratings; strong performers complete more assets.

    Planted effects: alpha +0.15, beta 0, gamma -0.12 per completed asset.
    """
    sim = simulate_learning_tables(n_employees=300, seed=3)
    return sim, learning_impact(sim.tables, config=FAST)


def test_intervals_cover_the_planted_effects_and_the_naive_figure_does_not(confounded) -> None:
    sim, res = confounded
    effects = {r["cluster"]: r for r in res.effects.iter_rows(named=True)}
    naive = dict(res.naive.select("cluster", "naive_difference").iter_rows())
    for cluster, truth in sim.effects.items():
        row = effects[cluster]
        assert row["ci_low"] <= truth <= row["ci_high"], cluster
        # the spreadsheet figure is confounded by who chooses to learn
        assert not (row["ci_low"] <= naive[cluster] <= row["ci_high"]), cluster
    # the null cluster looks like a +0.1 or more "effect" in the raw data
    assert naive["beta"] > 0.1
    assert [effects[c]["label"] for c in ("alpha", "beta", "gamma")] == [
        "predictive",
        "no_evidence",
        "harmful",
    ]


def test_output_frames_have_exactly_the_spec_columns(confounded) -> None:
    _, res = confounded
    assert res.effects.columns == list(EFFECT_COLUMNS)
    assert res.naive.columns == list(NAIVE_COLUMNS)
    assert res.model_check.columns == list(MODEL_CHECK_COLUMNS)
    assert res.secondary.columns == list(SECONDARY_COLUMNS)
    assert (res.n_observations, res.n_employees) == (1500, 300)
    assert res.effects["n_exposed"].max() <= 300


def test_model_check_exposures_add_explained_variance(confounded) -> None:
    _, res = confounded
    r2 = dict(res.model_check.select("model", "r2_mean").iter_rows())
    assert r2["controls_plus_exposures"] > r2["controls"] > 0


def test_secondary_view_reports_both_factors(confounded) -> None:
    _, res = confounded
    sec = res.secondary
    assert sec["factor"].to_list() == [
        "spacing (per 30 days between completions)",
        "difficulty (per difficulty point)",
    ]
    # nothing about spacing or difficulty was planted: intervals should include 0
    assert all(lo <= 0 <= hi for lo, hi in sec.select("ci_low", "ci_high").rows())
    assert all(n > 0 for n in sec["n"])


def test_deterministic_for_a_seed() -> None:
    sim = simulate_learning_tables(n_employees=60, seed=5)
    cfg = LearningImpactConfig(learner_max_iter=10)
    first = learning_impact(sim.tables, config=cfg).effects
    second = learning_impact(sim.tables, config=cfg).effects
    assert first.equals(second)


def test_clustered_theta_by_hand() -> None:
    # theta = (1*1 + 2*1 + 0*-1 + -1*-1) / 4 = 1
    # scores d(y - theta d) = [0, 1, -1, 0]; per group psi_a = 1, psi_b = -1
    # var = (1 + 1) / 4**2 * G/(G-1) = 0.125 * 2 = 0.25 -> se = 0.5
    est = clustered_theta(
        np.array([1.0, 2.0, 0.0, -1.0]), np.array([1.0, 1.0, -1.0, -1.0]), np.array(["a", "a", "b", "b"])
    )
    assert est.theta == 1.0
    assert est.se == pytest.approx(0.5, abs=1e-15)
    # 95% normal interval: 1 +- 1.959964 * 0.5
    assert (est.ci_low, est.ci_high) == pytest.approx((0.020018, 1.979982), abs=1e-6)
    no_correction = clustered_theta(
        np.array([1.0, 2.0, 0.0, -1.0]),
        np.array([1.0, 1.0, -1.0, -1.0]),
        np.array(["a", "a", "b", "b"]),
        small_sample_correction=False,
    )
    assert no_correction.se == pytest.approx(np.sqrt(0.125), abs=1e-15)


def test_clustered_se_matches_statsmodels_cluster_ols() -> None:
    sim = simulate_learning_tables(n_employees=120, seed=11)
    feats = build_learning_features(sim.tables)
    from metrics.learning._impact import control_matrix

    x, cat = control_matrix(feats.observations)
    groups = feats.observations["employee_id"].to_numpy()
    d = feats.exposures["alpha"].to_numpy().astype(float)
    w = np.column_stack([x, feats.exposures.select("beta", "gamma").to_numpy()])
    y = feats.observations["rating"].to_numpy()
    folds = grouped_folds(groups, 5, seed=7)
    res = partial_out(y, d, w, groups, folds, LearnerSpec(max_iter=20, categorical=cat))
    _, codes = np.unique(groups, return_inverse=True)
    ols = sm.OLS(res.y_residual, res.d_residual[:, None]).fit(cov_type="cluster", cov_kwds={"groups": codes})
    assert res.theta == pytest.approx(float(ols.params[0]), rel=1e-10)
    assert res.se == pytest.approx(float(ols.bse[0]), rel=1e-10)
    assert res.p_value == pytest.approx(float(ols.pvalues[0]), rel=1e-6)


def test_folds_keep_each_employee_together() -> None:
    groups = np.repeat(np.array([f"e{i}" for i in range(23)]), 3)
    folds = grouped_folds(groups, 5, seed=7)
    per_employee = pl.DataFrame({"g": groups, "f": folds}).group_by("g").agg(pl.col("f").n_unique())
    assert per_employee["f"].max() == 1
    assert sorted(set(folds.tolist())) == [0, 1, 2, 3, 4]
    assert np.array_equal(folds, grouped_folds(groups, 5, seed=7))


def _estimates(n_exposed, effect, p_value) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "cluster": [f"c{i}" for i in range(len(n_exposed))],
            "n_exposed": n_exposed,
            "effect": effect,
            "ci_low": [e - 0.1 for e in effect],
            "ci_high": [e + 0.1 for e in effect],
            "p_value": p_value,
        }
    )


def test_labels_and_benjamini_hochberg() -> None:
    est = _estimates([30, 30, 30, 29], [0.2, -0.2, 0.1, 0.9], [0.01, 0.02, 0.5, 0.0001])
    out = label_effects(est, LearningImpactConfig())
    # BH over the three tested clusters (m=3), p sorted 0.01, 0.02, 0.5:
    # q = min over ranks >= r of p * m / rank -> 0.03, 0.03, 0.5
    q = out["q_value"].to_list()
    assert q[:3] == pytest.approx([0.03, 0.03, 0.5])
    assert q[3] is None
    assert out["label"].to_list() == ["predictive", "harmful", "no_evidence", "insufficient_data"]


def test_label_boundary_q_exactly_threshold_is_not_significant() -> None:
    # a single tested cluster: q = p = 0.05, and the rule is q < 0.05
    out = label_effects(_estimates([40], [0.3], [0.05]), LearningImpactConfig())
    assert out.row(0, named=True)["q_value"] == pytest.approx(0.05)
    assert out["label"].to_list() == ["no_evidence"]


def test_too_few_employees_gives_null_estimates() -> None:
    res = estimate_learning_impact(build_learning_features(_example_tables()))
    assert res.effects.select("effect", "p_value", "q_value", "label").rows() == [
        (None, None, None, "insufficient_data"),
        (None, None, None, "insufficient_data"),
    ]
    assert res.model_check.height == 0


def test_cluster_with_no_exposure_is_insufficient_data() -> None:
    sim = simulate_learning_tables(n_employees=40, seed=2)
    tables = dict(sim.tables)
    extra = pl.DataFrame({"asset_id": ["zz-00"], "title": ["Unused"], "cluster": ["zz"], "difficulty": [3]})
    tables["assets"] = pl.concat([tables["assets"], extra])
    res = learning_impact(tables, as_of=dt.date(2025, 12, 31), config=LearningImpactConfig(learner_max_iter=5))
    row = res.effects.filter(pl.col("cluster") == "zz").row(0, named=True)
    assert (row["n_exposed"], row["effect"], row["label"]) == (0, None, "insufficient_data")


def test_spline_ridge_learner_also_recovers_the_planted_effects(confounded) -> None:
    sim, _ = confounded
    res = learning_impact(sim.tables, config=LearningImpactConfig(learner="spline_ridge"))
    for cluster, lo, hi in res.effects.select("cluster", "ci_low", "ci_high").rows():
        assert lo <= sim.effects[cluster] <= hi, cluster


def test_unknown_learner_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="learner = 'forest' is not allowed: it must be one of boosting, spline_ridge"):
        LearningImpactConfig(learner="forest")


def test_learner_is_configurable_from_toml_dict() -> None:
    from metrics.config import MetricsConfig

    cfg = MetricsConfig.from_dict({"learning_impact": {"learner": "spline_ridge", "seed": 3}})
    assert (cfg.learning_impact.learner, cfg.learning_impact.seed) == ("spline_ridge", 3)
