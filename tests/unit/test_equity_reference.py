"""The reference group (metrics.md §5 as now written): the highest rate among groups of at least
30 people and 2% of the eligible, never "Not disclosed"; else the largest; or as configured;
and a user-chosen one. Every result says which group and why."""

from __future__ import annotations

import polars as pl
import pytest

from metrics.config import EquityConfig, MetricsConfig, MetricsConfigError
from metrics.equity import Reference, choose_reference, equity_result
from metrics.equity._core import attribute_equity
from tests.unit.test_equity_support import AS_OF, ROLES, build_org

RULE = "highest promotion rate among groups of at least 30 people and 2% of the eligible"


def counts(rows: list[tuple[str, int, int]], suppressed: tuple[str, ...] = ()) -> pl.DataFrame:
    return pl.DataFrame(
        [(g, e, p, g in suppressed) for g, e, p in rows],
        schema={"group": pl.String, "eligible": pl.Int64, "promoted": pl.Int64, "suppressed": pl.Boolean},
        orient="row",
    )


def population(cells: dict[str | None, tuple[int, int]]) -> pl.DataFrame:
    rows = [(g, i < p) for g, (n, p) in cells.items() for i in range(n)]
    return pl.DataFrame(rows, schema={"gender": pl.String, "promoted": pl.Boolean}, orient="row")


def test_small_high_rate_group_is_not_the_yardstick():
    # 2,000 eligible: the size floor is max(30, 0.02 × 2000 = 40) = 40. "Yes" 12/35 (34%) is
    # the highest rate but has 35 < 40 people; "No" 300/1500 (20%) beats "Other" 80/465 (17%).
    c = counts([("No", 1500, 300), ("Other", 465, 80), ("Yes", 35, 12)])
    assert choose_reference(c) == Reference("No", RULE, "highest_rate")


def test_share_floor_is_exact():
    # 1,550 eligible: 2% is 31 exactly. A 31-person group qualifies, a 30-person one does not.
    c = counts([("A", 31, 20), ("B", 30, 25), ("C", 1489, 100)])
    assert choose_reference(c).group == "A"
    c = counts([("A", 30, 20), ("B", 30, 25), ("C", 1491, 100)])  # 1,551: 2% is 31.02
    assert choose_reference(c).group == "C"


def test_not_disclosed_never_sets_the_reference():
    c = counts([("Not disclosed", 100, 50), ("Man", 100, 20), ("Woman", 100, 10)])
    assert choose_reference(c).group == "Man"
    cells = counts([("Not disclosed × A", 100, 50), ("Man × A", 100, 20), ("Man × Not disclosed", 100, 60)])
    assert choose_reference(cells).group == "Man × A"


def test_largest_when_no_group_qualifies():
    # 20 + 25 + 15: nobody reaches 30. Largest shown group: B (25); A would win on rate.
    c = counts([("A", 20, 10), ("B", 25, 2), ("C", 15, 1)])
    ref = choose_reference(c)
    assert ref == Reference("B", "largest group: no group had at least 30 people", "largest")
    # The floor in the reason follows the share when it is larger: 2% of 5,000 = 100.
    big = counts([("A", 90, 10), ("B", 95, 2), ("C", 4815, 1)], suppressed=("C",))
    assert choose_reference(big, total_eligible=5000).reason == "largest group: no group had at least 100 people"


def test_suppressed_group_is_never_the_reference():
    c = counts([("A", 200, 150), ("B", 100, 20), ("C", 300, 30)], suppressed=("A",))
    assert choose_reference(c).group == "B"
    assert choose_reference(counts([("A", 5, 1)], suppressed=("A",))) == Reference(
        None, "no reference: every group is suppressed", "none"
    )


