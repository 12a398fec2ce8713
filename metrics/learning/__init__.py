"""Learning impact (spec §6) and the asset portfolio (spec §7).

Which microlearning clusters predict on-the-job performance, estimated by
cross-fitted partialling-out, and what to retire, improve or celebrate. The
public names below are the family's interface; the modules behind them
(``_features``, ``_dml``, ``_impact``, ``_assets``, ``_recommendations``,
``_stored``, ``_background``) are private and may change.

Example
-------
>>> from metrics.learning import LABELS
>>> LABELS
('predictive', 'harmful', 'no_evidence', 'insufficient_data')
"""

from metrics.learning._assets import PORTFOLIO_COLUMNS, activity_from_aggregates, asset_activity, asset_portfolio
from metrics.learning._background import (
    STATE_DONE,
    STATE_FAILED,
    STATE_REFUSED,
    FitKey,
    FitRunner,
    FitStatus,
    request_learning_fit,
)
from metrics.learning._dml import (
    LearnerSpec,
    clustered_joint,
    clustered_theta,
    grouped_folds,
    joint_partial_out,
    partial_out,
)
from metrics.learning._features import (
    COMPLETION_VERBS,
    EXPOSURE_DESCRIPTIONS,
    EXPOSURE_UNITS,
    LearningFeatures,
    assemble_features,
    build_learning_features,
    catalogue_clusters,
    exposure_description,
    observation_controls,
)
from metrics.learning._impact import (
    EFFECT_COLUMNS,
    LABEL_HARMFUL,
    LABEL_INSUFFICIENT,
    LABEL_NO_EVIDENCE,
    LABEL_PREDICTIVE,
    LearningImpactResult,
    estimate_learning_impact,
    learning_impact,
)
from metrics.learning._recommendations import completed_assets, completed_assets_by_employee, recommend_assets
from metrics.learning._stored import config_hash, load_fit, save_fit

#: Every label a cluster can carry, in the order the pages list them.
LABELS: tuple[str, ...] = (LABEL_PREDICTIVE, LABEL_HARMFUL, LABEL_NO_EVIDENCE, LABEL_INSUFFICIENT)

__all__ = [
    "COMPLETION_VERBS",
    "EFFECT_COLUMNS",
    "EXPOSURE_DESCRIPTIONS",
    "EXPOSURE_UNITS",
    "LABELS",
    "LABEL_HARMFUL",
    "LABEL_INSUFFICIENT",
    "LABEL_NO_EVIDENCE",
    "LABEL_PREDICTIVE",
    "PORTFOLIO_COLUMNS",
    "STATE_DONE",
    "STATE_FAILED",
    "STATE_REFUSED",
    "FitKey",
    "FitRunner",
    "FitStatus",
    "LearnerSpec",
    "LearningFeatures",
    "LearningImpactResult",
    "activity_from_aggregates",
    "assemble_features",
    "asset_activity",
    "asset_portfolio",
    "build_learning_features",
    "catalogue_clusters",
    "clustered_joint",
    "clustered_theta",
    "completed_assets",
    "completed_assets_by_employee",
    "config_hash",
    "estimate_learning_impact",
    "exposure_description",
    "grouped_folds",
    "joint_partial_out",
    "learning_impact",
    "load_fit",
    "observation_controls",
    "partial_out",
    "recommend_assets",
    "request_learning_fit",
    "save_fit",
]
