"""Progression equity (spec §5): promotion rates by group, suppression, tests and sentences.

The public names below are the family's interface; the modules behind them
(``_core``, ``_population``, ``_stats``, ``_suppression``, ``_sentences``,
``_pipeline``) are private and may change.

Example
-------
>>> from metrics.equity import fisher_p_value
>>> round(fisher_p_value(3, 4, 1, 4), 4)   # Fisher's tea-tasting table [[3, 1], [1, 3]]
0.4857
"""

from metrics.equity._audit import RowRange, audit
from metrics.equity._core import (
    OUTPUT_COLUMNS,
    SUPPRESSED_COLUMNS,
    AttributeEquity,
    EquityResult,
    Reference,
    choose_reference,
    equity_result,
    promotion_equity,
    reference_group,
)
from metrics.equity._pipeline import PIPELINE_COLUMNS, pipeline_equity, pipeline_equity_all
from metrics.equity._population import INTERSECTION_SEPARATOR, EquityWindow, eligible_population, equity_window
from metrics.equity._sentences import Finding, committee_findings, committee_sentences
from metrics.equity._stats import below_threshold, fisher_p_value, wilson_interval
from metrics.equity._suppression import (
    Protected,
    blank_suppressed,
    protect_groups,
    protect_intersection,
    suppress_groups,
    suppress_intersection,
    suppression_label,
)

__all__ = [
    "INTERSECTION_SEPARATOR",
    "OUTPUT_COLUMNS",
    "PIPELINE_COLUMNS",
    "SUPPRESSED_COLUMNS",
    "AttributeEquity",
    "EquityResult",
    "EquityWindow",
    "Finding",
    "Protected",
    "Reference",
    "RowRange",
    "audit",
    "below_threshold",
    "blank_suppressed",
    "choose_reference",
    "committee_findings",
    "committee_sentences",
    "eligible_population",
    "equity_result",
    "equity_window",
    "fisher_p_value",
    "pipeline_equity",
    "pipeline_equity_all",
    "promotion_equity",
    "protect_groups",
    "protect_intersection",
    "reference_group",
    "suppress_groups",
    "suppress_intersection",
    "suppression_label",
    "wilson_interval",
]
