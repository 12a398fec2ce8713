"""Who is eligible for progression equity, who was promoted, and which group they are in.

The window is (S, E], and both ends are month ends: E is the last month end on or
before the as-of date (or the requested end), S the month end ``window_months`` (12)
months before E (or the last month end on or before the requested start). Two views
a day apart therefore use the same window and cannot be subtracted from each other
to single out the people hired, leaving or promoted on one day. Eligible: employees active at S
(``hire_date <= S`` and ``exit_date`` null or after S). Promoted: eligible
employees with at least one movement of type ``promotion`` (after inferring
missing types from role levels) with ``S < effective_date <= E``.

Example
-------
>>> import datetime as dt
>>> from metrics.config import EquityConfig
>>> equity_window(dt.date(2025, 12, 31), EquityConfig())
EquityWindow(start=datetime.date(2024, 12, 31), end=datetime.date(2025, 12, 31))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from data_sources.contract import NOT_DISCLOSED
from metrics.common import active_expr
from metrics.config import EquityConfig
from metrics.movements import infer_movement_types

ERR_WINDOW_ORDER = "The equity window start ({start}) must be before its end ({end})."
ERR_WINDOW_AFTER_AS_OF = (
    "The equity window end ({end}) is after the as-of date ({as_of}); only records dated on "
    "or before the as-of date count."
)
ERR_UNKNOWN_ATTRIBUTE = (
    "The employees table has no equity attribute column '{attribute}'; available columns: {columns}."
)
ERR_ATTRIBUTE_ARITY = "An equity attribute is one column name or a pair of names; got {attribute!r}."

#: Separator between the two parts of an intersection's attribute and group labels.
INTERSECTION_SEPARATOR = " × "
#: Column added by ``eligible_population``: whether the employee was promoted in the window.
PROMOTED = "promoted"


@dataclass(frozen=True)
class EquityWindow:
    """The window (start, end]: a movement counts when ``start < effective_date <= end``."""

    start: dt.date
    end: dt.date


def month_end_on_or_before(date: dt.date) -> dt.date:
    """The last month end on or before ``date`` (``date`` itself when it is one).

    Example
    -------
    >>> month_end_on_or_before(dt.date(2025, 3, 30)), month_end_on_or_before(dt.date(2024, 2, 29))
    (datetime.date(2025, 2, 28), datetime.date(2024, 2, 29))
    """
    if (date + dt.timedelta(days=1)).day == 1:
        return date
    return date.replace(day=1) - dt.timedelta(days=1)


def month_end_months_before(month_end: dt.date, months: int) -> dt.date:
    """The month end ``months`` calendar months before the month of ``month_end``.

    Example
    -------
    >>> month_end_months_before(dt.date(2025, 2, 28), 12)
    datetime.date(2024, 2, 29)
    """
    total = month_end.year * 12 + (month_end.month - 1) - months + 1  # the month after the target
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def equity_window(
    as_of: dt.date,
    config: EquityConfig,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
) -> EquityWindow:
    """The window (S, E], snapped to month ends: E is the last month end on or before
    ``window_end`` (default ``as_of``), S the last month end on or before ``window_start``
    (default: ``window_months`` months before E).

    Parameters
    ----------
    as_of : datetime.date
        The as-of date T; E may not be after it.
    config : EquityConfig
        Supplies ``window_months`` (default 12).
    window_start, window_end : datetime.date, optional
        Requested S and E (snapped back to month ends).

    Returns
    -------
    EquityWindow

    Example
    -------
    >>> equity_window(dt.date(2025, 12, 31), EquityConfig(), window_end=dt.date(2025, 6, 30))
    EquityWindow(start=datetime.date(2024, 6, 30), end=datetime.date(2025, 6, 30))
    >>> equity_window(dt.date(2025, 12, 15), EquityConfig())   # mid-month: the previous month end
    EquityWindow(start=datetime.date(2024, 11, 30), end=datetime.date(2025, 11, 30))
    """
    requested = as_of if window_end is None else window_end
    if requested > as_of:
        raise ValueError(ERR_WINDOW_AFTER_AS_OF.format(end=requested, as_of=as_of))
    end = month_end_on_or_before(requested)
    if window_start is None:
        start = month_end_months_before(end, config.window_months)
    else:
        start = month_end_on_or_before(window_start)
    if not start < end:
        raise ValueError(ERR_WINDOW_ORDER.format(start=start, end=end))
    return EquityWindow(start=start, end=end)


def attribute_columns(attribute: str | Sequence[str]) -> tuple[str, ...]:
    """The employee columns behind an attribute: one name, or two for an intersection.

    Example
    -------
    >>> attribute_columns("gender"), attribute_columns(("gender", "ethnicity"))
    (('gender',), ('gender', 'ethnicity'))
    """
    columns = (attribute,) if isinstance(attribute, str) else tuple(attribute)
    if len(columns) not in (1, 2):
        raise ValueError(ERR_ATTRIBUTE_ARITY.format(attribute=attribute))
    return columns


def attribute_label(attribute: str | Sequence[str]) -> str:
    """The ``attribute`` value in output tables, e.g. ``"gender × ethnicity"``.

    Example
    -------
    >>> attribute_label(("gender", "ethnicity"))
    'gender × ethnicity'
    """
    return INTERSECTION_SEPARATOR.join(attribute_columns(attribute))


def category_expr(column: str) -> pl.Expr:
    """The column as a category label: null or blank becomes ``"Not disclosed"``.

    Example
    -------
    >>> pl.DataFrame({"g": ["Woman", None, " "]}).select(category_expr("g"))["g"].to_list()
    ['Woman', 'Not disclosed', 'Not disclosed']
    """
    value = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(value.is_null() | (value == "")).then(pl.lit(NOT_DISCLOSED)).otherwise(value).alias(column)


def group_expr(attribute: str | Sequence[str]) -> pl.Expr:
    """The ``group`` label: the category, or ``"Woman × Asian"`` for an intersection.

    Example
    -------
    >>> df = pl.DataFrame({"gender": ["Woman"], "ethnicity": [None]})
    >>> df.select(group_expr(("gender", "ethnicity")))["group"].item()
    'Woman × Not disclosed'
    """
    parts = [category_expr(c) for c in attribute_columns(attribute)]
    return pl.concat_str(parts, separator=INTERSECTION_SEPARATOR).alias("group")


def check_attribute(employees: pl.DataFrame | pl.LazyFrame, attribute: str | Sequence[str]) -> None:
    """Raise a clear error when an attribute column is missing from ``employees``.

    Example
    -------
    >>> check_attribute(pl.DataFrame({"gender": ["Woman"]}), "gender") is None
    True
    """
    names = employees.collect_schema().names()
    for column in attribute_columns(attribute):
        if column not in names:
            raise ValueError(ERR_UNKNOWN_ATTRIBUTE.format(attribute=column, columns=", ".join(names)))


def eligible_population(
    employees: pl.DataFrame | pl.LazyFrame,
    movements: pl.DataFrame | pl.LazyFrame,
    roles: pl.DataFrame | pl.LazyFrame,
    window: EquityWindow,
) -> pl.DataFrame:
    """Employees active at the window start, with a boolean ``promoted`` column.

    Parameters
    ----------
    employees, movements, roles : polars.DataFrame or polars.LazyFrame
        Canonical tables (employees with any equity attribute columns).
    window : EquityWindow
        The window (S, E].

    Returns
    -------
    polars.DataFrame
        The rows of ``employees`` active at S (all their columns) plus
        ``promoted``: at least one movement of type promotion (given or
        inferred) with ``S < effective_date <= E``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b", "c"],
    ...                     "hire_date": [dt.date(2020, 1, 1)] * 2 + [dt.date(2025, 3, 1)],
    ...                     "exit_date": [None, None, None]})
    >>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "level": [1, 2]})
    >>> moves = pl.DataFrame({"employee_id": ["a", "c"],
    ...                       "effective_date": [dt.date(2025, 6, 1), dt.date(2025, 6, 1)],
    ...                       "from_role_id": ["R1", "R1"], "to_role_id": ["R2", "R2"],
    ...                       "movement_type": pl.Series([None, None], dtype=pl.String)})
    >>> win = EquityWindow(dt.date(2024, 12, 31), dt.date(2025, 12, 31))
    >>> eligible_population(emp, moves, roles, win).select("employee_id", "promoted").rows()
    [('a', True), ('b', False)]
    """
    start = pl.lit(window.start, dtype=pl.Date)
    end = pl.lit(window.end, dtype=pl.Date)
    promoted_ids = (
        infer_movement_types(movements.lazy(), roles)
        .filter(
            (pl.col("movement_type") == "promotion")
            & (pl.col("effective_date") > start)
            & (pl.col("effective_date") <= end)
        )
        .select("employee_id")
        .unique()
        .with_columns(pl.lit(True).alias(PROMOTED))
    )
    return (
        employees.lazy()
        .filter(active_expr(window.start))
        .join(promoted_ids, on="employee_id", how="left", maintain_order="left")
        .with_columns(pl.col(PROMOTED).fill_null(False))
        .collect()
    )
