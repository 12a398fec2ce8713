"""Helpers shared by every metric family: the as-of date and who is active.

Example
-------
>>> import datetime as dt, polars as pl
>>> emp = pl.DataFrame({"employee_id": ["a", "b"],
...                     "hire_date": [dt.date(2020, 1, 1), dt.date(2020, 1, 1)],
...                     "exit_date": [None, dt.date(2024, 1, 1)]})
>>> active_at(emp, dt.date(2024, 1, 1))["employee_id"].to_list()
['a']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

#: (table, column) pairs whose latest value sets the default as-of date.
AS_OF_SOURCES = (
    ("evidence", "observed_on"),
    ("learning_events", "timestamp"),
    ("performance", "period_end"),
    ("movements", "effective_date"),
)


def default_as_of(tables: Mapping[str, pl.DataFrame], today: dt.date | None = None) -> dt.date:
    """The spec's default T: the latest date among evidence, learning events,
    performance and movements; ``today`` (default: the system date) when none has any.

    Example
    -------
    >>> perf = pl.DataFrame({"period_end": [dt.date(2025, 6, 30), dt.date(2025, 12, 31)]})
    >>> default_as_of({"performance": perf})
    datetime.date(2025, 12, 31)
    """
    latest: list[dt.date] = []
    for table, column in AS_OF_SOURCES:
        frame = tables.get(table)
        if frame is None or frame.height == 0 or column not in frame.columns:
            continue
        value = frame.get_column(column).max()
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            latest.append(value)
    if latest:
        return max(latest)
    return today or dt.date.today()


def active_expr(as_of: dt.date) -> pl.Expr:
    """Expression true for employees active at ``as_of``:
    ``hire_date <= T`` and (``exit_date`` is null or ``exit_date > T``)."""
    t = pl.lit(as_of, dtype=pl.Date)
    return (pl.col("hire_date") <= t) & (pl.col("exit_date").is_null() | (pl.col("exit_date") > t))


def active_at(employees: pl.DataFrame | pl.LazyFrame, as_of: dt.date):
    """Rows of ``employees`` active at ``as_of`` (same frame type as given)."""
    return employees.filter(active_expr(as_of))


def months_before(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to month end).

    Example
    -------
    >>> months_before(dt.date(2025, 3, 31), 1)
    datetime.date(2025, 2, 28)
    """
    total = date.year * 12 + (date.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for day in range(date.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(date.day, 28))


def require_table(tables: Mapping[str, pl.DataFrame], name: str, message: str) -> pl.DataFrame:
    """``tables[name]``, or a ``ValueError`` with ``message`` (which may use ``{table}``).

    Example
    -------
    >>> require_table({}, "assets", "Needs the table '{table}'.")
    Traceback (most recent call last):
    ...
    ValueError: Needs the table 'assets'.
    """
    frame = tables.get(name)
    if frame is None:
        raise ValueError(message.format(table=name))
    return frame
