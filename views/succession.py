"""Succession: the succession chart with drill into a branch, the impact of losing each critical
position, and the bench of each critical role over time with a forecast of when coverage lapses."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from ui import talent_charts
from ui.components import BLANK, downloads, explain, metric_help, needs_tables, pack_downloads
from ui.compute import with_names
from ui.pack import succession_excel, succession_pdf
from ui.present import person_label_expr
from ui.state import Filters, page_context
from ui.talent import (
    STATUS_WORDS,
    STORE_ERRORS,
    branch,
    committee_pack,
    forecast,
    history,
    loss_impact,
    nominated_pairs,
    nominations,
    role_labels,
    store_error,
    succession_chart,
    with_titles,
    words,
)

ANCHOR = "Talent review"
#: Above this many people a branch is listed, not drawn.
MAX_DRAWN = 250

bundle, filters = page_context()
st.title("Succession")
st.caption(
    f"Who holds each critical position, who could follow them, and how that changes as evidence ages — "
    f"as of {filters.as_of:%d %b %Y}. Whole organisation: a successor can come from any team."
)
if needs_tables(bundle, "bench"):
    st.stop()
if filters.teams or filters.ladders:
    st.info(
        "The sidebar's team and ladder filters are not applied on this page: succession is organisation-wide, "
        "since a successor can come from any team or ladder.",
        icon=":material/filter_alt_off:",
    )

t = bundle.tables
roles = t["roles"]
labels = role_labels(roles)
try:
    pairs = nominated_pairs(nominations(bundle, filters.as_of))
except STORE_ERRORS as exc:
    st.warning(store_error(exc) + " Nominated successors are left out below.", icon=":material/warning:")
    pairs = ()
chart = succession_chart(bundle, filters.as_of, pairs)
positions = chart.positions

tab_chart, tab_impact, tab_history = st.tabs(["Succession chart", "Impact of loss", "Bench over time"])

# ---------------------------------------------------------------- chart
with tab_chart:
    if positions.height == 0:
        st.info("No role is marked critical in this source (roles.critical), so there is no succession chart to draw.")
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric("Critical roles", f"{positions.height}", help=metric_help("Roles marked critical.", ANCHOR))
        c2.metric(
            "Critical roles covered",
            f"{(positions['status'] == 'covered').sum()} of {positions.height}",
            help=metric_help("At least one candidate ready now (bench strength).", ANCHOR),
        )
        c3.metric(
            "Critical roles with a nominated successor",
            f"{(positions['nominated'].list.len() > 0).sum()} of {positions.height}",
            help=metric_help("Saved committee nominations whose nominee is active.", ANCHOR),
        )
        table = words(with_titles(positions, roles)).with_columns(
            pl.col("incumbent_ids").list.head(6).list.join(", ").alias("incumbent_ids"),
            pl.col("nominated").list.join(", ").alias("nominated"),
            pl.col("suggested").list.join(", ").alias("suggested"),
        )
        st.dataframe(
            table.select(
                "role",
                "incumbents",
                "incumbent_ids",
                "ready_now",
                "ready_soon",
                "bench_strength",
                "status",
                "nominated",
                "suggested",
            ),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "role": "Critical role",
                "incumbents": "Incumbents",
                "incumbent_ids": st.column_config.TextColumn("Incumbents (first six)", width="medium"),
                "ready_now": "Ready now (ladder)",
                "ready_soon": "Ready in 1–2 years (ladder)",
                "bench_strength": st.column_config.NumberColumn("Ready now per incumbent", format="%.2f"),
                "status": "Status",
                "nominated": st.column_config.TextColumn("Nominated", width="medium"),
                "suggested": st.column_config.TextColumn("Suggested by the evidence", width="medium"),
            },
        )
        explain(
            "Ready now per incumbent is the bench strength; suggested successors are the best-placed candidates from "
            "anywhere in the organisation who are at least ready in 1–2 years.",
            ANCHOR,
        )
        downloads(table, "succession_positions", key="succession_positions")

    st.subheader("Drill into a branch")
    tree = chart.tree.with_columns(
        pl.when(pl.col("critical")).then(pl.col("status")).otherwise(pl.lit("not_critical")).alias("status")
    )
    heads = tree.filter(pl.col("direct_reports") > 0).sort(["depth", "branch_size"], descending=[False, True])
    if heads.height == 0:
        st.info(
            "No one in this source has reports (the employees file has no manager ids), so there is no hierarchy to draw."
        )
    else:
        named = with_names(heads, bundle)
        who = person_label_expr(named)
        head_labels = dict(
            zip(
                named["employee_id"].to_list(),
                named.select(pl.format("{} · {} · {} people", who, pl.col("title").fill_null(""), "branch_size"))
                .to_series()
                .to_list(),
            )
        )
        c1, c2 = st.columns([3, 1])
        by_label = {label: eid for eid, label in head_labels.items()}
        levels = c2.slider("Levels down", 1, 5, 2, key="succession_levels")
        # start on the first branch small enough to draw (the top of a large organisation is not)
        fits = [
            i for i, eid in enumerate(heads["employee_id"].to_list()) if len(branch(tree, eid, levels)) <= MAX_DRAWN
        ]
        head = by_label[
            c1.selectbox("Head of the branch", list(by_label), index=fits[0] if fits else 0, key="succession_head")
        ]
        part = branch(tree, head, levels, filters.as_of)
        part = with_names(with_titles(part, roles), bundle).with_columns(
            pl.col("status").replace_strict({**STATUS_WORDS, "not_critical": "Not critical"}, default="Not critical")
        )
        if part.height <= MAX_DRAWN:
            st.altair_chart(
                talent_charts.org_branch(
                    part.select(
                        "employee_id",
                        *(["display_name"] if "display_name" in part.columns else []),
                        "manager_id",
                        "depth",
                        "order",
                        "role",
                        "status",
                    )
                ),
                width="stretch",
            )
        else:
            st.info(
                f"This branch has {part.height:,} people within {levels} levels: showing the critical positions in it."
            )
        top = part["depth"].min()
        manager_names = part.select("employee_id", "display_name") if "display_name" in part.columns else None
        crit_part = part.filter(pl.col("critical")).with_columns((pl.col("depth") - top).alias("depth"))
        if manager_names is not None:  # the manager by name too (people above the branch keep their id)
            crit_part = crit_part.join(
                manager_names.rename({"employee_id": "manager_id", "display_name": "_manager"}),
                on="manager_id",
                how="left",
            )
            crit_part = crit_part.with_columns(
                person_label_expr(crit_part, id_column="manager_id", name_column="_manager").alias("manager_id")
            )
        if crit_part.height:
            st.dataframe(
                crit_part.select(
                    "employee_id",
                    *(["display_name"] if "display_name" in crit_part.columns else []),
                    "role",
                    "manager_id",
                    "depth",
                    "branch_size",
                    "status",
                ),
                hide_index=True,
                placeholder=BLANK,
                column_config={
                    "employee_id": "Incumbent",
                    "display_name": "Name",
                    "role": "Critical role",
                    "manager_id": "Manager",
                    "depth": "Levels below the head",
                    "branch_size": "People in their branch",
                    "status": "Bench status",
                },
            )
        else:
            st.caption("No critical position in this part of the branch.")
        explain("Reporting lines from each employee's manager, among people active at the as-of date.", ANCHOR)

# ---------------------------------------------------------------- impact of loss
with tab_impact:
    impact = loss_impact(bundle, filters.as_of)
    pos = impact.positions
    if pos.height == 0:
        st.info("No one holds a critical role at this date.")
    else:
        counts = with_titles(pos, roles).group_by("role", "impact").agg(positions=pl.len())
        st.altair_chart(talent_charts.impact_by_role(counts), width="stretch")
        explain(
            "High: the role has no candidate ready now and the person is its only incumbent or the only one meeting a "
            "capability target of their team; medium: one of those.",
            ANCHOR,
        )
        if "capability_targets" not in t:
            st.caption("This source has no capability_targets table: single points of failure cannot be counted.")
        shown = with_names(words(with_titles(pos, roles)), bundle)
        st.dataframe(
            shown.select(
                "employee_id",
                *(["display_name"] if "display_name" in shown.columns else []),
                "role",
                "team",
                "impact",
                "incumbents",
                "ready_now",
                "ready_soon",
                "status",
                "targets_held",
                "single_points_of_failure",
            ),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "employee_id": "Incumbent",
                "display_name": "Name",
                "role": "Critical role",
                "team": "Team",
                "impact": "Impact of loss",
                "incumbents": "Incumbents of the role",
                "ready_now": "Ready now",
                "ready_soon": "Ready in 1–2 years",
                "status": "Bench status",
                "targets_held": "Capability targets they help meet",
                "single_points_of_failure": "…where they are the only one",
            },
        )
        downloads(shown, "impact_of_loss", key="impact")
        spof = impact.targets.filter(pl.col("single_point_of_failure"))
        if spof.height:
            st.subheader("Single points of failure")
            names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
            st.dataframe(
                with_titles(spof.join(names, on="competency_id", how="left"), roles).select(
                    "employee_id", "role", "team", "competency", "target_level", "target_headcount", "level"
                ),
                hide_index=True,
                placeholder=BLANK,
                column_config={
                    "employee_id": "Incumbent",
                    "role": "Critical role",
                    "team": "Team",
                    "competency": "Capability",
                    "target_level": "Target level",
                    "target_headcount": "People needed",
                    "level": "Their level",
                },
            )

# ---------------------------------------------------------------- bench over time
with tab_history:
    hist = history(bundle, filters.as_of)
    if hist.height == 0:
        st.info("No role is marked critical, so there is no bench to follow over time.")
    else:
        shown_hist = words(with_titles(hist, roles))
        st.altair_chart(
            talent_charts.bench_over_time(
                shown_hist.select("quarter_end", "role", "ready_now", "ready_soon", "status")
            ),
            width="stretch",
        )
        explain(
            "At each quarter end, readiness recomputed from the evidence up to that day and each person's role then.",
            ANCHOR,
        )
        st.dataframe(
            shown_hist.select("quarter_end", "role", "incumbents", "candidates", "ready_now", "ready_soon", "status"),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "quarter_end": st.column_config.DateColumn("Quarter end", format="D MMM YYYY"),
                "role": "Critical role",
                "incumbents": "Incumbents",
                "candidates": "Candidates",
                "ready_now": "Ready now",
                "ready_soon": "Ready in 1–2 years",
                "status": "Status",
            },
        )
        downloads(shown_hist, "bench_history", key="bench_history")

    st.subheader("When coverage lapses as evidence ages")
    fc = forecast(bundle, filters.as_of)
    covered = fc.roles.filter(pl.col("ready_now") > 0)
    if covered.height == 0:
        st.info("No critical role is covered today, so there is no coverage to lapse.")
    else:
        horizon_end = filters.as_of + dt.timedelta(days=fc.horizon_days)
        bars = with_titles(covered, roles).with_columns(
            pl.lit(filters.as_of).alias("start"), pl.col("covered_until").fill_null(horizon_end)
        )
        st.altair_chart(
            talent_charts.coverage_lapse(
                bars.select("role", "start", "covered_until", "ready_now", "last_ready_employee_id"),
                f"{filters.as_of:%d %b %Y}",
            ),
            width="stretch",
        )
        st.dataframe(
            with_titles(covered, roles).select(
                "role", "ready_now", "covered_until", "lapse_date", "last_ready_employee_id"
            ),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "role": "Critical role",
                "ready_now": "Ready now today",
                "covered_until": st.column_config.DateColumn("Covered until", format="D MMM YYYY"),
                "lapse_date": st.column_config.DateColumn("Coverage lapses on", format="D MMM YYYY"),
                "last_ready_employee_id": "Last to stay ready",
            },
        )
        explain(
            f"Assumes no new evidence, nobody leaves or moves. Evidence halves in weight every half-life; an empty "
            f"date means still covered {fc.horizon_days} days ahead.",
            ANCHOR,
        )
        if fc.restore.height:
            names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
            st.caption("The evidence that would restore each role's last ready successor on the day coverage lapses:")
            st.dataframe(
                with_titles(fc.restore.join(names, on="competency_id", how="left"), roles)
                .with_columns(pl.col("weight_needed").round(2))
                .select(
                    "role",
                    "employee_id",
                    "competency",
                    "required_level",
                    "level_at_lapse",
                    "weight_needed",
                    "evidence_types",
                ),
                hide_index=True,
                placeholder=BLANK,
                column_config={
                    "role": "Critical role",
                    "employee_id": "Successor",
                    "competency": "Requirement",
                    "required_level": "Level needed",
                    "level_at_lapse": "Level then",
                    "weight_needed": "Fresh evidence weight needed",
                    "evidence_types": st.column_config.TextColumn("Any one verified item of", width="large"),
                },
            )

st.subheader("Committee pack")
st.caption(
    "The succession review as one PDF and the same content as an Excel workbook: critical roles and their bench, "
    "the candidates, nominations beside the evidence, talent pools, the evidence-based nine-box, the impact of loss "
    "and the bench over time — what you may see, with the as-of date and the rules in force."
)
pack_downloads(
    f"succession_pack_{filters.as_of:%Y%m%d}",
    lambda: succession_pdf(committee_pack(bundle, Filters(filters.as_of))),
    lambda: succession_excel(committee_pack(bundle, Filters(filters.as_of))),
)
