"""Cross-fitted partialling-out (double machine learning, partially linear model).

Model: ``y = theta * d + g(W) + e``. With folds grouped by employee, the
outcome ``y`` and the treatment ``d`` are each predicted from the controls
``W`` by a flexible learner fitted on the other folds (cross-fitting); with
residuals ``y~ = y - E^[y|W]`` and ``d~ = d - E^[d|W]``:

    theta = sum(y~ * d~) / sum(d~ ** 2)

The standard error is clustered by employee (sandwich)::

    psi_i = sum over employee i's rows of d~ * (y~ - theta * d~)
    var   = sum_i psi_i ** 2 / (sum d~ ** 2) ** 2  * G / (G - 1)

(``G`` = number of employees; the ``G/(G-1)`` small-sample factor is the one
statsmodels' ``cov_type="cluster"`` applies to a one-regressor OLS.) The
interval and the two-sided p-value use the normal distribution.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> w = rng.normal(size=(400, 1)); d = w[:, 0] + rng.normal(size=400)
>>> y = 0.5 * d + w[:, 0] + rng.normal(size=400)
>>> groups = np.repeat(np.arange(100), 4)
>>> folds = grouped_folds(groups, 5, seed=1)
>>> res = partial_out(y, d, w, groups, folds, LearnerSpec(max_iter=50))
>>> bool(res.ci_low < 0.5 < res.ci_high)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from threadpoolctl import threadpool_limits

ERR_TOO_FEW_GROUPS = "Cross-fitting needs at least {n_folds} employees (one per fold); got {n_groups}."
ERR_LENGTHS = "y, d, controls and groups must have the same number of rows."


#: Nuisance learners: gradient boosting (flexible, default) or additive splines + ridge (fast).
LEARNER_KINDS = ("boosting", "spline_ridge")
ERR_LEARNER_KIND = "Unknown nuisance learner '{kind}'; expected one of: {known}."


@dataclass(frozen=True)
class LearnerSpec:
    """Settings of the nuisance learner.

    Attributes
    ----------
    kind : {"boosting", "spline_ridge"}
        ``boosting``: scikit-learn ``HistGradientBoostingRegressor`` (captures
        non-linearities and interactions). ``spline_ridge``: cubic B-splines of
        the numeric columns, one-hot categories, ridge regression (additive, no
        interactions, ~10x faster).
    max_iter, max_leaf_nodes, learning_rate : boosting settings.
    early_stopping : bool
        Boosting stops when 10 rounds bring no gain on a 10% validation split
        of the training folds (seeded), at most ``max_iter`` rounds.
    seed : int
        ``random_state`` of the learner (results are deterministic).
    categorical : tuple of int
        Column indices of the controls holding category codes (native
        categorical splits for boosting, one-hot for spline_ridge).
    threads : int or None
        OpenMP/BLAS threads while fitting (None: all cores). One thread avoids
        the heavy slow-down of oversubscribed OpenMP on a shared machine.
    """

    max_iter: int = 100
    max_leaf_nodes: int = 15
    learning_rate: float = 0.1
    seed: int = 0
    categorical: tuple[int, ...] = ()
    kind: str = "boosting"
    early_stopping: bool = False
    threads: int | None = 1

    def make(self, n_columns: int | None = None):
        """A fresh, unfitted learner (``n_columns`` needed for spline_ridge).

        Example
        -------
        >>> LearnerSpec(max_iter=10).make().max_iter
        10
        """
        if self.kind == "spline_ridge":
            return _spline_ridge(n_columns or 0, self.categorical)
        if self.kind != "boosting":
            raise ValueError(ERR_LEARNER_KIND.format(kind=self.kind, known=", ".join(LEARNER_KINDS)))
        from sklearn.ensemble import HistGradientBoostingRegressor  # imported when a fit runs, not by every run

        return HistGradientBoostingRegressor(
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            learning_rate=self.learning_rate,
            early_stopping=self.early_stopping,
            validation_fraction=0.1,
            n_iter_no_change=10,
            random_state=self.seed,
            categorical_features=list(self.categorical) or None,
        )


def _spline_ridge(n_columns: int, categorical: tuple[int, ...]):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, SplineTransformer

    numeric = [i for i in range(n_columns) if i not in categorical]
    steps = [
        (
            "spline",
            make_pipeline(SimpleImputer(keep_empty_features=True), SplineTransformer(n_knots=5, degree=3)),
            numeric,
        )
    ]
    if categorical:
        steps.append(
            (
                "onehot",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=-1),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                list(categorical),
            )
        )
    return make_pipeline(ColumnTransformer(steps), Ridge(alpha=1.0))


@dataclass(frozen=True)
class ThetaEstimate:
    """One partialling-out estimate with its clustered interval."""

    theta: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_groups: int


@dataclass(frozen=True)
class PartialOutResult(ThetaEstimate):
    """A ``ThetaEstimate`` plus the cross-fitted residuals it came from."""

    y_residual: np.ndarray
    d_residual: np.ndarray


def grouped_folds(groups: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold number (0..n_folds-1) of every row; all rows of a group share a fold.

    ``GroupKFold(shuffle=True, random_state=seed)``: deterministic for a seed.

    Example
    -------
    >>> f = grouped_folds(np.array(["a", "a", "b", "c", "c"]), 3, seed=7)
    >>> bool(f[0] == f[1] and f[3] == f[4] and len(set(f.tolist())) == 3)
    True
    """
    groups = np.asarray(groups)
    n_groups = len(np.unique(groups))
    if n_groups < n_folds:
        raise ValueError(ERR_TOO_FEW_GROUPS.format(n_folds=n_folds, n_groups=n_groups))
    folds = np.empty(len(groups), dtype=np.int64)
    from sklearn.model_selection import GroupKFold

    splitter = GroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(groups)), groups=groups)):
        folds[test] = k
    return folds


