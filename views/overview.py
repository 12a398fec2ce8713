"""Overview: leading and lagging indicators in one view, each linking to its page."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui import charts
from ui.components import explain, learning_gate, metric_help
from ui.compute import band_counts, bench_view, equity_view, learning, portfolio, risk_view
from ui.state import page_context

bundle, filters = page_context()
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
        bench, teams, kpi = bench_view(bundle.version, filters)
        critical = bench.filter(pl.col("critical"))
        a, b = st.columns(2)
        a.metric(
            "Critical roles covered",
            "–" if kpi is None else f"{kpi:.0%}",
            help=metric_help("Share of critical roles with at least one successor ready now.", "Bench strength"),
        )
        b.metric(
            "Critical roles without successors",
            f"{critical.filter(pl.col('status') == 'no_successors').height}",
            help=metric_help("No candidate ready now or within 1–2 years.", "Bench strength"),
        )
        for row in critical.filter(pl.col("status") != "covered").iter_rows(named=True):
            st.markdown(f"- {row['explanation']}")
        st.page_link("views/bench.py", label="Bench strength", icon=":material/arrow_forward:")

        st.altair_chart(charts.band_distribution(band_counts(bundle.version, filters)), width="stretch")
        explain("Ready now: readiness ≥ 0.90 and every critical requirement met; ready soon: ≥ 0.70.", "Readiness")
        st.page_link("views/readiness.py", label="Readiness by role", icon=":material/arrow_forward:")

with right:
    st.subheader("Capability risk")
    if bundle.missing_for("capability_risk"):
        st.info("Needs the `evidence` and `capability_targets` tables.")
    else:
        risk = risk_view(bundle.version, filters)
        st.metric(
            "High-risk targets",
            f"{risk.filter(pl.col('band') == 'high').height} of {risk.height}",
            help=metric_help("Priority weight × share of needed people missing ≥ 0.5.", "Capability risk"),
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
            view = equity_view(bundle.version, filters.as_of, (attribute,), None, None)
            table = view.table.filter(~pl.col("suppressed"))
            flagged = table.filter(pl.col("adverse_impact").fill_null(False) & pl.col("significant").fill_null(False))
            flagged_total += flagged.height
            lines += [s for s in view.sentences if "statistically significant at" in s and "not statistically" not in s]
        st.metric(
            "Groups below four-fifths and significant",
            f"{flagged_total}",
            help=metric_help(
                "Impact ratio < 0.80 and Fisher exact p < 0.05, one attribute at a time, last 12 months.",
                "Progression equity",
            ),
        )
        for line in lines[:3]:
            st.markdown(f"- {line}")
        st.page_link("views/equity.py", label="Progression equity", icon=":material/arrow_forward:")

    st.subheader("Learning")
    if bundle.missing_for("learning_impact"):
        st.info("Needs the `assets`, `learning_events` and `performance` tables.")
    elif learning_gate(bundle.version, filters.as_of, "overview"):
        effects = learning(bundle.version, filters.as_of).effects
        predictive = effects.filter(pl.col("label") == "predictive").sort("effect", descending=True)
        data = portfolio(bundle.version, filters.as_of)
        a, b = st.columns(2)
        a.metric(
            "Clusters that predict performance",
            f"{predictive.height} of {effects.height}",
            help=metric_help("Controlled effect on the rating with q < 0.05.", "Learning impact"),
        )
        b.metric(
            "Assets to retire",
            f"{data.filter(pl.col('recommendation') == 'retire').height} of {data.height}",
            help=metric_help(
                "No activity in 180 days, a harmful cluster, or weak completion without evidence.", "Asset portfolio"
            ),
        )
        for row in predictive.iter_rows(named=True):
            st.markdown(
                f"- **{row['cluster']}**: {row['effect']:+.2f} rating points per completed asset "
                f"(95% CI {row['ci_low']:+.2f} to {row['ci_high']:+.2f})"
            )
        st.page_link("views/learning_impact.py", label="Learning impact", icon=":material/arrow_forward:")
        st.page_link("views/assets.py", label="Asset portfolio", icon=":material/arrow_forward:")
