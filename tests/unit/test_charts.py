"""Shared behaviour of every chart builder: an Altair chart with a title, titled axes, tooltips,
colours from the colour-blind-safe palettes, and no more than MAX_ROWS rows shipped."""

from __future__ import annotations

import inspect

import altair as alt
import polars as pl
import pytest

from ui import charts

SAFE_COLOURS = set(charts.OKABE_ITO) | {"#999999", "#666666", "white"}
SEQUENTIAL = {"viridis", "blueorange", "oranges"}  # colour-blind-safe: perceptually uniform or single-hue

INPUTS = {
    "band_distribution": pl.DataFrame(
        {"relation": ["current", "next"], "band": ["ready_now", "developing"], "employees": [3, 4]}
    ),
    "feeder_pipeline": pl.DataFrame({"role": ["A", "A"], "band": ["ready_now", "ready_soon"], "employees": [1, 2]}),
    "bench_status": pl.DataFrame(
        {"role": ["A"], "status": ["covered"], "ready_now": [1], "ready_soon": [2], "incumbents": [3]}
    ),
    "coverage_heatmap": pl.DataFrame(
        {
            "team": ["T"],
            "competency": ["C"],
            "coverage": [0.5],
            "supply": [1],
            "target_headcount": [2],
            "band": ["medium"],
            "single_point_of_failure": [True],
        }
    ),
    "rates_with_intervals": pl.DataFrame(
        {
            "group": ["a", "b"],
            "rate": [0.1, 0.2],
            "rate_low": [0.05, 0.1],
            "rate_high": [0.2, 0.3],
            "adverse_impact": [True, False],
            "four_fifths_line": [0.16, 0.16],
        }
    ),
    "forest_plot": pl.DataFrame(
        {"cluster": ["K"], "effect": [0.1], "ci_low": [0.0], "ci_high": [0.2], "label": ["predictive"], "naive": [0.3]}
    ),
    "factor_effects": pl.DataFrame({"factor": ["spacing"], "effect": [0.1], "ci_low": [0.0], "ci_high": [0.2]}),
    "recommendation_counts": pl.DataFrame({"recommendation": ["retire"], "assets": [3]}),
    "profile_heatmap": pl.DataFrame(
        {
            "competency": ["C"],
            "target": ["Current: A"],
            "required_level": [3],
            "level": [2],
            "gap_levels": [-1],
            "critical": [True],
        }
    ),
}
BUILDERS = [
    name
    for name, fn in inspect.getmembers(charts, inspect.isfunction)
    if fn.__module__ == charts.__name__ and not name.startswith("_")
]


def test_every_builder_is_exercised():
    assert sorted(BUILDERS) == sorted(INPUTS)


def _walk(spec):
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _walk(v)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_builder_contract(name):
    chart = getattr(charts, name)(INPUTS[name])
    assert isinstance(chart, (alt.Chart, alt.LayerChart))
    spec = chart.to_dict()
    assert spec.get("title", {}).get("text"), "chart has no title"
    nodes = list(_walk(spec))
    encodings = [n["encoding"] for n in nodes if "encoding" in n]
    for enc in encodings:
        for channel in ("x", "y"):
            if channel in enc and "field" in enc[channel] and "title" not in enc[channel]:
                # a layer may reuse an axis titled by another layer of the same chart
                assert any(channel in e and e[channel].get("title") for e in encodings), f"{channel} untitled"
    assert any("tooltip" in enc for enc in encodings), "no tooltip"
    for node in nodes:
        scale = node.get("scale") if isinstance(node.get("scale"), dict) else None
        if scale and "range" in scale and isinstance(scale["range"], list):
            assert set(scale["range"]) <= SAFE_COLOURS, scale["range"]
        if scale and "scheme" in scale:
            assert scale["scheme"] in SEQUENTIAL
        colour = node.get("color")
        if isinstance(colour, str):
            assert colour in SAFE_COLOURS, colour


def test_too_many_rows_are_refused():
    big = pl.DataFrame({"recommendation": ["keep"] * (charts.MAX_ROWS + 1), "assets": [1] * (charts.MAX_ROWS + 1)})
    with pytest.raises(ValueError, match="aggregate before charting"):
        charts.recommendation_counts(big)


def test_builders_never_call_streamlit():
    assert "streamlit" not in inspect.getsource(charts)


def test_the_profile_heatmaps_role_labels_are_lifted_above_the_cells_by_their_extra_lines():
    frame = INPUTS["profile_heatmap"].with_columns(pl.lit("Next: Regional Sales Director").alias("target"))
    axis = charts.profile_heatmap(frame).to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert axis["orient"] == "top" and axis["labelLineHeight"] == 12
    assert axis["labelPadding"] == 12 * 3 + 4  # four words, one per line: three lines above the first
