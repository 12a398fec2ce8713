"""Small-group suppression for equity tables, applied before any consumer sees them.

Rules (``metrics.md`` §5, with the extensions documented in ``docs/metrics/equity.md``):

1. Primary: a group with ``eligible < min_group_size`` is suppressed.
2. Complementary: when exactly one group of an attribute is suppressed, the
   next-smallest group (smallest ``eligible``, ties by group name) is suppressed
   too. With two or more suppressed groups, the overall total reveals only their
   *sum*, never a single group's count.
3. Intersections (``gender × ethnicity``): a cell is also suppressed when either
   of its one-way groups is suppressed (otherwise adding up a suppressed group's
   cells would undo rule 2), and rule 2 is applied to the whole table, to every
   row (cells sharing the first attribute's value) and every column, repeatedly
   until nothing changes, because each one-way group's total is published in its
   own table.

A suppressed row carries no numbers: every count, rate, interval and test is null.

Example
-------
>>> counts = pl.DataFrame({"group": ["A", "B", "C"], "eligible": [9, 40, 12]})
>>> suppress_groups(counts, 10)["suppressed"].to_list()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import polars as pl

ERR_COUNTS_COLUMNS = "Suppression needs a frame with columns {needed}; got {got}."


def _complement(
    sizes: Mapping[Hashable, int],
    suppressed: set[Hashable],
    margins: Iterable[Sequence[Hashable]],
) -> set[Hashable]:
    """Grow ``suppressed`` until no margin holds exactly one suppressed cell
    while another cell of that margin is shown. Loops over groups, not rows."""
    result = set(suppressed)
    margins = [list(m) for m in margins]
    changed = True
    while changed:
        changed = False
        for margin in margins:
            hidden = [k for k in margin if k in result]
            shown = [k for k in margin if k not in result]
            if len(hidden) == 1 and shown:
                smallest = min(shown, key=lambda k: (sizes[k], str(k)))
                result.add(smallest)
                changed = True
    return result


def suppress_groups(counts: pl.DataFrame, min_group_size: int) -> pl.DataFrame:
    """Add a boolean ``suppressed`` column to one attribute's group counts.

    Parameters
    ----------
    counts : polars.DataFrame
        One row per group with columns ``group`` and ``eligible``.
    min_group_size : int
        Groups with fewer eligible employees are suppressed (rule 1); then rule 2.

    Returns
    -------
    polars.DataFrame
        ``counts`` with ``suppressed`` added (same row order).

    Example
    -------
    >>> counts = pl.DataFrame({"group": ["A", "B"], "eligible": [9, 8]})
    >>> suppress_groups(counts, 10)["suppressed"].to_list()
    [True, True]
    """
    _check(counts, ("group", "eligible"))
    sizes = dict(zip(counts["group"].to_list(), counts["eligible"].to_list()))
    primary = {g for g, n in sizes.items() if n < min_group_size}
    hidden = _complement(sizes, primary, [list(sizes)])
    return counts.with_columns(pl.col("group").is_in(list(hidden)).alias("suppressed"))


def suppress_intersection(
    counts: pl.DataFrame,
    hidden_first: Iterable[str],
    hidden_second: Iterable[str],
    min_group_size: int,
) -> pl.DataFrame:
    """Add ``suppressed`` to the cell counts of an intersection of two attributes.

    Parameters
    ----------
    counts : polars.DataFrame
        One row per cell: ``group`` (the cell label), ``first`` and ``second``
        (its value of each attribute) and ``eligible``.
    hidden_first, hidden_second : iterable of str
        Groups suppressed in each attribute's own (one-way) table.
    min_group_size : int
        Primary suppression threshold.

    Returns
    -------
    polars.DataFrame
        ``counts`` with ``suppressed`` added (same row order).

    Example
    -------
    >>> cells = pl.DataFrame({"group": ["W×A", "W×B", "M×A", "M×B"],
    ...                       "first": ["W", "W", "M", "M"], "second": ["A", "B", "A", "B"],
    ...                       "eligible": [5, 30, 20, 40]})
    >>> suppress_intersection(cells, [], [], 10)["suppressed"].to_list()
    [True, True, True, True]
    """
    _check(counts, ("group", "first", "second", "eligible"))
    groups = counts["group"].to_list()
    firsts = counts["first"].to_list()
    seconds = counts["second"].to_list()
    sizes = dict(zip(groups, counts["eligible"].to_list()))
    hidden_a, hidden_b = set(hidden_first), set(hidden_second)
    primary = {
        g for g, a, b in zip(groups, firsts, seconds) if sizes[g] < min_group_size or a in hidden_a or b in hidden_b
    }
    margins: list[list[str]] = [groups]
    for values in (firsts, seconds):
        by_value: dict[str, list[str]] = {}
        for g, v in zip(groups, values):
            by_value.setdefault(v, []).append(g)
        margins.extend(by_value.values())
    hidden = _complement(sizes, primary, margins)
    return counts.with_columns(pl.col("group").is_in(list(hidden)).alias("suppressed"))


def blank_suppressed(table: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Null every listed column on rows where ``suppressed`` is true.

    Example
    -------
    >>> t = pl.DataFrame({"eligible": [9, 40], "suppressed": [True, False]})
    >>> blank_suppressed(t, ["eligible"])["eligible"].to_list()
    [None, 40]
    """
    return table.with_columns(pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in columns)


def _check(counts: pl.DataFrame, needed: Sequence[str]) -> None:
    if not set(needed) <= set(counts.columns):
        raise ValueError(ERR_COUNTS_COLUMNS.format(needed=", ".join(needed), got=counts.columns))
