"""Progression equity on the generated sample organisation (skipped until it exists).

Expected values come from the generator's planted truths (truth.json), not from
the code under test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import polars as pl
import pytest

from data_sources.loader import load_source
from metrics.equity._core import equity_result
from tests.unit.test_equity_audit import assert_audit_clean
from tests.unit.test_equity_support import assert_suppression_safe

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "default"
pytestmark = pytest.mark.skipif(
    not (SAMPLE / "truth.json").exists() or not (SAMPLE / "employees.csv").exists(),
    reason="sample organisation not generated (python -m sample_data)",
)


@pytest.fixture(scope="module")
def sample():
    truth = json.loads((SAMPLE / "truth.json").read_text())
    as_of = dt.date.fromisoformat(truth["as_of"])
    bundle = load_source(SAMPLE, as_of=as_of)  # the project's own loader and validation
    tables = {t: bundle.get(t) for t in ("employees", "movements", "roles")}
    result = equity_result(tables["employees"], tables["movements"], tables["roles"], as_of)
    return truth["promotion_disparity"], result


def test_planted_gender_disparity_is_found(sample):
    truth, result = sample
    assert [str(result.window.start), str(result.window.end)] == truth["window"]
    gender = {r["group"]: r for r in result.table.filter(pl.col("attribute") == "gender").iter_rows(named=True)}
    assert result.reference_groups["gender"] == truth["reference_group"]
    flagged = gender[truth["disadvantaged_group"]]
    assert flagged["adverse_impact"] is True and flagged["significant"] is True
    assert flagged["robust"] is True
    assert flagged["impact_ratio"] == pytest.approx(truth["realised_ratio"], abs=1e-3)
    for group, expected in truth["rates"]["gender"].items():
        assert (gender[group]["eligible"], gender[group]["promoted"]) == (expected["eligible"], expected["promoted"])


def test_fair_attribute_is_not_flagged(sample):
    truth, result = sample
    fair = result.table.filter(pl.col("attribute") == truth["fair_attribute"])
    assert fair.height == len(truth["rates"][truth["fair_attribute"]])
    assert not fair["adverse_impact"].fill_null(False).any()


def test_suppression_cannot_be_undone_on_any_attribute_or_intersection(sample):
    # The integer-programming audit over each published table with the one-way tables
    # beside it: nothing pinned, every eligible range at least 10 wide.
    _, result = sample
    assert_suppression_safe(result.table)
    one_way = [a for a in result.attributes if " × " not in a]
    for a in one_way:
        assert_audit_clean([result.attribute(a)])
    for first, second in itertools.combinations(one_way, 2):
        tables = [result.attribute(first), result.attribute(second), result.attribute(f"{first} × {second}")]
        assert_audit_clean(tables)
