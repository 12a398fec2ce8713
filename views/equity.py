"""Progression equity: promotion rates by group, four-fifths rule, significance, pipeline; suppressed groups."""

from __future__ import annotations

import polars as pl
import streamlit as st

from metrics.labels import four_fifths_rule, suppressed_text, suppression_rule
from ui import charts
from ui.components import BLANK, downloads, explain, metric_help, needs_tables, pack_downloads, pack_meta
from ui.compute import equity_view
from ui.pack import EquityPack, GroupTable, equity_excel, equity_pdf
from ui.present import p_text
from ui.state import page_context, settings_for

bundle, filters = page_context()
cfg = settings_for(bundle).config
SUPPRESSED_TEXT = suppressed_text(cfg.equity)
st.title("Progression equity")
st.caption(
    "Whether promotions reach every group at a comparable rate: the four-fifths rule, a Fisher exact test, "
    f"and whether the finding survives {cfg.equity.flip_n} more promotions. " + suppression_rule(cfg.equity)
)
if needs_tables(bundle, "equity"):
    st.stop()
if not bundle.equity_attributes:
    st.info("This source declares no equity attributes (gender, ethnicity, age_band, disability or configured ones).")
    st.stop()
if filters.teams or filters.ladders:
    st.info(
        "Equity is computed for the whole organisation: the team and ladder filters are not applied here, "
        f"because comparing a filtered and an unfiltered view could reveal groups smaller than {cfg.equity.min_group_size}.",
        icon=":material/lock:",
    )

attrs = list(bundle.equity_attributes)
c1, c2, c3 = st.columns(3)
attribute = c1.selectbox("Attribute", attrs, key="equity_attribute", format_func=lambda a: a.replace("_", " "))
second = c2.selectbox(
    "Intersect with",
    ["(none)"] + [a for a in attrs if a != attribute],
    key="equity_second",
    format_func=lambda a: a.replace("_", " "),
)
windows = [cfg.equity.window_months, *[m for m in (6, 12, 24, 36) if m != cfg.equity.window_months]]
months = c3.selectbox("Window up to the as-of date", windows, key="equity_window", format_func=lambda m: f"{m} months")
chosen = (attribute,) if second == "(none)" else (attribute, second)
label = " × ".join(chosen)
rule_view = equity_view(bundle, filters.as_of, chosen, months)
options = rule_view.table.filter(~pl.col("suppressed")).get_column("group").to_list()
reference = None
if rule_view.reference in options:
    reference = st.selectbox(
        "Compare every group with",
        options,
        index=options.index(rule_view.reference),
        key=f"equity_reference_{label}_{months}",
        help="The reference group. By default the rule's choice (see below); choose another to see every group "
        "against it. Counts, rates and suppression do not change, only the comparisons.",
    )
view = equity_view(bundle, filters.as_of, chosen, months, reference if reference != rule_view.reference else None)
table = view.table

shown = table.filter(~pl.col("suppressed"))
flagged = shown.filter(pl.col("adverse_impact").fill_null(False))
m1, m2, m3 = st.columns(3)
m1.metric(
    "Overall promotion rate",
    "–" if view.overall_rate is None else f"{view.overall_rate:.1%}",
    help=metric_help("Share of employees active at the window start promoted within the window.", "Progression equity"),
)
m2.metric(
    "Groups below four-fifths",
    f"{flagged.height} of {shown.height}",
    help=metric_help(four_fifths_rule(cfg.equity), "Progression equity"),
)
m3.metric(
    "Significant and robust",
    f"{flagged.filter(pl.col('significant').fill_null(False) & pl.col('robust').fill_null(False)).height}",
    help=metric_help(
        f"Fisher exact p < {cfg.equity.alpha:g}, and still below four-fifths with {cfg.equity.flip_n} more promotions.",
        "Progression equity",
    ),
)
st.caption(
    f"Whole organisation. Window: promotions after {view.window_start:%d %b %Y} up to {view.window_end:%d %b %Y} "
    "(both ends are month ends, so views a day apart cannot be differenced); eligible: employees active on "
    f"{view.window_start:%d %b %Y}."
)
st.markdown(f"**Reference group: {view.reference or 'none'}** — {view.reference_reason}.")

