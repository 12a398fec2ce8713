"""Readiness by role: incumbents, mean readiness, share ready now, feeder pipeline; drill into a role."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.labels import band_rule
from ui import charts
from ui.components import (
    explain,
    metric_help,
    needs_tables,
    param_choice,
    person_level_allowed,
    readiness_table,
    remember_param,
    show_table,
)
from ui.compute import band_counts, people_for_role, readiness_summary, role_summary
from ui.state import page_context, scope_caption, settings_for

bundle, filters = page_context()
cfg = settings_for(bundle).config
st.title("Readiness by role")
st.caption(
    "How ready people are for the role they hold and for the next role up their ladder, "
    f"from verified, recent evidence as of {filters.as_of:%d %b %Y}."
)
if needs_tables(bundle, "readiness"):
    st.stop()

summary = role_summary(bundle, filters)
agg = readiness_summary(bundle, filters)

c1, c2, c3 = st.columns(3)
c1.metric(
    "Active employees",
    f"{agg.active:,}",
    help=metric_help("Employees active at the as-of date in the chosen teams and ladders.", "Readiness"),
)
mean = agg.mean_readiness
c2.metric(
    "Mean readiness for own role",
    "–" if mean is None else f"{mean:.2f}",
    help=metric_help("Weighted share of each role's requirements met (0–1), averaged.", "Readiness"),
)
share_now = agg.share_ready_now
c3.metric(
    "Ready now in own role",
    "–" if share_now is None else f"{share_now:.0%}",
    help=metric_help(f"Readiness ≥ {cfg.readiness.ready_now_min:.2f} and every critical requirement met.", "Readiness"),
)

if agg.active == 0:
    st.info(
        "Nobody active at this date matches the chosen teams and ladders, so there is no readiness to show. "
        "Clear a filter in the sidebar or choose another date.",
        icon=":material/filter_alt_off:",
    )
    st.stop()
st.caption(scope_caption(filters))
st.altair_chart(charts.band_distribution(band_counts(bundle, filters)), width="stretch")
explain(band_rule(cfg.readiness), "Readiness")

st.subheader("Roles")
table = summary.select(
    "role_id",
    "title",
    "ladder",
    "level",
    "critical",
    "incumbents",
    "mean_readiness",
    "share_ready_now",
    "feeder_ready_now",
    "feeder_ready_soon",
    "feeder_developing",
)
show_table(table, "readiness_by_role", progress=("mean_readiness",))
explain(
    "Feeders are active employees whose current role's next role is this one, counted by their readiness for it.",
    "Readiness by role",
)

feeders = (
    summary.select(
        pl.col("title").alias("role"),
        pl.col("feeder_ready_now").alias("ready_now"),
        pl.col("feeder_ready_soon").alias("ready_soon"),
        pl.col("feeder_developing").alias("developing"),
    )
    .unpivot(index="role", variable_name="band", value_name="employees")
    .filter(pl.col("employees") > 0)
)
if feeders.height:
    st.altair_chart(charts.feeder_pipeline(feeders), width="stretch")

st.subheader("People in a role")
if not person_level_allowed(bundle, filters.as_of):
    st.stop()
options = summary.filter(pl.col("incumbents") > 0)
labels = dict(zip(options["role_id"], options["title"] + " (" + options["role_id"] + ")", strict=True))
param_choice("role", "readiness_role", list(labels))
if not labels:
    st.info("No role with incumbents matches the filters.", icon=":material/filter_alt_off:")
    st.stop()
role = st.selectbox("Role", list(labels), format_func=labels.get, key="readiness_role")
remember_param("role", "readiness_role", role)
if role:
    relation = st.radio(
        "Readiness for",
        ["current", "next"],
        horizontal=True,
        key="readiness_relation",
        format_func={"current": "this role (incumbents)", "next": "this role (feeders: it is their next role)"}.get,
    )
    people = people_for_role(bundle, filters, role, relation)
    if people.height == 0:
        st.info(
            "Nobody in the chosen teams and ladders is assessed against this role.", icon=":material/filter_alt_off:"
        )
    else:
        readiness_table(people, f"readiness_{role}")
        explain("Each row says why: the readiness and the requirements the person falls short on.", "Readiness")
