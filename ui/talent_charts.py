"""Altair charts for the talent review. Each takes an aggregated polars frame and returns ``alt.Chart``.

They never call ``st.*``. Colours are the Okabe–Ito palette or a single-hue
sequential scale (both safe for the common forms of colour blindness); the salient
colour marks what needs attention. Every chart has a title, axis titles and tooltips.

Example
-------
>>> import polars as pl
>>> grid = pl.DataFrame({"box": [9], "performance_tier": ["high"], "readiness_tier": ["high"],
...     "box_label": ["Ready to move up"], "people": [3], "mean_rating": [4.2], "mean_readiness": [0.95]})
>>> nine_box_grid(grid).to_dict()["title"]["text"]
'Evidence-based nine-box'
"""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl

from metrics.labels import BENCH_STATUS_LABELS
from ui.charts import BAND_COLOURS, BAND_LABELS, BAND_ORDER, MAX_ROWS, OKABE_ITO
from ui.present import person_label_expr

ERR_TOO_MANY_ROWS = "A chart was given {n} rows; aggregate or narrow before charting (limit {limit})."
TIER_ORDER = ["Low", "Medium", "High"]
STATUS_ORDER = [BENCH_STATUS_LABELS[s] for s in ("no_successors", "ready_in_future", "covered")]
#: Okabe–Ito without its yellow, which is too pale for thin lines on white.
LINE_COLOURS = [c for c in OKABE_ITO if c != "#F0E442"]
#: Worse is the salient end: vermillion, orange, blue.
STATUS_COLOURS = ["#D55E00", "#E69F00", "#0072B2"]
#: The height of one candidate's lane within a requirement of the comparison chart.
COMPARISON_LANE_PX = 18
IMPACT_ORDER = ["high", "medium", "low"]
IMPACT_COLOURS = ["#D55E00", "#E69F00", "#56B4E9"]


def _data(frame: pl.DataFrame) -> alt.Data:
    if frame.height > MAX_ROWS:
        raise ValueError(ERR_TOO_MANY_ROWS.format(n=frame.height, limit=MAX_ROWS))
    rows = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).to_dicts()
    return alt.Data(values=rows)


