"""Issue 13: the joint estimator, integer fold codes, chunked features, stored fits, background runner."""

from __future__ import annotations

import datetime as dt
import threading
import time

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from polars.testing import assert_frame_equal

from metrics.config import LearningImpactConfig, MetricsConfigError
from metrics.learning import _features
from metrics.learning._background import FitKey, FitRunner, request_learning_fit
from metrics.learning._dml import (
    LearnerSpec,
    SplineBasis,
    _spline_basis_transformer,
    clustered_joint,
    clustered_theta,
    cross_fit_jobs,
    cross_fit_many,
    cross_fit_ridge,
    grouped_folds,
    joint_partial_out,
)
from metrics.learning._features import build_learning_features
from metrics.learning._impact import employee_codes, estimate_learning_impact, learning_impact
from metrics.learning._stored import config_hash, load_fit, result_from_bytes, result_to_bytes
from sample_data.learning_simulation import simulate_learning_tables

FAST = LearningImpactConfig(learner_max_iter=40)


def test_folds_from_string_ids_equal_folds_from_their_integer_codes() -> None:
    ids = np.array([f"e{i:03d}" for i in np.random.default_rng(1).integers(0, 60, 300)], dtype=object)
    codes = np.unique(ids, return_inverse=True)[1]
    assert np.array_equal(grouped_folds(ids, 5, seed=7), grouped_folds(codes, 5, seed=7))


def test_employee_codes_follow_sorted_ids() -> None:
    obs = pl.DataFrame({"employee_id": ["e2", "e10", "e2", "e1"]})
    # sorted: e1 < e10 < e2
    assert employee_codes(obs).tolist() == [2, 1, 2, 0]


def test_clustered_joint_by_hand() -> None:
    # orthogonal treatments, D'D = 4 I: theta = D'y / 4 = [5/4, 3/4]
    d = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    y = np.array([2.0, 1.0, 0.0, -2.0])
    est = clustered_joint(y, d, np.array([0, 0, 1, 1]))
    assert est.theta.tolist() == [1.25, 0.75]
    # residuals y - D theta = [0, 0.5, 0.5, 0]; scores D_i r_i: [0, 0], [0.5, -0.5], [-0.5, 0.5], [0, 0]
    # psi_0 = [0.5, -0.5], psi_1 = [-0.5, 0.5]; V = (psi'psi) / 16 * G/(G-1) = [[1, -1], [-1, 1]] / 16
    assert est.se.tolist() == pytest.approx([0.25, 0.25], abs=1e-15)
    assert est.row(1).ci_low == pytest.approx(0.75 - 1.959964 * 0.25, abs=1e-6)


def test_clustered_joint_with_one_treatment_is_clustered_theta() -> None:
    rng = np.random.default_rng(4)
    d, y, g = rng.normal(size=50), rng.normal(size=50), np.repeat(np.arange(10), 5)
    joint = clustered_joint(y, d[:, None], g).row(0)
    single = clustered_theta(y, d, g)
    assert joint.theta == pytest.approx(single.theta, rel=1e-12)
    assert joint.se == pytest.approx(single.se, rel=1e-12)
    assert joint.p_value == pytest.approx(single.p_value, rel=1e-9)


def test_clustered_joint_matches_statsmodels_cluster_ols() -> None:
    rng = np.random.default_rng(5)
    n = 400
    d = rng.normal(size=(n, 3))
    g = np.repeat(np.arange(80), 5)
    y = d @ np.array([0.3, 0.0, -0.2]) + rng.normal(size=n) + rng.normal(size=80)[g]
    est = clustered_joint(y, d, g)
    ols = sm.OLS(y, d).fit(cov_type="cluster", cov_kwds={"groups": g})
    # statsmodels multiplies by G/(G-1) * (N-1)/(N-K); ours by G/(G-1) only
    factor = np.sqrt((n - 3) / (n - 1))
    assert est.theta == pytest.approx(ols.params, rel=1e-10)
    assert est.se == pytest.approx(ols.bse * factor, rel=1e-10)


def test_clustered_joint_leaves_out_an_all_zero_treatment() -> None:
    d = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 0.0], [-2.0, 0.0]])
    est = clustered_joint(np.array([1.0, -1.0, 2.0, -2.0]), d, np.array([0, 1, 2, 3]))
    assert est.theta[0] == pytest.approx(1.0)
    assert np.isnan(est.theta[1]) and np.isnan(est.se[1])


