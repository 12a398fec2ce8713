"""Builders for tiny equity populations and the reusable suppression-safety check.

``assert_suppression_safe(table)`` is meant to be reused on the sample organisation
(all attributes and intersections); the tests below check that it does fail on
unsafe tables, so it is not a check that cannot fail. The exact disclosure audit
(integer programs over every published number) is in ``test_equity_audit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
import pytest

from metrics.equity._core import OUTPUT_COLUMNS, OUTPUT_SCHEMA
from metrics.equity._population import INTERSECTION_SEPARATOR

AS_OF = dt.date(2025, 12, 31)
START = dt.date(2024, 12, 31)  # default window start: 12 months before AS_OF
PROMOTION_DAY = dt.date(2025, 6, 1)
ROLES = pl.DataFrame({"role_id": ["R1", "R2"], "level": [1, 2]})
MOVEMENT_SCHEMA = {
    "employee_id": pl.String,
    "effective_date": pl.Date,
    "from_role_id": pl.String,
    "to_role_id": pl.String,
    "movement_type": pl.String,
}
NUMBER_COLUMNS = OUTPUT_COLUMNS[2:-1]


def build_org(
    cells: Mapping[tuple[str | None, ...] | str | None, tuple[int, int]],
    attributes: tuple[str, ...] = ("gender",),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Employees and movements: for each group key, ``eligible`` employees hired
    long before the window, the first ``promoted`` of whom get one promotion
    (type left null, inferred from R1 level 1 → R2 level 2) inside the window.

    ``cells`` maps an attribute value (or a tuple of values, one per attribute)
    to ``(eligible, promoted)``.
    """
    rows: list[dict] = []
    moves: list[dict] = []
    n = 0
    for key, (eligible, promoted) in cells.items():
        values = key if isinstance(key, tuple) else (key,)
        for i in range(eligible):
            emp_id = f"e{n:05d}"
            n += 1
            rows.append(
                {
                    "employee_id": emp_id,
                    "role_id": "R1",
                    "hire_date": dt.date(2020, 1, 1),
                    "exit_date": None,
                    **dict(zip(attributes, values)),
                }
            )
            if i < promoted:
                moves.append(
                    {
                        "employee_id": emp_id,
                        "effective_date": PROMOTION_DAY,
                        "from_role_id": "R1",
                        "to_role_id": "R2",
                        "movement_type": None,
                    }
                )
    schema = {
        "employee_id": pl.String,
        "role_id": pl.String,
        "hire_date": pl.Date,
        "exit_date": pl.Date,
        **{a: pl.String for a in attributes},
    }
    return pl.DataFrame(rows, schema=schema), pl.DataFrame(moves, schema=MOVEMENT_SCHEMA)


def assert_suppression_safe(table: pl.DataFrame, min_group_size: int = 10) -> None:
    """Fail unless the equity table cannot be undone by subtraction.

    Checks, per attribute: exactly the spec's columns and dtypes; suppressed rows
    carry no numbers; every shown group has at least ``min_group_size`` eligible;
    zero or at least two groups are suppressed (so ``total − shown`` gives only a
    sum), unless the attribute has a single group (it is then the whole population).
    For an intersection ``a × b`` also present with its one-way tables: every cell of
    a suppressed one-way group is suppressed, and every row/column of a shown one-way
    group holds zero or at least two suppressed cells, unless it has a single cell
    (which then just repeats that published group's numbers).
    """
    assert table.columns == list(OUTPUT_COLUMNS)
    assert dict(table.schema) == OUTPUT_SCHEMA
    hidden = table.filter(pl.col("suppressed"))
    for column in NUMBER_COLUMNS:
        assert hidden[column].null_count() == hidden.height, f"suppressed row shows {column}"
    shown = table.filter(~pl.col("suppressed"))
    assert (shown["eligible"] >= min_group_size).all(), "a small group is shown"
    one_way = {
        a: dict(table.filter(pl.col("attribute") == a).select("group", "suppressed").iter_rows())
        for a in table["attribute"].unique().to_list()
        if INTERSECTION_SEPARATOR not in a
    }
    for attribute in table["attribute"].unique().to_list():
        if INTERSECTION_SEPARATOR not in attribute:
            continue
        first, second = attribute.split(INTERSECTION_SEPARATOR)
        cells = table.filter(pl.col("attribute") == attribute).with_columns(
            pl.col("group").str.split(INTERSECTION_SEPARATOR).list.get(0).alias("first"),
            pl.col("group").str.split(INTERSECTION_SEPARATOR).list.get(1).alias("second"),
        )
        for part, name in (("first", first), ("second", second)):
            if name not in one_way:
                continue
            for value, margin in cells.group_by(part):
                value = value[0]
                if one_way[name].get(value, False):
                    assert margin["suppressed"].all(), (
                        f"{attribute}: cell of suppressed {name} group {value!r} is shown"
                    )
                else:
                    # A lone cell equals its published group: nothing new is revealed.
                    n_hidden = int(margin["suppressed"].sum())
                    assert n_hidden != 1 or margin.height == 1, (
                        f"{attribute}: one suppressed cell in {name}={value!r}, recoverable"
                    )

    # An attribute with a single group is the whole population: nothing to subtract from.
    per_attribute = table.group_by("attribute").agg(pl.col("suppressed").sum().alias("n"), pl.len().alias("groups"))
    for attribute, n, groups in per_attribute.iter_rows():
        assert n != 1 or groups == 1, f"exactly one suppressed group in {attribute}: recoverable from the total"


def _table(rows: list[tuple]) -> pl.DataFrame:
    """A table with only attribute, group, eligible and suppressed set."""
    base = pl.DataFrame(
        rows,
        schema={"attribute": pl.String, "group": pl.String, "eligible": pl.Int64, "suppressed": pl.Boolean},
        orient="row",
    )
    return base.select(
        pl.col(c) if c in base.columns else pl.lit(None, dtype=OUTPUT_SCHEMA[c]).alias(c) for c in OUTPUT_COLUMNS
    ).with_columns(pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("eligible")).alias("eligible"))


def test_helper_accepts_two_suppressed_groups():
    assert_suppression_safe(_table([("gender", "A", 9, True), ("gender", "B", 12, True), ("gender", "C", 30, False)]))


def test_helper_rejects_a_single_suppressed_group():
    table = _table([("gender", "A", 9, True), ("gender", "B", 12, False)])
    with pytest.raises(AssertionError, match="exactly one suppressed"):
        assert_suppression_safe(table)


def test_helper_rejects_numbers_on_a_suppressed_row():
    table = _table([("g", "A", 9, True), ("g", "B", 9, True)]).with_columns(pl.lit(0.5).alias("rate"))
    with pytest.raises(AssertionError, match="shows rate"):
        assert_suppression_safe(table)


def test_helper_rejects_a_shown_cell_under_a_suppressed_group():
    table = _table(
        [
            ("g", "A", 5, True),
            ("g", "B", 12, True),
            ("g", "C", 40, False),
            ("h", "X", 30, False),
            ("g × h", "A × X", 5, True),
            ("g × h", "B × X", 12, False),  # B is hidden one-way: its cells must be too
            ("g × h", "C × X", 40, False),
        ]
    )
    with pytest.raises(AssertionError, match="cell of suppressed"):
        assert_suppression_safe(table)


def test_build_org_counts():
    employees, movements = build_org({"W": (3, 1), None: (2, 2)})
    assert employees["gender"].to_list() == ["W", "W", "W", None, None]
    assert movements["employee_id"].to_list() == ["e00000", "e00003", "e00004"]
