"""Learning impact: which microlearning clusters predict performance (``metrics.md`` §6).

"Strong performers take more courses" is not "courses make strong
performers". The effect of a cluster is therefore estimated by cross-fitted
partialling-out (double machine learning, partially linear model; see
``metrics.learning._dml``): for each cluster k, the rating and the exposure to k are
each predicted from the controls (previous rating and its missing-indicator,
role level, tenure, team, ladder) plus the other clusters' exposures, with a
gradient-boosting learner fitted on the other folds (5 folds grouped by
employee); the effect is the slope of the rating residual on the exposure
residual, in rating points per additional completed asset, with a standard
error clustered by employee, a 95% interval, a two-sided normal p-value and a
Benjamini–Hochberg q-value across the clusters that have enough data.

Labels: ``insufficient_data`` when fewer than ``min_exposed`` (30) distinct
employees were exposed; otherwise ``predictive`` (q < 0.05, effect > 0),
``harmful`` (q < 0.05, effect < 0) or ``no_evidence``.

Beside the effects the result carries the naive spreadsheet figure (mean
rating of exposed minus unexposed observations), a model check (grouped 5-fold
cross-validated R² with controls only and with controls plus exposures) and the
secondary view (spacing and difficulty).

Example
-------
>>> from sample_data.learning_simulation import simulate_learning_tables
>>> sim = simulate_learning_tables(n_employees=300, seed=3)
>>> cfg = LearningImpactConfig(learner_max_iter=30)
>>> res = learning_impact(sim.tables, config=cfg)
>>> res.effects.columns
['cluster', 'n_exposed', 'effect', 'ci_low', 'ci_high', 'p_value', 'q_value', 'label']
>>> res.effects["cluster"].to_list(), res.n_employees
(['alpha', 'beta', 'gamma'], 300)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from statsmodels.stats.multitest import multipletests
from threadpoolctl import threadpool_limits

from metrics.config import LearningImpactConfig
from metrics.learning._dml import (
    MULTI_OUTPUT_KINDS,
    LearnerSpec,
    SplineBasis,
    ThetaEstimate,
    clustered_joint,
    clustered_theta,
    cross_fit_jobs,
    cross_fit_predict,
    cross_fit_ridge,
    fold_r2,
    grouped_folds,
    partial_out,
)
from metrics.learning._features import (
    CATEGORICAL_CONTROLS,
    NUMERIC_CONTROLS,
    LearningFeatures,
    build_learning_features,
)

EFFECT_COLUMNS: tuple[str, ...] = (
    "cluster",
    "n_exposed",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "label",
)
NAIVE_COLUMNS: tuple[str, ...] = (
    "cluster",
    "mean_exposed",
    "mean_unexposed",
    "naive_difference",
    "n_exposed_obs",
    "n_unexposed_obs",
)
MODEL_CHECK_COLUMNS: tuple[str, ...] = ("model", "r2_mean", "r2_sd", "n_folds")
SECONDARY_COLUMNS: tuple[str, ...] = ("factor", "effect", "ci_low", "ci_high", "p_value", "n")

LABEL_PREDICTIVE = "predictive"
LABEL_HARMFUL = "harmful"
LABEL_NO_EVIDENCE = "no_evidence"
LABEL_INSUFFICIENT = "insufficient_data"

MODEL_CONTROLS = "controls"
MODEL_WITH_EXPOSURES = "controls_plus_exposures"
FACTOR_SPACING = "spacing (per {unit} days between completions)"
FACTOR_DIFFICULTY = "difficulty (per difficulty point)"

#: Category codes above this are pooled (the learner's native categorical limit).
MAX_CATEGORY_CODES = 250

_EFFECT_SCHEMA = {
    "cluster": pl.String,
    "n_exposed": pl.Int64,
    "effect": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
    "label": pl.String,
}
_SECONDARY_SCHEMA = {
    "factor": pl.String,
    "effect": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "n": pl.Int64,
}


@dataclass(frozen=True)
class LearningImpactResult:
    """Everything the learning-impact view shows.

    Attributes
    ----------
    effects : pl.DataFrame
        ``EFFECT_COLUMNS``, one row per cluster (sorted).
    naive : pl.DataFrame
        ``NAIVE_COLUMNS``: the raw exposed-minus-unexposed mean rating per cluster.
    model_check : pl.DataFrame
        ``MODEL_CHECK_COLUMNS``: grouped cross-validated R², controls only and
        controls plus exposures.
    secondary : pl.DataFrame
        ``SECONDARY_COLUMNS``: spacing and difficulty effects.
    n_observations, n_employees : int
        Rows (employee × period end) and distinct employees analysed.
    """

    effects: pl.DataFrame
    naive: pl.DataFrame
    model_check: pl.DataFrame
    secondary: pl.DataFrame
    n_observations: int
    n_employees: int


def learning_impact(
    tables: Mapping[str, pl.DataFrame],
    as_of: dt.date | None = None,
    config: LearningImpactConfig | None = None,
) -> LearningImpactResult:
    """Build the features and estimate every cluster's effect (a pure function).

    Parameters
    ----------
    tables : mapping of str to pl.DataFrame
        Canonical tables (employees, roles, assets, learning_events,
        performance; movements optional).
    as_of : datetime.date, optional
        T; default ``metrics.common.default_as_of``.
    config : LearningImpactConfig, optional
        Parameters; default the spec's.

    Returns
    -------
    LearningImpactResult
    """
    cfg = config or LearningImpactConfig()
    return estimate_learning_impact(build_learning_features(tables, as_of, cfg), cfg)


def category_codes(values: pl.Series) -> np.ndarray:
    """Integer codes of a category column, most frequent first (ties by name);
    codes beyond ``MAX_CATEGORY_CODES`` are pooled; null is NaN.

    Example
    -------
    >>> category_codes(pl.Series(["b", "a", "b", None])).tolist()
    [0.0, 1.0, 0.0, nan]
    """
    counts = (
        values.drop_nulls()
        .value_counts(name="n")
        .sort(["n", values.name], descending=[True, False])
        .with_row_index("code")
        .select(pl.col(values.name), pl.col("code").cast(pl.Float64).clip(0, MAX_CATEGORY_CODES))
    )
    return (
        values.to_frame()
        .join(counts, on=values.name, how="left", maintain_order="left")
        .get_column("code")
        .to_numpy()
        .astype(np.float64)
    )


def control_matrix(observations: pl.DataFrame) -> tuple[np.ndarray, tuple[int, ...]]:
    """The controls X as a float matrix, and the indices of its categorical columns.

    Columns: ``NUMERIC_CONTROLS`` then ``CATEGORICAL_CONTROLS`` as codes
    (the gradient-boosting learner splits on categories natively).

    Example
    -------
    >>> obs = pl.DataFrame({"prev_rating": [3.0], "prev_missing": [0], "role_level": [2],
    ...     "tenure_years": [1.5], "team": ["T"], "ladder": ["eng"]})
    >>> x, cat = control_matrix(obs)
    >>> x.tolist(), cat
    ([[3.0, 0.0, 2.0, 1.5, 0.0, 0.0]], (4, 5))
    """
    numeric = observations.select([pl.col(c).cast(pl.Float64) for c in NUMERIC_CONTROLS]).to_numpy()
    cats = [category_codes(observations.get_column(c)) for c in CATEGORICAL_CONTROLS]
    x = np.column_stack([numeric, *cats]) if len(observations) else np.empty((0, 6))
    n_num = len(NUMERIC_CONTROLS)
    return x.astype(np.float64), tuple(range(n_num, n_num + len(CATEGORICAL_CONTROLS)))


def naive_differences(features: LearningFeatures) -> pl.DataFrame:
    """The spreadsheet figure: mean rating of exposed (exposure > 0) minus
    unexposed observations, per cluster. Not an effect: it mixes in who chooses
    to learn.

    Example
    -------
    >>> from metrics.learning._features import _example_tables
    >>> nd = naive_differences(build_learning_features(_example_tables()))
    >>> nd.select("cluster", "naive_difference").rows()
    [('A', None), ('B', 1.0)]
    """
    rating = features.observations.get_column("rating")
    rows = []
    for c in features.clusters:
        exposed = features.exposures.get_column(c) > 0
        rows.append(
            {
                "cluster": c,
                "mean_exposed": rating.filter(exposed).mean(),
                "mean_unexposed": rating.filter(~exposed).mean(),
                "n_exposed_obs": int(exposed.sum()),
                "n_unexposed_obs": int((~exposed).sum()),
            }
        )
    schema = {
        "cluster": pl.String,
        "mean_exposed": pl.Float64,
        "mean_unexposed": pl.Float64,
        "n_exposed_obs": pl.Int64,
        "n_unexposed_obs": pl.Int64,
    }
    return (
        pl.DataFrame(rows, schema=schema)
        .with_columns((pl.col("mean_exposed") - pl.col("mean_unexposed")).alias("naive_difference"))
        .select(NAIVE_COLUMNS)
    )


def exposed_employees(features: LearningFeatures) -> dict[str, int]:
    """Distinct employees with exposure > 0 in at least one observation, per cluster.

    Example
    -------
    >>> from metrics.learning._features import _example_tables
    >>> exposed_employees(build_learning_features(_example_tables()))
    {'A': 1, 'B': 1}
    """
    if not features.clusters:
        return {}
    row = features.exposures.select(
        [pl.col("employee_id").filter(pl.col(c) > 0).n_unique().alias(c) for c in features.clusters]
    ).row(0, named=True)
    return {c: int(row[c]) for c in features.clusters}


def label_effects(effects: pl.DataFrame, config: LearningImpactConfig) -> pl.DataFrame:
    """Add ``q_value`` (Benjamini–Hochberg) and ``label`` to per-cluster estimates.

    q-values are computed across the clusters with at least ``min_exposed``
    exposed employees and a p-value (the family that gets labelled); others
    get a null q-value.

    Parameters
    ----------
    effects : pl.DataFrame
        ``cluster, n_exposed, effect, ci_low, ci_high, p_value``.
    config : LearningImpactConfig

    Example
    -------
    >>> est = pl.DataFrame({"cluster": ["a", "b", "c"], "n_exposed": [40, 40, 10],
    ...     "effect": [0.2, -0.1, 0.5], "ci_low": [0.1, -0.3, 0.1], "ci_high": [0.3, 0.1, 0.9],
    ...     "p_value": [0.01, 0.04, 0.001]})
    >>> label_effects(est, LearningImpactConfig()).select("q_value", "label").rows()
    [(0.02, 'predictive'), (0.04, 'harmful'), (None, 'insufficient_data')]
    """
    tested = (pl.col("n_exposed") >= config.min_exposed) & pl.col("p_value").is_not_nan()
    frame = effects.with_row_index("_row").with_columns(
        pl.col("p_value").fill_nan(None),
        pl.col("effect").fill_nan(None),
        pl.col("ci_low").fill_nan(None),
        pl.col("ci_high").fill_nan(None),
    )
    family = frame.filter(tested.fill_null(False))
    q = pl.DataFrame(schema={"_row": pl.UInt32, "q_value": pl.Float64})
    if family.height:
        q_values = multipletests(family["p_value"].to_numpy(), method="fdr_bh")[1]
        q = pl.DataFrame({"_row": family["_row"], "q_value": q_values.astype(np.float64)})
    significant = pl.col("q_value") < config.q_threshold
    return (
        frame.join(q, on="_row", how="left")
        .sort("_row")
        .with_columns(
            pl.when(pl.col("n_exposed") < config.min_exposed)
            .then(pl.lit(LABEL_INSUFFICIENT))
            .when(significant & (pl.col("effect") > 0))
            .then(pl.lit(LABEL_PREDICTIVE))
            .when(significant & (pl.col("effect") < 0))
            .then(pl.lit(LABEL_HARMFUL))
            .otherwise(pl.lit(LABEL_NO_EVIDENCE))
            .alias("label")
        )
        .select(EFFECT_COLUMNS)
    )


def _learner(config: LearningImpactConfig, categorical: tuple[int, ...]) -> LearnerSpec:
    return LearnerSpec(
        max_iter=config.learner_max_iter,
        max_leaf_nodes=config.learner_max_leaf_nodes,
        learning_rate=config.learner_learning_rate,
        seed=config.seed,
        categorical=categorical,
        kind=config.learner,
        early_stopping=config.learner_early_stopping,
        threads=config.learner_threads or None,
    )


def _estimate_row(cluster: str, n_exposed: int, est: ThetaEstimate | None) -> dict:
    if est is None:
        return {"cluster": cluster, "n_exposed": n_exposed}
    return {
        "cluster": cluster,
        "n_exposed": n_exposed,
        "effect": est.theta,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "p_value": est.p_value,
    }


def estimate_learning_impact(
    features: LearningFeatures, config: LearningImpactConfig | None = None
) -> LearningImpactResult:
    """Cross-fitted partialling-out effect of every cluster, plus naive, model
    check and secondary frames.

    Parameters
    ----------
    features : LearningFeatures
        From ``build_learning_features``.
    config : LearningImpactConfig, optional

    Returns
    -------
    LearningImpactResult
        When there are fewer employees than folds, every estimate is null.

    Example
    -------
    >>> from metrics.learning._features import _example_tables
    >>> res = estimate_learning_impact(build_learning_features(_example_tables()))
    >>> res.effects.select("cluster", "n_exposed", "effect", "label").rows()
    [('A', 1, None, 'insufficient_data'), ('B', 1, None, 'insufficient_data')]
    """
    cfg = config or LearningImpactConfig()
    obs = features.observations
    n_obs = obs.height
    groups = employee_codes(obs)
    n_employees = int(groups.max()) + 1 if n_obs else 0
    exposed = exposed_employees(features)
    naive = naive_differences(features)
    clusters = features.clusters
    if n_employees < cfg.n_folds:
        effects = pl.DataFrame(
            [_estimate_row(c, exposed[c], None) for c in clusters],
            schema={k: v for k, v in _EFFECT_SCHEMA.items() if k not in ("q_value", "label")},
        )
        return LearningImpactResult(
            label_effects(effects, cfg),
            naive,
            _model_check_frame([]),
            pl.DataFrame(schema=_SECONDARY_SCHEMA),
            n_obs,
            n_employees,
        )
    x, categorical = control_matrix(obs)
    d_all = features.exposures.select(clusters).to_numpy().astype(np.float64).reshape(n_obs, -1)
    y = obs.get_column("rating").to_numpy().astype(np.float64)
    folds = grouped_folds(groups, cfg.n_folds, cfg.seed)
    learner = _learner(cfg, categorical)
    if cfg.estimator == "per_cluster":
        rows = _per_cluster_rows(clusters, exposed, x, d_all, y, groups, folds, learner, cfg)
        check = _model_check(x, d_all, y, folds, learner)
        secondary = _secondary(features, x, d_all, y, groups, cfg, learner)
    else:
        rows, check, secondary = _joint(features, exposed, x, d_all, y, groups, folds, learner, cfg)
    effects = pl.DataFrame(rows, schema={k: v for k, v in _EFFECT_SCHEMA.items() if k not in ("q_value", "label")})
    return LearningImpactResult(label_effects(effects, cfg), naive, check, secondary, n_obs, n_employees)


def employee_codes(observations: pl.DataFrame) -> np.ndarray:
    """Integer code of each observation's employee (0..G-1 in sorted id order).

    Example
    -------
    >>> employee_codes(pl.DataFrame({"employee_id": ["b", "a", "b"]})).tolist()
    [1, 0, 1]
    """
    if observations.height == 0:
        return np.empty(0, dtype=np.int64)
    return (observations.get_column("employee_id").rank("dense") - 1).cast(pl.Int64).to_numpy()


def _per_cluster_rows(
    clusters: tuple[str, ...],
    exposed: dict[str, int],
    x: np.ndarray,
    d_all: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    folds: np.ndarray,
    learner: LearnerSpec,
    cfg: LearningImpactConfig,
) -> list[dict]:
    """One partialling-out per cluster, the other clusters' exposures among the controls."""
    rows = []
    for k, c in enumerate(clusters):
        if exposed[c] == 0:
            rows.append(_estimate_row(c, 0, None))
            continue
        w = np.column_stack([x, np.delete(d_all, k, axis=1)])
        est = partial_out(y, d_all[:, k], w, groups, folds, learner, cfg.confidence, cfg.small_sample_correction)
        rows.append(_estimate_row(c, exposed[c], est))
    return rows


