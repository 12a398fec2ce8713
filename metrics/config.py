"""Every metric parameter of ``metrics.md`` in one frozen configuration object.

The defaults are the spec's. A TOML file may override any of them::

    [proficiency]
    half_life_days = 180

    [proficiency.type_weights]
    self_assessment = 0.1

    [equity]
    min_group_size = 15

Example
-------
>>> cfg = MetricsConfig()
>>> cfg.readiness.ready_now_min
0.9
>>> MetricsConfig.from_dict({"equity": {"min_group_size": 15}}).equity.min_group_size
15
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

ERR_UNKNOWN_SECTION = "Unknown metrics configuration section [{section}]; expected one of: {known}."
ERR_UNKNOWN_KEY = "Unknown key '{key}' in metrics configuration section [{section}]; expected one of: {known}."
ERR_FILE = "Metrics configuration {file}: {detail}"
ERR_LAYER = "In {where}: {detail}"
ERR_NOT_A_TABLE = "Metrics configuration section [{section}] must be a table of keys, got {value!r}."
ERR_TYPE = "Metrics configuration [{section}] {key} must be {expected}, got {value!r}."
ERR_VALUE = "Metrics configuration [{section}] {key} = {value!r} is not allowed: {rule}."
ERR_ORDER = "Metrics configuration [{section}]: {low} ({low_value}) must be below {high} ({high_value})."


class MetricsConfigError(ValueError):
    """A metrics configuration value that is refused; the message is one plain line."""


def _require(section: str, key: str, value: Any, ok: bool, rule: str) -> None:
    if not ok:
        raise MetricsConfigError(ERR_VALUE.format(section=section, key=key, value=value, rule=rule))


def _require_order(section: str, low: str, low_value: float, high: str, high_value: float) -> None:
    if not low_value < high_value:
        raise MetricsConfigError(
            ERR_ORDER.format(section=section, low=low, low_value=low_value, high=high, high_value=high_value)
        )


def _positive(section: str, key: str, value: float) -> None:
    _require(section, key, value, math.isfinite(value) and value > 0, "it must be a number above 0")


def _fraction(section: str, key: str, value: float) -> None:
    _require(section, key, value, 0 < value <= 1, "it must be above 0 and at most 1")


def _open_unit(section: str, key: str, value: float) -> None:
    _require(section, key, value, 0 < value < 1, "it must be strictly between 0 and 1")


def _at_least(section: str, key: str, value: int, floor: int) -> None:
    _require(section, key, value, value >= floor, f"it must be at least {floor}")


#: The smallest group size the product accepts for suppression (below it counts identify people).
MIN_GROUP_SIZE_FLOOR = 5


def _frozen_map(d: Mapping[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class ProficiencyConfig:
    """Section 1: demonstrated proficiency."""

    type_weights: Mapping[str, float] = field(
        default_factory=lambda: _frozen_map(
            {
                "performance_task": 1.0,
                "rubric_review": 1.0,
                "customer_outcome": 0.9,
                "credential": 0.8,
                "manager_endorsement": 0.7,
                "peer_feedback": 0.5,
                "self_assessment": 0.2,
            }
        )
    )
    verified_factor: float = 1.0
    unverified_factor: float = 0.5
    half_life_days: float = 365.0
    evidence_threshold: float = 1.0
    #: Absolute slack when comparing summed weights with the threshold, so a
    #: sum that is 1.0 up to floating-point rounding still qualifies.
    tolerance: float = 1e-9

    def __post_init__(self) -> None:
        for kind, weight in self.type_weights.items():
            _positive("proficiency.type_weights", kind, weight)
        _positive("proficiency", "verified_factor", self.verified_factor)
        _positive("proficiency", "unverified_factor", self.unverified_factor)
        _positive("proficiency", "half_life_days", self.half_life_days)
        _positive("proficiency", "evidence_threshold", self.evidence_threshold)
        _require("proficiency", "tolerance", self.tolerance, 0 <= self.tolerance < 1e-3, "it must be in [0, 0.001)")


@dataclass(frozen=True)
class ReadinessConfig:
    """Sections 2 and 3: readiness bands."""

    ready_now_min: float = 0.90
    ready_soon_min: float = 0.70
    #: Absolute slack when comparing readiness with the band boundaries.
    tolerance: float = 1e-9

    def __post_init__(self) -> None:
        _fraction("readiness", "ready_now_min", self.ready_now_min)
        _fraction("readiness", "ready_soon_min", self.ready_soon_min)
        _require_order("readiness", "ready_soon_min", self.ready_soon_min, "ready_now_min", self.ready_now_min)
        _require("readiness", "tolerance", self.tolerance, 0 <= self.tolerance < 1e-3, "it must be in [0, 0.001)")


@dataclass(frozen=True)
class CapabilityRiskConfig:
    """Section 4: capability risk."""

    priority_weights: Mapping[int, float] = field(default_factory=lambda: _frozen_map({1: 1.0, 2: 0.6, 3: 0.3}))
    high_min: float = 0.5
    medium_min: float = 0.2
    #: Absolute slack when comparing risk with the band boundaries.
    tolerance: float = 1e-9

    def __post_init__(self) -> None:
        for priority, weight in self.priority_weights.items():
            _positive("capability_risk.priority_weights", str(priority), weight)
        _fraction("capability_risk", "high_min", self.high_min)
        _fraction("capability_risk", "medium_min", self.medium_min)
        _require_order("capability_risk", "medium_min", self.medium_min, "high_min", self.high_min)
        _require("capability_risk", "tolerance", self.tolerance, 0 <= self.tolerance < 1e-3, "it must be in [0, 0.001)")


#: ``EquityConfig.reference`` values with a meaning; any other value names a group.
REFERENCE_HIGHEST_RATE = "highest_rate"
REFERENCE_LARGEST = "largest"


@dataclass(frozen=True)
class EquityConfig:
    """Section 5: progression equity."""

    attributes: tuple[str, ...] = ("gender", "ethnicity", "age_band", "disability")
    window_months: int = 12
    min_group_size: int = 10
    four_fifths: float = 0.8
    alpha: float = 0.05
    confidence: float = 0.95
    flip_n: int = 2
    intersections: bool = True  # also every pair of the attributes present, e.g. gender × ethnicity
    #: The reference group: "highest_rate" (the spec's rule: the highest rate among groups of at
    #: least reference_min_size people and reference_min_share of the eligible, never "Not
    #: disclosed"; else the largest group), "largest", or the name of a group.
    reference: str = REFERENCE_HIGHEST_RATE
    reference_min_size: int = 30
    reference_min_share: float = 0.02
    #: Pipeline figures of a group are marked insufficient when its assessed people had, on
    #: average, evidence dated on or before the window start for fewer than this share of
    #: their next role's required competencies.
    pipeline_min_evidence_share: float = 0.5

    def __post_init__(self) -> None:
        _require(
            "equity",
            "attributes",
            self.attributes,
            all(isinstance(a, str) and a for a in self.attributes),
            "every attribute must be a non-empty column name",
        )
        _at_least("equity", "window_months", self.window_months, 1)
        _at_least("equity", "min_group_size", self.min_group_size, MIN_GROUP_SIZE_FLOOR)
        _fraction("equity", "four_fifths", self.four_fifths)
        _open_unit("equity", "alpha", self.alpha)
        _open_unit("equity", "confidence", self.confidence)
        _at_least("equity", "flip_n", self.flip_n, 0)
        _require(
            "equity",
            "reference",
            self.reference,
            isinstance(self.reference, str) and self.reference.strip() != "",
            f'it must be "{REFERENCE_HIGHEST_RATE}", "{REFERENCE_LARGEST}" or the name of a group',
        )
        _at_least("equity", "reference_min_size", self.reference_min_size, 1)
        _require(
            "equity",
            "reference_min_share",
            self.reference_min_share,
            0 <= self.reference_min_share < 1,
            "it must be at least 0 and below 1",
        )
        _fraction("equity", "pipeline_min_evidence_share", self.pipeline_min_evidence_share)


@dataclass(frozen=True)
class TalentConfig:
    """Talent review (docs/metrics/talent.md): nine-box cut points, successors, bench history."""

    #: A latest rating at or above this is "medium" performance (below it "low").
    performance_medium_min: float = 3.0
    #: A latest rating at or above this is "high" performance.
    performance_high_min: float = 4.0
    #: Only a rating whose period ended within this many days of T places a person on the grid.
    performance_max_age_days: int = 730
    #: Readiness for the next role at or above this is "medium" on the grid (below it "low").
    readiness_medium_min: float = 0.70
    #: Readiness for the next role at or above this is "high" on the grid.
    readiness_high_min: float = 0.90
    #: Evidence-suggested successors listed per critical position.
    suggested_successors: int = 3
    #: Quarter ends in the bench history (the latest on or before T, and the ones before it).
    bench_quarters: int = 4
    #: How far ahead the coverage-lapse forecast looks, in days.
    forecast_horizon_days: int = 1095
    #: Absolute slack when comparing readiness and ratings with the cut points.
    tolerance: float = 1e-9

    def __post_init__(self) -> None:
        for key in ("performance_medium_min", "performance_high_min"):
            value = getattr(self, key)
            _require("talent", key, value, _is_number(value) and math.isfinite(value), "it must be a finite number")
        _require_order(
            "talent",
            "performance_medium_min",
            self.performance_medium_min,
            "performance_high_min",
            self.performance_high_min,
        )
        _at_least("talent", "performance_max_age_days", self.performance_max_age_days, 1)
        _fraction("talent", "readiness_medium_min", self.readiness_medium_min)
        _fraction("talent", "readiness_high_min", self.readiness_high_min)
        _require_order(
            "talent", "readiness_medium_min", self.readiness_medium_min, "readiness_high_min", self.readiness_high_min
        )
        _at_least("talent", "suggested_successors", self.suggested_successors, 1)
        _at_least("talent", "bench_quarters", self.bench_quarters, 1)
        _at_least("talent", "forecast_horizon_days", self.forecast_horizon_days, 1)
        _require("talent", "tolerance", self.tolerance, 0 <= self.tolerance < 1e-3, "it must be in [0, 0.001)")


#: Nuisance learners the learning-impact fit can use.
LEARNERS: tuple[str, ...] = ("boosting", "spline_ridge")
#: Learning-impact estimators: all clusters jointly from one set of residuals, or one cluster at a time.
ESTIMATORS: tuple[str, ...] = ("joint", "per_cluster")
#: Exposure measures of learning impact (metrics.md §6): distinct assets completed (the
#: spec's default), distinct assets engaged (any verb), engagement events (the sum of
#: learning_events.count), minutes (the sum of duration_s / 60).
EXPOSURES: tuple[str, ...] = ("completed_assets", "engaged_assets", "engagement_events", "minutes")


@dataclass(frozen=True)
class LearningImpactConfig:
    """Section 6: learning impact."""

    exposure_window_days: int = 365
    n_folds: int = 5
    min_exposed: int = 30
    q_threshold: float = 0.05
    confidence: float = 0.95
    seed: int = 7
    #: Nuisance learner: "spline_ridge" (additive cubic splines + ridge, one solve per fold for
    #: every target; recovers the planted truths on both validation shapes) or "boosting"
    #: (HistGradientBoostingRegressor: captures interactions, about 15x the CPU).
    learner: str = "spline_ridge"
    #: Boosting stops early (at most learner_max_iter rounds) on a seeded 10% split.
    learner_early_stopping: bool = True
    learner_max_iter: int = 100
    learner_max_leaf_nodes: int = 15
    learner_learning_rate: float = 0.1
    #: Threads per learner fit (1 is safest on a shared machine; 0 = all cores).
    learner_threads: int = 1
    #: Learner fits run at once (worker processes; 0 = one per core). The estimates do not depend on it.
    n_jobs: int = 1
    #: "joint": residualise the rating and every cluster's exposure on the controls once per fold and
    #: estimate all clusters' effects from one regression of the residuals (clusters + 1 fits per fold);
    #: "per_cluster": one partialling-out per cluster with the other clusters' exposures among the
    #: controls (2 fits per cluster per fold).
    estimator: str = "joint"
    #: Multiply the clustered variance by G/(G-1) (G = employees).
    small_sample_correction: bool = True
    #: Unit of the secondary spacing effect, in days.
    spacing_unit_days: int = 30
    #: What counts as exposure to a cluster in the window (one of ``EXPOSURES``).
    exposure: str = "completed_assets"

    def __post_init__(self) -> None:
        _at_least("learning_impact", "exposure_window_days", self.exposure_window_days, 1)
        _at_least("learning_impact", "n_folds", self.n_folds, 2)
        _at_least("learning_impact", "min_exposed", self.min_exposed, 1)
        _fraction("learning_impact", "q_threshold", self.q_threshold)
        _open_unit("learning_impact", "confidence", self.confidence)
        _require(
            "learning_impact",
            "learner",
            self.learner,
            self.learner in LEARNERS,
            "it must be one of " + ", ".join(LEARNERS),
        )
        _at_least("learning_impact", "learner_max_iter", self.learner_max_iter, 1)
        _at_least("learning_impact", "learner_max_leaf_nodes", self.learner_max_leaf_nodes, 2)
        _positive("learning_impact", "learner_learning_rate", self.learner_learning_rate)
        _at_least("learning_impact", "learner_threads", self.learner_threads, 0)
        _at_least("learning_impact", "n_jobs", self.n_jobs, 0)
        _require(
            "learning_impact",
            "estimator",
            self.estimator,
            self.estimator in ESTIMATORS,
            "it must be one of " + ", ".join(ESTIMATORS),
        )
        _at_least("learning_impact", "spacing_unit_days", self.spacing_unit_days, 1)
        _require(
            "learning_impact",
            "exposure",
            self.exposure,
            self.exposure in EXPOSURES,
            "it must be one of " + ", ".join(EXPOSURES),
        )


@dataclass(frozen=True)
class AssetPortfolioConfig:
    """Section 7: asset portfolio."""

    window_days: int = 365
    stale_days: int = 180
    low_completion: float = 0.4
    high_completion: float = 0.7

    def __post_init__(self) -> None:
        _at_least("assets", "window_days", self.window_days, 1)
        _at_least("assets", "stale_days", self.stale_days, 1)
        _fraction("assets", "low_completion", self.low_completion)
        _fraction("assets", "high_completion", self.high_completion)
        _require_order("assets", "low_completion", self.low_completion, "high_completion", self.high_completion)


@dataclass(frozen=True)
class MetricsConfig:
    """All metric parameters; ``MetricsConfig()`` gives the spec's defaults."""

    proficiency: ProficiencyConfig = field(default_factory=ProficiencyConfig)
    readiness: ReadinessConfig = field(default_factory=ReadinessConfig)
    capability_risk: CapabilityRiskConfig = field(default_factory=CapabilityRiskConfig)
    equity: EquityConfig = field(default_factory=EquityConfig)
    learning_impact: LearningImpactConfig = field(default_factory=LearningImpactConfig)
    assets: AssetPortfolioConfig = field(default_factory=AssetPortfolioConfig)
    talent: TalentConfig = field(default_factory=TalentConfig)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MetricsConfig:
        """Build from a nested mapping (as read from TOML); unknown keys are errors.

        Example
        -------
        >>> MetricsConfig.from_dict({"readiness": {"ready_now_min": 0.85}}).readiness.ready_now_min
        0.85
        """
        known = {f.name: f for f in dataclasses.fields(cls)}
        sections: dict[str, Any] = {}
        for section, values in data.items():
            if section not in known:
                raise MetricsConfigError(ERR_UNKNOWN_SECTION.format(section=section, known=", ".join(known)))
            if not isinstance(values, Mapping):
                raise MetricsConfigError(ERR_NOT_A_TABLE.format(section=section, value=values))
            default = getattr(cls(), section)
            sections[section] = _override(section, default, values)
        return cls(**sections)

    @classmethod
    def from_toml(cls, path: str | Path) -> MetricsConfig:
        """Read a TOML file of overrides (see the module docstring); any problem is one
        ``MetricsConfigError`` line naming the file.

        Example
        -------
        >>> MetricsConfig.from_toml("no/such/metrics.toml")
        Traceback (most recent call last):
        ...
        metrics.config.MetricsConfigError: Metrics configuration no/such/metrics.toml: no such file
        """
        data = _read_toml(path)
        try:
            return cls.from_dict(data)
        except MetricsConfigError as exc:
            raise MetricsConfigError(ERR_FILE.format(file=path, detail=exc)) from exc

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON-serialisable), as recorded in the manifest.

        Example
        -------
        >>> MetricsConfig().to_dict()["equity"]["min_group_size"]
        10
        """
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            sec = getattr(self, f.name)
            out[f.name] = {k.name: _plain(getattr(sec, k.name)) for k in dataclasses.fields(sec)}
        return out


@dataclass(frozen=True)
class ConfigInForce:
    """The metric configuration a run uses and where it came from (shown on the Data page and
    recorded in manifest.json)."""

    config: MetricsConfig
    #: Plain words: "spec defaults", or the files whose [metrics] / overrides were applied.
    origin: str


def config_in_force(
    source_metrics: Mapping[str, Any] | None = None,
    source_origin: str = "",
    config_file: str | Path | None = None,
) -> ConfigInForce:
    """The one metrics configuration for a source: the spec's defaults, then the source
    configuration's ``[metrics]`` table, then a separate ``--config`` file, each overriding
    the keys it names.

    Example
    -------
    >>> c = config_in_force({"equity": {"min_group_size": 15}}, "org.toml")
    >>> c.config.equity.min_group_size, c.origin
    (15, '[metrics] of org.toml')
    >>> config_in_force().origin
    'spec defaults'
    """
    layers: list[tuple[Mapping[str, Any], str]] = []
    if source_metrics:
        layers.append((source_metrics, f"[metrics] of {source_origin}"))
    if config_file is not None:
        layers.append((_read_toml(config_file), str(config_file)))
    merged: dict[str, Any] = {}
    for data, where in layers:
        try:
            MetricsConfig.from_dict(data)  # each layer is checked on its own, so errors name it
        except MetricsConfigError as exc:
            raise MetricsConfigError(ERR_LAYER.format(where=where, detail=exc)) from exc
        for section, values in data.items():
            merged.setdefault(section, {}).update(values)
    origin = " + ".join(where for _, where in layers) or "spec defaults"
    return ConfigInForce(MetricsConfig.from_dict(merged), origin)


def _read_toml(path: str | Path) -> Mapping[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise MetricsConfigError(ERR_FILE.format(file=path, detail="no such file")) from exc
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MetricsConfigError(ERR_FILE.format(file=path, detail=exc)) from exc


def _plain(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return list(v)
    return v


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(section: str, key: str, current: Any, value: Any) -> Any:
    """``value`` converted to the type of the default ``current``, or a clear error."""

    def wrong(expected: str) -> MetricsConfigError:
        return MetricsConfigError(ERR_TYPE.format(section=section, key=key, expected=expected, value=value))

    if isinstance(current, Mapping):
        if not isinstance(value, Mapping):
            raise wrong("a table of keys and numbers")
        key_type = type(next(iter(current))) if current else str
        merged = dict(current)
        for k, v in value.items():
            if not _is_number(v):
                raise wrong("a table of numbers")
            try:
                merged[key_type(k)] = float(v)
            except ValueError as exc:
                raise wrong(f"a table keyed by {key_type.__name__}") from exc
        return _frozen_map(merged)
    if isinstance(current, tuple):
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise wrong("a list")
        return tuple(value)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if isinstance(current, int):
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong("a whole number")
        return value
    if isinstance(current, float):
        if not _is_number(value) or not math.isfinite(value):
            raise wrong("a number")
        return float(value)
    if isinstance(current, str):
        if not isinstance(value, str):
            raise wrong("text")
        return value
    return value


def _override(section: str, default: Any, values: Mapping[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(default)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise MetricsConfigError(ERR_UNKNOWN_KEY.format(key=key, section=section, known=", ".join(fields)))
        changes[key] = _typed(section, key, getattr(default, key), value)
    return dataclasses.replace(default, **changes)


DEFAULT_CONFIG = MetricsConfig()