if shown.height:
    ref_rate = shown.filter(pl.col("group") == view.reference).get_column("rate")
    line = cfg.equity.four_fifths * ref_rate.item() if ref_rate.len() == 1 and ref_rate.item() is not None else None
    chart_data = shown.select(
        "group", "rate", "rate_low", "rate_high", pl.col("adverse_impact").fill_null(False)
    ).with_columns(pl.lit(line).alias("four_fifths_line"))
    st.altair_chart(
        charts.rates_with_intervals(chart_data, title=f"Promotion rate by {label.replace('_', ' ')}"), width="stretch"
    )

st.subheader("Groups")
labels = dict(zip(view.suppression["group"], view.suppression["label"], strict=True)) if view.suppression.height else {}
display = table.with_columns(pl.col("group").replace_strict(labels, default=None).alias("_hidden")).select(
    "group",
    pl.when(pl.col("suppressed"))
    .then(pl.col("_hidden").fill_null(SUPPRESSED_TEXT))
    .otherwise(pl.col("eligible").cast(pl.String))
    .alias("eligible"),
    pl.col("promoted").cast(pl.String).fill_null(""),
    pl.when(pl.col("rate").is_null())
    .then(pl.lit(""))
    .otherwise(
        pl.format(
            "{}% ({}–{}%)",
            (pl.col("rate") * 100).round(1),
            (pl.col("rate_low") * 100).round(1),
            (pl.col("rate_high") * 100).round(1),
        )
    )
    .alias("rate (95% CI)"),
    pl.when(pl.col("group") == view.reference)
    .then(pl.lit("reference"))
    .otherwise(pl.col("impact_ratio").round(2).cast(pl.String).fill_null(""))
    .alias("impact ratio"),
    pl.when(pl.col("adverse_impact"))
    .then(pl.lit("below 4/5"))
    .when(pl.col("adverse_impact").not_())
    .then(pl.lit("no"))
    .otherwise(pl.lit(""))
    .alias("four-fifths"),
    pl.col("p_value").map_elements(p_text, return_dtype=pl.String).fill_null("").alias("p value"),
    pl.when(pl.col("significant"))
    .then(pl.lit("yes"))
    .when(pl.col("significant").not_())
    .then(pl.lit("no"))
    .otherwise(pl.lit(""))
    .alias("significant"),
    pl.col("shortfall").round(1).cast(pl.String).fill_null("").alias("shortfall"),
    pl.when(pl.col("robust") & pl.col("significant"))
    .then(pl.lit("yes"))
    .when(pl.col("robust").not_() & pl.col("significant"))
    .then(pl.lit("no"))
    .when(pl.col("robust"))
    .then(pl.lit("holds, but not significant"))
    .otherwise(pl.lit(""))
    .alias("survives 2 more promotions"),
)
st.dataframe(display, hide_index=True, placeholder=BLANK)
explain(
    f"Impact ratio: a group's rate ÷ the reference group's rate; below {cfg.equity.four_fifths:.2f} fails the "
    "four-fifths rule. Shortfall: promotions the group would have had at the overall rate, minus those it had. "
    f"Groups under {cfg.equity.min_group_size} people read “{SUPPRESSED_TEXT}” and show nothing else; further groups "
    "read “suppressed”: hidden so that no hidden count can be worked out from the totals. “Survives 2 more promotions”: "
    "the group would still fall below four-fifths with two more promotions; on a gap that is not statistically "
    "significant it is a signal to watch, not a finding.",
    "Progression equity",
)
downloads(display, f"equity_{label.replace(' × ', '_x_')}")