def _with_person(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``person`` column: "Name (id)" when ``display_name`` is given, else the id."""
    return frame.with_columns(person_label_expr(frame))


def _title(text: str, subtitle: str | None = None) -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=subtitle or [], anchor="start")


def nine_box_grid(grid: pl.DataFrame, title: str = "Evidence-based nine-box") -> alt.Chart:
    """3 × 3 grid: performance (rows) × readiness for the next role (columns), people per box.

    ``grid`` columns: ``performance_tier, readiness_tier, box_label, people, mean_rating, mean_readiness``
    (tiers low / medium / high).
    """
    most = max(int(grid["people"].max() or 0), 1) if grid.height else 1
    data = grid.with_columns(
        pl.col("performance_tier").str.to_titlecase().alias("performance"),
        pl.col("readiness_tier").str.to_titlecase().alias("readiness"),
        # count, then the label wrapped at 22 characters, so three boxes fit side by side at 1024 px
        pl.format(
            "{}\n{}",
            pl.col("people"),
            pl.col("box_label").replace_strict(
                {b: "\n".join(textwrap.wrap(b, 22)) for b in grid["box_label"].to_list()}, default=pl.col("box_label")
            ),
        ).alias("text"),
        (pl.col("people") >= 0.6 * most).alias("dark"),
    )
    base = alt.Chart(_data(data)).encode(
        x=alt.X("readiness:N", title="Readiness for the next role", sort=TIER_ORDER, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("performance:N", title="Performance (latest rating)", sort=list(reversed(TIER_ORDER))),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("people:Q", title="People", scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("box_label:N", title="Box"),
            alt.Tooltip("people:Q", title="People", format=","),
            alt.Tooltip("mean_rating:Q", title="Mean rating", format=".2f"),
            alt.Tooltip("mean_readiness:Q", title="Mean readiness", format=".2f"),
        ],
    )
    labels = base.mark_text(fontSize=12, lineBreak="\n").encode(
        text="text:N",
        # white on the darkest cells, black elsewhere, grey on an empty box
        color=alt.when("datum.dark")
        .then(alt.value("#FFFFFF"))
        .when("datum.people > 0")
        .then(alt.value("#000000"))
        .otherwise(alt.value("#666666")),
    )
    return (cells + labels).properties(
        title=_title(title, "People per box: latest rating × readiness for the next role"), height=360
    )


def candidate_bars(ranked: pl.DataFrame, title: str = "Best-placed candidates") -> alt.Chart:
    """Horizontal bars: readiness for the role of the listed candidates, coloured by band.

    ``ranked`` columns: ``employee_id, readiness, band, move, role`` (current role label), optionally
    ``display_name`` (shown beside the id).
    """
    data = _with_person(ranked).with_columns(
        pl.col("band").replace_strict(BAND_LABELS, default="No requirements").alias("band_label")
    )
    return (
        alt.Chart(_data(data), title=_title(title, "Readiness for the chosen role (1.0 = every requirement met)"))
        .mark_bar()
        .encode(
            y=alt.Y("person:N", title=None, sort=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            x=alt.X("readiness:Q", title="Readiness for the role", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "band_label:N",
                title="Band",
                scale=alt.Scale(domain=[BAND_LABELS[b] for b in BAND_ORDER], range=list(BAND_COLOURS)),
            ),
            tooltip=[
                alt.Tooltip("person:N", title="Employee"),
                alt.Tooltip("role:N", title="Current role"),
                alt.Tooltip("move:N", title="Move"),
                alt.Tooltip("readiness:Q", title="Readiness", format=".2f"),
                alt.Tooltip("band_label:N", title="Band"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def comparison_levels(requirements: pl.DataFrame, title: str = "Levels against what the role requires") -> alt.Chart:
    """Per requirement: each candidate's demonstrated level (points) and the required level (tick).

    ``requirements`` columns: ``competency, employee_id, level, required_level, n_evidence, last_observed_on``.
    """
    data = requirements
    lanes = max(data.get_column("employee_id").n_unique(), 1)
    base = alt.Chart(_data(data))
    points = base.mark_point(filled=True, size=110).encode(
        # a band scale (not the point scale points get by default), so each candidate has a lane of its own
        y=alt.Y("competency:N", title="Requirement", axis=alt.Axis(labelLimit=260), scale=alt.Scale(type="band")),
        x=alt.X(
            "level:Q",
            title="Level (0 none – 5 Innovate)",
            scale=alt.Scale(domain=[0, 5]),
            axis=alt.Axis(values=[0, 1, 2, 3, 4, 5], format="d"),
        ),
        color=alt.Color("employee_id:N", title="Candidate", scale=alt.Scale(range=LINE_COLOURS)),
        shape=alt.Shape("employee_id:N", title="Candidate"),
        yOffset=alt.YOffset("employee_id:N"),
        tooltip=[
            alt.Tooltip("employee_id:N", title="Candidate"),
            alt.Tooltip("competency:N", title="Requirement"),
            alt.Tooltip("level:Q", title="Level"),
            alt.Tooltip("required_level:Q", title="Required"),
            alt.Tooltip("n_evidence:Q", title="Evidence items"),
            alt.Tooltip("last_observed_on:N", title="Latest evidence"),
        ],
    )
    # the required level spans every candidate's lane of the requirement
    ticks = base.mark_tick(color="#000000", thickness=3, size=COMPARISON_LANE_PX * lanes).encode(
        y=alt.Y("competency:N", title="Requirement", scale=alt.Scale(type="band"), bandPosition=0.5),
        x=alt.X("required_level:Q", title="Level (0 none – 5 Innovate)"),
        tooltip=[alt.Tooltip("competency:N", title="Requirement"), alt.Tooltip("required_level:Q", title="Required")],
    )
    # points first: the layer's y scale then takes the candidates' lanes (yOffset) into account
    return (points + ticks).properties(
        title=_title(title, "Demonstrated level per candidate; black tick = required"),
        height=alt.Step(COMPARISON_LANE_PX),
    )


def rating_lines(ratings: pl.DataFrame, title: str = "Performance trend") -> alt.Chart:
    """Ratings over time per candidate. ``ratings`` columns: ``employee_id, period_end, rating``."""
    return (
        alt.Chart(_data(ratings), title=_title(title, "Each rating period up to the as-of date"))
        .mark_line(point=True)
        .encode(
            x=alt.X("period_end:T", title="Rating period end"),
            y=alt.Y("rating:Q", title="Rating", scale=alt.Scale(zero=False)),
            color=alt.Color("employee_id:N", title="Candidate", scale=alt.Scale(range=LINE_COLOURS)),
            tooltip=[
                alt.Tooltip("employee_id:N", title="Candidate"),
                alt.Tooltip("period_end:T", title="Period end"),
                alt.Tooltip("rating:Q", title="Rating", format=".2f"),
            ],
        )
        .properties(height=220)
    )


def bench_over_time(history: pl.DataFrame, title: str = "Ready-now successors at each quarter end") -> alt.Chart:
    """A grid of critical roles (rows) by quarter end (columns): each cell the number of ready-now
    successors, coloured by the bench status then (ready soon in the tooltip). A grid, not lines:
    roles with the same counts drew one line over another.

    ``history`` columns: ``quarter_end, role, ready_now, ready_soon, status`` (status in words).

    Example
    -------
    >>> import datetime as dt
    >>> h = pl.DataFrame({"quarter_end": [dt.date(2026, 6, 30)], "role": ["Lead (L)"], "ready_now": [1],
    ...                   "ready_soon": [2], "status": ["Covered"]})
    >>> bench_over_time(h).to_dict()["layer"][0]["mark"]["type"]
    'rect'
    """
    data = history.sort("quarter_end").with_columns(
        pl.col("quarter_end").dt.strftime("%d %b %Y").alias("quarter"),
    )
    order = data["quarter"].unique(maintain_order=True).to_list()
    base = alt.Chart(_data(data)).encode(
        x=alt.X("quarter:O", title="Quarter end", sort=order, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("role:N", title="Critical role", sort=alt.SortField("role"), axis=alt.Axis(labelLimit=320)),
        tooltip=[
            alt.Tooltip("role:N", title="Role"),
            alt.Tooltip("quarter:N", title="Quarter end"),
            alt.Tooltip("ready_now:Q", title="Ready now"),
            alt.Tooltip("ready_soon:Q", title="Ready in 1–2 years"),
            alt.Tooltip("status:N", title="Status"),
        ],
    )
    cells = base.mark_rect(stroke="#FFFFFF", strokeWidth=2).encode(
        color=alt.Color(
            "status:N",
            title="Bench status",
            scale=alt.Scale(domain=STATUS_ORDER, range=STATUS_COLOURS),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
    )
    # white on the dark blue and vermillion, black on the orange
    counts = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text=alt.Text("ready_now:Q", format="d"),
        color=alt.condition(alt.datum.status == STATUS_ORDER[1], alt.value("#000000"), alt.value("#FFFFFF")),
    )
    return (cells + counts).properties(
        title=_title(title, "Readiness recomputed as it stood on each date; the number is ready-now successors"),
        height=alt.Step(34),
    )


def coverage_lapse(
    forecast: pl.DataFrame, as_of: str, title: str = "How long each critical role stays covered"
) -> alt.Chart:
    """Bars from the as-of date to the last covered day, per covered critical role.

    ``forecast`` columns: ``role, start, covered_until, ready_now, last_ready_employee_id``
    (``covered_until`` null: beyond the horizon; such rows should carry the horizon's end).
    """
    return (
        alt.Chart(_data(forecast), title=_title(title, f"If no new evidence arrives after {as_of}"))
        .mark_bar(color="#0072B2")
        .encode(
            y=alt.Y("role:N", title="Critical role", axis=alt.Axis(labelLimit=320)),
            x=alt.X("start:T", title="Date", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month")),
            x2="covered_until:T",
            tooltip=[
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("ready_now:Q", title="Ready now today"),
                alt.Tooltip("covered_until:T", title="Covered until", format="%d %b %Y"),
                alt.Tooltip("last_ready_employee_id:N", title="Last to stay ready"),
            ],
        )
        .properties(height=alt.Step(30))
    )


def impact_by_role(positions: pl.DataFrame, title: str = "Impact of losing each critical position") -> alt.Chart:
    """Stacked bars: positions per critical role by impact of loss. Columns ``role, impact, positions``."""
    return (
        alt.Chart(
            _data(positions),
            title=_title(title, "High: no ready-now successor and a sole holder or single point of failure"),
        )
        .mark_bar()
        .encode(
            y=alt.Y("role:N", title="Critical role", axis=alt.Axis(labelLimit=320)),
            x=alt.X("positions:Q", title="Positions (incumbents)"),
            color=alt.Color(
                "impact:N", title="Impact of loss", scale=alt.Scale(domain=IMPACT_ORDER, range=IMPACT_COLOURS)
            ),
            order=alt.Order("impact_order:Q"),
            tooltip=[
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("impact:N", title="Impact"),
                alt.Tooltip("positions:Q", title="Positions"),
            ],
        )
        .transform_calculate(impact_order=f"indexof({IMPACT_ORDER}, datum.impact)")
        .properties(height=alt.Step(30))
    )


def org_branch(tree: pl.DataFrame, title: str = "Succession chart") -> alt.Chart:
    """A branch of the reporting tree: one row per person (top to bottom in reporting order),
    indented by depth, lines to the manager, critical positions coloured by bench status.

    ``tree`` columns: ``employee_id, manager_id, depth, order, role, status`` (status in words,
    "Not critical" off critical roles) and optionally ``display_name`` (shown beside the id).
    """
    data = _with_person(tree).with_columns(
        (pl.col("order").rank("ordinal").cast(pl.Int64) - 1).alias("row"),
        (pl.col("depth") - pl.col("depth").min()).alias("depth"),
    )
    x_scale = alt.Scale(domain=[-0.2, int(data["depth"].max() or 0) + 1.5])
    rows = dict(zip(data["employee_id"].to_list(), data["row"].to_list()))
    depths = dict(zip(data["employee_id"].to_list(), data["depth"].to_list()))
    # elbow connectors: down from the manager, then across to the report
    segments = []
    for e, m, d, r in zip(data["employee_id"], data["manager_id"], data["depth"], data["row"]):
        if m is None or m not in rows:
            continue
        segments.append((e, depths[m], rows[m], depths[m], r))
        segments.append((e, depths[m], r, d, r))
    edges = pl.DataFrame(
        segments,
        schema={"employee_id": pl.String, "x1": pl.Int64, "y1": pl.Int64, "x2": pl.Int64, "y2": pl.Int64},
        orient="row",
    )
    domain = [*STATUS_ORDER, "Not critical"]
    colours = [*STATUS_COLOURS, "#BBBBBB"]
    y_scale = alt.Scale(domain=[-0.5, max(data.height, 1) - 0.5], reverse=True)
    lines = (
        alt.Chart(_data(edges))
        .mark_rule(color="#999999")
        .encode(
            x=alt.X("x1:Q", title="Levels below the head of the branch", scale=x_scale),
            x2="x2:Q",
            y=alt.Y("y1:Q", title=None, scale=y_scale, axis=None),
            y2="y2:Q",
        )
    )
    nodes = (
        alt.Chart(_data(data))
        .mark_circle(size=140, opacity=1)
        .encode(
            x=alt.X(
                "depth:Q", title="Levels below the head of the branch", scale=x_scale, axis=alt.Axis(tickMinStep=1)
            ),
            y=alt.Y("row:Q", title=None, scale=y_scale, axis=None),
            color=alt.Color(
                "status:N",
                title="Critical position",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("person:N", title="Employee"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("status:N", title="Bench status"),
                alt.Tooltip("manager_id:N", title="Manager"),
            ],
        )
    )
    labels = (
        alt.Chart(_data(data))
        .mark_text(align="left", dx=10, fontSize=11)
        .encode(
            x=alt.X("depth:Q", scale=x_scale),
            y=alt.Y("row:Q", scale=y_scale, axis=None),
            text=alt.Text("label:N"),
        )
        .transform_calculate(label="datum.person + ' · ' + datum.role")
    )
    return (lines + nodes + labels).properties(
        title=_title(
            title, "Reporting lines from each employee's manager; critical positions coloured by bench status"
        ),
        height=max(120, 22 * data.height),
    )
