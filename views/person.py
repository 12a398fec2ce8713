"""Person profile: one employee's strengths and gaps against their current and next role.

No demographic attribute appears on this page.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.labels import BAND_LABELS, LEVEL_NAMES, weight_rule
from ui import charts
from ui.components import downloads, explain, learning_gate, needs_tables
from ui.compute import active_people, core, person_evidence, person_gaps, recommended_assets
from ui.state import page_context, settings_for

bundle, filters = page_context()
st.title("Person profile")
st.caption("One employee's demonstrated proficiency against what their current role and their next role require.")
if needs_tables(bundle, "person"):
    st.stop()

t = bundle.tables
people = active_people(bundle, filters)
if people.height == 0:
    st.info("No active employee matches the team and ladder filters.")
    st.stop()
roles = t["roles"].select("role_id", "title")
labels = dict(zip(people["employee_id"] + " · " + people["title"] + " · " + people["team"], people["employee_id"]))
employee_id = labels[st.selectbox("Employee", list(labels), key="person_employee")]

gaps = person_gaps(bundle, filters.as_of, employee_id)
ready = core(bundle, filters.as_of).readiness.filter(pl.col("employee_id") == employee_id)
cols = st.columns(max(ready.height, 1))
for col, row in zip(cols, ready.sort("relation").iter_rows(named=True)):
    title = roles.filter(pl.col("role_id") == row["target_role_id"]).get_column("title").item()
    which = "Current role" if row["relation"] == "current" else "Next role"
    col.metric(
        f"{which}: {title}",
        "–" if row["readiness"] is None else f"{row['readiness']:.2f}",
        delta=BAND_LABELS.get(row["band"], "no requirements"),
        delta_color="off",
        delta_arrow="off",
        help=f"Weighted share of the role's requirements met; {row['n_gaps']} gap(s), {row['n_critical_gaps']} critical.",
    )

if gaps.height:
    heat = gaps.select(
        pl.col("name").alias("competency"),
        pl.when(pl.col("relation") == "current")
        .then(pl.lit("Current: "))
        .otherwise(pl.lit("Next: "))
        .add(pl.col("target_title"))
        .alias("target"),
        "required_level",
        "level",
        (pl.col("level") - pl.col("required_level")).alias("gap_levels"),
        "critical",
    )
    st.altair_chart(charts.profile_heatmap(heat), width="stretch")
    explain(
        "Each cell: demonstrated level / required level. Blue: at or above what the role requires; orange: below.",
        "Demonstrated proficiency",
    )

st.subheader("Gaps")
short = (
    gaps.filter(pl.col("gap") > 0)
    .select(
        pl.col("relation").replace({"current": "current role", "next": "next role"}).alias("for"),
        pl.col("target_title").alias("role"),
        pl.col("name").alias("competency"),
        "critical",
        pl.col("required_level").replace_strict(dict(LEVEL_NAMES), return_dtype=pl.String).alias("required"),
        pl.col("level").replace_strict(dict(LEVEL_NAMES), return_dtype=pl.String).alias("demonstrated"),
        "gap",
    )
    .sort("for", "critical", "gap", descending=[False, True, True])
)
if short.height:
    st.dataframe(short, hide_index=True)
    downloads(short, f"gaps_{employee_id}")
else:
    st.success("No gaps against the current or next role.", icon=":material/check:")

st.subheader("Evidence behind each level")
items = person_evidence(bundle, filters.as_of, employee_id)
if items.height:
    st.dataframe(items, hide_index=True)
    explain(
        weight_rule(settings_for(bundle).config.proficiency),
        "Demonstrated proficiency",
    )
    downloads(items, f"evidence_{employee_id}")
else:
    st.info("No evidence recorded for this employee up to the as-of date.")

st.subheader("Recommended learning")
if bundle.missing_for("learning_impact"):
    needs_tables(bundle, "learning_impact")
elif learning_gate(bundle, filters.as_of, "person"):
    recs = recommended_assets(bundle, filters.as_of, employee_id)
    if recs.height:
        st.dataframe(recs, hide_index=True)
        downloads(recs, f"recommended_{employee_id}")
        explain(
            "Assets for the competencies this person falls short on, from clusters whose completion predicts "
            "higher ratings (controlled estimate), not yet completed by them.",
            "Learning impact",
        )
    else:
        st.info("No asset from a cluster that predicts performance addresses this person's gaps.")
