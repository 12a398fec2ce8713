"""Movements: infer missing movement types from role levels; rewind roles to a date.

The data contract makes ``movements.movement_type`` optional: when it is null it
is inferred from ``roles.level`` of the two roles (to level above from level =
``promotion``, equal = ``lateral``, below = ``demotion``). A type given in the
source is never overwritten, even when the levels disagree with it.

Example
-------
>>> import datetime as dt, polars as pl
>>> roles = pl.DataFrame({"role_id": ["A1", "A2"], "level": [1, 2]})
>>> moves = pl.DataFrame({"employee_id": ["e1", "e2", "e3"],
...                       "effective_date": [dt.date(2025, 1, 1)] * 3,
...                       "from_role_id": ["A1", "A2", "A1"],
...                       "to_role_id": ["A2", "A1", "A2"],
...                       "movement_type": [None, None, "lateral"]})
>>> infer_movement_types(moves, roles)["movement_type"].to_list()
['promotion', 'demotion', 'lateral']
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import polars as pl

ERR_MISSING_COLUMN = "The {table} table needs a '{column}' column to infer movement types."

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

_FROM_LEVEL = "__from_level"
_TO_LEVEL = "__to_level"
_ROLE_THEN = "__role_then"


def infer_movement_types(movements: Frame, roles: pl.DataFrame | pl.LazyFrame) -> Frame:
    """Fill null ``movement_type`` values from the levels of the two roles.

    Parameters
    ----------
    movements : polars.DataFrame or polars.LazyFrame
        The ``movements`` table (``employee_id, effective_date, from_role_id,
        to_role_id, movement_type``); other columns are kept as they are.
    roles : polars.DataFrame or polars.LazyFrame
        The ``roles`` table; only ``role_id`` and ``level`` are used.

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        Same type, columns and row order as ``movements``. A null type becomes
        ``promotion`` (to level > from level), ``lateral`` (equal) or
        ``demotion`` (lower); it stays null when either role's level is
        unknown. Given types are kept.

    Example
    -------
    >>> import datetime as dt
    >>> roles = pl.DataFrame({"role_id": ["A1", "B1"], "level": [1, 1]})
    >>> moves = pl.DataFrame({"employee_id": ["e1"], "effective_date": [dt.date(2025, 1, 1)],
    ...                       "from_role_id": ["A1"], "to_role_id": ["B1"],
    ...                       "movement_type": pl.Series([None], dtype=pl.String)})
    >>> infer_movement_types(moves, roles)["movement_type"].item()
    'lateral'
    """
    names = movements.collect_schema().names()
    for column in ("from_role_id", "to_role_id", "movement_type"):
        if column not in names:
            raise ValueError(ERR_MISSING_COLUMN.format(table="movements", column=column))
    role_names = roles.collect_schema().names()
    for column in ("role_id", "level"):
        if column not in role_names:
            raise ValueError(ERR_MISSING_COLUMN.format(table="roles", column=column))

    lazy = movements.lazy() if isinstance(movements, pl.DataFrame) else movements
    levels = roles.lazy().select("role_id", "level").unique(subset="role_id", keep="first")
    from_level = levels.rename({"role_id": "from_role_id", "level": _FROM_LEVEL})
    to_level = levels.rename({"role_id": "to_role_id", "level": _TO_LEVEL})
    inferred = (
        pl.when(pl.col(_TO_LEVEL) > pl.col(_FROM_LEVEL))
        .then(pl.lit("promotion"))
        .when(pl.col(_TO_LEVEL) == pl.col(_FROM_LEVEL))
        .then(pl.lit("lateral"))
        .when(pl.col(_TO_LEVEL) < pl.col(_FROM_LEVEL))
        .then(pl.lit("demotion"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    out = (
        lazy.join(from_level, on="from_role_id", how="left", maintain_order="left")
        .join(to_level, on="to_role_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce(pl.col("movement_type").cast(pl.String), inferred).alias("movement_type"))
        .select(names)
    )
    return out.collect() if isinstance(movements, pl.DataFrame) else out


def roles_at(employees: Frame, movements: pl.DataFrame | pl.LazyFrame, date: dt.date) -> Frame:
    """Employees with ``role_id`` rewound to the role they held on ``date``.

    ``employees.role_id`` is the role at the data's as-of date. For someone who
    moved after ``date``, the role held on ``date`` is the ``from_role_id`` of
    their earliest movement dated after it. Use this before computing readiness
    at a window start (pipeline equity), so that people promoted during the
    window are assessed against the role they were then aiming for.

    Parameters
    ----------
    employees : polars.DataFrame or polars.LazyFrame
        The ``employees`` table (any columns; ``employee_id`` and ``role_id`` used).
    movements : polars.DataFrame or polars.LazyFrame
        The ``movements`` table.
    date : datetime.date
        The date to rewind to.

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        Same type, columns and row order as ``employees``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["A3", "B1"]})
    >>> moves = pl.DataFrame({"employee_id": ["a", "a"],
    ...                       "effective_date": [dt.date(2025, 3, 1), dt.date(2025, 9, 1)],
    ...                       "from_role_id": ["A1", "A2"], "to_role_id": ["A2", "A3"]})
    >>> roles_at(emp, moves, dt.date(2025, 1, 1))["role_id"].to_list()
    ['A1', 'B1']
    >>> roles_at(emp, moves, dt.date(2025, 6, 30))["role_id"].to_list()
    ['A2', 'B1']
    """
    names = employees.collect_schema().names()
    later = (
        movements.lazy()
        .filter(pl.col("effective_date") > pl.lit(date, dtype=pl.Date))
        .sort("employee_id", "effective_date", maintain_order=True)
        .group_by("employee_id", maintain_order=True)
        .agg(pl.col("from_role_id").first().alias(_ROLE_THEN))
    )
    out = (
        employees.lazy()
        .join(later, on="employee_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce(_ROLE_THEN, "role_id").alias("role_id"))
        .select(names)
    )
    return out.collect() if isinstance(employees, pl.DataFrame) else out
