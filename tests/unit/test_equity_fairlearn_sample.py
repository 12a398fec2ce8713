"""Independent cross-check on the sample organisation: selection rates by group and the ratio to the
highest rate agree with fairlearn's MetricFrame(selection_rate) on the same eligible population."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data_sources.loader import DEFAULT_SAMPLE, load_source
from metrics.config import DEFAULT_CONFIG
from metrics.equity._core import promotion_equity
from metrics.equity._population import eligible_population, equity_window

pytestmark = pytest.mark.skipif(not (DEFAULT_SAMPLE / "employees.csv").is_file(), reason="sample not generated")
AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def sample():
    tables = load_source(DEFAULT_SAMPLE).tables
    window = equity_window(AS_OF, DEFAULT_CONFIG.equity)
    population = eligible_population(tables["employees"], tables["movements"], tables["roles"], window)
    return tables, population


@pytest.mark.parametrize("attribute", ["gender", "ethnicity", "age_band", "disability"])
def test_rates_and_ratio_to_highest_agree_with_fairlearn(sample, attribute):
    pd = pytest.importorskip("pandas")
    fl = pytest.importorskip("fairlearn.metrics")
    tables, population = sample
    promoted = population["promoted"].cast(pl.Int8).to_list()
    frame = fl.MetricFrame(
        metrics=fl.selection_rate,
        y_true=promoted,
        y_pred=promoted,
        sensitive_features=pd.Series(population[attribute].to_list(), name=attribute),
    )
    by_group = frame.by_group
    ours = promotion_equity(tables["employees"], tables["movements"], tables["roles"], AS_OF, attribute)
    shown = ours.filter(~pl.col("suppressed"))
    assert shown.height >= 2
    # the reference is the highest rate among the groups shown (suppressed groups never are)
    highest = max(by_group[g] for g in shown["group"])
    for row in shown.iter_rows(named=True):
        assert row["rate"] == pytest.approx(by_group[row["group"]], abs=1e-12), row["group"]
        assert row["impact_ratio"] == pytest.approx(by_group[row["group"]] / highest, abs=1e-12), row["group"]
    # every eligible employee is in exactly one group, shown or suppressed
    assert set(ours["group"]) == set(by_group.index)
