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
4. Audit (``metrics.equity._audit``): an integer linear program finds, for every
   suppressed row, the smallest and largest eligible, promoted and not-promoted
   counts consistent with everything published (shown rows, one-way margins,
   totals, the reasons). While any is determined exactly, or a row's eligible range
   from the numbers is narrower than ``min_group_size``, the next-smallest shown row
   related to a failing one (same table; for an intersection, same row or column)
   is suppressed too, and the audit runs again.

Each suppressed row has a reason: ``primary`` (fewer than ``min_group_size``
eligible, published as "fewer than 10") or ``complementary`` (hidden to protect
another row, published as "suppressed").

A suppressed row carries no numbers: every count, rate, interval and test is null.

Example
-------
>>> counts = pl.DataFrame({"group": ["A", "B", "C"], "eligible": [9, 40, 12]})
>>> suppress_groups(counts, 10)["suppressed"].to_list()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from metrics.equity._audit import (
    COMPLEMENTARY,
    PIPELINE_DIMS,
    PRIMARY,
    PROMOTION_DIMS,
    AuditProblem,
    AuditRow,
    violations,
)

#: The pipeline counts published beside eligible and promoted, in audit order.
PIPELINE_EXTRA = ("assessed", "ready_now", "ready_not_promoted")

ERR_COUNTS_COLUMNS = "Suppression needs a frame with columns {needed}; got {got}."
ERR_EXTRA = "The pipeline counts audited with promotion equity are {allowed}, in that order; got {extra}."


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


def suppression_label(reason: str | None, min_group_size: int) -> str | None:
    """The words shown for a suppressed row: "fewer than {m}" or "suppressed".

    Example
    -------
    >>> suppression_label(PRIMARY, 15), suppression_label(COMPLEMENTARY, 15), suppression_label(None, 15)
    ('fewer than 15', 'suppressed', None)
    """
    if reason == PRIMARY:
        return f"fewer than {min_group_size}"
    if reason == COMPLEMENTARY:
        return "suppressed"
    return None