def _secondary_factors(features: LearningFeatures, cfg: LearningImpactConfig) -> list[tuple[str, pl.Series]]:
    obs = features.observations
    return [
        (
            FACTOR_SPACING.format(unit=cfg.spacing_unit_days),
            obs.get_column("spacing_days").cast(pl.Float64) / cfg.spacing_unit_days,
        ),
        (FACTOR_DIFFICULTY, obs.get_column("difficulty").cast(pl.Float64)),
    ]


def _joint(
    features: LearningFeatures,
    exposed: dict[str, int],
    x: np.ndarray,
    d_all: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    folds: np.ndarray,
    learner: LearnerSpec,
    cfg: LearningImpactConfig,
) -> tuple[list[dict], pl.DataFrame, pl.DataFrame]:
    """The joint estimator: every learner fit of the stage submitted in one batch.

    Fits per fold: the rating and each exposed cluster's exposure on the
    controls X (the effects, and the controls-only model check); the rating
    on X plus all exposures (the second model check, and the outcome
    nuisance of the secondary view); each secondary factor on X plus all
    exposures, on the rows where it is defined. The rows where a factor is
    defined are a function of the exposures (difficulty: at least one
    completion; spacing: two in one cluster), so the rating's prediction from
    X and the exposures fitted on all rows is its conditional mean on those
    rows too.
    """
    clusters = features.clusters
    treated = [k for k, c in enumerate(clusters) if exposed[c] > 0]
    factors = []
    for name, values in _secondary_factors(features, cfg):
        keep = values.is_not_null().to_numpy()
        usable = len(np.unique(folds[keep])) == cfg.n_folds and len(np.unique(groups[keep])) >= cfg.n_folds
        factors.append((name, values.to_numpy()[keep] if usable else None, keep))
    if learner.kind in MULTI_OUTPUT_KINDS:
        # the controls' and the exposures' spline bases built once each (a basis column depends on its
        # input column alone, so [controls, exposures]'s basis is the two side by side); then one ridge
        # solve per fold for the rating and every exposure on the controls, one on both, one per factor
        with threadpool_limits(limits=learner.threads):
            # each basis built once and kept when it fits in memory, else streamed in chunks of rows
            basis_x = SplineBasis.of((x, learner.categorical)).materialised()
            basis_w = SplineBasis.of((x, learner.categorical), (d_all, ())).materialised()
            on_x = cross_fit_ridge(basis_x, np.column_stack([y, d_all[:, treated]]), folds)
            y_hat, y_hat_all = on_x[:, 0], cross_fit_ridge(basis_w, y, folds)
            d_hat = [on_x[:, 1 + j] for j in range(len(treated))]
            factor_hats = iter(
                [
                    cross_fit_ridge(basis_w, v, folds[keep], rows=np.flatnonzero(keep))
                    for _, v, keep in factors
                    if v is not None
                ]
            )
    else:
        w_all = np.column_stack([x, d_all])
        jobs = [(x, y, folds), (w_all, y, folds)]
        jobs += [(x, d_all[:, k], folds) for k in treated]
        jobs += [(w_all[keep], v, folds[keep]) for _, v, keep in factors if v is not None]
        preds = cross_fit_jobs(jobs, learner, cfg.n_jobs)
        y_hat, y_hat_all = preds[0], preds[1]
        d_hat = preds[2 : 2 + len(treated)]
        factor_hats = iter(preds[2 + len(treated) :])

    rows = [_estimate_row(c, 0, None) for c in clusters]
    if treated:
        d_res = d_all[:, treated] - np.column_stack(d_hat)
        est = clustered_joint(y - y_hat, d_res, groups, cfg.confidence, cfg.small_sample_correction)
        for j, k in enumerate(treated):
            rows[k] = _estimate_row(clusters[k], exposed[clusters[k]], est.row(j))
    check_rows = []
    for name, pred in ((MODEL_CONTROLS, y_hat), (MODEL_WITH_EXPOSURES, y_hat_all)):
        mean, sd = fold_r2(y, pred, folds)
        check_rows.append({"model": name, "r2_mean": mean, "r2_sd": sd, "n_folds": cfg.n_folds})
    secondary_rows = []
    for name, v, keep in factors:
        row: dict = {"factor": name, "n": int(keep.sum())}
        if v is not None:
            y_res = y[keep] - y_hat_all[keep]
            theta = clustered_theta(
                y_res, v - next(factor_hats), groups[keep], cfg.confidence, cfg.small_sample_correction
            )
            row.update(effect=theta.theta, ci_low=theta.ci_low, ci_high=theta.ci_high, p_value=theta.p_value)
        secondary_rows.append(row)
    return rows, _model_check_frame(check_rows), _secondary_frame(secondary_rows)