st.subheader("For the committee")
if view.sentences:
    st.caption("Ranked by shortfall (promotions missing against the overall rate), then by p value.")
    for rank, sentence in enumerate(view.sentences, 1):
        st.markdown(f"{rank}. {sentence}")
else:
    st.success(
        "No group shown falls below four-fifths of the reference group's promotion rate.", icon=":material/check:"
    )
st.caption(
    "A ratio below four-fifths is a flag for review, not proof of discrimination; a small group can miss it by chance. "
    "Read it together with the p value and the flip-two check."
)

st.subheader("Pipeline")
if view.pipeline is None:
    needs_tables(bundle, "readiness")
elif len(chosen) > 1 and view.pipeline.get_column("suppressed").all():
    st.info(
        "The pipeline is not published for intersections: its sparse counts (ready now, ready but not promoted) "
        "would let hidden groups be worked out. Choose one attribute to see it.",
        icon=":material/lock:",
    )
else:
    thin = "insufficient" in view.pipeline.columns and view.pipeline.get_column("insufficient").fill_null(False).any()
    if thin:
        st.warning(
            "Evidence is too thin at the window start for some groups: their people had evidence on fewer than half "
            "of their next role's requirements, so readiness then would mostly read as gaps. Those figures are left "
            "out rather than shown as near zero; choose a later as-of date or a shorter window.",
            icon=":material/hourglass_empty:",
        )
    flag = pl.col("insufficient").fill_null(False) if "insufficient" in view.pipeline.columns else pl.lit(False)
    pipe = view.pipeline.select(
        "group",
        pl.when(pl.col("suppressed"))
        .then(
            pl.col("suppression").fill_null(SUPPRESSED_TEXT)
            if "suppression" in view.pipeline.columns
            else pl.lit(SUPPRESSED_TEXT)
        )
        .otherwise(pl.col("eligible").cast(pl.String))
        .alias("eligible"),
        pl.when(flag).then(pl.lit("too little evidence")).otherwise(pl.lit("")).alias("note"),
        pl.col("mean_readiness").round(2).cast(pl.String).fill_null("").alias("mean readiness for next role"),
        pl.when(pl.col("share_ready_now").is_null())
        .then(pl.lit(""))
        .otherwise(pl.format("{}%", (pl.col("share_ready_now") * 100).round(1)))
        .alias("ready now"),
        pl.when(pl.col("ready_not_promoted").is_null())
        .then(pl.lit(""))
        .otherwise(pl.format("{}%", (pl.col("ready_not_promoted") * 100).round(1)))
        .alias("ready but not promoted"),
    )
    st.dataframe(pipe, hide_index=True, placeholder=BLANK)
    explain(
        "At the window start: mean readiness for the next role, the share ready now, and of those ready now, "
        "the share not promoted by the window end (blank when nobody in the group was ready now).",
        "Pipeline equity",
    )
    downloads(pipe, f"pipeline_{label.replace(' × ', '_x_')}")

st.subheader("Committee pack")
st.caption(
    "The page as one PDF and the same content as an Excel workbook: the as-of date, the window, the filters, the "
    "configuration in force, the suppression rule, and every table and chart above, from the same suppressed tables."
)


def _pack() -> EquityPack:
    meta = pack_meta(bundle, filters)
    return EquityPack(
        meta=meta,
        config=cfg.equity,
        window_start=view.window_start,
        window_end=view.window_end,
        overall_rate=view.overall_rate,
        groups=(GroupTable(label, view.table, view.reference, view.reference_reason),),
        # the pack's pipeline table is per attribute label; the view's frame is for this label only
        pipeline=None
        if view.pipeline is None
        else view.pipeline
        if "attribute" in view.pipeline.columns
        else view.pipeline.with_columns(pl.lit(label).alias("attribute")),
        findings=tuple(view.sentences),
    )


pack_downloads(
    f"equity_pack_{label.replace(' × ', '_x_')}_{filters.as_of:%Y%m%d}",
    lambda: equity_pdf(_pack()),
    lambda: equity_excel(_pack()),
)