def test_configured_reference():
    c = counts([("Man", 100, 30), ("Woman", 200, 20), ("X", 12, 1)], suppressed=("X",))
    assert choose_reference(c, EquityConfig(reference="largest")) == Reference(
        "Woman", "largest group (the configuration asks for the largest)", "largest"
    )
    assert choose_reference(c, EquityConfig(reference="Woman")) == Reference(
        "Woman", "named in the configuration", "configured"
    )
    # A named group that is suppressed, or absent, falls back to the rule and says so.
    assert choose_reference(c, EquityConfig(reference="X"), attribute="gender") == Reference(
        "Man", f'"X", named in the configuration, is suppressed; {RULE}', "highest_rate"
    )
    assert choose_reference(c, EquityConfig(reference="Asian"), attribute="gender") == Reference(
        "Man", f'"Asian", named in the configuration, is not a group of gender; {RULE}', "highest_rate"
    )


def test_result_exposes_reference_and_reason_per_attribute():
    employees, movements = build_org({"Man": (100, 30), "Woman": (100, 20), "Non-binary": (12, 6)})
    result = equity_result(employees, movements, ROLES, AS_OF)
    gender = result.attribute("gender")
    # Non-binary 50% is highest but has 12 < 30 people: Man (30%) is the reference.
    assert (gender.reference_group, gender.reference_reason) == ("Man", RULE)
    assert result.reference_groups["gender"] == "Man"
    assert result.references_record() == {"gender": {"group": "Man", "reason": RULE}}
    with pytest.raises(KeyError, match="No equity table for 'ethnicity'"):
        result.attribute("ethnicity")


def test_user_chosen_reference_recomputes_comparisons_only():
    # Man 30/100, Woman 20/100, Non-binary 6/12. Against Woman (20%): Man 1.5, Non-binary
    # 0.5/0.2 = 2.5; nothing is below 0.8, so no findings. Against Man (30%): Woman 0.667.
    result = attribute_equity(population({"Man": (100, 30), "Woman": (100, 20), "Non-binary": (12, 6)}), "gender")
    assert [f.group for f in result.findings] == ["Woman"]
    chosen = result.with_reference("Woman")
    assert chosen.reference == Reference("Woman", "chosen by the user", "chosen")
    ratios = dict(chosen.table.select("group", "impact_ratio").iter_rows())
    assert ratios == {"Man": pytest.approx(1.5), "Non-binary": pytest.approx(2.5), "Woman": 1.0}
    assert chosen.findings == ()
    assert chosen.table.select("eligible", "promoted", "rate", "shortfall").equals(
        result.table.select("eligible", "promoted", "rate", "shortfall")
    )
    assert chosen.table.filter(pl.col("group") == "Woman")["p_value"].to_list() == [None]


def test_user_cannot_choose_a_suppressed_group():
    result = attribute_equity(population({"Man": (100, 30), "Woman": (100, 20), "A": (5, 1), "B": (12, 2)}), "gender")
    with pytest.raises(ValueError, match="'A' cannot be the reference group of gender"):
        result.with_reference("A")


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("reference", " ", 'it must be "highest_rate", "largest" or the name of a group'),
        ("reference_min_size", 0, "it must be at least 1"),
        ("reference_min_share", 1.0, "it must be at least 0 and below 1"),
        ("reference_min_share", -0.1, "it must be at least 0 and below 1"),
        ("pipeline_min_evidence_share", 0.0, "it must be above 0 and at most 1"),
    ],
)
def test_config_refuses_bad_reference_values(key, value, rule):
    with pytest.raises(MetricsConfigError, match=rule):
        MetricsConfig.from_dict({"equity": {key: value}})


def test_config_reads_reference_keys():
    cfg = MetricsConfig.from_dict(
        {"equity": {"reference": "Man", "reference_min_size": 50, "reference_min_share": 0.05}}
    ).equity
    assert (cfg.reference, cfg.reference_min_size, cfg.reference_min_share) == ("Man", 50, 0.05)
    with pytest.raises(MetricsConfigError, match="Unknown key 'not_disclosed_as_reference'"):
        MetricsConfig.from_dict({"equity": {"not_disclosed_as_reference": False}})
