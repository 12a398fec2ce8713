"""Overview: leading and lagging indicators in one view, each linking to its page."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.labels import band_rule, four_fifths_rule, recommendation_rules, risk_rule
from metrics.learning import EXPOSURE_UNITS
from ui import charts
from ui.components import explain, learning_gate, metric_help
from ui.compute import band_counts, bench_view, equity_view, learning, portfolio, risk_view
from ui.state import page_context, scope_caption, settings_for

bundle, filters = page_context()
cfg = settings_for(bundle).config
st.title("Talent readiness overview")
st.caption(
    f"As of {filters.as_of:%d %B %Y} · {bundle.source}"
    + (f" · teams: {', '.join(filters.teams)}" if filters.teams else "")
    + (f" · ladders: {', '.join(filters.ladders)}" if filters.ladders else "")
)

left, right = st.columns(2, gap="large")

with left:
    st.subheader("Succession and readiness")
    if bundle.missing_for("bench"):
        st.info("Needs the `evidence` table.")
    else:
        bench, teams, org_kpi, scope_kpi = bench_view(bundle, filters)
        critical = bench.filter(pl.col("critical"))
        filtered = bool(filters.teams or filters.ladders)
        a, b = st.columns(2)
        a.metric(
            "Roles covered" if filtered else "Critical roles covered",
            "–" if (scope_kpi if filtered else org_kpi) is None else f"{(scope_kpi if filtered else org_kpi):.0%}",
            help=metric_help(
                "Share of critical roles with at least one successor ready now"
                + (" (critical roles held in the chosen teams and ladders)." if filtered else "."),
                "Bench strength",
            ),
        )
        b.metric(
            "Without successors",
            f"{critical.filter(pl.col('status') == 'no_successors').height}",
            help=metric_help("Critical roles with no candidate ready now or within 1–2 years.", "Bench strength"),
        )
        st.caption(
            f"{scope_caption(filters)}: critical roles held in this scope"
            + (f"; whole organisation: {org_kpi:.0%} covered." if filtered and org_kpi is not None else ".")
            + " Successors can come from any team."
        )
        for row in critical.filter(pl.col("status") != "covered").iter_rows(named=True):
            st.markdown(f"- {row['explanation']}")
        st.page_link("views/bench.py", label="Bench strength", icon=":material/arrow_forward:")

        counts = band_counts(bundle, filters)
        if counts.height:
            st.altair_chart(charts.band_distribution(counts), width="stretch")
            explain(f"{scope_caption(filters)}. " + band_rule(cfg.readiness), "Readiness")
        else:
            st.info("Nobody active matches the team and ladder filters at this date.", icon=":material/filter_alt_off:")
        st.page_link("views/readiness.py", label="Readiness by role", icon=":material/arrow_forward:")

with right:
    st.subheader("Capability risk")
    if bundle.missing_for("capability_risk"):
        st.info("Needs the `evidence` and `capability_targets` tables.")
    else:
        risk = risk_view(bundle, filters)
        st.metric(
            "High-risk targets",
            f"{risk.filter(pl.col('band') == 'high').height} of {risk.height}",
            help=metric_help(risk_rule(cfg.capability_risk), "Capability risk"),
        )
        st.caption(
            scope_caption(filters).replace("Scope: ", "Scope: targets of ")
            + (
                " (capability targets are set per team, so the ladder filter does not apply)."
                if filters.ladders
                else "."
            )
        )
        for row in risk.head(5).iter_rows(named=True):
            st.markdown(f"- {row['explanation']}")
        st.page_link("views/capability_risk.py", label="Capability risk", icon=":material/arrow_forward:")

    st.subheader("Progression equity")
    if bundle.missing_for("equity") or not bundle.equity_attributes:
        st.info("Needs the `movements` table and at least one equity attribute.")
    else:
        flagged_total = 0
        lines: list[str] = []
        for attribute in bundle.equity_attributes:
            view = equity_view(bundle, filters.as_of, (attribute,))
            table = view.table.filter(~pl.col("suppressed"))
            flagged = table.filter(pl.col("adverse_impact").fill_null(False) & pl.col("significant").fill_null(False))
            flagged_total += flagged.height
            lines += [s for s in view.sentences if "statistically significant at" in s and "not statistically" not in s]
        st.caption(
            ":material/lock: Whole organisation, never filtered: comparing a filtered and an unfiltered view could "
            f"reveal groups smaller than {cfg.equity.min_group_size}."
        )
        st.metric(
            "Groups below four-fifths and significant",
            f"{flagged_total}",
            help=metric_help(
                four_fifths_rule(cfg.equity)
                + f" One attribute at a time, last {cfg.equity.window_months} months, whole organisation.",
                "Progression equity",
            ),
        )
        for line in lines[:3]:
            st.markdown(f"- {line}")
        st.page_link("views/equity.py", label="Progression equity", icon=":material/arrow_forward:")

    st.subheader("Learning")
    if bundle.missing_for("learning_impact"):
        st.info("Needs the `assets`, `learning_events` and `performance` tables.")
    elif learning_gate(bundle, filters.as_of, "overview"):
        effects = learning(bundle, filters.as_of).effects
        predictive = effects.filter(pl.col("label") == "predictive").sort("effect", descending=True)
        data = portfolio(bundle, filters.as_of)
        st.caption(
            "Whole organisation: learning impact is estimated across everyone (a team is too small to estimate it), "
            "and the asset portfolio covers every asset."
        )
        a, b = st.columns(2)
        a.metric(
            "Clusters that predict performance",
            f"{predictive.height} of {effects.height}",
            help=metric_help(
                f"Controlled effect on the rating with q < {cfg.learning_impact.q_threshold:g}.", "Learning impact"
            ),
        )
        b.metric(
            "Assets to retire",
            f"{data.filter(pl.col('recommendation') == 'retire').height} of {data.height}",
            help=metric_help(recommendation_rules(cfg.assets, cfg.learning_impact)["retire"], "Asset portfolio"),
        )
        for row in predictive.iter_rows(named=True):
            st.markdown(
                f"- **{row['cluster']}**: {row['effect']:+.2f} rating points per "
                f"{EXPOSURE_UNITS[cfg.learning_impact.exposure]} "
                f"(95% CI {row['ci_low']:+.2f} to {row['ci_high']:+.2f})"
            )
        st.page_link("views/learning_impact.py", label="Learning impact", icon=":material/arrow_forward:")
        st.page_link("views/assets.py", label="Asset portfolio", icon=":material/arrow_forward:")
