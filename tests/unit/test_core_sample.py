"""The planted truths of the sample organisation show in the core metrics (bench, capability risk)."""

from __future__ import annotations

import polars as pl
import pytest

from data_sources.loader import DEFAULT_SAMPLE

pytestmark = pytest.mark.skipif(not (DEFAULT_SAMPLE / "truth.json").is_file(), reason="sample not generated")


@pytest.fixture(scope="module")
def sample(sample_run):
    return sample_run


def test_as_of_is_the_sample_end(sample):
    truth, result = sample
    assert result.as_of.isoformat() == truth["as_of"]


def test_planted_uncovered_critical_roles_have_no_ready_successor(sample):
    truth, result = sample
    bench = result.outputs()["bench"]
    planted = truth["bench"]["no_ready_successor_roles"]
    rows = bench.filter(pl.col("role_id").is_in(planted))
    assert rows.height == len(planted) >= 2
    assert set(rows["status"]) <= {"no_successors", "ready_in_future"}
    assert rows["ready_now"].to_list() == [0] * len(planted)
    # every critical role's counts agree with what the generator planted
    for role, want in truth["bench"]["critical_roles"].items():
        got = bench.filter(pl.col("role_id") == role).row(0, named=True)
        assert (got["candidates"], got["ready_now"], got["ready_soon"]) == (
            want["candidates"],
            want["ready_now"],
            want["ready_soon"],
        ), role


def test_planted_high_risk_targets_are_high(sample):
    truth, result = sample
    risk = result.outputs()["capability_risk"]
    for target in truth["capability_risk"]["high_risk_targets"]:
        row = risk.filter(
            (pl.col("team") == target["team"]) & (pl.col("competency_id") == target["competency_id"])
        ).row(0, named=True)
        assert row["band"] == "high", target
        assert row["supply"] == target["supply"]
