"""The source engine on real PostgreSQL and MariaDB: the aggregations run in the database, results equal polars."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_sources.errors import SourceError
from data_sources.loader import DEFAULT_SAMPLE, load_source
from data_sources.sql import write_tables
from metrics.config import DEFAULT_CONFIG
from metrics.engine import POLARS_ENGINE
from metrics.engines import SourceEngine, make_engine
from metrics.engines._expr import canonical_table, row_count_expr
from metrics.run import run_metrics
from tests.services.conftest import SERVERS, _reachable

T = dt.date(2026, 9, 30)
TOL = {"check_exact": False, "abs_tol": 1e-9, "rel_tol": 0.0}
EVENT_TABLES = ("evidence", "learning_events", "performance", "assets")


#: The sample's first employees, with every row of theirs: equality does not need the whole
#: organisation, and MariaDB's nested-loop exposure join costs a minute on all 2,000.
EMPLOYEES = 500


@pytest.fixture(scope="module")
def sample():
    tables = load_source(DEFAULT_SAMPLE, as_of=dt.date(2026, 11, 22)).tables
    keep = tables["employees"].get_column("employee_id").head(EMPLOYEES).implode()
    return {
        name: frame.filter(pl.col("employee_id").is_in(keep)) if "employee_id" in frame.columns else frame
        for name, frame in tables.items()
    }


@pytest.fixture(scope="module", params=["postgresql", "mariadb"])
def source_url(request, sample):
    """A schema (PostgreSQL) or database (MariaDB) of its own holding the sample's event tables."""
    kind = request.param
    base = SERVERS[kind]
    problem = _reachable(base)
    if problem:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{kind} server required (REQUIRE_SERVICES=1) but not reachable: {problem}")
        pytest.skip(f"{kind} server not reachable: {problem}")
    name = f"tr_engine_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
            url = f"{base}?options=-csearch_path%3D{name}"
        else:
            conn.execute(sa.text(f"CREATE DATABASE `{name}`"))
            url = base.rsplit("/", 1)[0] + f"/{name}"
    engine = sa.create_engine(url)
    write_tables(engine, {t: sample[t] for t in EVENT_TABLES})
    engine.dispose()
    yield url
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        else:
            conn.execute(sa.text(f"DROP DATABASE `{name}`"))
    admin.dispose()


@pytest.mark.parametrize("as_of", [T, dt.date(2025, 9, 30)])
def test_proficiency_in_the_database_equals_polars(source_url, sample, as_of):
    ref = POLARS_ENGINE.proficiency(sample, as_of, DEFAULT_CONFIG.proficiency)
    got = SourceEngine(source_url).proficiency(sample, as_of, DEFAULT_CONFIG.proficiency)
    assert got.height == ref.height > 0
    keys = ("employee_id", "competency_id")
    assert_frame_equal(got.sort(keys), ref.sort(keys), **TOL)


def test_learning_features_in_the_database_equal_polars(source_url, sample):
    ref = POLARS_ENGINE.learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    got = SourceEngine(source_url).learning_features(sample, T, DEFAULT_CONFIG.learning_impact)
    assert_frame_equal(got.observations, ref.observations, **TOL)
    assert_frame_equal(got.exposures, ref.exposures)


def test_asset_activity_in_the_database_equals_polars(source_url, sample):
    ref = POLARS_ENGINE.asset_activity(sample, T, DEFAULT_CONFIG.assets)
    got = SourceEngine(source_url).asset_activity(sample, T, DEFAULT_CONFIG.assets)
    assert_frame_equal(got, ref, **TOL)


def test_run_metrics_with_the_source_engine(source_url, sample):
    families = ("readiness", "bench", "capability_risk", "assets")
    ref = run_metrics(sample, as_of=T, families=families)
    got = run_metrics(sample, as_of=T, families=families, engine=make_engine("source", url=source_url))
    assert got.engine == "source"
    for name in ("proficiency", *families):
        assert_frame_equal(got.outputs()[name].sort(pl.all()), ref.outputs()[name].sort(pl.all()), **TOL)


def test_renamed_table_through_table_names(source_url, sample):
    renamed = f"ev_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(source_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {renamed} AS SELECT * FROM evidence")
    try:
        got = SourceEngine(source_url, table_names={"evidence": renamed}).proficiency(
            sample, T, DEFAULT_CONFIG.proficiency
        )
        assert got.height == POLARS_ENGINE.proficiency(sample, T, DEFAULT_CONFIG.proficiency).height
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {renamed}")
        engine.dispose()


def test_refuses_when_the_database_holds_rows_the_loader_rejected(source_url, sample):
    fewer = {**sample, "evidence": sample["evidence"].head(100)}
    with pytest.raises(SourceError, match=r"sees \d+ rows in evidence .* accepted 100"):
        SourceEngine(source_url).proficiency(fewer, T, DEFAULT_CONFIG.proficiency)


def test_refuses_a_table_without_the_canonical_columns(source_url, sample):
    with pytest.raises(SourceError, match="missing column"):
        SourceEngine(source_url, table_names={"evidence": "performance"}).proficiency(
            sample, T, DEFAULT_CONFIG.proficiency
        )


def test_the_source_is_read_in_a_read_only_transaction(source_url, sample):
    with SourceEngine(source_url, check_rows=False).session(sample, ("evidence",)) as run:
        assert run(row_count_expr(canonical_table("evidence"))).item() == sample["evidence"].height
        with pytest.raises(sa.exc.DBAPIError, match=r"(?i)read.only"):
            run.conn.exec_driver_sql("CREATE TABLE tr_must_not_exist AS SELECT 1 AS a")
    engine = sa.create_engine(source_url)
    try:
        assert not [t for t in sa.inspect(engine).get_table_names() if t.startswith(("tr_must", "tr_work"))]
    finally:
        engine.dispose()