def suppression_label_expr(min_group_size: int, reason: str = "reason") -> pl.Expr:
    """``suppression_label`` as a polars expression over a reason column.

    Example
    -------
    >>> pl.DataFrame({"reason": [PRIMARY, None]}).select(suppression_label_expr(10))["reason"].to_list()
    ['fewer than 10', None]
    """
    return (
        pl.when(pl.col(reason) == PRIMARY)
        .then(pl.lit(f"fewer than {min_group_size}"))
        .when(pl.col(reason) == COMPLEMENTARY)
        .then(pl.lit("suppressed"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(reason)
    )


@dataclass(frozen=True)
class Protected:
    """A table's suppression after the audit.

    ``counts`` has ``suppressed`` and ``reason`` (PRIMARY / COMPLEMENTARY / null) added;
    ``problem`` is what was published, as the audit saw it (``audit(problem)`` gives every
    suppressed row's ranges); ``unprotectable`` the rows still narrower than the rule with
    everything hidden (only the totals themselves pin them: a population too small to
    protect).
    """

    counts: pl.DataFrame
    problem: AuditProblem | None
    unprotectable: tuple[str, ...]


def _reason(eligible: int, min_group_size: int) -> str:
    return PRIMARY if eligible < min_group_size else COMPLEMENTARY


def _row(
    key: str,
    cells: tuple[int, ...],
    counts: Sequence[int],
    extra: Sequence[str],
    hidden: bool,
    counts_published: bool,
    min_group_size: int,
    min_eligible: int,
) -> AuditRow:
    """An audit row from ``counts`` = (eligible, promoted, *extra). A hidden row publishes
    nothing, except its eligible and promoted when the promotion table shows them."""
    values = {"eligible": counts[0], "promoted": counts[1], **dict(zip(extra, counts[2:]))}
    if not hidden:
        return AuditRow(key, cells, values, None, min_eligible)
    kept = {k: values[k] for k in ("eligible", "promoted")} if counts_published else {}
    return AuditRow(key, cells, kept, _reason(counts[0], min_group_size), min_eligible)


def protect_groups(
    counts: pl.DataFrame,
    min_group_size: int,
    extra: Sequence[str] = (),
    hidden: Iterable[str] = (),
    counts_published: Iterable[str] = (),
) -> Protected:
    """Suppression of one attribute's groups, extended until the audit passes.

    Parameters
    ----------
    counts : polars.DataFrame
        ``group, eligible, promoted`` (and the ``extra`` pipeline counts) per group.
    min_group_size : int
        The threshold m.
    extra : sequence of str
        Pipeline counts (``assessed, ready_now, ready_not_promoted``) also published.
    hidden : iterable of str
        Groups to start from suppressed (e.g. the promotion table's mask).
    counts_published : iterable of str
        Groups whose eligible and promoted counts another table shows (for the
        pipeline table: the promotion table's shown groups).

    Returns
    -------
    Protected

    Example
    -------
    >>> counts = pl.DataFrame({"group": ["A", "B", "C"], "eligible": [5, 12, 40], "promoted": [0, 0, 10]})
    >>> out = protect_groups(counts, 10)   # A and B: nobody promoted, pinned by the total -> C too
    >>> out.counts.select("group", "suppressed", "reason").rows()
    [('A', True, 'primary'), ('B', True, 'complementary'), ('C', True, 'complementary')]
    """
    _check(counts, ("group", "eligible", "promoted", *extra))
    base = suppress_groups(counts, min_group_size)
    suppressed = set(base.filter(pl.col("suppressed"))["group"].to_list()) | set(hidden)
    rows = list(counts.select("group", "eligible", "promoted", *extra).iter_rows())
    sizes = {r[0]: r[1] for r in rows}
    totals = {"eligible": sum(r[1] for r in rows), "promoted": sum(r[2] for r in rows)}
    for i, name in enumerate(extra):
        totals[name] = sum(r[3 + i] for r in rows)
    dims = _dims(extra)

    known = set(counts_published)

    def problem() -> AuditProblem:
        audit_rows = tuple(
            _row(r[0], (i,), r[1:], extra, r[0] in suppressed, r[0] in known, min_group_size, 1)
            for i, r in enumerate(rows)
        )
        truth = tuple(_truth(*r[1:]) for r in rows)
        return AuditProblem(len(rows), audit_rows, totals, min_group_size, dims, truth)

    failing: list[str] = []
    if len(rows) > 1:  # a lone group is the whole population: nothing to protect it from
        while True:
            found = violations(problem())
            if not found and suppressed:  # the closed form passed: the integer programs must agree
                found = violations(problem(), method="lp")
            failing = list(found)
            shown = [g for g in sizes if g not in suppressed]
            if not failing or not shown:
                break
            suppressed.add(min(shown, key=lambda g: (sizes[g], g)))
    out = counts.with_columns(pl.col("group").is_in(list(suppressed)).alias("suppressed")).with_columns(
        pl.when(~pl.col("suppressed"))
        .then(None)
        .when(pl.col("eligible") < min_group_size)
        .then(pl.lit(PRIMARY))
        .otherwise(pl.lit(COMPLEMENTARY))
        .alias("reason")
    )
    return Protected(out, problem(), tuple(sorted(failing)))


def _dims(extra: Sequence[str]) -> tuple[str, ...]:
    if tuple(extra) not in ((), PIPELINE_EXTRA):
        raise ValueError(ERR_EXTRA.format(extra=", ".join(extra), allowed=", ".join(PIPELINE_EXTRA)))
    return PIPELINE_DIMS if extra else PROMOTION_DIMS


def _truth(eligible: int, promoted: int, *extra: int) -> tuple[int, ...]:
    return (promoted, eligible - promoted, *extra)


def protect_intersection(
    cells: pl.DataFrame,
    first: pl.DataFrame,
    second: pl.DataFrame,
    min_group_size: int,
    extra: Sequence[str] = (),
    hidden: Iterable[str] = (),
    counts_published: Iterable[str] = (),
) -> Protected:
    """Suppression of an intersection's cells, audited together with the two one-way
    tables published beside it, extended until the audit passes.

    Parameters
    ----------
    cells : polars.DataFrame
        ``group, first, second, eligible, promoted`` (and ``extra``), every combination.
    first, second : polars.DataFrame
        The one-way tables as published: ``group, eligible, promoted, suppressed``
        (and ``extra``), from ``protect_groups``; an optional boolean
        ``counts_published`` marks suppressed groups whose eligible and promoted
        counts the promotion table shows.
    min_group_size : int
        The threshold m.
    extra : sequence of str
        Pipeline counts also published.
    hidden : iterable of str
        Cells to start from suppressed.
    counts_published : iterable of str
        Cells whose eligible and promoted counts another table shows.

    Returns
    -------
    Protected
        ``problem`` holds the cells and, keyed ``"first:<group>"`` / ``"second:<group>"``,
        the one-way groups.

    Example
    -------
    >>> cells = pl.DataFrame({"group": ["W×A", "W×B", "M×A", "M×B"], "first": ["W", "W", "M", "M"],
    ...                       "second": ["A", "B", "A", "B"], "eligible": [5, 30, 20, 40],
    ...                       "promoted": [1, 5, 4, 8]})
    >>> one = lambda g, e, p: pl.DataFrame({"group": g, "eligible": e, "promoted": p, "suppressed": [False] * 2})
    >>> out = protect_intersection(cells, one(["W", "M"], [35, 60], [6, 12]), one(["A", "B"], [25, 70], [5, 13]), 10)
    >>> out.counts["suppressed"].to_list()
    [True, True, True, True]
    """
    _check(cells, ("group", "first", "second", "eligible", "promoted", *extra))
    hidden_a = set(first.filter(pl.col("suppressed"))["group"].to_list())
    hidden_b = set(second.filter(pl.col("suppressed"))["group"].to_list())
    base = suppress_intersection(cells, hidden_a, hidden_b, min_group_size)
    suppressed = set(base.filter(pl.col("suppressed"))["group"].to_list()) | set(hidden)
    rows = list(cells.select("group", "first", "second", "eligible", "promoted", *extra).iter_rows())
    index = {r[0]: i for i, r in enumerate(rows)}
    sizes = {r[0]: r[3] for r in rows}
    totals = {"eligible": sum(r[3] for r in rows), "promoted": sum(r[4] for r in rows)}
    for i, name in enumerate(extra):
        totals[name] = sum(r[5 + i] for r in rows)
    dims = _dims(extra)
    margins: list[AuditRow] = []
    lines: dict[str, list[str]] = {}
    for part, table in (("first", first), ("second", second)):
        position = 1 if part == "first" else 2
        if "counts_published" not in table.columns:
            table = table.with_columns(pl.lit(False).alias("counts_published"))
        for g in table.select("group", "suppressed", "counts_published", "eligible", "promoted", *extra).iter_rows():
            members = [r[0] for r in rows if r[position] == g[0]]
            lines[f"{part}:{g[0]}"] = members
            cell_ids = tuple(index[m] for m in members)
            margins.append(_row(f"{part}:{g[0]}", cell_ids, g[3:], extra, g[1], g[2], min_group_size, 1))
    line_of = {r[0]: (f"first:{r[1]}", f"second:{r[2]}") for r in rows}

    known = set(counts_published)

    def problem() -> AuditProblem:
        audit_rows = tuple(
            _row(r[0], (i,), r[3:], extra, r[0] in suppressed, r[0] in known, min_group_size, 0)
            for i, r in enumerate(rows)
        )
        truth = tuple(_truth(*r[3:]) for r in rows)
        return AuditProblem(len(rows), audit_rows + tuple(margins), totals, min_group_size, dims, truth)

    failing: list[str] = []
    while True:
        failing = list(violations(problem()))
        shown = [g for g in sizes if g not in suppressed]
        if not failing or not shown:
            break
        # One cell per failing row per round (the smallest shown cell sharing a row or column
        # with it), so a large table needs few rounds; several failing rows usually share one.
        picks = set()
        for key in sorted(failing):
            related = {m for line in (line_of.get(key) or (key,)) for m in lines.get(line, [])}
            candidates = [g for g in shown if g in related]
            if candidates:
                picks.add(min(candidates, key=lambda g: (sizes[g], g)))
        suppressed |= picks or {min(shown, key=lambda g: (sizes[g], g))}
    out = cells.with_columns(pl.col("group").is_in(list(suppressed)).alias("suppressed")).with_columns(
        pl.when(~pl.col("suppressed"))
        .then(None)
        .when(pl.col("eligible") < min_group_size)
        .then(pl.lit(PRIMARY))
        .otherwise(pl.lit(COMPLEMENTARY))
        .alias("reason")
    )
    return Protected(out, problem(), tuple(sorted(failing)))


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