def test_joint_partial_out_recovers_planted_effects_under_confounding() -> None:
    rng = np.random.default_rng(0)
    n_emp, per = 400, 4
    g = np.repeat(np.arange(n_emp), per)
    x = rng.normal(size=(n_emp * per, 2))
    d = np.column_stack([x[:, 0] + rng.normal(size=len(g)), np.sin(x[:, 1]) + rng.normal(size=len(g))])
    y = d @ np.array([0.4, -0.25]) + x[:, 0] ** 2 + rng.normal(size=len(g))
    res = joint_partial_out(y, d, x, g, grouped_folds(g, 5, seed=2), LearnerSpec(max_iter=60))
    assert (res.estimate.ci_low < [0.4, -0.25]).all() and (res.estimate.ci_high > [0.4, -0.25]).all()
    assert res.y_residual.shape == (len(g),) and res.d_residual.shape == d.shape


def test_parallel_fits_give_the_same_predictions() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3))
    targets = np.column_stack([x[:, 0] + rng.normal(size=200), x[:, 1] * x[:, 2]])
    folds = np.arange(200) % 4
    serial = cross_fit_many(x, targets, folds, LearnerSpec(max_iter=20))
    parallel = cross_fit_many(x, targets, folds, LearnerSpec(max_iter=20), n_jobs=2)
    assert np.array_equal(serial, parallel)
    jobs = cross_fit_jobs([(x, targets[:, 0], folds), (x[:100], targets[:100, 1], folds[:100])], LearnerSpec(20))
    assert np.array_equal(jobs[0], serial[:, 0])
    assert jobs[1].shape == (100,)


def test_the_linear_learner_fits_every_target_in_one_solve_with_the_same_predictions() -> None:
    rng = np.random.default_rng(4)
    x = np.column_stack([rng.normal(size=300), rng.integers(0, 3, size=300)])
    targets = np.column_stack([np.sin(x[:, 0]) + x[:, 1], x[:, 0] ** 2, rng.normal(size=300)])
    folds = np.arange(300) % 5
    spec = LearnerSpec(kind="spline_ridge", categorical=(1,))
    together = cross_fit_many(x, targets, folds, spec)
    one_by_one = np.column_stack(cross_fit_jobs([(x, targets[:, j], folds) for j in range(3)], spec))
    np.testing.assert_allclose(together, one_by_one, rtol=0, atol=1e-10)
    assert cross_fit_many(x, targets[:, 1], folds, spec).shape == (300,)
    # and the one solve does learn: out-of-fold R² of the smooth targets is high
    r2 = 1 - ((together - targets) ** 2).sum(0) / ((targets - targets.mean(0)) ** 2).sum(0)
    assert r2[0] > 0.9 and r2[1] > 0.9 and r2[2] < 0.05


def test_the_spline_basis_equals_the_pipelines_column_transformer() -> None:
    rng = np.random.default_rng(1)
    x = np.column_stack(
        [rng.normal(size=500), rng.integers(0, 5, 500), rng.poisson(2, 500), rng.integers(0, 3, 500)]
    ).astype(float)
    x[3, 0] = np.nan  # a missing number takes the column's mean
    x[7, 3] = np.nan  # a missing category is a category of its own
    reference = _spline_basis_transformer(4, (1, 3)).fit_transform(x)
    np.testing.assert_array_equal(SplineBasis.of((x, (1, 3))).rows(np.arange(500)), reference)


def test_a_streamed_spline_basis_gives_the_predictions_of_the_whole_basis() -> None:
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.normal(size=400), rng.integers(0, 4, size=400)])
    d = rng.poisson(2.0, size=(400, 3)).astype(float)
    y = np.sin(x[:, 0]) + 0.3 * d[:, 0] + rng.normal(size=400)
    folds, keep = np.arange(400) % 5, np.flatnonzero(d[:, 1] > 1)
    streamed = SplineBasis.of((x, (1,)), (d, ()))
    whole = streamed.materialised()
    assert isinstance(whole, np.ndarray) and whole.shape == (400, streamed.width)
    assert streamed.materialised(budget_bytes=1) is streamed  # too big for the budget: kept streamed
    for rows in (None, keep):
        target, f = (y, folds) if rows is None else (y[keep], folds[keep])
        a = cross_fit_ridge(streamed, target, f, rows=rows, rows_per_chunk=37)
        b = cross_fit_ridge(whole, target, f, rows=rows)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def sim():
    return simulate_learning_tables(n_employees=300, seed=3)


