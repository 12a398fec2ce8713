"""Altair chart builders. Each takes an already aggregated polars frame and returns ``alt.Chart``.

They never call ``st.*``. Colours come from the Okabe–Ito palette (safe for the
common forms of colour blindness), every chart has a title, axis titles and
tooltips, and none ships more than ``MAX_ROWS`` rows to the browser.

Example
-------
>>> import polars as pl
>>> chart = band_distribution(pl.DataFrame({"relation": ["current"], "band": ["ready_now"], "employees": [3]}))
>>> chart.to_dict()["title"]["text"]
'Readiness bands'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from metrics.labels import BAND_LABELS as METRIC_BAND_LABELS
from metrics.labels import LEARNING_LABELS

MAX_ROWS = 5_000
#: Line height of the profile heatmap's role labels, one word per line.
HEATMAP_LABEL_LINE_PX = 12
ERR_TOO_MANY_ROWS = "A chart was given {n} rows; aggregate before charting (limit {limit})."

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
BAND_ORDER = ("ready_now", "ready_soon", "developing")
BAND_LABELS = dict(METRIC_BAND_LABELS)
BAND_COLOURS = ("#0072B2", "#56B4E9", "#E69F00")
LABEL_ORDER = ("predictive", "harmful", "no_evidence", "insufficient_data")
LABEL_COLOURS = ("#009E73", "#D55E00", "#999999", "#CC79A7")
RECOMMENDATION_ORDER = ("retire", "review", "improve", "keep", "celebrate")
RECOMMENDATION_COLOURS = ("#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#009E73")


def _data(frame: pl.DataFrame) -> alt.Data:
    if frame.height > MAX_ROWS:
        raise ValueError(ERR_TOO_MANY_ROWS.format(n=frame.height, limit=MAX_ROWS))
    return alt.Data(values=frame.to_dicts())


def _title(text: str, subtitle: str | None = None) -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=subtitle or [], anchor="start")


def band_distribution(frame: pl.DataFrame, title: str = "Readiness bands") -> alt.Chart:
    """Stacked horizontal bars: employees per band, one bar per relation (current / next role).

    ``frame`` columns: ``relation, band, employees``.
    """
    data = frame.with_columns(
        pl.col("band").replace_strict(BAND_LABELS, default=pl.col("band")).alias("band_label"),
        pl.col("relation")
        .replace_strict({"current": "Own role", "next": "Next role"}, default=pl.col("relation"))
        .alias("relation_label"),
    )
    return (
        alt.Chart(_data(data), title=_title(title, "Active employees by readiness band"))
        .mark_bar()
        .encode(
            y=alt.Y("relation_label:N", title=None, sort=["Own role", "Next role"]),
            x=alt.X("employees:Q", title="Share of employees", stack="normalize", axis=alt.Axis(format="%")),
            color=alt.Color(
                "band_label:N",
                title=None,
                scale=alt.Scale(domain=[BAND_LABELS[b] for b in BAND_ORDER], range=list(BAND_COLOURS)),
                # below the bars: in a half-width column at 1024 px a legend on the right left no room for them
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=200),
            ),
            order=alt.Order("band_order:Q"),
            tooltip=[
                alt.Tooltip("relation_label:N", title="Readiness for"),
                alt.Tooltip("band_label:N", title="Band"),
                alt.Tooltip("employees:Q", title="Employees", format=","),
            ],
        )
        .transform_calculate(band_order=f"indexof({list(BAND_ORDER)}, datum.band)")
        .properties(height=alt.Step(40))
    )


def feeder_pipeline(frame: pl.DataFrame, title: str = "Feeder pipeline by role") -> alt.Chart:
    """Stacked bars per role: employees whose next role it is, by band.

    ``frame`` columns: ``role, band, employees``.
    """
    data = frame.with_columns(pl.col("band").replace_strict(BAND_LABELS, default=pl.col("band")).alias("band_label"))
    return (
        alt.Chart(_data(data), title=_title(title, "Candidates for each role, by readiness for it"))
        .mark_bar()
        .encode(
            y=alt.Y("role:N", title="Role", sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("sum(employees):Q", title="Candidates (employees whose next role it is)"),
            color=alt.Color(
                "band_label:N",
                title="Band",
                scale=alt.Scale(domain=[BAND_LABELS[b] for b in BAND_ORDER], range=list(BAND_COLOURS)),
            ),
            tooltip=[
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("band_label:N", title="Band"),
                alt.Tooltip("employees:Q", title="Candidates", format=","),
            ],
        )
    )


def bench_status(frame: pl.DataFrame, title: str = "Successors for critical roles") -> alt.Chart:
    """Bars of ready-now and ready-soon successors per critical role, each labelled with its status.

    ``frame`` columns: ``role, status, ready_now, ready_soon, incumbents``.
    """
    long = frame.unpivot(
        index=["role", "status", "incumbents"],
        on=["ready_now", "ready_soon"],
        variable_name="readiness",
        value_name="successors",
    ).with_columns(pl.col("readiness").replace_strict(BAND_LABELS, default=pl.col("readiness")))
    status_words = {"covered": "covered", "ready_in_future": "ready only in future", "no_successors": "no successors"}
    per_incumbent = pl.col("ready_now") / pl.col("incumbents")
    totals = frame.select(
        "role",
        (pl.col("ready_now") + pl.col("ready_soon")).alias("successors"),
        (
            pl.col("status").replace_strict(status_words, default=pl.col("status"))
            + pl.when(pl.col("incumbents") > 0)
            .then(pl.lit(" · ") + per_incumbent.round(2).cast(pl.String) + pl.lit(" ready now per incumbent"))
            .otherwise(pl.lit(""))
        ).alias("status_text"),
    )
    y = alt.Y("role:N", title="Critical role", sort=alt.SortField("role"), axis=alt.Axis(labelLimit=240))
    room = max(int(totals.get_column("successors").max() or 0), 1) * 2.2  # space for the status labels
    x_scale = alt.Scale(domain=[0, room], nice=False)
    bars = (
        alt.Chart(_data(long))
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("successors:Q", title="Successors", scale=x_scale),
            color=alt.Color(
                "readiness:N",
                title="Readiness",
                scale=alt.Scale(
                    domain=[BAND_LABELS["ready_now"], BAND_LABELS["ready_soon"]], range=list(BAND_COLOURS[:2])
                ),
            ),
            tooltip=[
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("readiness:N", title="Readiness"),
                alt.Tooltip("successors:Q", title="Successors"),
                alt.Tooltip("incumbents:Q", title="Incumbents"),
            ],
        )
    )
    labels = (
        alt.Chart(_data(totals))
        .mark_text(align="left", dx=6, color="#000000")
        .encode(y=y, x=alt.X("successors:Q", scale=x_scale), text="status_text:N")
    )
    return alt.layer(bars, labels, title=_title(title, "Candidates ready now and ready in 1–2 years")).properties(
        height=alt.Step(30)
    )


def coverage_heatmap(frame: pl.DataFrame, title: str = "Capability coverage against target") -> alt.Chart:
    """Team × competency heatmap of coverage (supply / target headcount), capped at 100%.

    ``frame`` columns: ``team, competency, coverage, supply, target_headcount, band, single_point_of_failure``.
    """
    data = frame.with_columns(pl.col("coverage").clip(upper_bound=1.0).alias("coverage_capped"))
    base = alt.Chart(_data(data))
    tooltip = [
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("competency:N", title="Competency"),
        alt.Tooltip("supply:Q", title="People at target level"),
        alt.Tooltip("target_headcount:Q", title="People needed"),
        alt.Tooltip("coverage:Q", title="Coverage", format=".0%"),
        alt.Tooltip("band:N", title="Risk"),
    ]
    cells = base.mark_rect().encode(
        # competencies down the side (their names are long and many), teams across: at 1024 px the
        # competencies as columns crowded into unreadable slanted labels
        y=alt.Y("competency:N", title="Competency", axis=alt.Axis(labelLimit=260)),
        x=alt.X("team:N", title="Team", axis=alt.Axis(labelAngle=-50, labelLimit=160, labelOverlap=False)),
        color=alt.Color(
            "coverage_capped:Q",
            title="Coverage",
            # one sequential colour-blind-safe hue; low coverage (the risk) is the dark, salient end
            scale=alt.Scale(scheme="oranges", domain=[0, 1], reverse=True),
            legend=alt.Legend(format="%"),
        ),
        tooltip=tooltip,
    )
    marks = (
        base.transform_filter("datum.single_point_of_failure")
        .mark_text(text="◆", color="#000000", fontSize=12)
        .encode(x="team:N", y="competency:N", tooltip=tooltip)
    )
    return alt.layer(
        cells, marks, title=_title(title, "Share of the needed people at the target level; ◆ single point of failure")
    ).properties(height=alt.Step(24))


def rates_with_intervals(frame: pl.DataFrame, title: str = "Promotion rate by group") -> alt.Chart:
    """Promotion rate per group with its 95% interval, and the four-fifths line of the reference.

    ``frame`` columns: ``group, rate, rate_low, rate_high, adverse_impact, four_fifths_line``
    (suppressed groups already removed).
    """
    data = frame.with_columns(
        pl.when(pl.col("adverse_impact"))
        .then(pl.lit("Below four-fifths"))
        .otherwise(pl.lit("Not adverse"))
        .alias("flag")
    )
    base = alt.Chart(_data(data))
    tooltip = [
        alt.Tooltip("group:N", title="Group"),
        alt.Tooltip("rate:Q", title="Rate", format=".1%"),
        alt.Tooltip("rate_low:Q", title="95% CI low", format=".1%"),
        alt.Tooltip("rate_high:Q", title="95% CI high", format=".1%"),
        alt.Tooltip("flag:N", title="Four-fifths rule"),
    ]
    colour = alt.Color(
        "flag:N",
        title="Four-fifths rule",
        scale=alt.Scale(domain=["Below four-fifths", "Not adverse"], range=["#D55E00", "#0072B2"]),
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        y=alt.Y("group:N", title="Group"),
        x=alt.X("rate_low:Q", title="Promotion rate", axis=alt.Axis(format="%")),
        x2="rate_high:Q",
        color=colour,
        tooltip=tooltip,
    )
    dots = base.mark_point(filled=True, size=80).encode(y="group:N", x="rate:Q", color=colour, tooltip=tooltip)
    line = base.mark_rule(strokeDash=[4, 4], color="#000000").encode(x="mean(four_fifths_line):Q")
    return alt.layer(
        bars,
        dots,
        line,
        title=_title(title, "Dots: rate; bars: 95% Wilson interval; dashed: four-fifths of the reference rate"),
    ).properties(height=alt.Step(32))


def _effect_layers(base: alt.Chart, y: alt.Y, tooltip: list, colour) -> list[alt.Chart]:
    """A zero line, each row's 95% interval as a rule, and its estimate as a dot."""
    rule = base.mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("ci_low:Q", title="Change in rating (points)"), x2="ci_high:Q", color=colour, tooltip=tooltip
    )
    dot = base.mark_point(filled=True, size=80).encode(y=y, x="effect:Q", color=colour, tooltip=tooltip)
    zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color="#666666").encode(x="x:Q")
    return [zero, rule, dot]


