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
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

ERR_UNKNOWN_SECTION = "Unknown metrics configuration section [{section}]; expected one of: {known}."
ERR_UNKNOWN_KEY = "Unknown key '{key}' in metrics configuration section [{section}]; expected one of: {known}."


def _frozen_map(d: Mapping[str, Any]) -> Mapping[str, Any]:
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


@dataclass(frozen=True)
class ReadinessConfig:
    """Sections 2 and 3: readiness bands."""

    ready_now_min: float = 0.90
    ready_soon_min: float = 0.70
    #: Absolute slack when comparing readiness with the band boundaries.
    tolerance: float = 1e-9


@dataclass(frozen=True)
class CapabilityRiskConfig:
    """Section 4: capability risk."""

    priority_weights: Mapping[int, float] = field(default_factory=lambda: _frozen_map({1: 1.0, 2: 0.6, 3: 0.3}))
    high_min: float = 0.5
    medium_min: float = 0.2
    #: Absolute slack when comparing risk with the band boundaries.
    tolerance: float = 1e-9


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
    not_disclosed_as_reference: bool = True  # False: "Not disclosed" never sets the reference


@dataclass(frozen=True)
class LearningImpactConfig:
    """Section 6: learning impact."""

    exposure_window_days: int = 365
    n_folds: int = 5
    min_exposed: int = 30
    q_threshold: float = 0.05
    confidence: float = 0.95
    seed: int = 7
    #: Nuisance learner: "boosting" (HistGradientBoostingRegressor) or
    #: "spline_ridge" (additive splines + ridge; faster, no interactions).
    learner: str = "boosting"
    #: Boosting stops early (at most learner_max_iter rounds) on a seeded 10% split.
    learner_early_stopping: bool = True
    learner_max_iter: int = 100
    learner_max_leaf_nodes: int = 15
    learner_learning_rate: float = 0.1
    #: Threads per learner fit (1 is safest on a shared machine; 0 = all cores).
    learner_threads: int = 1
    #: Multiply the clustered variance by G/(G-1) (G = employees).
    small_sample_correction: bool = True
    #: Unit of the secondary spacing effect, in days.
    spacing_unit_days: int = 30


@dataclass(frozen=True)
class AssetPortfolioConfig:
    """Section 7: asset portfolio."""

    window_days: int = 365
    stale_days: int = 180
    low_completion: float = 0.4
    high_completion: float = 0.7


@dataclass(frozen=True)
class MetricsConfig:
    """All metric parameters; ``MetricsConfig()`` gives the spec's defaults."""

    proficiency: ProficiencyConfig = field(default_factory=ProficiencyConfig)
    readiness: ReadinessConfig = field(default_factory=ReadinessConfig)
    capability_risk: CapabilityRiskConfig = field(default_factory=CapabilityRiskConfig)
    equity: EquityConfig = field(default_factory=EquityConfig)
    learning_impact: LearningImpactConfig = field(default_factory=LearningImpactConfig)
    assets: AssetPortfolioConfig = field(default_factory=AssetPortfolioConfig)

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
                raise ValueError(ERR_UNKNOWN_SECTION.format(section=section, known=", ".join(known)))
            default = getattr(cls(), section)
            sections[section] = _override(section, default, values)
        return cls(**sections)

    @classmethod
    def from_toml(cls, path: str | Path) -> MetricsConfig:
        """Read a TOML file of overrides (see the module docstring)."""
        with open(path, "rb") as fh:
            return cls.from_dict(tomllib.load(fh))

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


def _plain(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return list(v)
    return v


def _override(section: str, default: Any, values: Mapping[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(default)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ValueError(ERR_UNKNOWN_KEY.format(key=key, section=section, known=", ".join(fields)))
        current = getattr(default, key)
        if isinstance(current, Mapping):
            merged = dict(current)
            key_type = type(next(iter(current))) if current else str
            merged.update({key_type(k): v for k, v in value.items()})
            value = _frozen_map(merged)
        elif isinstance(current, tuple):
            value = tuple(value)
        elif isinstance(current, float) and isinstance(value, int):
            value = float(value)
        changes[key] = value
    return dataclasses.replace(default, **changes)


DEFAULT_CONFIG = MetricsConfig()
