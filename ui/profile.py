"""One person's profile, drawn the same way on the Person profile, My team and My profile pages.

No demographic attribute appears here. Every frame comes through ``ui.compute``, which
refuses a person outside the viewer's scope.
"""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from data_sources.audit import PROFILE_VIEW
from data_sources.bundle import DataBundle
from metrics.coaching import coaching_prompts
from metrics.labels import BAND_LABELS, LEVEL_NAMES, weight_rule
from ui import charts
from ui.auth import audit, session_viewer
from ui.components import explain, learning_gate, needs_tables, show_table
from ui.compute import core, person_evidence, person_gaps, recommended_assets
from ui.present import person_label
from ui.state import Filters, settings_for

VIEWED_KEY = "tr_profiles_viewed"


def _record_view(employee_id: str) -> None:
    """One audit entry per person per session (reruns of the same page do not repeat it)."""
    viewed = st.session_state.setdefault(VIEWED_KEY, set())
    if employee_id not in viewed:
        audit(session_viewer(), PROFILE_VIEW, employee_id)
        viewed.add(employee_id)


def render_profile(bundle: DataBundle, filters: Filters, employee_id: str, *, snapshot: bool = False) -> None:
    """Readiness, gaps, coaching prompts, evidence and recommended learning of one employee."""
    t = bundle.tables
    cfg = settings_for(bundle).config
    gaps = person_gaps(bundle, filters.as_of, employee_id)  # refuses anyone outside the viewer's scope
    _record_view(employee_id)
    record = t["employees"].filter(pl.col("employee_id") == employee_id)
    if record.height:
        row = record.row(0, named=True)
        title = t["roles"].filter(pl.col("role_id") == row["role_id"]).get_column("title")
        st.subheader(person_label(row.get("display_name"), employee_id))
        st.caption(
            f"{title.item() if title.len() else row['role_id']} ({row['role_id']}) · {row['team']} · "
            f"as of {filters.as_of:%d %b %Y}"
            + (f" · left on {row['exit_date']:%d %b %Y}" if row.get("exit_date") else "")
        )
    readiness = core(bundle, filters.as_of).readiness
    ready = readiness.filter(pl.col("employee_id") == employee_id) if readiness is not None else pl.DataFrame()
    roles = t["roles"].select("role_id", "title")
    cols = st.columns(max(ready.height, 1))
    for col, row in zip(cols, ready.sort("relation").iter_rows(named=True), strict=False):
        title = roles.filter(pl.col("role_id") == row["target_role_id"]).get_column("title").item()
        which = "Own role" if row["relation"] == "current" else "Next role"
        col.metric(
            f"{which}: {title}",
            "–" if row["readiness"] is None else f"{row['readiness']:.2f}",
            delta=BAND_LABELS.get(row["band"], "no requirements"),
            delta_color="off",
            delta_arrow="off",
            help=f"Weighted share of the role's requirements met; {row['n_gaps']} gap(s), "
            f"{row['n_critical_gaps']} critical.",
        )

    if gaps.height:
        heat = gaps.select(
            pl.col("name").alias("competency"),
            pl.when(pl.col("relation") == "current")
            .then(pl.lit("Own: "))
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

    st.subheader("Gaps and what would close them")
    short = (
        gaps.filter(pl.col("gap") > 0)
        .select(
            pl.col("relation").replace({"current": "own role", "next": "next role"}).alias("for"),
            pl.col("target_title").alias("role"),
            pl.col("name").alias("competency"),
            "critical",
            pl.col("required_level").replace_strict(dict(LEVEL_NAMES), return_dtype=pl.String).alias("required"),
            pl.col("level").replace_strict(dict(LEVEL_NAMES), return_dtype=pl.String).alias("demonstrated"),
            pl.col("gap").alias("levels short"),
        )
        .sort("for", "critical", "levels short", descending=[False, True, True])
    )
    if short.height:
        for prompt in coaching_prompts(gaps, cfg.proficiency):
            st.markdown(f"- {prompt}")
        show_table(short, f"gaps_{employee_id}")
    else:
        st.success("No gaps against the own or next role.", icon=":material/check:")

    st.subheader("Evidence behind each level")
    items = person_evidence(bundle, filters.as_of, employee_id)
    if items.height:
        show_table(items, f"evidence_{employee_id}")
        explain(weight_rule(cfg.proficiency), "Demonstrated proficiency")
    else:
        st.info("No evidence recorded for this employee up to the as-of date.")

    st.subheader("Recommended learning")
    recs = None
    if bundle.missing_for("learning_impact"):
        needs_tables(bundle, "learning_impact")
    elif learning_gate(bundle, filters.as_of, f"person_{employee_id}"):
        recs = recommended_assets(bundle, filters.as_of, employee_id)
        if recs.height:
            show_table(recs, f"recommended_{employee_id}")
            explain(
                "Assets for the competencies this person falls short on, not yet completed by them: first from "
                "clusters whose completion predicts higher ratings (controlled estimate); where none covers a gap, "
                "assets aligned to that competency, whose effect on performance is not established.",
                "Learning impact",
            )
        elif short.height:
            st.info("No asset in the catalogue addresses these gaps at the levels needed.")
        else:
            st.info("No gaps, so nothing to recommend.")

    if snapshot:
        payload = {
            "employee_id": employee_id,
            "as_of": filters.as_of.isoformat(),
            "readiness": ready.to_dicts(),
            "gaps": short.to_dicts(),
            "evidence": items.with_columns(pl.col("observed_on").cast(pl.String)).to_dicts(),
            "recommended_learning": recs.to_dicts() if recs is not None else [],
        }
        st.download_button(
            "Download my strengths-and-gaps snapshot (JSON)",
            json.dumps(payload, indent=2, default=str),
            file_name=f"strengths_and_gaps_{employee_id}.json",
            mime="application/json",
            icon=":material/download:",
            key="snapshot_json",
        )