@pytest.fixture(scope="module")
def both(sim):
    joint = learning_impact(sim.tables, config=FAST)
    per_cluster = learning_impact(sim.tables, config=LearningImpactConfig(learner_max_iter=40, estimator="per_cluster"))
    return joint, per_cluster


def test_joint_and_per_cluster_both_recover_the_planted_labels(sim, both) -> None:
    for res in both:
        labels = dict(res.effects.select("cluster", "label").iter_rows())
        assert labels == {"alpha": "predictive", "beta": "no_evidence", "gamma": "harmful"}
        for cluster, lo, hi in res.effects.select("cluster", "ci_low", "ci_high").rows():
            assert lo <= sim.effects[cluster] <= hi, cluster


def test_joint_and_per_cluster_have_the_same_frames(both) -> None:
    joint, per_cluster = both
    for name in ("effects", "naive", "model_check", "secondary"):
        assert getattr(joint, name).schema == getattr(per_cluster, name).schema, name
    assert joint.naive.equals(per_cluster.naive)
    # both model checks use the same folds, controls and learner in both estimators (the linear
    # learner solves several targets at once in the joint one: equal up to rounding)
    assert_frame_equal(joint.model_check, per_cluster.model_check, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


def test_joint_estimates_do_not_depend_on_n_jobs(sim) -> None:
    cfg = LearningImpactConfig(learner_max_iter=15)
    feats = build_learning_features(sim.tables)
    one = estimate_learning_impact(feats, cfg)
    two = estimate_learning_impact(feats, LearningImpactConfig(learner_max_iter=15, n_jobs=2))
    assert one.effects.equals(two.effects)
    assert one.secondary.equals(two.secondary)


def test_estimator_and_n_jobs_are_checked() -> None:
    with pytest.raises(MetricsConfigError, match="estimator = 'pooled' is not allowed: it must be one of joint"):
        LearningImpactConfig(estimator="pooled")
    with pytest.raises(MetricsConfigError, match="n_jobs = -1 is not allowed: it must be at least 0"):
        LearningImpactConfig(n_jobs=-1)


def test_chunked_features_equal_one_chunk_and_lazy_events(sim, monkeypatch) -> None:
    whole = build_learning_features(sim.tables)
    monkeypatch.setattr(_features, "JOIN_ROWS_PER_CHUNK", 50)
    tables = dict(sim.tables)
    tables["learning_events"] = tables["learning_events"].lazy()
    chunked = build_learning_features(tables, whole.as_of)
    assert chunked.observations.equals(whole.observations)
    assert chunked.exposures.equals(whole.exposures)


def test_chunks_cover_every_employee_once() -> None:
    bounds = _features._chunks(np.array([1, 3, 0, 2, 5]), np.array([4, 4, 9, 1, 0]), 6)
    assert bounds == [(0, 1), (1, 2), (2, 5)]
    covered = [i for lo, hi in bounds for i in range(lo, hi)]
    assert covered == [0, 1, 2, 3, 4]


def test_config_hash_ignores_only_the_speed_settings() -> None:
    base = config_hash(LearningImpactConfig())
    assert config_hash(LearningImpactConfig(n_jobs=0, learner_threads=2)) == base
    assert config_hash(LearningImpactConfig(estimator="per_cluster")) != base
    assert config_hash(LearningImpactConfig(exposure_window_days=180)) != base


def test_result_bytes_round_trip_and_damaged_bytes(both) -> None:
    joint, _ = both
    back = result_from_bytes(result_to_bytes(joint))
    assert back is not None
    for name in ("effects", "naive", "model_check", "secondary"):
        assert getattr(back, name).equals(getattr(joint, name)), name
    assert (back.n_observations, back.n_employees) == (joint.n_observations, joint.n_employees)
    assert result_from_bytes(b"not a zip") is None


def test_a_restarted_process_reuses_the_stored_fit(tmp_path, both) -> None:
    import subprocess
    import sys

    joint, _ = both
    env = {"TR_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}", "TR_STATE_DIR": str(tmp_path)}
    as_of = dt.date(2025, 12, 31)
    code = (
        "import sys, datetime as dt, polars as pl\n"
        "from metrics.learning import load_fit, save_fit\n"
        "from metrics.learning._stored import result_from_bytes\n"
        "if sys.argv[1] == 'save':\n"
        "    res = result_from_bytes(open(sys.argv[2], 'rb').read())\n"
        "    save_fit(res, 'v-test', dt.date(2025, 12, 31))\n"
        "else:\n"
        "    res = load_fit('v-test', dt.date(2025, 12, 31))\n"
        "    open(sys.argv[2], 'wb').write(b'none' if res is None else res.effects.write_csv().encode())\n"
    )
    blob = tmp_path / "result.bin"
    blob.write_bytes(result_to_bytes(joint))
    import os

    full_env = {**os.environ, **env}
    subprocess.run([sys.executable, "-c", code, "save", str(blob)], check=True, env=full_env)
    out = tmp_path / "out.csv"
    subprocess.run([sys.executable, "-c", code, "load", str(out)], check=True, env=full_env)
    assert out.read_text() == joint.effects.write_csv()
    assert (tmp_path / "store.db").exists()
    # another as-of date or configuration is not the stored one
    from data_sources.store import store_engine

    engine = store_engine(env["TR_STORE_URL"])
    assert load_fit("v-test", as_of, engine=engine) is not None
    assert load_fit("v-test", dt.date(2025, 6, 30), engine=engine) is None
    assert load_fit("v-test", as_of, LearningImpactConfig(seed=1), engine=engine) is None


def test_runner_runs_one_fit_per_key_and_reports_status() -> None:
    gate = threading.Event()
    calls: list[int] = []
    saved: list[FitKey] = []

    def slow():
        calls.append(1)
        gate.wait(10)
        return "result"

    runner = FitRunner(on_done=lambda key, result: saved.append(key))
    key = FitKey("v", dt.date(2025, 1, 1), "h")
    first = runner.submit(key, slow)
    second = runner.submit(key, slow)
    assert first.state in ("queued", "running") and second.pending
    deadline = time.monotonic() + 10
    while runner.status(key).state != "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    running = runner.status(key)
    assert running.state == "running" and running.started is not None
    gate.set()
    done = runner.wait(key, timeout=10)
    assert (done.state, done.result, len(calls), saved) == ("done", "result", 1, [key])
    assert done.finished >= done.started >= done.submitted
    # a done key is not fitted again
    assert runner.submit(key, slow).result == "result" and len(calls) == 1
    runner.shutdown()


def test_runner_reports_a_failure_in_one_line_and_retries_it() -> None:
    runner = FitRunner()
    key = FitKey("v", dt.date(2025, 1, 1), "h")

    def broken():
        raise ValueError("no ratings\nsecond line")

    runner.submit(key, broken)
    failed = runner.wait(key, timeout=10)
    assert (failed.state, failed.message) == ("failed", "The learning-impact fit failed: no ratings")
    assert runner.submit(key, lambda: 1).pending or runner.status(key).state == "done"
    assert runner.wait(key, timeout=10).result == 1
    runner.shutdown()


def test_runner_refuses_beyond_its_queue() -> None:
    gate = threading.Event()
    runner = FitRunner(workers=1, max_queued=1)
    keys = [FitKey("v", dt.date(2025, 1, 1), str(i)) for i in range(3)]
    statuses = [runner.submit(k, lambda: gate.wait(10)) for k in keys]
    # one running + one waiting is the bound: the third is refused, and is not remembered
    assert [s.state for s in statuses] == ["queued", "queued", "refused"]
    assert statuses[2].message == "1 learning-impact fits are already waiting; try again when one has finished."
    assert runner.status(keys[2]) is None
    gate.set()
    assert runner.wait(keys[1], timeout=10).state == "done"
    assert runner.submit(keys[2], lambda: 3).state == "queued"
    runner.shutdown()


def test_request_learning_fit_fits_once_then_reads_the_store(tmp_path) -> None:
    from data_sources.store import store_engine

    engine = store_engine(f"sqlite:///{tmp_path / 'fits.db'}")
    tables = simulate_learning_tables(n_employees=60, seed=5).tables
    cfg = LearningImpactConfig(learner_max_iter=10)
    as_of = dt.date(2025, 12, 31)
    runner = FitRunner()
    status = request_learning_fit(runner, "v-sim", as_of, lambda: tables, cfg, engine)
    assert status.pending and not status.from_store
    done = runner.wait(status.key, timeout=120)
    assert done.state == "done", done.message
    runner.shutdown()
    # a new runner (a restarted server) gets the stored result at once
    fresh = FitRunner()
    again = request_learning_fit(fresh, "v-sim", as_of, lambda: pytest.fail("no refit"), cfg, engine)
    assert again.state == "done" and again.from_store
    assert again.result.effects.equals(done.result.effects)
    fresh.shutdown()
