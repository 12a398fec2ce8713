"""Capability risk: team × competency coverage against strategic targets, sorted by risk."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.labels import RISK_LABELS, risk_formula
from ui import charts
from ui.components import explain, metric_help, needs_tables, show_table
from ui.compute import risk_view
from ui.state import Filters, page_context, scope_caption, settings_for

bundle, filters = page_context()
cfg = settings_for(bundle).config
st.title("Capability risk")
st.caption(
    "Where the people who can do the work fall short of the organisation's targets: for each team and "
    "competency, how many active people demonstrate the target level against how many are needed."
)
if needs_tables(bundle, "capability_risk"):
    st.stop()
if filters.ladders:
    st.caption("Targets are set per team; the ladder filter does not apply on this page.")

risk = risk_view(bundle, filters)
st.caption(scope_caption(Filters(filters.as_of, filters.teams)))
c1, c2, c3 = st.columns(3)
c1.metric(
    "High-risk targets",
    f"{risk.filter(pl.col('band') == 'high').height}",
    help=metric_help(
        f"Risk ≥ {cfg.capability_risk.high_min:.2f}: priority weight × share of the needed people missing.",
        "Capability risk",
    ),
)
c2.metric(
    "Single points of failure",
    f"{risk.filter(pl.col('single_point_of_failure')).height}",
    help=metric_help("Exactly one person holds the capability at the target level.", "Capability risk"),
)
c3.metric(
    "Targets met",
    f"{risk.filter(pl.col('gap') == 0).height} of {risk.height}",
    help=metric_help("Supply at or above the target headcount.", "Capability risk"),
)

if risk.height:
    heat = risk.select(
        "team",
        pl.col("name").alias("competency"),
        "coverage",
        "supply",
        "target_headcount",
        "band",
        "single_point_of_failure",
    )
    st.altair_chart(charts.coverage_heatmap(heat), width="stretch")
    explain(
        "Coverage = people at or above the target level ÷ people needed (capped at 100% in colour).", "Capability risk"
    )

st.subheader("Targets by risk")
bands = st.multiselect(
    "Risk band",
    ["high", "medium", "low"],
    default=["high", "medium", "low"],
    format_func=RISK_LABELS.get,
    key="risk_bands",
)
shown = risk.filter(pl.col("band").is_in(bands)).select(
    "team",
    "competency_id",
    pl.col("name").alias("competency"),
    "target_level",
    "target_headcount",
    "supply",
    "coverage",
    "gap",
    "risk",
    "single_point_of_failure",
    "band",
    "explanation",
)
show_table(shown, "capability_risk")
explain(
    risk_formula(cfg.capability_risk),
    "Capability risk",
)
