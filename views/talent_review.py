"""Talent review: candidates for any role, the evidence-based nine-box, side-by-side comparison,
nominations and talent pools saved in the product's store."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data_sources.audit import NOMINATION, TALENT_POOL
from data_sources.talent_store import (
    JUDGEMENT_LABELS,
    JUDGEMENTS,
    TalentStoreError,
    add_to_pool,
    create_pool,
    save_nomination,
    withdraw_nomination,
)
from ui import talent_charts
from ui.auth import audit, session_viewer
from ui.components import BLANK, MSG_NEEDS_TABLES, downloads, explain, metric_help, needs_tables, show_table
from ui.compute import with_names
from ui.state import page_context
from ui.talent import (
    ACTIVE,
    NOMINEE_LEFT,
    NOT_YET_HIRED,
    STORE_ERRORS,
    candidates,
    comparison,
    config,
    evidence_for,
    ninebox,
    ninebox_groups,
    nominations,
    pools,
    role_labels,
    signed_in_name,
    store_error,
    with_titles,
    words,
)

ANCHOR = "Talent review"
MOVES = {"lateral": 0, "one up": 1, "two up": 2}

bundle, filters = page_context()
st.title("Talent review")
st.caption(
    f"Who could fill a role, where people sit on performance × readiness, and the committee's nominations — "
    f"every placement backed by the evidence behind it, as of {filters.as_of:%d %b %Y}."
)
if needs_tables(bundle, "readiness"):
    st.stop()

t = bundle.tables
roles = t["roles"]
labels = role_labels(roles)
crit_ids = set(roles.filter(pl.col("critical").fill_null(False))["role_id"]) if "critical" in roles.columns else set()
critical_first = sorted(labels, key=lambda r: (r not in crit_ids, list(labels).index(r)))
scope = (
    "Scope: " + ", ".join(filter(None, [", ".join(filters.teams), ", ".join(filters.ladders)]))
    if (filters.teams or filters.ladders)
    else "Scope: whole organisation"
)

tab_candidates, tab_box, tab_compare, tab_noms = st.tabs(
    ["Candidates for a role", "Nine-box", "Compare candidates", "Nominations and pools"]
)

# ---------------------------------------------------------------- candidates for any role
with tab_candidates:
    role_id = st.selectbox("Role", critical_first, format_func=labels.get, key="talent_role")
    moves = st.multiselect("Move", list(MOVES), key="talent_moves", placeholder="Any move (lateral, one up, two up, …)")
    found = candidates(
        bundle,
        filters.as_of,
        role_id,
        tuple(filters.ladders),
        tuple(filters.teams),
        tuple(MOVES[m] for m in moves),
    )
    ranked = found.ranked
    st.caption(
        f"{scope} (the sidebar's teams and ladders narrow the candidates by their current team and ladder). "
        "People who already hold the role are not listed."
    )
    if ranked.height == 0:
        st.info("Nobody matches these filters: widen the teams, ladders or moves.")
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(
            "Candidates", f"{ranked.height:,}", help=metric_help("Active employees assessed for the role.", ANCHOR)
        )
        c2.metric(
            "Ready now",
            f"{(ranked['band'] == 'ready_now').sum():,}",
            help=metric_help("Readiness ≥ 0.90 with every critical requirement met.", ANCHOR),
        )
        c3.metric(
            "Ready in 1–2 years",
            f"{(ranked['band'] == 'ready_soon').sum():,}",
            help=metric_help("Readiness ≥ 0.70.", ANCHOR),
        )
        top = with_titles(ranked.head(20), roles)
        st.altair_chart(
            talent_charts.candidate_bars(
                with_names(top, bundle).select(
                    "employee_id",
                    *(["display_name"] if "display_name" in bundle.tables["employees"].columns else []),
                    "readiness",
                    "band",
                    "move",
                    "role",
                )
            ),
            width="stretch",
        )
        show_table(
            with_names(
                ranked.head(200)
                .join(roles.select("role_id", "title"), on="role_id", how="left")
                .select(
                    "rank",
                    "employee_id",
                    "role_id",
                    "title",
                    "team",
                    "move",
                    "readiness",
                    "band",
                    "n_gaps",
                    "n_critical_gaps",
                    pl.col("n_evidence").alias("evidence_items"),
                    pl.col("last_evidence_on").alias("latest_evidence"),
                    "days_in_role",
                ),
                bundle,
            ),
            f"candidates_{role_id}_best_200",
            key="talent_candidates_top",
        )
        explain(
            "Ranked by readiness for the chosen role, then fewer critical gaps, fewer gaps, more evidence. "
            f"The best 200 of {ranked.height:,} are shown (their download is just above); every candidate:",
            ANCHOR,
        )
        downloads(ranked, f"candidates_{role_id}", key="talent_candidates")

        pick = st.selectbox(
            "See the gaps and evidence of",
            found.requirements["employee_id"].unique(maintain_order=True).to_list(),
            key="talent_candidate",
        )
        names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
        detail = found.requirements.filter(pl.col("employee_id") == pick).join(names, on="competency_id", how="left")
        st.dataframe(
            detail.select("competency", "required_level", "level", "gap", "critical", "n_evidence", "last_observed_on"),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "competency": "Requirement",
                "required_level": "Required level",
                "level": "Demonstrated level",
                "gap": "Gap",
                "critical": "Critical",
                "n_evidence": "Evidence items",
                "last_observed_on": st.column_config.DateColumn("Latest evidence", format="D MMM YYYY"),
            },
        )
        items = evidence_for(bundle, filters.as_of, (pick,), tuple(detail["competency_id"].to_list()))
        if items.height:
            st.dataframe(
                items.select(
                    "name", "evidence_type", "level", "observed_on", "verified", "weight", "supports_level"
                ).with_columns(pl.col("evidence_type").str.replace_all("_", " "), pl.col("weight").round(2)),
                hide_index=True,
                placeholder=BLANK,
                column_config={
                    "name": "Competency",
                    "evidence_type": "Evidence",
                    "level": "Level shown",
                    "observed_on": st.column_config.DateColumn("Observed", format="D MMM YYYY"),
                    "verified": "Verified",
                    "weight": "Weight today",
                    "supports_level": "Supports the level",
                },
            )
            explain(
                "Each item's weight today: type × verification × half-life decay; items at or above the level support it.",
                ANCHOR,
            )
        else:
            st.info(f"{pick} has no evidence in this role's competencies yet.")

# ---------------------------------------------------------------- nine-box
with tab_box:
    if "performance" not in t:
        st.info(
            MSG_NEEDS_TABLES.format(tables="`performance`", s="", files="`performance.csv`"),
            icon=":material/table_view:",
        )
    else:
        nb = ninebox(bundle, filters.as_of)
        cfg = config(bundle).talent
        st.altair_chart(talent_charts.nine_box_grid(nb.grid), width="stretch")
        explain(
            f"Whole organisation. Performance: latest rating in the last {cfg.performance_max_age_days} days, low below "
            f"{cfg.performance_medium_min:g}, high from {cfg.performance_high_min:g}. Readiness for the next role: low below "
            f"{cfg.readiness_medium_min:.2f}, high from {cfg.readiness_high_min:.2f} (configuration [talent]).",
            ANCHOR,
        )
        if nb.unplaced.height:
            st.caption(
                "Not on the grid: " + "; ".join(f"{n:,} with {reason}" for reason, n in nb.unplaced.iter_rows()) + "."
            )
        box_names = dict(
            zip(
                nb.grid["box"].to_list(),
                (nb.grid["box_label"] + " (" + nb.grid["people"].cast(pl.String) + ")").to_list(),
            )
        )
        box = st.selectbox(
            "People in box", sorted(box_names, reverse=True), format_func=box_names.get, key="ninebox_box"
        )
        people = nb.placements.filter(pl.col("box") == box)
        if filters.teams:
            people = people.filter(pl.col("team").is_in(list(filters.teams)))
        if people.height == 0:
            st.info("Nobody in this box within the chosen teams.")
        else:
            listed = with_titles(people, roles, "next_role_id", "next_role").join(
                roles.select("role_id", "title"), on="role_id", how="left"
            )
            show_table(
                with_names(
                    listed.select(
                        "employee_id",
                        "role_id",
                        "title",
                        "team",
                        "next_role",
                        pl.col("rating").alias("latest_rating"),
                        pl.col("rating_period_end").alias("rated_for_period_ending"),
                        pl.col("readiness").alias("readiness_for_next_role"),
                        "band",
                        "n_critical_gaps",
                        pl.col("n_evidence").alias("evidence_items"),
                        "evidence_weight",
                        pl.col("last_evidence_on").alias("latest_evidence"),
                    ),
                    bundle,
                ),
                f"ninebox_box_{box}",
                key="ninebox_people",
                progress=("readiness_for_next_role",),
            )
            explain(
                "Each placement: the rating that set the row, and the evidence behind the readiness that set the column.",
                ANCHOR,
            )

        st.subheader("Inside each box, by group")
        present = [a for a in config(bundle).equity.attributes if a in t["employees"].columns]
        if not present:
            st.info("This source has no equity attribute columns (gender, ethnicity, age band, disability).")
        else:
            attribute = st.selectbox("Equity attribute", present, key="ninebox_attribute")
            groups = ninebox_groups(bundle, filters.as_of, attribute)
            minimum = config(bundle).equity.min_group_size
            st.dataframe(
                groups.with_columns(
                    pl.when(pl.col("suppressed"))
                    .then(pl.lit(f"fewer than {minimum} or hidden to protect another cell"))
                    .otherwise(pl.col("people").cast(pl.String))
                    .alias("people"),
                    pl.col("mean_rating").round(2),
                    pl.col("mean_readiness").round(2),
                ).select("box_label", "group", "people", "mean_rating", "mean_readiness"),
                hide_index=True,
                placeholder=BLANK,
                column_config={
                    "box_label": "Box",
                    "group": "Group",
                    "people": "People",
                    "mean_rating": "Mean rating",
                    "mean_readiness": "Mean readiness for next role",
                },
            )
            explain(
                f"Whole organisation (not narrowed by the team filter, for privacy). Cells under {minimum} people are "
                "suppressed, and further cells with them so that no suppressed count can be worked out from the box "
                "and group totals.",
                ANCHOR,
            )

# ---------------------------------------------------------------- comparison
with tab_compare:
    cmp_role = st.selectbox("Role", critical_first, format_func=labels.get, key="compare_role")
    best = candidates(bundle, filters.as_of, cmp_role, tuple(filters.ladders), tuple(filters.teams), ())
    options = best.ranked["employee_id"].head(50).to_list()
    chosen = st.multiselect(
        "Candidates (two to four)",
        options,
        default=options[:3],
        max_selections=4,
        key="compare_people",
        help="The 50 best-placed candidates for the role.",
    )
    if len(chosen) < 2:
        st.info("Pick two to four candidates to compare them.")
    else:
        cmp = comparison(bundle, filters.as_of, cmp_role, tuple(chosen))
        summary = with_names(words(with_titles(cmp.summary, roles)), bundle)
        st.dataframe(
            summary.select(
                "employee_id",
                *(["display_name"] if "display_name" in summary.columns else []),
                "role",
                "team",
                "move",
                "readiness",
                "band",
                "n_gaps",
                "n_critical_gaps",
                "n_evidence",
                "last_evidence_on",
                "days_in_role",
                "latest_rating",
                "rating_change",
                "trend",
            ),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "employee_id": "Employee",
                "display_name": "Name",
                "role": "Current role",
                "team": "Team",
                "move": "Move",
                "readiness": st.column_config.ProgressColumn("Readiness", min_value=0.0, max_value=1.0, format="%.2f"),
                "band": "Band",
                "n_gaps": "Gaps",
                "n_critical_gaps": "Critical gaps",
                "n_evidence": "Evidence items",
                "last_evidence_on": st.column_config.DateColumn("Latest evidence", format="D MMM YYYY"),
                "days_in_role": "Days in current role",
                "latest_rating": st.column_config.NumberColumn("Latest rating", format="%.1f"),
                "rating_change": st.column_config.NumberColumn("Change since previous", format="%+.1f"),
                "trend": "Trend",
            },
        )
        names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
        reqs = cmp.requirements.join(names, on="competency_id", how="left")
        st.altair_chart(
            talent_charts.comparison_levels(
                reqs.select("competency", "employee_id", "level", "required_level", "n_evidence", "last_observed_on")
            ),
            width="stretch",
        )
        if cmp.ratings.height:
            st.altair_chart(talent_charts.rating_lines(cmp.ratings), width="stretch")
        explain(
            "Each requirement's demonstrated level against the required level, with evidence count and recency.", ANCHOR
        )
        downloads(summary, f"comparison_{cmp_role}", key="compare")

# ---------------------------------------------------------------- nominations and pools
with tab_noms:
    signed = signed_in_name()
    who = st.text_input(
        "Your name (recorded with what you save)",
        value=signed or st.session_state.get("talent_who", ""),
        disabled=signed is not None,
        key="talent_who",
    )
    st.subheader("Nominate a successor")
    with st.form("nominate_form", clear_on_submit=False):
        n_role = st.selectbox("Role", critical_first, format_func=labels.get, key="nominate_role")
        n_employee = st.text_input("Employee id", key="nominate_employee", placeholder="e.g. E000123")
        n_judgement = st.radio(
            "Readiness you judge",
            JUDGEMENTS,
            format_func=JUDGEMENT_LABELS.get,
            horizontal=True,
            key="nominate_judgement",
        )
        n_note = st.text_area("Note", key="nominate_note", max_chars=2000)
        submitted = st.form_submit_button("Save nomination", type="primary")
    if submitted:
        try:
            nid = save_nomination(
                None,
                t["employees"],
                roles,
                role_id=n_role,
                employee_id=n_employee.strip(),
                judgement=n_judgement,
                note=n_note,
                nominated_by=who,
            )
            audit(
                session_viewer(),
                NOMINATION,
                f"saved nomination {nid}: {n_employee.strip()} for {n_role}, {n_judgement}",
            )
            st.success(
                f"Saved nomination {nid}: {n_employee.strip()} for {labels[n_role]}, {JUDGEMENT_LABELS[n_judgement].lower()}."
            )
        except TalentStoreError as exc:
            st.error(str(exc), icon=":material/error:")
        except STORE_ERRORS as exc:
            st.error(store_error(exc), icon=":material/error:")

    try:
        noms = nominations(bundle, filters.as_of)
        pool_list, members = pools(bundle, filters.as_of)
    except STORE_ERRORS as exc:
        st.error(store_error(exc), icon=":material/error:")
        st.stop()
    st.subheader("Nominations beside the evidence")
    current = noms.filter(pl.col("state").is_in([ACTIVE, NOMINEE_LEFT, NOT_YET_HIRED]))
    if current.height == 0:
        st.info("No nominations saved yet.")
    else:
        disagree = current.filter(pl.col("agreement").is_not_null() & (pl.col("agreement") != "agrees")).height
        st.metric(
            "Nominations where the committee and the evidence disagree",
            f"{disagree} of {current.height}",
            help=metric_help("The judged readiness differs from the band the evidence gives for that role.", ANCHOR),
        )
        table = with_names(words(with_titles(current, roles)), bundle).with_columns(
            pl.when(pl.col("state") == NOMINEE_LEFT)
            .then(pl.format("left on {}", pl.col("exit_date").dt.strftime("%d %b %Y")))
            .otherwise(pl.col("state"))
            .alias("state"),
            pl.col("nominated_at").dt.strftime("%d %b %Y %H:%M UTC").alias("nominated_at"),
        )
        st.dataframe(
            table.select(
                "nomination_id",
                "role",
                "employee_id",
                *(["display_name"] if "display_name" in table.columns else []),
                "judgement",
                "band",
                "readiness",
                "agreement",
                "state",
                "nominated_by",
                "nominated_at",
                "note",
            ),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "nomination_id": "No.",
                "role": "Role",
                "employee_id": "Nominee",
                "display_name": "Name",
                "judgement": "Committee's judgement",
                "band": "Evidence says",
                "readiness": st.column_config.ProgressColumn("Readiness", min_value=0.0, max_value=1.0, format="%.2f"),
                "agreement": st.column_config.TextColumn("Agreement", width="medium"),
                "state": "Nominee",
                "nominated_by": "Nominated by",
                "nominated_at": "When",
                "note": st.column_config.TextColumn("Note", width="large"),
            },
        )
        explain("Ready now ↔ ready now; ready in 1–2 years ↔ ready soon; ready in 3+ years ↔ developing.", ANCHOR)
        downloads(table, "nominations", key="nominations")
        with st.form("withdraw_form"):
            w_id = st.selectbox("Withdraw nomination", current["nomination_id"].to_list(), key="withdraw_id")
            if st.form_submit_button("Withdraw"):
                try:
                    withdraw_nomination(None, int(w_id), who)
                    audit(session_viewer(), NOMINATION, f"withdrew nomination {w_id}")
                    st.success(f"Nomination {w_id} withdrawn (kept in the store with your name).")
                except TalentStoreError as exc:
                    st.error(str(exc), icon=":material/error:")
                except STORE_ERRORS as exc:
                    st.error(store_error(exc), icon=":material/error:")
    orphans = noms.filter(~pl.col("state").is_in([ACTIVE, NOMINEE_LEFT, NOT_YET_HIRED]))
    if orphans.height:
        st.subheader("Orphaned nominations")
        st.warning(
            f"{orphans.height} saved nomination(s) refer to a role or employee that the loaded source no longer has. "
            "They stay in the store; reload the earlier source to see them in context.",
            icon=":material/link_off:",
        )
        st.dataframe(
            words(orphans).select(
                "nomination_id", "role_id", "employee_id", "judgement", "state", "nominated_by", "note"
            ),
            hide_index=True,
            placeholder=BLANK,
        )

    st.subheader("Talent pools")
    c1, c2 = st.columns(2)
    with c1, st.form("pool_form"):
        p_name = st.text_input("New pool name", key="pool_name")
        p_desc = st.text_area("What the pool is for", key="pool_description")
        if st.form_submit_button("Create pool"):
            try:
                pid = create_pool(None, p_name, p_desc, who)
                audit(session_viewer(), TALENT_POOL, f"created pool {pid}: {p_name.strip()}")
                st.success(f"Pool {p_name.strip()!r} is ready (no. {pid}).")
            except TalentStoreError as exc:
                st.error(str(exc), icon=":material/error:")
            except STORE_ERRORS as exc:
                st.error(store_error(exc), icon=":material/error:")
    with c2, st.form("member_form"):
        pool_names = dict(zip(pool_list["pool_id"].to_list(), pool_list["name"].to_list()))
        m_pool = st.selectbox("Pool", list(pool_names), format_func=pool_names.get, key="member_pool")
        m_employee = st.text_input("Employee id", key="member_employee")
        m_note = st.text_input("Note", key="member_note")
        if st.form_submit_button("Add to pool"):
            try:
                if m_pool is None:
                    raise TalentStoreError("Create a pool first.")
                add_to_pool(
                    None, t["employees"], pool_id=int(m_pool), employee_id=m_employee.strip(), added_by=who, note=m_note
                )
                audit(session_viewer(), TALENT_POOL, f"added {m_employee.strip()} to pool {m_pool}")
                st.success(f"{m_employee.strip()} added to {pool_names[m_pool]!r}.")
            except TalentStoreError as exc:
                st.error(str(exc), icon=":material/error:")
            except STORE_ERRORS as exc:
                st.error(store_error(exc), icon=":material/error:")
    pool_list, members = pools(bundle, filters.as_of)
    if members.height == 0:
        st.info("No one is in a talent pool yet.")
    else:
        emp = t["employees"].select("employee_id", "role_id", "exit_date")
        shown_members = with_titles(members.join(emp, on="employee_id", how="left"), roles).with_columns(
            pl.when(pl.col("exit_date").is_not_null() & (pl.col("exit_date") <= filters.as_of))
            .then(pl.format("left on {}", pl.col("exit_date").dt.strftime("%d %b %Y")))
            .when(pl.col("role_id").is_null())
            .then(pl.lit("not in the loaded source"))
            .otherwise(pl.lit("active"))
            .alias("state"),
            pl.col("added_at").dt.strftime("%d %b %Y %H:%M UTC"),
        )
        st.dataframe(
            shown_members.select("pool_name", "employee_id", "role", "state", "added_by", "added_at", "note"),
            hide_index=True,
            placeholder=BLANK,
            column_config={
                "pool_name": "Pool",
                "employee_id": "Employee",
                "role": "Current role",
                "state": "Status",
                "added_by": "Added by",
                "added_at": "When",
                "note": st.column_config.TextColumn("Note", width="large"),
            },
        )
        explain("Pools group people across roles; each membership records who added it and when.", ANCHOR)
