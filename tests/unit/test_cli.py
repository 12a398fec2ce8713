"""The command line: compute writes every output with the spec's columns and a manifest; a bad
source is one clear line and exit status 2; load prints the per-table report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import cli
from data_sources.errors import ERR_SOURCE_NOT_FOUND

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
SPEC_COLUMNS = {
    "proficiency": "employee_id, competency_id, level, evidence_weight, n_evidence, last_observed_on",
    "readiness": "employee_id, target_role_id, relation, readiness, band, n_gaps, n_critical_gaps",
    "bench": "role_id, critical, incumbents, candidates, ready_now, ready_soon, bench_strength, status",
    "capability_risk": "team, competency_id, target_level, target_headcount, supply, coverage, gap, risk, "
    "single_point_of_failure, band",
    "equity": "attribute, group, eligible, promoted, rate, rate_low, rate_high, impact_ratio, adverse_impact, "
    "p_value, significant, shortfall, robust, suppressed",
    "learning_impact": "cluster, n_exposed, effect, ci_low, ci_high, p_value, q_value, label",
    "assets": "asset_id, cluster, learners, completers, completion_rate, mean_score, last_activity, cluster_label, "
    "recommendation, reason",
}


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert cli.main(["compute", "--out", str(out)]) == 0  # the bundled sample
    return out


def test_compute_writes_every_output_with_the_spec_columns(computed):
    for name, columns in SPEC_COLUMNS.items():
        csv = pl.read_csv(computed / f"{name}.csv", infer_schema_length=0)
        parquet = pl.read_parquet(computed / f"{name}.parquet")
        assert ", ".join(csv.columns) == columns, name
        assert parquet.columns == csv.columns and parquet.height == csv.height > 0, name
    assert (computed / "rejects.csv").is_file()


def test_manifest_records_what_was_run(computed):
    manifest = json.loads((computed / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-09-30"
    assert manifest["parameters"]["equity"]["min_group_size"] == 10
    assert manifest["parameters"]["proficiency"]["type_weights"]["credential"] == 0.8
    tables = {t["table"]: t for t in manifest["tables"]}
    assert tables["employees"]["read"] == tables["employees"]["accepted"] + tables["employees"]["rejected"] == 2000
    assert set(manifest["seconds"]) == {"load", "pipeline_equity", *SPEC_COLUMNS}
    assert manifest["parameters_from"] == "spec defaults" and manifest["engine"] == "polars"
    # The equity table keeps the spec's columns; which group is the reference, and why, travels here.
    assert manifest["equity_references"]["gender"] == {
        "group": "Man",
        "reason": "highest promotion rate among groups of at least 30 people and 2% of the eligible",
    }
    assert set(manifest["equity_references"]) == set(pl.read_csv(computed / "equity.csv")["attribute"].unique())
    assert len(manifest["data_version"]) == 16 and len(manifest["input_hashes"]["employees"]) == 64


def test_equity_export_carries_nothing_the_screen_suppresses(computed):
    equity = pl.read_parquet(computed / "equity.parquet")
    hidden = equity.filter(pl.col("suppressed"))
    assert hidden.height > 0
    numbers = [c for c in equity.columns if c not in ("attribute", "group", "suppressed")]
    assert hidden.select(pl.all_horizontal(pl.col(numbers).is_null())).to_series().all()


def test_compute_skips_families_whose_tables_are_missing(tmp_path, capsys):
    assert cli.main(["compute", "--source", str(TINY), "--out", str(tmp_path), "--as-of", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    assert "skipped equity: needs table(s): movements" in out
    assert sorted(p.stem for p in tmp_path.glob("*.parquet")) == ["bench", "proficiency", "readiness"]


def test_metric_configuration_file_is_applied_and_recorded(tmp_path):
    cfg = tmp_path / "metrics.toml"
    cfg.write_text("[readiness]\nready_now_min = 0.85\n")
    out = tmp_path / "out"
    assert cli.main(["compute", "--source", str(TINY), "--out", str(out), "--config", str(cfg)]) == 0
    assert json.loads((out / "manifest.json").read_text())["parameters"]["readiness"]["ready_now_min"] == 0.85


def test_bad_source_is_one_clear_line_and_exit_2(tmp_path):
    done = subprocess.run(
        [sys.executable, "cli.py", "compute", "--source", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {ERR_SOURCE_NOT_FOUND}"]
    assert "Traceback" not in done.stderr


def test_load_prints_the_report(capsys):
    assert cli.main(["load", "--source", str(ROOT / "tests" / "fixtures" / "defects")]) == 0
    out = capsys.readouterr().out
    assert "employees                  7          2          5  employees.csv" in out
    assert "employees.csv, line 4, column role_id: unknown role id: 'XX9' is not in roles" in out


def test_help_documents_every_command():
    text = cli.build_parser().format_help()
    for command in ("load", "load-db", "compute"):
        assert command in text
    compute_help = cli.build_parser()._subparsers._group_actions[0].choices["compute"].format_help()
    for option in ("--source", "--out", "--as-of", "--config"):
        assert option in compute_help
