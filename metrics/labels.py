"""How every coded value reads for a person: levels, bands, statuses, labels. Defined once.

The metric tables keep the spec's codes (``ready_now``, ``no_successors``…); pages,
downloads and sentences show these words. Thresholds in rule sentences come from
the configuration in force, never from literals.

Example
-------
>>> LEVEL_NAMES[3], BAND_LABELS["ready_soon"]
('Adapt', 'Ready in 1–2 years')
>>> from metrics.config import ReadinessConfig
>>> band_rule(ReadinessConfig(ready_now_min=0.85))
'Ready now: readiness of at least 0.85 with every critical requirement met; ready in 1–2 years: at least 0.70; developing: below that.'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from metrics.config import (
    AssetPortfolioConfig,
    CapabilityRiskConfig,
    EquityConfig,
    LearningImpactConfig,
    ProficiencyConfig,
    ReadinessConfig,
)

#: Names of the proficiency scale (data-contract.md); 0 is "no demonstrated level".
LEVEL_NAMES: Mapping[int, str] = MappingProxyType(
    {0: "none", 1: "Identify", 2: "Apply", 3: "Adapt", 4: "Optimize", 5: "Innovate"}
)
#: Readiness bands (spec §2), in order from most to least ready.
BAND_LABELS: Mapping[str, str] = MappingProxyType(
    {"ready_now": "Ready now", "ready_soon": "Ready in 1–2 years", "developing": "Developing"}
)
#: Bench status per critical role (spec §3).
BENCH_STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {"covered": "Covered", "ready_in_future": "Ready in 1–2 years only", "no_successors": "No successors"}
)
#: Capability-risk bands (spec §4), worst first.
RISK_LABELS: Mapping[str, str] = MappingProxyType({"high": "High", "medium": "Medium", "low": "Low"})
#: Learning-impact labels (spec §6).
LEARNING_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "predictive": "Predicts performance",
        "harmful": "Harmful",
        "no_evidence": "No evidence either way",
        "insufficient_data": "Too few learners",
    }
)
#: Asset recommendations (spec §7), in the order a portfolio review reads them.
RECOMMENDATION_LABELS: Mapping[str, str] = MappingProxyType(
    {"retire": "Retire", "review": "Review", "improve": "Improve", "keep": "Keep", "celebrate": "Celebrate"}
)
#: Readiness relation: the employee's own role or the next one.
RELATION_LABELS: Mapping[str, str] = MappingProxyType({"current": "Own role", "next": "Next role"})


def level_label(level: int | None) -> str:
    """A level as "3 Adapt" ("none" for 0 or missing).

    Example
    -------
    >>> level_label(3), level_label(0), level_label(None)
    ('3 Adapt', 'none', 'none')
    """
    if not level:
        return LEVEL_NAMES[0]
    return f"{level} {LEVEL_NAMES.get(level, '')}".strip()


def band_rule(config: ReadinessConfig) -> str:
    """The readiness band rule in words, with the thresholds in force."""
    return (
        f"Ready now: readiness of at least {config.ready_now_min:.2f} with every critical requirement met; "
        f"ready in 1–2 years: at least {config.ready_soon_min:.2f}; developing: below that."
    )


def risk_rule(config: CapabilityRiskConfig) -> str:
    """The capability-risk band rule in words, with the thresholds in force.

    Example
    -------
    >>> risk_rule(CapabilityRiskConfig())
    'High: risk of at least 0.50; medium: at least 0.20; low: below 0.20.'
    """
    return (
        f"High: risk of at least {config.high_min:.2f}; medium: at least {config.medium_min:.2f}; "
        f"low: below {config.medium_min:.2f}."
    )


def suppression_rule(config: EquityConfig) -> str:
    """The small-group rule in words, with the group size in force.

    Example
    -------
    >>> suppression_rule(EquityConfig(min_group_size=15))
    'Groups of fewer than 15 people show no counts, rates or tests.'
    """
    return f"Groups of fewer than {config.min_group_size} people show no counts, rates or tests."


def suppressed_text(config: EquityConfig) -> str:
    """What a primary-suppressed count reads as.

    Example
    -------
    >>> suppressed_text(EquityConfig(min_group_size=15))
    'fewer than 15'
    """
    return f"fewer than {config.min_group_size}"


def risk_formula(config: CapabilityRiskConfig) -> str:
    """How capability risk is computed, with the priority weights and bands in force.

    Example
    -------
    >>> risk_formula(CapabilityRiskConfig())
    'Risk = priority weight (1: 1.0, 2: 0.6, 3: 0.3) × gap ÷ target headcount. High ≥ 0.50; medium ≥ 0.20 or a single point of failure; otherwise low.'
    """
    weights = ", ".join(f"{k}: {v:g}" if v != int(v) else f"{k}: {v:.1f}" for k, v in config.priority_weights.items())
    return (
        f"Risk = priority weight ({weights}) × gap ÷ target headcount. High ≥ {config.high_min:.2f}; "
        f"medium ≥ {config.medium_min:.2f} or a single point of failure; otherwise low."
    )


def weight_rule(config: ProficiencyConfig) -> str:
    """How one evidence item's weight is computed, with the factors in force.

    Example
    -------
    >>> weight_rule(ProficiencyConfig())
    'Weight = type weight × (1 if verified, else 0.5) × ½ per 365 days of age. A level counts when the items at that level or above weigh at least 1 in total.'
    """
    return (
        f"Weight = type weight × ({config.verified_factor:g} if verified, else {config.unverified_factor:g}) × ½ per "
        f"{config.half_life_days:g} days of age. A level counts when the items at that level or above weigh at least "
        f"{config.evidence_threshold:g} in total."
    )


def recommendation_rules(config: AssetPortfolioConfig, impact: LearningImpactConfig) -> Mapping[str, str]:
    """Each asset recommendation's rule in words, with the thresholds in force.

    Example
    -------
    >>> recommendation_rules(AssetPortfolioConfig(), LearningImpactConfig())["improve"]
    'The cluster predicts performance but under 40% of learners complete the asset.'
    """
    low, high = f"{config.low_completion:.0%}", f"{config.high_completion:.0%}"
    return MappingProxyType(
        {
            "retire": f"No activity in {config.stale_days} days (for a predictive cluster, only when nobody ever "
            f"completed the asset), a harmful cluster, or no evidence and under {low} completion.",
            "review": f"The cluster has too few learners to judge (fewer than {impact.min_exposed}).",
            "improve": f"The cluster predicts performance but under {low} of learners complete the asset.",
            "keep": "None of the other rules applies.",
            "celebrate": f"The cluster predicts performance and at least {high} of learners complete the asset.",
        }
    )


def four_fifths_rule(config: EquityConfig) -> str:
    """The adverse-impact rule in words, with the threshold and significance level in force.

    Example
    -------
    >>> four_fifths_rule(EquityConfig())
    'Impact ratio (a group’s rate ÷ the reference group’s rate) below 0.80, tested with Fisher’s exact test at p < 0.05.'
    """
    return (
        f"Impact ratio (a group’s rate ÷ the reference group’s rate) below {config.four_fifths:.2f}, "
        f"tested with Fisher’s exact test at p < {config.alpha:g}."
    )
