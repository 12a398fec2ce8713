"""Learning impact: which microlearning clusters predict on-the-job performance, controlled vs naive."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.learning import EXPOSURE_UNITS, exposure_description
from ui import charts
from ui.components import explain, learning_gate, metric_help, needs_tables, show_table
from ui.compute import effects_with_naive, learning
from ui.state import page_context, settings_for

LABEL_WORDS = {
    "predictive": "predicts higher ratings",
    "harmful": "predicts lower ratings",
    "no_evidence": "no evidence either way",
    "insufficient_data": "too few learners (under 30)",
}

bundle, filters = page_context()
IMPACT = settings_for(bundle).config.learning_impact  # the configuration ui.compute.learning fits with
UNIT = EXPOSURE_UNITS[IMPACT.exposure]
st.title("Learning impact")
st.caption(
    "Which microlearning clusters go with better on-the-job ratings once prior performance, role level, tenure, "
    "team and ladder are accounted for. Estimated for the whole organisation."
)
if needs_tables(bundle, "learning_impact"):
    st.stop()
if filters.teams or filters.ladders:
    st.info(
        "The model is fitted on the whole organisation: a team or ladder alone has too few ratings for stable estimates, "
        "so the team and ladder filters are not applied on this page.",
        icon=":material/info:",
    )

st.warning(
    "**What this cannot prove.** People who already perform well take more courses, so a plain comparison of "
    "learners with non-learners flatters every course. The controlled estimate compares people with the same "
    "previous rating, level, tenure, team and ladder; it is still an association. Something unmeasured (a "
    "supportive manager, a new project) could drive both learning and ratings. Treat a “predictive” cluster as "
    "strong evidence worth acting on, and test big decisions with a pilot.",
    icon=":material/psychology_alt:",
)

if not learning_gate(bundle, filters.as_of, "learning"):
    st.stop()
result = learning(bundle, filters.as_of)
effects = effects_with_naive(bundle, filters.as_of)
if result.n_observations == 0:
    st.info(
        f"No performance rating falls on or before {filters.as_of:%d %b %Y}, so there is nothing to estimate. "
        "Choose a later as-of date.",
        icon=":material/event_busy:",
    )
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Predictive clusters",
    f"{effects.filter(pl.col('label') == 'predictive').height}",
    help=metric_help(f"q < 0.05 and a positive effect per {UNIT}.", "Learning impact"),
)
c2.metric(
    "Harmful clusters",
    f"{effects.filter(pl.col('label') == 'harmful').height}",
    help=metric_help(f"q < 0.05 and a negative effect per {UNIT}.", "Learning impact"),
)
c3.metric(
    "Ratings analysed",
    f"{result.n_observations:,}",
    help=metric_help("Employee × rating period pairs with a rating up to the as-of date.", "Learning impact"),
)
c4.metric("Employees", f"{result.n_employees:,}", help="Distinct employees with at least one rating.")

chart = effects.select(
    "cluster", "effect", "ci_low", "ci_high", "label", pl.col("naive_difference").alias("naive")
).drop_nulls("effect")
if chart.height:
    st.altair_chart(charts.forest_plot(chart, unit=UNIT), width="stretch")
explain(
    f"Effect: change in rating (points) per additional {UNIT} of the cluster; exposure is "
    f"{exposure_description(IMPACT)}. Estimated by cross-fitted partialling-out (double machine learning), "
    "95% interval clustered by employee. "
    "✕ marks the naive difference: mean rating of learners minus non-learners.",
    "Learning impact",
)

st.subheader("Clusters")
table = effects.select(
    "cluster",
    "n_exposed",
    pl.col("effect").round(3),
    pl.col("ci_low").round(3),
    pl.col("ci_high").round(3),
    pl.col("naive_difference").round(3).alias("naive difference"),
    "p_value",
    "q_value",
    "label",
    pl.col("label").replace_strict(LABEL_WORDS, default="").alias("meaning"),
).sort("effect", descending=True, nulls_last=True)
show_table(table, "learning_impact")
explain(
    "q is the p value adjusted for testing every cluster at once (false discovery rate). "
    "Where the naive difference is far from the effect, the naive figure is mostly who takes the course, not what it does.",
    "Learning impact",
)

st.subheader("Model check")
mc = result.model_check
r2 = dict(zip(mc["model"], mc["r2_mean"]))
m1, m2 = st.columns(2)


def _r2(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.3f}"  # NaN when a fold had no variance


m1.metric(
    "R², controls only",
    _r2(r2.get("controls")),
    help=metric_help("Grouped 5-fold cross-validated R² of the rating on the controls.", "Learning impact"),
)
m2.metric(
    "R², controls plus learning",
    _r2(r2.get("controls_plus_exposures")),
    help=metric_help(
        "The same with every cluster's exposure added: the gain is what learning adds to prediction.", "Learning impact"
    ),
)

st.subheader("Spacing and difficulty")
sec = result.secondary
if sec.filter(pl.col("effect").is_not_null()).height == 0:
    st.info(
        "Not estimable here: too few ratings have two completions in one cluster (spacing) or a completed asset "
        "with a difficulty (difficulty).",
        icon=":material/info:",
    )
else:
    st.altair_chart(charts.factor_effects(sec.drop_nulls("effect")), width="stretch")
    secondary_table = sec.with_columns(pl.col("effect", "ci_low", "ci_high").round(4))
    show_table(secondary_table, "spacing_and_difficulty")
    explain(
        "Spacing: median days between the first dates of consecutive assets within a cluster; difficulty: mean "
        "difficulty of the assets. Both count the assets the exposure measure counts (completed ones by default). "
        "Same controls and intervals as above.",
        "Learning impact",
    )
