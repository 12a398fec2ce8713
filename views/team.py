"""My team: a manager's direct and indirect reports, their readiness for their own and next
roles, coaching prompts in words, and the next micro-lessons from predictive clusters.

A manager sees their own hierarchy (walked down ``manager_id`` at the as-of date). HR and
administrators choose a manager to see that manager's team.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.access import hierarchy
from metrics.coaching import coaching_prompts
from metrics.labels import band_rule
from ui.auth import current_scope, session_viewer
from ui.components import explain, learning_available_quietly, needs_tables, readiness_table
from ui.compute import readiness_view, team_coaching, with_names
from ui.present import person_label
from ui.profile import render_profile
from ui.state import page_context, settings_for

#: Reports listed with prompts and lessons at once (a larger team is listed, then drilled into).
MAX_DETAILED = 40

bundle, filters = page_context()
viewer = session_viewer()
cfg = settings_for(bundle).config
st.title("My team")
st.caption(
    f"Readiness of your direct and indirect reports as of {filters.as_of:%d %b %Y}, what evidence would move each "
    "person forward, and the micro-lessons that predict better performance."
)
if needs_tables(bundle, "readiness"):
    st.stop()

employees = bundle.tables["employees"]
names = (
    dict(zip(employees["employee_id"].to_list(), employees["display_name"].to_list()))
    if "display_name" in employees.columns
    else {}
)
manager = viewer.employee_id
if manager is None and current_scope(bundle, filters.as_of).everyone:
    managers = sorted(set(employees.get_column("manager_id").drop_nulls().to_list()))
    manager = st.selectbox(
        "Manager",
        managers,
        key="team_manager",
        format_func=lambda e: person_label(names.get(e), e),
        help="HR and administrators may view any team.",
    )
if manager is None:
    st.info("Your sign-in is not linked to an employee record, so there is no team to show.")
    st.stop()

team = hierarchy(employees, manager, filters.as_of) - {manager}
rows = readiness_view(bundle, filters).filter(pl.col("employee_id").is_in(list(team)))
if rows.height == 0:
    st.info(
        "Nobody in this team is active at the as-of date within the sidebar's filters. "
        "Clear the team and ladder filters, or choose another date."
    )
    st.stop()

own = rows.filter(pl.col("relation") == "current")
c1, c2, c3 = st.columns(3)
c1.metric("People in the team", f"{own.height}", help="Direct and indirect reports active at the as-of date.")
c2.metric(
    "Ready now in their own role",
    f"{own.filter(pl.col('band') == 'ready_now').height}",
    help=band_rule(cfg.readiness),
)
nxt = rows.filter(pl.col("relation") == "next")
c3.metric(
    "Ready now for their next role",
    f"{nxt.filter(pl.col('band') == 'ready_now').height} of {nxt.height}",
    help="Among those whose role has a next role on its ladder.",
)

table = rows.select(
    "employee_id",
    "relation",
    pl.col("target_role_id").alias("role_id"),
    "readiness",
    pl.col("band").fill_null("no requirements"),
    "n_gaps",
    pl.col("explanation"),
).sort("employee_id", "relation")
readiness_table(with_names(table, bundle), f"team_{manager}")
explain(band_rule(cfg.readiness), "Readiness")

st.subheader("Coaching prompts and next micro-lessons")
show_lessons = not bundle.missing_for("learning_impact") and learning_available_quietly(bundle, filters.as_of)
detailed = tuple(sorted(team & set(own.get_column("employee_id").to_list()))[:MAX_DETAILED])
coaching = team_coaching(bundle, filters.as_of, detailed, show_lessons)
for employee_id in detailed:
    prompts = coaching_prompts(coaching.gaps_of(employee_id), cfg.proficiency, limit=2)
    label = person_label(names.get(employee_id), employee_id)
    with st.expander(f"{label}: {len(prompts)} prompt(s)"):
        for prompt in prompts or ["No gaps against the own or next role."]:
            st.markdown(f"- {prompt}")
        if show_lessons:
            lessons = coaching.lessons[employee_id].head(3)
            for row in lessons.iter_rows(named=True):
                st.markdown(f"- Micro-lesson: **{row['title']}** ({row['competency']}, cluster {row['cluster']})")
if len(team) > MAX_DETAILED:
    st.caption(f"The first {MAX_DETAILED} people are listed; open anyone below.")

st.subheader("Open a person")
person = st.selectbox(
    "Person",
    sorted(team),
    key="team_person",
    index=None,
    format_func=lambda e: person_label(names.get(e), e),
    placeholder="Choose a report",
)
if person:
    render_profile(bundle, filters, person)
