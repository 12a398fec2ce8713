"""Issue 9: the app and the CLI read the same configuration and show the same protected numbers.

A source configuration with ``[source] as_of`` and ``[metrics.equity] min_group_size = 15``
gives the same dataset version, the same accepted rows and the same equity table on the
equity page (AppTest) and in ``cli.py compute``'s outputs; bad configuration values are
one line in the CLI (exit 2) and a message on the Data page.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

import cli
from data_sources.loader import DEFAULT_SAMPLE

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300
AS_OF = "2026-06-30"


def _source(tmp_path: Path, metrics_toml: str, base: Path = DEFAULT_SAMPLE) -> Path:
    folder = tmp_path / "exports"
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("truth.json"))
    config = folder / "org.toml"
    config.write_text(f'[source]\nas_of = "{AS_OF}"\n\n{metrics_toml}')
    return config


def _app(source: Path, view: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["tr_source"] = str(source)
    at.run()
    return at.switch_page(f"views/{view}.py").run()


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one_path")
    config = _source(tmp, "[metrics.equity]\nmin_group_size = 15\n")
    out = tmp / "out"
    assert cli.main(["compute", "--source", str(config), "--out", str(out), "--as-of", AS_OF]) == 0
    return config, out, json.loads((out / "manifest.json").read_text())


def test_cli_applies_the_source_configurations_metrics_table(configured):
    _, out, manifest = configured
    assert manifest["parameters"]["equity"]["min_group_size"] == 15
    assert manifest["parameters_from"].startswith("[metrics] of ") and manifest["parameters_from"].endswith("org.toml")
    equity = pl.read_parquet(out / "equity.parquet")
    # every group of 10-14 is suppressed now, and none shown is under 15
    shown = equity.filter(~pl.col("suppressed"))
    assert shown.height and shown.get_column("eligible").min() >= 15


def test_app_and_cli_show_the_same_version_and_equity_figures(configured):
    config, out, manifest = configured
    at = _app(config, "equity")
    assert not at.exception, [e.value for e in at.exception]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert manifest["data_version"] in sidebar
    assert "org.toml" in sidebar  # the configuration in force is named
    at.sidebar.date_input[0].set_value(dt.date.fromisoformat(AS_OF)).run()
    equity = pl.read_parquet(out / "equity.parquet")
    # an attribute with a group the default (10) shows and the configured 15 hides
    from data_sources.loader import load_source
    from metrics.run import run_metrics

    default = run_metrics(load_source(config).tables, as_of=dt.date.fromisoformat(AS_OF), families=("equity",))
    assert default.equity is not None
    both = default.equity.table.join(equity, on=["attribute", "group"], suffix="_15")
    label = both.filter(~pl.col("suppressed") & pl.col("suppressed_15")).get_column("attribute").first()
    assert label is not None
    first, _, second = label.partition(" × ")
    at.selectbox(key="equity_attribute").select(first).run()
    if second:
        at.selectbox(key="equity_second").select(second).run()
    page = at.dataframe[0].value  # the groups table
    cli_rows = equity.filter(pl.col("attribute") == label)
    assert set(page["group"].tolist()) == set(cli_rows["group"].to_list())
    eligible = dict(zip(page["group"], page["eligible"], strict=True))
    for row in cli_rows.iter_rows(named=True):
        if row["suppressed"]:
            assert not eligible[row["group"]].isdigit(), row["group"]  # no count shown where the CLI hides it
        else:
            assert eligible[row["group"]] == str(row["eligible"]), row["group"]
    assert any("fewer than 15" in c.value for c in at.caption)


def test_app_loads_with_the_configurations_as_of_like_the_cli(configured):
    config, _, manifest = configured
    at = _app(config, "data")
    assert not at.exception
    rows = {r["table"]: r for r in at.dataframe[0].value.to_dict("records")} if at.dataframe else {}
    for table in manifest["tables"]:
        assert rows[table["table"]]["accepted"] == table["accepted"], table["table"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[metrics.equity]\nmin_group_size = 1\n", "min_group_size = 1 is not allowed: it must be at least 5"),
        ("[metrics.equity]\nwindow_months = 0\n", "window_months = 0 is not allowed: it must be at least 1"),
        (
            "[metrics.proficiency]\nhalf_life_days = 0\n",
            "half_life_days = 0.0 is not allowed: it must be a number above 0",
        ),
        ("[metrics.readiness]\nready_now_min = 1.5\n", "ready_now_min = 1.5 is not allowed"),
        ("[metrics.proficiency.type_weights]\ncredential = -1\n", "credential = -1.0 is not allowed"),
        ('[metrics.equity]\nmin_group_size = "ten"\n', "min_group_size must be a whole number, got 'ten'"),
        ("[metrics]\nequity = 5\n", "[equity] must be a table of keys, got 5"),
        ("[metrics.nope]\nx = 1\n", "Unknown metrics configuration section [nope]"),
    ],
)
def test_a_bad_configuration_value_is_one_line_in_cli_and_app(tmp_path, capsys, toml, message):
    config = _source(tmp_path, toml, base=ROOT / "tests/fixtures/tiny")
    code = cli.main(["compute", "--source", str(config), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err
    at = _app(config, "data")
    assert not at.exception
    assert any(message in e.value for e in at.error)


def test_a_bad_separate_config_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "metrics.toml"
    bad.write_text("[equity]\nmin_group_size = 3\n")
    code = cli.main(
        ["compute", "--source", str(ROOT / "tests/fixtures/tiny"), "--out", str(tmp_path / "o"), "--config", str(bad)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "metrics.toml" in err and "at least 5" in err
