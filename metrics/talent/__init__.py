"""Talent review (docs/metrics/talent.md): candidates for any role, an evidence-based nine-box,
nominations beside the evidence, impact of loss, bench over time and succession chart data.

The public names below are the family's interface; the modules behind them (``_candidates``,
``_ninebox``, ``_impact``, ``_history``, ``_compare``, ``_nominations``, ``_succession``) are
private and may change.

Example
-------
>>> from metrics.talent import quarter_ends
>>> import datetime as dt
>>> quarter_ends(dt.date(2026, 9, 30), 2)
[datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
"""

from metrics.talent._candidates import (
    CANDIDATE_COLUMNS,
    DISTANCE_LABELS,
    ERR_UNKNOWN_EMPLOYEE,
    ERR_UNKNOWN_ROLE,
    EVIDENCE_COLUMNS,
    REQUIREMENT_COLUMNS,
    ROLE_READINESS_COLUMNS,
    Candidates,
    candidates_for_role,
    evidence_behind,
    in_role_since,
    role_readiness,
)
from metrics.talent._compare import (
    ERR_COUNT,
    ERR_NOT_ACTIVE,
    SUMMARY_COLUMNS,
    Comparison,
    compare_candidates,
    rating_trend,
)
from metrics.talent._history import (
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    RESTORE_COLUMNS,
    CoverageForecast,
    bench_history,
    coverage_forecast,
    quarter_ends,
)
from metrics.talent._impact import IMPACT_LEVELS, POSITION_COLUMNS, TARGET_COLUMNS, LossImpact, impact_of_loss
from metrics.talent._ninebox import (
    BOX_LABELS,
    GRID_COLUMNS,
    GROUP_COLUMNS,
    PLACEMENT_COLUMNS,
    TIERS,
    NineBox,
    box_number,
    latest_ratings,
    nine_box,
    nine_box_by_group,
)
from metrics.talent._nominations import (
    ACTIVE,
    AGREES,
    COMMITTEE_HIGHER,
    EVIDENCE_HIGHER,
    JUDGEMENT_BAND,
    NOMINEE_LEFT,
    NOT_YET_HIRED,
    ORPHANED_EMPLOYEE,
    ORPHANED_ROLE,
    VIEW_COLUMNS,
    nominations_view,
)
from metrics.talent._succession import HIERARCHY_COLUMNS, Succession, branch, hierarchy, succession

__all__ = [
    "ACTIVE",
    "AGREES",
    "BOX_LABELS",
    "CANDIDATE_COLUMNS",
    "COMMITTEE_HIGHER",
    "DISTANCE_LABELS",
    "ERR_COUNT",
    "ERR_NOT_ACTIVE",
    "ERR_UNKNOWN_EMPLOYEE",
    "ERR_UNKNOWN_ROLE",
    "EVIDENCE_COLUMNS",
    "EVIDENCE_HIGHER",
    "FORECAST_COLUMNS",
    "GRID_COLUMNS",
    "GROUP_COLUMNS",
    "HIERARCHY_COLUMNS",
    "HISTORY_COLUMNS",
    "IMPACT_LEVELS",
    "JUDGEMENT_BAND",
    "NOMINEE_LEFT",
    "NOT_YET_HIRED",
    "ORPHANED_EMPLOYEE",
    "ORPHANED_ROLE",
    "PLACEMENT_COLUMNS",
    "POSITION_COLUMNS",
    "REQUIREMENT_COLUMNS",
    "RESTORE_COLUMNS",
    "ROLE_READINESS_COLUMNS",
    "SUMMARY_COLUMNS",
    "TARGET_COLUMNS",
    "TIERS",
    "VIEW_COLUMNS",
    "Candidates",
    "Comparison",
    "CoverageForecast",
    "LossImpact",
    "NineBox",
    "Succession",
    "bench_history",
    "box_number",
    "branch",
    "candidates_for_role",
    "compare_candidates",
    "coverage_forecast",
    "evidence_behind",
    "hierarchy",
    "impact_of_loss",
    "in_role_since",
    "latest_ratings",
    "nine_box",
    "nine_box_by_group",
    "nominations_view",
    "quarter_ends",
    "rating_trend",
    "role_readiness",
    "succession",
]