def _effect_tooltip(name: str, title: str, effect_title: str = "Effect") -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{name}:N", title=title),
        alt.Tooltip("effect:Q", title=effect_title, format="+.3f"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format="+.3f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format="+.3f"),
    ]


def forest_plot(
    frame: pl.DataFrame, title: str = "Learning impact by cluster", unit: str = "completed asset"
) -> alt.Chart:
    """Controlled effect with 95% interval per cluster, next to the naive difference.

    ``frame`` columns: ``cluster, effect, ci_low, ci_high, label, naive``; ``unit`` is one unit
    of the exposure measure in force (``metrics.learning.EXPOSURE_UNITS``).
    """
    words = frame.with_columns(pl.col("label").replace_strict(LEARNING_LABELS, default=pl.col("label")))
    base = alt.Chart(_data(words))
    tooltip = _effect_tooltip("cluster", "Cluster", "Controlled effect") + [
        alt.Tooltip("naive:Q", title="Naive difference", format="+.3f"),
        alt.Tooltip("label:N", title="Finding"),
    ]
    colour = alt.Color(
        "label:N",
        title="Finding",
        scale=alt.Scale(domain=[LEARNING_LABELS[k] for k in LABEL_ORDER], range=list(LABEL_COLOURS)),
    )
    y = alt.Y(
        "cluster:N",
        title="Microlearning cluster",
        sort=alt.SortField("effect", order="descending"),
        axis=alt.Axis(labelLimit=240),
    )
    naive = base.mark_point(shape="cross", size=70, color="#000000", opacity=0.7).encode(
        y=y, x="naive:Q", tooltip=tooltip
    )
    return alt.layer(
        *_effect_layers(base, y, tooltip, colour),
        naive,
        title=_title(title, f"Rating points per {unit}; ✕ the naive difference a spreadsheet gives"),
    ).properties(height=alt.Step(28))


