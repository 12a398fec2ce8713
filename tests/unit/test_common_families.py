"""Behaviour every metric family shares, tested once across all of them (in the style of
scikit-learn's ``metrics/tests/test_common.py``): empty input, row-order invariance, records
dated after the as-of date ignored, LazyFrame and DataFrame inputs alike, and the output
columns as ``../shared/spec/metrics.md`` names them.

Each family runs through the one run path, ``metrics.run.run_metrics``, on a small generated
organisation (400 employees, seed 5) so that every family, learning impact included, has data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data_sources.contract import CONTRACT
from data_sources.loader import load_source
from metrics.config import LearningImpactConfig, MetricsConfig
from metrics.run import FAMILIES, run_metrics
from tests.unit.test_cli import SPEC_COLUMNS

#: Quick learner settings: the shared behaviour does not depend on the fit's precision.
CONFIG = MetricsConfig(learning_impact=LearningImpactConfig(learner_max_iter=20, min_exposed=5))
#: Key columns each family's output is sorted by before comparing.
KEYS: Mapping[str, tuple[str, ...]] = {
    "proficiency": ("employee_id", "competency_id"),
    "readiness": ("employee_id", "target_role_id", "relation"),
    "bench": ("role_id",),
    "capability_risk": ("team", "competency_id"),
    "equity": ("attribute", "group"),
    "learning_impact": ("cluster",),
    "assets": ("asset_id",),
}
#: The date column of each dated table (records after the as-of date must not count).
DATED = {
    "evidence": "observed_on",
    "learning_events": "timestamp",
    "performance": "period_end",
    "movements": "effective_date",
}


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> tuple[dict[str, pl.DataFrame], dt.date]:
    from sample_data.generator import generate

    folder = tmp_path_factory.mktemp("org")
    generate(400, seed=5, out_dir=folder)
    bundle = load_source(folder)
    tables = dict(bundle.tables)
    as_of = dt.date(2026, 6, 30)
    return tables, as_of


def _run(tables: Mapping[str, pl.DataFrame], as_of: dt.date, family: str) -> pl.DataFrame:
    out = run_metrics(tables, as_of=as_of, config=CONFIG, families=(family,)).outputs()
    assert family in out, f"{family} did not run"
    return out[family].sort(list(KEYS[family]))


@pytest.fixture(scope="module")
def baseline(org) -> dict[str, pl.DataFrame]:
    tables, as_of = org
    return {family: _run(tables, as_of, family) for family in FAMILIES}


def test_every_family_is_covered():
    assert set(FAMILIES) == set(KEYS) == set(SPEC_COLUMNS)


@pytest.mark.parametrize("family", FAMILIES)
def test_output_columns_are_the_specs(baseline, family):
    assert ", ".join(baseline[family].columns) == SPEC_COLUMNS[family]
    assert baseline[family].height > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_row_order_does_not_matter(org, baseline, family):
    tables, as_of = org
    shuffled = {name: frame.sample(fraction=1.0, shuffle=True, seed=11) for name, frame in tables.items()}
    assert_frame_equal(_run(shuffled, as_of, family), baseline[family], check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_records_after_the_as_of_date_are_ignored(org, baseline, family):
    tables, as_of = org
    later = dict(tables)
    for name, column in DATED.items():
        frame = tables[name]
        dtype = frame.schema[column]
        shift = pl.duration(days=400)
        future = frame.head(200).with_columns((pl.lit(as_of).cast(dtype) + shift).alias(column))
        later[name] = pl.concat([frame, future])
    assert_frame_equal(_run(later, as_of, family), baseline[family], check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_lazy_and_eager_inputs_give_the_same_result(org, baseline, family):
    tables, as_of = org
    lazy = {name: frame.lazy() for name, frame in tables.items()}
    assert_frame_equal(_run(lazy, as_of, family), baseline[family], check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_empty_input_gives_empty_output_with_the_spec_columns(org, family):
    tables, as_of = org
    empty = {name: frame.clear() for name, frame in tables.items()}
    out = run_metrics(empty, as_of=as_of, config=CONFIG, families=(family,)).outputs()
    frame = out.get(family)
    assert frame is not None, f"{family} gave no frame on empty input"
    assert frame.height == 0
    assert ", ".join(frame.columns) == SPEC_COLUMNS[family]


def test_contract_dates_used_here_exist():
    for name, column in DATED.items():
        assert column in CONTRACT[name].column_names, (name, column)
