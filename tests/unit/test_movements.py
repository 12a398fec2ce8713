"""Movement type inference from role levels."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from metrics.movements import infer_movement_types
from tests.unit.test_equity_support import MOVEMENT_SCHEMA

ROLES = pl.DataFrame(
    {
        "role_id": ["E1", "E2", "E3", "S2"],
        "title": ["a", "b", "c", "d"],
        "ladder": ["eng", "eng", "eng", "sales"],
        "level": [1, 2, 3, 2],
    }
)
DAY = dt.date(2025, 3, 1)


def moves(rows) -> pl.DataFrame:
    return pl.DataFrame([("x", DAY, f, t, m) for f, t, m in rows], schema=MOVEMENT_SCHEMA, orient="row")


def test_null_types_inferred_from_levels():
    frame = moves(
        [
            ("E1", "E2", None),  # 1 -> 2: promotion
            ("E1", "E3", None),  # 1 -> 3: promotion (two steps)
            ("E2", "S2", None),  # 2 -> 2 across ladders: lateral
            ("E3", "E1", None),  # 3 -> 1: demotion
        ]
    )
    assert infer_movement_types(frame, ROLES)["movement_type"].to_list() == [
        "promotion",
        "promotion",
        "lateral",
        "demotion",
    ]


def test_given_types_are_kept_even_when_levels_disagree():
    frame = moves([("E1", "E2", "lateral"), ("E2", "E1", "promotion"), ("E2", "S2", "demotion")])
    assert infer_movement_types(frame, ROLES)["movement_type"].to_list() == ["lateral", "promotion", "demotion"]


def test_unknown_role_stays_null_and_rows_keep_order_and_columns():
    frame = moves([("E2", "E3", None), ("E1", "ZZ", None), ("E3", "E2", None)]).with_columns(
        pl.Series("employee_id", ["a", "b", "c"])
    )
    out = infer_movement_types(frame, ROLES)
    assert out.columns == frame.columns and out.schema == frame.schema
    assert out["employee_id"].to_list() == ["a", "b", "c"]
    assert out["movement_type"].to_list() == ["promotion", None, "demotion"]


def test_lazy_in_lazy_out():
    out = infer_movement_types(moves([("E1", "E2", None)]).lazy(), ROLES.lazy())
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["movement_type"].to_list() == ["promotion"]


def test_missing_level_column_is_a_clear_error():
    with pytest.raises(ValueError, match="roles table needs a 'level' column"):
        infer_movement_types(moves([("E1", "E2", None)]), ROLES.drop("level"))


def test_roles_at_rewinds_to_the_role_held_on_the_date():
    from metrics.movements import roles_at

    employees = pl.DataFrame({"employee_id": ["a", "b", "c"], "role_id": ["E3", "E2", "S2"], "team": ["t"] * 3})
    movements = pl.DataFrame(
        [
            ("a", dt.date(2025, 9, 1), "E2", "E3", None),  # later move listed first
            ("a", dt.date(2025, 3, 1), "E1", "E2", None),
            ("b", dt.date(2024, 6, 1), "E1", "E2", None),  # before the date: no rewind
            ("c", dt.date(2025, 3, 1), "E2", "S2", "lateral"),  # on the date: already moved
        ],
        schema=MOVEMENT_SCHEMA,
        orient="row",
    )
    # On 2025-03-01 (a's first move took effect that day): a's first move AFTER the date
    # is 2025-09-01, from E2 -> a held E2; b's move is earlier -> E2; c moved that day -> S2.
    out = roles_at(employees, movements, dt.date(2025, 3, 1))
    assert out.columns == employees.columns
    assert out["role_id"].to_list() == ["E2", "E2", "S2"]
    # On 2025-01-01 a had not moved yet: E1; c was in E2.
    assert roles_at(employees, movements, dt.date(2025, 1, 1))["role_id"].to_list() == ["E1", "E2", "E2"]
