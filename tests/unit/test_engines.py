"""Event engines give the polars path's results (within 1e-9): DuckDB in process, on frames and on files."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data_sources.config import SourceConfig
from data_sources.loader import load_source
from metrics.config import DEFAULT_CONFIG, ProficiencyConfig
from metrics.engine import POLARS_ENGINE
from metrics.engines import DuckDBEngine, make_engine
from metrics.run import run_metrics

T = dt.date(2026, 9, 30)
TOL = {"check_exact": False, "abs_tol": 1e-9, "rel_tol": 0.0}
UTC = dt.UTC


@pytest.fixture(scope="module")
def sample():
    return load_source(None, as_of=dt.date(2026, 11, 22)).tables


def _by_key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("employee_id", "competency_id")


@pytest.mark.parametrize("as_of", [T, dt.date(2025, 9, 30), dt.date(2024, 1, 15)])
def test_duckdb_proficiency_equals_polars_on_sample(sample, as_of):
    ref = POLARS_ENGINE.proficiency(sample, as_of, DEFAULT_CONFIG.proficiency)
    got = DuckDBEngine().proficiency(sample, as_of, DEFAULT_CONFIG.proficiency)
    assert got.height == ref.height > 0
    assert_frame_equal(_by_key(got), _by_key(ref), **TOL)


def test_duckdb_proficiency_other_parameters(sample):
    cfg = ProficiencyConfig(
        type_weights={"performance_task": 0.6, "credential": 1.3},
        verified_factor=1.2,
        unverified_factor=0.3,
        half_life_days=90.0,
        evidence_threshold=0.8,
    )
    ref = POLARS_ENGINE.proficiency(sample, T, cfg)
    got = DuckDBEngine().proficiency(sample, T, cfg)
    assert_frame_equal(_by_key(got), _by_key(ref), **TOL)


def test_duckdb_learning_features_equal_polars_on_sample(sample):
    ref = POLARS_ENGINE.learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    got = DuckDBEngine().learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    assert got.clusters == ref.clusters
    assert got.observations.height == ref.observations.height > 0
    assert_frame_equal(got.observations, ref.observations, **TOL)
    assert_frame_equal(got.exposures, ref.exposures)


def test_duckdb_asset_activity_equals_polars_on_sample(sample):
    ref = POLARS_ENGINE.asset_activity(sample, T, DEFAULT_CONFIG.assets)
    got = DuckDBEngine().asset_activity(sample, T, DEFAULT_CONFIG.assets)
    assert_frame_equal(got, ref, **TOL)


def test_duckdb_reads_canonical_parquet_files_where_they_lie(sample, tmp_path):
    files = {}
    for name in ("evidence", "learning_events", "performance"):
        files[name] = tmp_path / f"{name}.parquet"
        sample[name].write_parquet(files[name])
    engine = DuckDBEngine(files=files, memory_limit="1GB", threads=1)
    ref = POLARS_ENGINE.proficiency(sample, T, DEFAULT_CONFIG.proficiency)
    assert_frame_equal(_by_key(engine.proficiency(sample, T, DEFAULT_CONFIG.proficiency)), _by_key(ref), **TOL)
    feats = engine.learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    assert_frame_equal(
        feats.exposures, POLARS_ENGINE.learning_features(sample, T, DEFAULT_CONFIG.learning_impact).exposures
    )


def _tiny_learning() -> dict[str, pl.DataFrame]:
    """One employee, cluster A completed on days 0, 10, 40 and 100 before P; B once; one failed event."""
    p = dt.date(2026, 6, 30)
    days = [100, 40, 10, 0]
    events = pl.DataFrame(
        {
            "employee_id": ["e"] * 7,
            "asset_id": ["a1", "a2", "a3", "a4", "a4", "b1", "b2"],
            "verb": ["completed", "passed", "completed", "completed", "completed", "completed", "failed"],
            "timestamp": [dt.datetime.combine(p - dt.timedelta(days=d), dt.time(23, 30), UTC) for d in days]
            + [
                dt.datetime.combine(p, dt.time(1), UTC),  # a4 again: a distinct asset counts once
                dt.datetime.combine(p - dt.timedelta(days=365), dt.time(12), UTC),  # on the open edge: out
                dt.datetime.combine(p, dt.time(8), UTC),
            ],
            "score": [0.5, 1.0, None, 0.7, 0.9, 0.2, 0.1],
            "duration_s": [None] * 7,
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    return {
        "employees": pl.DataFrame(
            {"employee_id": ["e"], "role_id": ["r"], "team": ["T"], "hire_date": [dt.date(2020, 1, 1)]}
        ),
        "roles": pl.DataFrame({"role_id": ["r"], "ladder": ["L"], "level": [1]}),
        "assets": pl.DataFrame(
            {
                "asset_id": ["a1", "a2", "a3", "a4", "b1", "b2"],
                "cluster": ["A", "A", "A", "A", "B", "B"],
                "difficulty": [1, 2, 3, 4, 5, 1],
            }
        ),
        "learning_events": events,
        "performance": pl.DataFrame({"employee_id": ["e"], "period_end": [p], "rating": [3.0]}),
    }


@pytest.mark.parametrize("engine", [POLARS_ENGINE, DuckDBEngine()], ids=["polars", "duckdb"])
def test_exposures_by_hand(engine):
    feats = engine.learning_features(_tiny_learning(), dt.date(2026, 6, 30), DEFAULT_CONFIG.learning_impact)
    # A: 4 distinct assets (gaps 60, 30, 10 days: median 30); B: b1 is exactly 365 days back, so out
    assert feats.exposures.select("A", "B").row(0) == (4, 0)
    obs = feats.observations.select("n_completed", "spacing_days", "difficulty").row(0)
    assert obs == (4, 30.0, 2.5)


@pytest.mark.parametrize("engine", [POLARS_ENGINE, DuckDBEngine()], ids=["polars", "duckdb"])
def test_even_number_of_gaps_takes_the_mean_of_the_middle_two(engine):
    tables = _tiny_learning()
    tables["learning_events"] = tables["learning_events"].filter(pl.col("asset_id") != "a4")
    feats = engine.learning_features(tables, dt.date(2026, 6, 30), DEFAULT_CONFIG.learning_impact)
    # A completed 100, 40 and 10 days before P: gaps 60 and 30, median 45
    assert feats.observations.select("n_completed", "spacing_days").row(0) == (3, 45.0)


@pytest.mark.parametrize("engine", [POLARS_ENGINE, DuckDBEngine()], ids=["polars", "duckdb"])
def test_asset_activity_by_hand(engine):
    act = engine.asset_activity(_tiny_learning(), dt.date(2026, 6, 30), DEFAULT_CONFIG.assets)
    rows = {r["asset_id"]: r for r in act.iter_rows(named=True)}
    assert (rows["a4"]["learners"], rows["a4"]["completers"]) == (1, 1)
    assert rows["a4"]["mean_score"] == pytest.approx(0.8)  # 0.7 and 0.9
    assert rows["b1"]["learners"] == 0 and rows["b1"]["last_activity"] == dt.date(2025, 6, 30)
    assert (rows["b2"]["completers"], rows["b2"]["mean_score"]) == (0, None)


def test_run_metrics_records_the_engine_and_matches(sample):
    families = ("proficiency", "readiness", "bench", "capability_risk", "equity", "assets")
    ref = run_metrics(sample, as_of=T, families=families)
    got = run_metrics(sample, as_of=T, families=families, engine=make_engine("duckdb"))
    assert got.engine == "duckdb"
    for name in ("readiness", "bench", "capability_risk", "assets"):
        assert_frame_equal(got.outputs()[name].sort(pl.all()), ref.outputs()[name].sort(pl.all()), **TOL)
    assert_frame_equal(got.pipeline_equity.sort(pl.all()), ref.pipeline_equity.sort(pl.all()), **TOL)


def test_source_configuration_engine_key():
    cfg = SourceConfig.from_dict({"source": {"engine": "duckdb"}})
    assert cfg.engine == "duckdb"
    assert SourceConfig.from_dict({}).engine == "polars"
    with pytest.raises(ValueError, match="engine = 'bigquery' is not known"):
        SourceConfig.from_dict({"source": {"engine": "bigquery"}})


def test_make_engine_refuses_unknown_names_and_source_without_url():
    with pytest.raises(ValueError, match="Unknown engine 'oracle'"):
        make_engine("oracle")
    with pytest.raises(ValueError, match="needs a SQL source"):
        make_engine("source", source="sample_data/default")


def test_cli_compute_with_engine_records_engine_and_stages(tmp_path, capsys):
    import json
    from pathlib import Path

    import cli

    tiny = Path(__file__).resolve().parent.parent / "fixtures" / "tiny"
    assert cli.main(["compute", "--source", str(tiny), "--out", str(tmp_path), "--engine", "duckdb"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["engine"] == "duckdb"
    assert manifest["stages"]["proficiency"]["rows"] == pl.read_parquet(tmp_path / "proficiency.parquet").height
    assert "proficiency:" in capsys.readouterr().err


def test_cli_source_engine_on_a_folder_is_one_line(tmp_path, capsys):
    import cli

    assert cli.main(["compute", "--out", str(tmp_path), "--engine", "source"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


_COMPILE_EVERY_EXPRESSION = """
import datetime as dt, sys
import ibis
from metrics.config import DEFAULT_CONFIG
from metrics.engines._expr import asset_last_expr, asset_window_expr, canonical_table, exposure_expr, proficiency_expr

T = dt.date(2026, 9, 30)
events = canonical_table("learning_events")
exprs = [
    (proficiency_expr(canonical_table("evidence"), T, DEFAULT_CONFIG.proficiency), "evidence"),
    (exposure_expr(canonical_table("performance"), events, canonical_table("assets"), T, 365, ("A", "B")), "performance"),
    (asset_window_expr(events, T, 365), "learning_events"),
    (asset_last_expr(events, T), "learning_events"),
]
for expr, table in exprs:
    sql = str(ibis.to_sql(expr, dialect=sys.argv[1]))
    assert sql.lstrip().upper().startswith(("SELECT", "WITH")), sql[:80]
    assert table in sql, table
"""


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "mysql", "trino", "snowflake", "bigquery"])
def test_the_expressions_compile_for_every_named_dialect(dialect):
    # in a process of its own: once Ibis has compiled a date for Snowflake, the same process compiles
    # PostgreSQL's dates with Snowflake's DATE_FROM_PARTS (seen when the source-engine tests ran after this one)
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _COMPILE_EVERY_EXPRESSION, dialect], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
