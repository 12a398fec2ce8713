"""The Spark engine (pyspark local mode) gives the polars path's results within 1e-9.

One SparkSession for the module (its start is slow); a 300-employee slice of the
sample organisation keeps the run short. Skipped when pyspark is not importable,
unless REQUIRE_SPARK=1 (as in CI).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data_sources.loader import load_source
from metrics.config import DEFAULT_CONFIG
from metrics.engine import POLARS_ENGINE

T = dt.date(2026, 9, 30)
TOL = {"check_exact": False, "abs_tol": 1e-9, "rel_tol": 0.0}

_MISSING = (
    "pyspark is not installed"
    if importlib.util.find_spec("pyspark") is None
    else "no Java runtime"
    if shutil.which("java") is None
    else None
)
if _MISSING and os.environ.get("REQUIRE_SPARK") == "1":
    raise RuntimeError(f"REQUIRE_SPARK=1 but {_MISSING}: pip install -r requirements-spark.txt")
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


@pytest.fixture(scope="module")
def sample():
    tables = load_source(None, as_of=dt.date(2026, 11, 22)).tables
    keep = tables["employees"].get_column("employee_id").sort().head(300)
    return {
        name: frame.filter(pl.col("employee_id").is_in(keep.implode())) if "employee_id" in frame.columns else frame
        for name, frame in tables.items()
    }


@pytest.fixture(scope="module")
def spark_engine():
    from metrics.engines.spark import SparkEngine

    engine = SparkEngine()
    yield engine
    engine.spark().stop()


def test_spark_proficiency_equals_polars(spark_engine, sample):
    for as_of in (T, dt.date(2025, 9, 30)):
        ref = POLARS_ENGINE.proficiency(sample, as_of, DEFAULT_CONFIG.proficiency)
        got = spark_engine.proficiency(sample, as_of, DEFAULT_CONFIG.proficiency)
        keys = ("employee_id", "competency_id")
        assert got.height == ref.height > 0
        assert_frame_equal(got.sort(keys), ref.sort(keys), **TOL)


def test_spark_learning_features_and_asset_activity_equal_polars(spark_engine, sample):
    ref = POLARS_ENGINE.learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    got = spark_engine.learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    assert got.observations.height == ref.observations.height > 0
    assert_frame_equal(got.observations, ref.observations, **TOL)
    assert_frame_equal(got.exposures, ref.exposures)
    act = spark_engine.asset_activity(sample, T, DEFAULT_CONFIG.assets)
    assert_frame_equal(act, POLARS_ENGINE.asset_activity(sample, T, DEFAULT_CONFIG.assets), **TOL)
