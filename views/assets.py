"""Asset portfolio: per asset its activity, recommendation and reason; a downloadable retire list."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.labels import RECOMMENDATION_LABELS, recommendation_rules
from ui import charts
from ui.components import explain, learning_gate, metric_help, needs_tables, show_table
from ui.compute import portfolio, recommendation_counts
from ui.present import code_words
from ui.state import page_context, settings_for

bundle, filters = page_context()
cfg = settings_for(bundle).config
st.title("Asset portfolio")
st.caption(
    "Every microlearning asset over the 12 months to the as-of date: who used it, who finished it, and what to do "
    "with it: retire, review, improve, keep or celebrate."
)
if needs_tables(bundle, "assets"):
    st.stop()
if filters.teams or filters.ladders:
    st.info(
        "Assets serve the whole organisation: the team and ladder filters are not applied on this page.",
        icon=":material/info:",
    )
if bundle.missing_for("learning_impact"):
    st.caption(
        "Without performance ratings the clusters cannot be scored, so every cluster reads “insufficient data” "
        "and only the activity rules apply."
    )

labelled = bundle.missing_for("learning_impact") or learning_gate(bundle, filters.as_of, "assets")
if not labelled:
    st.caption(
        "Until the model is fitted, clusters carry no label and only the activity rule "
        f"(no use in {cfg.assets.stale_days} days) applies."
    )
data = portfolio(bundle, filters.as_of, bool(labelled))
counts = recommendation_counts(data)

rules = recommendation_rules(cfg.assets, cfg.learning_impact)
for col, (rec, text) in zip(st.columns(len(rules)), rules.items(), strict=True):
    n = counts.filter(pl.col("recommendation") == rec).get_column("assets")
    col.metric(RECOMMENDATION_LABELS[rec], f"{n.item() if n.len() else 0}", help=metric_help(text, "Asset portfolio"))

st.altair_chart(charts.recommendation_counts(counts), width="stretch")

st.subheader("Assets")
f1, f2, f3 = st.columns(3)
recs = f1.multiselect(
    "Recommendation",
    ["retire", "review", "improve", "keep", "celebrate"],
    key="assets_rec",
    placeholder="All recommendations",
)
clusters = f2.multiselect(
    "Cluster", sorted(data["cluster"].unique().to_list()), key="assets_cluster", placeholder="All clusters"
)
formats = f3.multiselect(
    "Format",
    sorted(data["format"].drop_nulls().unique().to_list()),
    format_func=code_words,
    key="assets_format",
    placeholder="All formats",
)
shown = data
if recs:
    shown = shown.filter(pl.col("recommendation").is_in(recs))
if clusters:
    shown = shown.filter(pl.col("cluster").is_in(clusters))
if formats:
    shown = shown.filter(pl.col("format").is_in(formats))
table = shown.select(
    "asset_id",
    "title",
    "cluster",
    "format",
    "learners",
    "completers",
    "completion_rate",
    pl.col("mean_score").round(3),
    "last_activity",
    "cluster_label",
    "recommendation",
    "reason",
).sort("recommendation", "asset_id")
show_table(table, "asset_portfolio")
explain(
    "Learners: distinct employees with any event in the 12 months; completers: with a completed or passed event; "
    "completion rate = completers ÷ learners; mean score of completers. The first rule that applies decides.",
    "Asset portfolio",
)

st.subheader("Retire list")
retire = (
    data.filter(pl.col("recommendation") == "retire")
    .select("asset_id", "title", "cluster", "format", "learners", "completion_rate", "last_activity", "reason")
    .sort("asset_id")
)
st.write(f"{retire.height} asset(s) recommended for retirement.")
if retire.height:
    show_table(retire, "retire_list", key="retire")