def cross_fit_predict(controls: np.ndarray, target: np.ndarray, folds: np.ndarray, learner: LearnerSpec) -> np.ndarray:
    """Out-of-fold predictions of ``target`` from ``controls``.

    Example
    -------
    >>> x = np.arange(20, dtype=float).reshape(-1, 1)
    >>> p = cross_fit_predict(x, 2 * x[:, 0], np.arange(20) % 2, LearnerSpec(max_iter=5))
    >>> p.shape
    (20,)
    """
    pred = np.empty(len(target), dtype=np.float64)
    with threadpool_limits(limits=learner.threads):
        for k in np.unique(folds):
            test = folds == k
            model = learner.make(controls.shape[1]).fit(controls[~test], target[~test])
            pred[test] = model.predict(controls[test])
    return pred


def clustered_theta(
    y_residual: np.ndarray,
    d_residual: np.ndarray,
    groups: np.ndarray,
    confidence: float = 0.95,
    small_sample_correction: bool = True,
) -> ThetaEstimate:
    """theta = sum(y~ d~) / sum(d~^2) with a standard error clustered by group.

    Example
    -------
    >>> est = clustered_theta(np.array([1.0, 2.0, 0.0, -1.0]), np.array([1.0, 1.0, -1.0, -1.0]),
    ...                       np.array(["a", "a", "b", "b"]))
    >>> est.theta, est.n_groups
    (1.0, 2)
    """
    y_residual = np.asarray(y_residual, dtype=np.float64)
    d_residual = np.asarray(d_residual, dtype=np.float64)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    n = len(y_residual)
    sxx = float(np.dot(d_residual, d_residual))
    if n == 0 or sxx <= 0 or n_groups < 2:
        nan = float("nan")
        return ThetaEstimate(nan, nan, nan, nan, nan, n, n_groups)
    theta = float(np.dot(y_residual, d_residual) / sxx)
    score = d_residual * (y_residual - theta * d_residual)
    psi = np.bincount(codes, weights=score, minlength=n_groups)
    var = float(np.dot(psi, psi)) / sxx**2
    if small_sample_correction:
        var *= n_groups / (n_groups - 1)
    se = float(np.sqrt(var))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p_value = float(2 * stats.norm.sf(abs(theta) / se)) if se > 0 else float("nan")
    return ThetaEstimate(theta, se, theta - z * se, theta + z * se, p_value, n, n_groups)


def partial_out(
    y: np.ndarray,
    d: np.ndarray,
    controls: np.ndarray,
    groups: np.ndarray,
    folds: np.ndarray,
    learner: LearnerSpec,
    confidence: float = 0.95,
    small_sample_correction: bool = True,
    y_hat: np.ndarray | None = None,
) -> PartialOutResult:
    """Cross-fitted partialling-out estimate of ``theta`` in ``y = theta d + g(W) + e``.

    Parameters
    ----------
    y, d : np.ndarray
        Outcome and treatment, one value per row.
    controls : np.ndarray
        W, shape (rows, features); NaN allowed.
    groups : np.ndarray
        Cluster (employee) of each row, for the standard error.
    folds : np.ndarray
        Fold of each row (see ``grouped_folds``).
    learner : LearnerSpec
        Nuisance learner.
    y_hat : np.ndarray, optional
        Precomputed out-of-fold predictions of ``y`` from the same controls.

    Returns
    -------
    PartialOutResult
    """
    n = len(y)
    if not (len(d) == n == len(controls) == len(groups) == len(folds)):
        raise ValueError(ERR_LENGTHS)
    y = np.asarray(y, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    if y_hat is None:
        y_hat = cross_fit_predict(controls, y, folds, learner)
    d_hat = cross_fit_predict(controls, d, folds, learner)
    y_res = y - y_hat
    d_res = d - d_hat
    est = clustered_theta(y_res, d_res, groups, confidence, small_sample_correction)
    return PartialOutResult(**est.__dict__, y_residual=y_res, d_residual=d_res)


def fold_r2(y: np.ndarray, prediction: np.ndarray, folds: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation across folds of the held-out R².

    Example
    -------
    >>> fold_r2(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1]))
    (1.0, 0.0)
    """
    from sklearn.metrics import r2_score

    scores: Sequence[float] = [float(r2_score(y[folds == k], prediction[folds == k])) for k in np.unique(folds)]
    return float(np.mean(scores)), float(np.std(scores))
