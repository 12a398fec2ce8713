"""An evidence-based nine-box: performance (latest rating) × readiness for the next role.

The usual grid crosses performance with a subjective "potential" rating. Here the
second axis is the person's readiness for their next role (metrics.md section 2),
computed from verified, recent evidence, so every placement can be explained by
the rating and the evidence behind it. Cut points are in ``TalentConfig``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from metrics.common import active_at
from metrics.config import DEFAULT_CONFIG, TalentConfig
from metrics.equity import blank_suppressed, suppress_groups, suppress_intersection
from metrics.proficiency import COLLECT_ENGINE
from metrics.readiness import NEXT

LOW, MEDIUM, HIGH = "low", "medium", "high"
#: Tiers of each axis, lowest first.
TIERS = (LOW, MEDIUM, HIGH)

#: Plain-words name of each box, by (performance tier, readiness tier).
BOX_LABELS: dict[tuple[str, str], str] = {
    (HIGH, HIGH): "Ready to move up",
    (HIGH, MEDIUM): "Strong performer, nearly ready",
    (HIGH, LOW): "Strong performer, building readiness",
    (MEDIUM, HIGH): "Ready on evidence, solid performance",
    (MEDIUM, MEDIUM): "Core contributor",
    (MEDIUM, LOW): "Core contributor, early development",
    (LOW, HIGH): "Ready on evidence, performance concern",
    (LOW, MEDIUM): "Performance and readiness to build",
    (LOW, LOW): "Needs attention",
}

NO_NEXT_ROLE = "no next role on the ladder"
NO_RATING = "no rating in the window"
NO_REQUIREMENTS = "next role has no requirements"

#: Output columns of :attr:`NineBox.placements`, in order.
PLACEMENT_COLUMNS = (
    "employee_id",
    "role_id",
    "team",
    "next_role_id",
    "rating",
    "rating_period_end",
    "readiness",
    "band",
    "n_gaps",
    "n_critical_gaps",
    "n_evidence",
    "evidence_weight",
    "last_evidence_on",
    "performance_tier",
    "readiness_tier",
    "box",
    "box_label",
)
#: Output columns of :attr:`NineBox.grid`, in order.
GRID_COLUMNS = ("box", "performance_tier", "readiness_tier", "box_label", "people", "mean_rating", "mean_readiness")
#: Output columns of :func:`nine_box_by_group`, in order.
GROUP_COLUMNS = ("attribute", "box", "box_label", "group", "people", "mean_rating", "mean_readiness", "suppressed")

ERR_ATTRIBUTE = "employees has no column {attribute!r} to group the nine-box by."

Frame = pl.DataFrame | pl.LazyFrame


def box_number(performance_tier: str, readiness_tier: str) -> int:
    """Box 1 (low, low) … 9 (high, high): ``3 × performance index + readiness index + 1``.

    Example
    -------
    >>> box_number("high", "high"), box_number("low", "low"), box_number("medium", "high")
    (9, 1, 6)
    """
    return TIERS.index(performance_tier) * 3 + TIERS.index(readiness_tier) + 1


def _tier(column: str, medium_min: float, high_min: float, tolerance: float) -> pl.Expr:
    value = pl.col(column)
    return (
        pl.when(value >= high_min - tolerance)
        .then(pl.lit(HIGH))
        .when(value >= medium_min - tolerance)
        .then(pl.lit(MEDIUM))
        .otherwise(pl.lit(LOW))
    )


def latest_ratings(performance: Frame, as_of: dt.date, max_age_days: int | None = None) -> pl.LazyFrame:
    """Each employee's latest rating with ``period_end`` on or before ``as_of``
    (and, with ``max_age_days``, no older than that).

    Example
    -------
    >>> perf = pl.DataFrame({"employee_id": ["a", "a", "b"],
    ...     "period_end": [dt.date(2024, 6, 30), dt.date(2024, 12, 31), dt.date(2025, 6, 30)],
    ...     "rating": [3.0, 4.5, 2.0]})
    >>> latest_ratings(perf, dt.date(2025, 1, 1)).collect().rows()
    [('a', 4.5, datetime.date(2024, 12, 31))]
    """
    t = pl.lit(as_of, dtype=pl.Date)
    rows = performance.lazy().filter(pl.col("period_end") <= t)
    if max_age_days is not None:
        rows = rows.filter((t - pl.col("period_end")).dt.total_days() <= max_age_days)
    return (
        rows.sort("employee_id", "period_end")
        .group_by("employee_id", maintain_order=True)
        .agg(
            pl.col("rating").last().cast(pl.Float64).alias("rating"),
            pl.col("period_end").last().alias("rating_period_end"),
        )
        .sort("employee_id")
    )


@dataclass(frozen=True)
class NineBox:
    """The grid: every placed person (``placements``), the nine boxes with counts
    (``grid``, always nine rows) and the active people not placed, by reason (``unplaced``:
    ``reason, people``)."""

    placements: pl.DataFrame
    grid: pl.DataFrame
    unplaced: pl.DataFrame


def nine_box(
    employees: Frame,
    roles: Frame,
    role_requirements: Frame,
    performance: Frame,
    readiness: Frame,
    proficiency: Frame,
    as_of: dt.date,
    config: TalentConfig = DEFAULT_CONFIG.talent,
) -> NineBox:
    """Place every active employee on performance × readiness for the next role.

    Parameters
    ----------
    employees, roles, role_requirements : polars.DataFrame or LazyFrame
        Contract tables (``employees.role_id`` is the role at ``as_of``).
    performance : polars.DataFrame or LazyFrame
        The contract's performance table.
    readiness : polars.DataFrame or LazyFrame
        Output of :func:`metrics.readiness.readiness` for ``as_of`` (its ``next`` rows).
    proficiency : polars.DataFrame or LazyFrame
        Output of :func:`metrics.proficiency.proficiency` for ``as_of`` (the evidence
        behind each placement: items and weight in the next role's competencies).
    as_of : datetime.date
        The as-of date T.
    config : TalentConfig
        Cut points: performance ``< performance_medium_min`` is low, ``≥
        performance_high_min`` high; readiness likewise with ``readiness_medium_min``
        and ``readiness_high_min``; ratings older than ``performance_max_age_days`` do
        not place anyone.

    Returns
    -------
    NineBox

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["a", "b"], "role_id": ["R1", "R1"], "team": ["T", "T"],
    ...     "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]})
    >>> roles = pl.DataFrame({"role_id": ["R1", "R2"], "next_role_id": ["R2", None]})
    >>> req = pl.DataFrame({"role_id": ["R2"], "competency_id": ["c"], "required_level": [2]})
    >>> perf = pl.DataFrame({"employee_id": ["a", "b"], "period_end": [dt.date(2024, 12, 31)] * 2,
    ...     "rating": [4.2, 2.5]})
    >>> rd = pl.DataFrame({"employee_id": ["a", "b"], "target_role_id": ["R2", "R2"], "relation": ["next", "next"],
    ...     "readiness": [1.0, 0.5], "band": ["ready_now", "developing"], "n_gaps": [0, 1], "n_critical_gaps": [0, 0]})
    >>> prof = pl.DataFrame({"employee_id": ["a"], "competency_id": ["c"], "level": [2],
    ...     "evidence_weight": [1.5], "n_evidence": [2], "last_observed_on": [dt.date(2024, 10, 1)]})
    >>> nb = nine_box(emp, roles, req, perf, rd, prof, dt.date(2025, 1, 1))
    >>> nb.placements.select("employee_id", "box", "box_label").rows()
    [('a', 9, 'Ready to move up'), ('b', 1, 'Needs attention')]
    """
    t = config
    active = (
        active_at(employees.lazy(), as_of)
        .select("employee_id", "role_id", "team")
        .join(roles.lazy().select("role_id", "next_role_id"), on="role_id", how="left")
    )
    ratings = latest_ratings(performance, as_of, t.performance_max_age_days)
    nxt = (
        readiness.lazy()
        .filter(pl.col("relation") == NEXT)
        .select("employee_id", "readiness", "band", "n_gaps", "n_critical_gaps")
    )
    req = role_requirements.lazy().select(pl.col("role_id").alias("next_role_id"), "competency_id")
    prof = proficiency.lazy()
    names = prof.collect_schema().names()
    evidence = (
        active.select("employee_id", "next_role_id")
        .join(req, on="next_role_id", how="inner")
        .join(
            prof.select(
                "employee_id",
                "competency_id",
                *[
                    (pl.col(c) if c in names else pl.lit(None, dtype)).alias(c)
                    for c, dtype in (
                        ("n_evidence", pl.Int64),
                        ("evidence_weight", pl.Float64),
                        ("last_observed_on", pl.Date),
                    )
                ],
            ),
            on=["employee_id", "competency_id"],
            how="inner",
        )
        .group_by("employee_id")
        .agg(
            n_evidence=pl.col("n_evidence").sum().cast(pl.Int64),
            evidence_weight=pl.col("evidence_weight").sum(),
            last_evidence_on=pl.col("last_observed_on").max(),
        )
    )
    everyone = (
        active.join(ratings, on="employee_id", how="left")
        .join(nxt, on="employee_id", how="left")
        .join(evidence, on="employee_id", how="left")
        .with_columns(pl.col("n_evidence").fill_null(0), pl.col("evidence_weight").fill_null(0.0))
        .with_columns(
            reason=pl.when(pl.col("next_role_id").is_null())
            .then(pl.lit(NO_NEXT_ROLE))
            .when(pl.col("rating").is_null())
            .then(pl.lit(NO_RATING))
            .when(pl.col("readiness").is_null())
            .then(pl.lit(NO_REQUIREMENTS))
        )
        .collect(engine=COLLECT_ENGINE)
    )
    labels = pl.DataFrame(
        {
            "performance_tier": [p for p, _ in BOX_LABELS],
            "readiness_tier": [r for _, r in BOX_LABELS],
            "box": [box_number(p, r) for p, r in BOX_LABELS],
            "box_label": list(BOX_LABELS.values()),
        }
    )
    placements = (
        everyone.filter(pl.col("reason").is_null())
        .with_columns(
            performance_tier=_tier("rating", t.performance_medium_min, t.performance_high_min, t.tolerance),
            readiness_tier=_tier("readiness", t.readiness_medium_min, t.readiness_high_min, t.tolerance),
        )
        .join(labels, on=["performance_tier", "readiness_tier"], how="left")
        .with_columns(pl.col("box").cast(pl.Int64))
        .select(PLACEMENT_COLUMNS)
        .sort(["box", "readiness", "rating", "employee_id"], descending=[True, True, True, False])
    )
    counts = placements.group_by("box").agg(
        people=pl.len().cast(pl.Int64),
        mean_rating=pl.col("rating").mean(),
        mean_readiness=pl.col("readiness").mean(),
    )
    grid = (
        labels.with_columns(pl.col("box").cast(pl.Int64))
        .join(counts, on="box", how="left")
        .with_columns(pl.col("people").fill_null(0))
        .select(GRID_COLUMNS)
        .sort("box")
    )
    unplaced = (
        everyone.filter(pl.col("reason").is_not_null())
        .group_by("reason")
        .agg(people=pl.len().cast(pl.Int64))
        .sort("reason")
    )
    return NineBox(placements, grid, unplaced)


def _recoverable(boxes: list[int], groups: list[str], hidden: list[bool]) -> list[int]:
    """Indexes of hidden cells whose value follows from the shown cells and the box and group totals.

    A hidden cell is recoverable when its unit vector lies in the row space of the
    margins (each box, each group) restricted to the hidden cells.
    """
    idx = [i for i, h in enumerate(hidden) if h]
    if not idx:
        return []
    margins = [[1.0 if boxes[i] == b else 0.0 for i in idx] for b in sorted(set(boxes))]
    margins += [[1.0 if groups[i] == g else 0.0 for i in idx] for g in sorted(set(groups))]
    a = np.array(margins)
    rank = np.linalg.matrix_rank(a)
    found = []
    for k, i in enumerate(idx):
        unit = np.zeros((1, len(idx)))
        unit[0, k] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(i)
    return found


def _audit(table: pl.DataFrame) -> list[bool]:
    """Suppress more cells until no suppressed count can be worked out from the box and
    group totals (the margin rules alone miss combinations across several boxes)."""
    boxes = table["box"].to_list()
    groups = table["group"].to_list()
    sizes = table["people"].to_list()
    hidden = table["suppressed"].to_list()
    while True:
        found = _recoverable(boxes, groups, hidden)
        if not found:
            return hidden
        cell = found[0]
        shown = [i for i, h in enumerate(hidden) if not h]
        if not shown:  # pragma: no cover - with everything hidden nothing is recoverable
            return hidden
        same_box = [i for i in shown if boxes[i] == boxes[cell]]
        same_group = [i for i in shown if groups[i] == groups[cell]]
        pool = same_box or same_group or shown
        hidden[min(pool, key=lambda i: (sizes[i], boxes[i], groups[i]))] = True


def nine_box_by_group(
    placements: pl.DataFrame,
    employees: Frame,
    attribute: str,
    min_group_size: int = DEFAULT_CONFIG.equity.min_group_size,
) -> pl.DataFrame:
    """People, mean rating and mean readiness per box × group of one equity attribute,
    with small cells suppressed so that no suppressed count can be recovered.

    Suppression reuses the equity rules (``metrics.equity.suppress_groups`` and
    ``suppress_intersection``): a group whose total on the grid is under
    ``min_group_size`` is suppressed in every box (and complemented in the
    one-way table); a cell under ``min_group_size`` is suppressed; then, in every
    box (row), every group (column) and the whole table, a lone suppressed cell
    takes the next-smallest with it; last, an audit suppresses more until no
    suppressed count follows from the box and group totals by any combination.
    Only box × group pairs with someone in them are listed (an empty pair is known
    to be empty from the box counts anyway). A suppressed row's numbers are null.

    Example
    -------
    >>> pl_ = pl.DataFrame({"employee_id": [f"e{i}" for i in range(12)], "box": [9] * 12,
    ...     "box_label": ["Ready to move up"] * 12, "rating": [4.0] * 12, "readiness": [0.95] * 12})
    >>> emp = pl.DataFrame({"employee_id": [f"e{i}" for i in range(12)], "gender": ["W"] * 11 + ["M"]})
    >>> out = nine_box_by_group(pl_, emp, "gender", 5)
    >>> out.filter(pl.col("box") == 9).select("group", "people", "suppressed").rows()
    [('M', None, True), ('W', None, True)]
    """
    from metrics.equity._population import category_expr  # the equity family's own labelling

    emp = employees.lazy()
    if attribute not in emp.collect_schema().names():
        raise ValueError(ERR_ATTRIBUTE.format(attribute=attribute))
    people = placements.join(
        emp.select("employee_id", category_expr(attribute).alias("group")).collect(engine=COLLECT_ENGINE),
        on="employee_id",
        how="left",
    ).with_columns(pl.col("group").fill_null("Not disclosed"))
    table = (
        people.group_by("box", "box_label", "group")
        .agg(
            people=pl.len().cast(pl.Int64),
            mean_rating=pl.col("rating").mean(),
            mean_readiness=pl.col("readiness").mean(),
        )
        .sort("box", "group")
    )
    totals = table.group_by("group").agg(eligible=pl.col("people").sum()).sort("group")
    hidden_groups = suppress_groups(totals, min_group_size).filter(pl.col("suppressed"))["group"].to_list()
    keyed = table.with_columns(
        pl.format("{} | {}", pl.col("box"), pl.col("group")).alias("_cell"),
        pl.col("box").cast(pl.String).alias("first"),
        pl.col("group").alias("second"),
        pl.col("people").alias("eligible"),
    )
    flagged = suppress_intersection(
        keyed.select(pl.col("_cell").alias("group"), "first", "second", "eligible"), [], hidden_groups, min_group_size
    )
    hidden = _audit(table.with_columns(suppressed=flagged["suppressed"]))
    out = table.with_columns(suppressed=pl.Series(hidden, dtype=pl.Boolean))
    out = blank_suppressed(out, ("people", "mean_rating", "mean_readiness"))
    return out.with_columns(pl.lit(attribute).alias("attribute")).select(GROUP_COLUMNS)
