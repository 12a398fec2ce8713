"""Bench strength: critical roles with status and counts, per-team roll-up, the organisation KPI."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui import charts
from ui.components import (
    explain,
    metric_help,
    needs_tables,
    pack_downloads,
    param_choice,
    person_level_allowed,
    readiness_table,
    remember_param,
    show_table,
)
from ui.compute import bench_view, common_gap_view, people_for_role
from ui.pack import succession_excel, succession_pdf
from ui.state import Filters, page_context, scope_caption, settings_for
from ui.talent import committee_pack

bundle, filters = page_context()
cfg = settings_for(bundle).config
st.title("Bench strength")
st.caption(
    "Who could step into each critical role: candidates are active employees whose next role it is. "
    "Counts are organisation-wide, since a successor can come from any team."
)
if needs_tables(bundle, "bench"):
    st.stop()

bench, teams, kpi, _ = bench_view(bundle, filters)
critical = bench.filter(pl.col("critical"))

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Critical roles covered",
    "–" if kpi is None else f"{kpi:.0%}",
    help=metric_help(
        "Share of all critical roles with at least one candidate ready now (organisation KPI).", "Bench strength"
    ),
)
c2.metric(
    "Critical roles without successors",
    f"{critical.filter(pl.col('status') == 'no_successors').height}",
    help=metric_help("No candidate ready now or within 1–2 years.", "Bench strength"),
)
c3.metric(
    "Critical roles ready only in future",
    f"{critical.filter(pl.col('status') == 'ready_in_future').height}",
    help=metric_help("Nobody ready now, at least one ready in 1–2 years.", "Bench strength"),
)
incumbents = critical.get_column("incumbents").sum()
c4.metric(
    "Ready now per incumbent",
    "–" if not incumbents else f"{critical.get_column('ready_now').sum() / incumbents:.2f}",
    help=metric_help(
        "Bench strength across the critical roles shown: successors ready now ÷ people in those roles. "
        "A role with 37 incumbents and one ready successor is covered, but thinly.",
        "Bench strength",
    ),
)
st.caption(
    f"{scope_caption(filters)}: critical roles held in this scope; successors are counted across the whole "
    "organisation, since a successor can come from any team. “Covered” is the organisation KPI."
)

if critical.height:
    chart_data = critical.select(pl.col("title").alias("role"), "status", "ready_now", "ready_soon", "incumbents")
    st.altair_chart(charts.bench_status(chart_data), width="stretch")

st.subheader("Roles")
only_critical = st.toggle("Critical roles only", value=True, key="bench_critical_only")
shown = (
    (critical if only_critical else bench)
    .select(
        "role_id",
        "title",
        "ladder",
        "critical",
        "incumbents",
        "candidates",
        "ready_now",
        "ready_soon",
        "bench_strength",
        "status",
        "explanation",
    )
    .sort("status", "role_id")
)
show_table(shown, "bench_strength")
explain(
    "Bench strength = candidates ready now ÷ incumbents. Status: covered (≥ 1 ready now), "
    "ready in future (none now, some in 1–2 years), no successors.",
    "Bench strength",
)

st.subheader("By team")
show_table(teams, "bench_by_team")
explain(
    "For the critical roles with an incumbent in the team, the share that are covered "
    "(a role counts toward every team that holds it).",
    "Bench strength",
)

st.subheader("What holds the candidates back")
shared = common_gap_view(bundle, filters.as_of).filter(
    pl.col("role_id").is_in(critical.get_column("role_id").implode())
)
shared_lines = shared.join(bundle.tables["roles"].select("role_id", "title"), on="role_id", how="left").sort("title")
if shared_lines.height == 0:
    st.info("No critical role in this scope has candidates assessed against it.", icon=":material/filter_alt_off:")
for row in shared_lines.iter_rows(named=True):
    if row["competency_id"] is None:
        st.markdown(f"- **{row['title']}**: none of its {row['candidates']} candidates falls short of a requirement.")
    else:
        st.markdown(
            f"- **{row['title']}**: {row['candidates_short']} of its {row['candidates']} candidates fall short in "
            f"**{row['competency']}** — the gap most of them share, and the one development would close first."
        )
explain("Among the candidates whose next role it is, the requirement most of them do not yet meet.", "Bench strength")

st.subheader("Committee pack")
st.caption(
    "The succession review as one PDF and the same content as an Excel workbook: critical roles, successors, the "
    "shared gap, the candidates and nominations you may see, talent pools, the evidence-based nine-box, the impact "
    "of loss and the bench over time, with the as-of date, the filters and the rules in force."
)
pack_downloads(
    f"succession_pack_{filters.as_of:%Y%m%d}",
    lambda: succession_pdf(committee_pack(bundle, filters)),
    lambda: succession_excel(committee_pack(bundle, filters)),
)

st.subheader("Candidates for a role")
if not person_level_allowed(bundle, filters.as_of):
    st.stop()
labels = dict(zip(shown["role_id"], shown["title"] + " (" + shown["role_id"] + ")", strict=True))
param_choice("role", "bench_role", list(labels))
if not labels:
    st.info("No role matches the team and ladder filters.", icon=":material/filter_alt_off:")
else:
    role = st.selectbox("Role", list(labels), format_func=labels.get, key="bench_role")
    remember_param("role", "bench_role", role)
    candidates = people_for_role(bundle, Filters(filters.as_of), role, "next")
    if candidates.height == 0:
        st.info("Nobody's next role is this one: no role on its ladder leads to it.")
    else:
        readiness_table(candidates, f"candidates_{role}")
        explain("Readiness for this role and the gaps that hold each candidate back.", "Readiness")