def _secondary_frame(rows: list[dict]) -> pl.DataFrame:
    return (
        pl.DataFrame(rows, schema=_SECONDARY_SCHEMA)
        .with_columns(pl.col(c).fill_nan(None) for c in ("effect", "ci_low", "ci_high", "p_value"))
        .select(SECONDARY_COLUMNS)
    )


def _model_check_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"model": pl.String, "r2_mean": pl.Float64, "r2_sd": pl.Float64, "n_folds": pl.Int64},
    )


def _model_check(
    x: np.ndarray, d_all: np.ndarray, y: np.ndarray, folds: np.ndarray, learner: LearnerSpec
) -> pl.DataFrame:
    """Grouped cross-validated R² with controls only, and with exposures added."""
    n_folds = len(np.unique(folds))
    rows = []
    for name, w in ((MODEL_CONTROLS, x), (MODEL_WITH_EXPOSURES, np.column_stack([x, d_all]))):
        mean, sd = fold_r2(y, cross_fit_predict(w, y, folds, learner), folds)
        rows.append({"model": name, "r2_mean": mean, "r2_sd": sd, "n_folds": n_folds})
    return _model_check_frame(rows)


def _secondary(
    features: LearningFeatures,
    x: np.ndarray,
    d_all: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    cfg: LearningImpactConfig,
    learner: LearnerSpec,
) -> pl.DataFrame:
    """Spacing and difficulty: the same partialling-out, on the observations
    where the factor is defined, with controls X plus all exposures."""
    factors = _secondary_factors(features, cfg)
    w_all = np.column_stack([x, d_all])
    rows = []
    for name, values in factors:
        keep = values.is_not_null().to_numpy()
        n = int(keep.sum())
        row: dict = {"factor": name, "n": n}
        sub_groups = groups[keep]
        if len(np.unique(sub_groups)) >= cfg.n_folds:
            folds = grouped_folds(sub_groups, cfg.n_folds, cfg.seed)
            est = partial_out(
                y[keep],
                values.to_numpy()[keep],
                w_all[keep],
                sub_groups,
                folds,
                learner,
                cfg.confidence,
                cfg.small_sample_correction,
            )
            row.update(effect=est.theta, ci_low=est.ci_low, ci_high=est.ci_high, p_value=est.p_value)
        rows.append(row)
    return _secondary_frame(rows)


__all__ = [
    "EFFECT_COLUMNS",
    "MODEL_CHECK_COLUMNS",
    "NAIVE_COLUMNS",
    "SECONDARY_COLUMNS",
    "LearningImpactResult",
    "category_codes",
    "control_matrix",
    "estimate_learning_impact",
    "exposed_employees",
    "label_effects",
    "learning_impact",
    "naive_differences",
]