def factor_effects(frame: pl.DataFrame, title: str = "Spacing and difficulty") -> alt.Chart:
    """Effect of each secondary factor with its 95% interval. Columns: ``factor, effect, ci_low, ci_high``."""
    base = alt.Chart(_data(frame))
    # no axis title: the factor names say it, and a title beside 300-px labels overlapped them
    y = alt.Y("factor:N", title=None, axis=alt.Axis(labelLimit=320))
    return alt.layer(
        *_effect_layers(base, y, _effect_tooltip("factor", "Factor"), alt.value("#0072B2")),
        title=_title(title, "Same controls; association with the rating, not proof of cause"),
    )


def recommendation_counts(frame: pl.DataFrame, title: str = "Assets by recommendation") -> alt.Chart:
    """Bars of assets per recommendation. Columns: ``recommendation, assets``."""
    return (
        alt.Chart(_data(frame), title=_title(title))
        .mark_bar()
        .encode(
            x=alt.X(
                "recommendation:N", title="Recommendation", sort=list(RECOMMENDATION_ORDER), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("assets:Q", title="Assets"),
            color=alt.Color(
                "recommendation:N",
                title="Recommendation",
                legend=None,
                scale=alt.Scale(domain=list(RECOMMENDATION_ORDER), range=list(RECOMMENDATION_COLOURS)),
            ),
            tooltip=[alt.Tooltip("recommendation:N", title="Recommendation"), alt.Tooltip("assets:Q", title="Assets")],
        )
    )


def profile_heatmap(frame: pl.DataFrame, title: str = "Strengths and gaps") -> alt.Chart:
    """Competency × role heatmap of demonstrated level minus required level.

    ``frame`` columns: ``competency, target, required_level, level, gap_levels, critical``.
    """
    base = alt.Chart(_data(frame))
    max_words = max((len(str(t).split(" ")) for t in frame.get_column("target").to_list()), default=1)
    tooltip = [
        alt.Tooltip("competency:N", title="Competency"),
        alt.Tooltip("target:N", title="Role"),
        alt.Tooltip("level:Q", title="Demonstrated level"),
        alt.Tooltip("required_level:Q", title="Required level"),
        alt.Tooltip("critical:N", title="Critical"),
    ]
    cells = base.mark_rect().encode(
        # one word per line ("Next:" / "Regional" / "Sales" / "Director"), so two roles fit side by side at 1024 px
        x=alt.X(
            "target:N",
            title="Role",
            axis=alt.Axis(
                labelAngle=0,
                labelLimit=180,
                orient="top",
                labelExpr="split(datum.label, ' ')",
                # Vega stacks a label's lines downwards from where the first would sit, into the cells
                # below a top axis: lift every label by the height of its extra lines
                labelLineHeight=HEATMAP_LABEL_LINE_PX,
                labelPadding=HEATMAP_LABEL_LINE_PX * (max_words - 1) + 4,
            ),
        ),
        y=alt.Y("competency:N", title="Competency", axis=alt.Axis(labelLimit=240)),
        color=alt.Color(
            "gap_levels:Q",
            title=["Levels above (+)", "or below (−) required"],
            scale=alt.Scale(scheme="blueorange", domain=[-5, 5], reverse=True),  # levels 0–5: gaps up to 5
        ),
        tooltip=tooltip,
    )
    text = (
        base.mark_text(fontSize=12)
        .encode(x="target:N", y="competency:N", text=alt.Text("cell_text:N"), tooltip=tooltip)
        .transform_calculate(cell_text="datum.level + ' / ' + datum.required_level")
    )
    return alt.layer(
        cells, text, title=_title(title, "Demonstrated level against the level each role requires")
    ).properties(height=alt.Step(26))
