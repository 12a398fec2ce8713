"""The talent-review sections of the succession committee pack: nominations beside the
evidence, talent pools, the evidence-based nine-box (with box × group counts under the
equity suppression), the impact of losing each critical position, and the bench at the
last quarter ends.

Like ``ui.pack``, nothing here recomputes a metric or reads a store: the page hands
over what it shows (:class:`TalentParts`), already narrowed to what the viewer may see.
Person-level parts are ``None`` when the viewer may not see people; the section then
says so instead of listing anyone. Group counts arrive suppressed
(``metrics.talent.nine_box_by_group``) and are blanked again here as a second lock.

Example
-------
>>> import polars as pl
>>> parts = TalentParts(titles={"R1": "Analyst"}, names={},
...     history=pl.DataFrame({"quarter_end": [], "role_id": [], "incumbents": [], "candidates": [],
...         "ready_now": [], "ready_soon": [], "bench_strength": [], "status": []}))
>>> [s.heading for s in talent_sections(parts)]
['Nominations and talent pools', 'Bench over time']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from data_sources.talent_store import JUDGEMENT_LABELS
from metrics.labels import BAND_LABELS, BENCH_STATUS_LABELS
from ui import talent_charts
from ui.pack import DEC2, INT, TEXT, Column, Section, Table, fmt_date
from ui.present import person_label

__all__ = ["TalentParts", "talent_sections"]

PEOPLE_HIDDEN = "Not included: the viewer may not see person-level rows."
SUPPRESSED_WORD = "suppressed"
TIER_WORDS = {"low": "Low", "medium": "Medium", "high": "High"}


@dataclass(frozen=True)
class TalentParts:
    """What the talent pages show, for the pack.

    Attributes
    ----------
    titles : Mapping[str, str]
        Role id → title.
    names : Mapping[str, str]
        Employee id → display name, for the people the viewer may see (may be empty).
    history : polars.DataFrame
        ``metrics.talent.bench_history`` output.
    grid : polars.DataFrame or None
        ``NineBox.grid`` (counts for the whole organisation); None without performance ratings.
    box_groups : tuple of polars.DataFrame
        ``metrics.talent.nine_box_by_group`` per equity attribute (already suppressed).
    loss : polars.DataFrame or None
        ``LossImpact.positions``; None when the viewer may not see people.
    nominations : polars.DataFrame or None
        ``metrics.talent.nominations_view`` output; None when the viewer may not see people.
    pools : polars.DataFrame or None
        ``data_sources.talent_store.load_pools`` output.
    pool_members : polars.DataFrame or None
        ``load_pool_members`` output; None when the viewer may not see people.
    store_error : str or None
        Why nominations and pools could not be read (the pack says so instead).
    """

    titles: Mapping[str, str]
    names: Mapping[str, str]
    history: pl.DataFrame
    grid: pl.DataFrame | None = None
    box_groups: tuple[pl.DataFrame, ...] = field(default_factory=tuple)
    loss: pl.DataFrame | None = None
    nominations: pl.DataFrame | None = None
    pools: pl.DataFrame | None = None
    pool_members: pl.DataFrame | None = None
    store_error: str | None = None


def _person(names: Mapping[str, str], employee_id: str | None) -> str:
    if employee_id is None:
        return ""
    return person_label(names.get(employee_id), employee_id)


def _role(titles: Mapping[str, str], role_id: str | None) -> str:
    if role_id is None:
        return ""
    title = titles.get(role_id)
    return title or role_id


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else f"{value:%d %b %Y %H:%M} UTC"


def nominations_table(parts: TalentParts, frame: pl.DataFrame) -> Table:
    """Saved nominations with the committee's judgement beside the evidence's band.

    Example
    -------
    >>> import datetime as dt
    >>> f = pl.DataFrame({"role_id": ["R1"], "employee_id": ["E1"], "judgement": ["ready_now"], "note": [""],
    ...     "nominated_by": ["ana"], "nominated_at": [None], "state": ["active"], "readiness": [0.7],
    ...     "band": ["ready_soon"], "agreement": ["committee more optimistic than the evidence"]})
    >>> t = nominations_table(TalentParts({"R1": "Analyst"}, {"E1": "Ada"}, pl.DataFrame()), f)
    >>> t.rows[0][:5]
    ('Analyst', 'Ada (E1)', 'Ready now', 'Ready in 1–2 years', 0.7)
    """
    rows = tuple(
        (
            _role(parts.titles, r["role_id"]),
            _person(parts.names, r["employee_id"]),
            JUDGEMENT_LABELS.get(r["judgement"], r["judgement"]),
            BAND_LABELS.get(r["band"] or "", r["band"] or "no requirements"),
            r["readiness"],
            r["agreement"] or "",
            r["state"],
            r["nominated_by"],
            _when(r["nominated_at"]),
            r["note"],
            r["role_id"],
            r["employee_id"],
        )
        for r in frame.sort("role_id", "employee_id").iter_rows(named=True)
    )
    return Table(
        title="Nominations",
        sheet="Nominations",
        columns=(
            Column("Critical role", TEXT, 1.6),
            Column("Nominee", TEXT, 1.7),
            Column("Committee's judgement", TEXT, 1.2),
            Column("Evidence says", TEXT, 1.2),
            Column("Readiness", DEC2, 0.8),
            Column("Agreement", TEXT, 1.8),
            Column("State", TEXT, 1.2),
            Column("Nominated by", TEXT, 1.1),
            Column("When", TEXT, 1.2),
            Column("Note", TEXT, 2.2),
            Column("Role id", TEXT, 0.8, pdf=False),
            Column("Employee id", TEXT, 0.8, pdf=False),
        ),
        rows=rows,
        note=(
            "The committee's judgement beside the readiness band the evidence gives (ready now ↔ ready now, "
            "ready in 1–2 years ↔ ready soon, ready in 3+ years ↔ developing). A nominee who has left is listed as "
            "such; a nomination whose role or employee a reload removed is listed as orphaned."
        ),
        empty="No nomination is saved.",
    )


def pools_table(parts: TalentParts, pools: pl.DataFrame, members: pl.DataFrame | None) -> Table:
    """Each pool with its current members (one row per member; an empty pool has one row).

    Example
    -------
    >>> pools = pl.DataFrame({"pool_id": [1, 2], "name": ["Future leads", "Data"], "description": ["", ""]})
    >>> members = pl.DataFrame({"pool_id": [1], "employee_id": ["E1"], "note": ["x"], "added_by": ["ana"],
    ...     "added_at": [None]})
    >>> [r[:2] for r in pools_table(TalentParts({}, {"E1": "Ada"}, pl.DataFrame()), pools, members).rows]
    [('Future leads', 'Ada (E1)'), ('Data', '(no member)')]
    """
    rows: list[tuple[Any, ...]] = []
    for pool in pools.iter_rows(named=True):
        listed = members.filter(pl.col("pool_id") == pool["pool_id"]) if members is not None else None
        if listed is None:
            rows.append((pool["name"], PEOPLE_HIDDEN, "", "", "", pool["description"]))
        elif listed.height == 0:
            rows.append((pool["name"], "(no member)", "", "", "", pool["description"]))
        else:
            rows.extend(
                (
                    pool["name"],
                    _person(parts.names, m["employee_id"]),
                    m["note"],
                    m["added_by"],
                    _when(m["added_at"]),
                    pool["description"],
                )
                for m in listed.iter_rows(named=True)
            )
    return Table(
        title="Talent pools",
        sheet="Talent pools",
        columns=(
            Column("Pool", TEXT, 1.4),
            Column("Member", TEXT, 1.8),
            Column("Note", TEXT, 2.2),
            Column("Added by", TEXT, 1.1),
            Column("When", TEXT, 1.2),
            Column("Pool description", TEXT, 2.0),
        ),
        rows=tuple(rows),
        empty="No talent pool is saved.",
    )


def grid_table(grid: pl.DataFrame) -> Table:
    """The nine boxes with people, mean rating and mean readiness (whole organisation).

    Example
    -------
    >>> g = pl.DataFrame({"box": [9], "performance_tier": ["high"], "readiness_tier": ["high"],
    ...     "box_label": ["Ready to move up"], "people": [3], "mean_rating": [4.5], "mean_readiness": [0.9]})
    >>> grid_table(g).rows
    ((9, 'High', 'High', 'Ready to move up', 3, 4.5, 0.9),)
    """
    rows = tuple(
        (
            r["box"],
            TIER_WORDS.get(r["performance_tier"], r["performance_tier"]),
            TIER_WORDS.get(r["readiness_tier"], r["readiness_tier"]),
            r["box_label"],
            r["people"],
            r["mean_rating"],
            r["mean_readiness"],
        )
        for r in grid.sort("box", descending=True).iter_rows(named=True)
    )
    return Table(
        title="Nine-box: people per box",
        sheet="Nine-box",
        columns=(
            Column("No.", INT, 0.5),
            Column("Performance", TEXT, 0.9),
            Column("Readiness for the next role", TEXT, 1.2),
            Column("Box", TEXT, 1.8),
            Column("People", INT, 0.7),
            Column("Mean rating", DEC2, 0.8),
            Column("Mean readiness", DEC2, 0.9),
        ),
        rows=rows,
        note=(
            "Performance is the latest rating, readiness is for the next role on the ladder (from verified "
            "evidence, not a subjective potential rating); the cut points are in the configuration."
        ),
    )


def box_groups_table(groups: pl.DataFrame) -> Table:
    """People per box × group of one attribute; suppressed cells carry no number.

    Example
    -------
    >>> g = pl.DataFrame({"attribute": ["gender"] * 2, "box": [9, 9], "box_label": ["Top"] * 2,
    ...     "group": ["M", "W"], "people": [None, 12], "mean_rating": [None, 4.0],
    ...     "mean_readiness": [None, 0.9], "suppressed": [True, False]})
    >>> box_groups_table(g).rows
    ((9, 'Top', 'M', 'suppressed', None, None), (9, 'Top', 'W', 12, 4.0, 0.9))
    """
    attribute = groups["attribute"][0] if groups.height else ""
    rows = tuple(
        (r["box"], r["box_label"], r["group"], SUPPRESSED_WORD, None, None)
        if r["suppressed"]
        else (r["box"], r["box_label"], r["group"], r["people"], r["mean_rating"], r["mean_readiness"])
        for r in groups.sort(pl.col("box"), "group", descending=[True, False]).iter_rows(named=True)
    )
    return Table(
        title=f"Nine-box by {attribute.replace('_', ' ')}",
        sheet=f"Nine-box {attribute}",
        columns=(
            Column("No.", INT, 0.5),
            Column("Box", TEXT, 1.8),
            Column("Group", TEXT, 1.4),
            Column("People", INT, 0.8),
            Column("Mean rating", DEC2, 0.8),
            Column("Mean readiness", DEC2, 0.9),
        ),
        rows=rows,
        note=(
            "Small cells are suppressed, and more are suppressed until no hidden count can be worked out "
            "from the box and group totals. Only box × group pairs with someone in them are listed."
        ),
        empty="Nobody is on the grid.",
    )


def loss_table(parts: TalentParts, positions: pl.DataFrame) -> Table:
    """Each critical position: its holder, the bench, the capability targets they hold, the impact."""
    rows = tuple(
        (
            _role(parts.titles, r["role_id"]),
            _person(parts.names, r["employee_id"]),
            r["team"],
            r["incumbents"],
            r["ready_now"],
            r["bench_strength"],
            BENCH_STATUS_LABELS.get(r["status"], r["status"]),
            r["targets_held"],
            r["single_points_of_failure"],
            TIER_WORDS.get(r["impact"], r["impact"]),
            r["role_id"],
        )
        for r in positions.iter_rows(named=True)
    )
    return Table(
        title="Impact of losing each critical position",
        sheet="Impact of loss",
        columns=(
            Column("Critical role", TEXT, 1.6),
            Column("Holder", TEXT, 1.7),
            Column("Team", TEXT, 1.2),
            Column("Incumbents", INT, 0.8),
            Column("Ready now", INT, 0.7),
            Column("Ready now per incumbent", DEC2, 0.9),
            Column("Status", TEXT, 1.2),
            Column("Capability targets held", INT, 0.9),
            Column("Single points of failure", INT, 0.9),
            Column("Impact", TEXT, 1.0),
            Column("Role id", TEXT, 0.8, pdf=False),
        ),
        rows=rows,
        note=(
            "A single point of failure is a capability target the organisation meets only because this person "
            "holds the level: without them it falls short."
        ),
        empty="No critical position is held.",
    )


def history_table(parts: TalentParts, history: pl.DataFrame) -> Table:
    """The bench of each critical role at each quarter end.

    Example
    -------
    >>> h = pl.DataFrame({"quarter_end": [dt.date(2026, 9, 30)], "role_id": ["R1"], "incumbents": [2],
    ...     "candidates": [3], "ready_now": [1], "ready_soon": [1], "bench_strength": [0.5], "status": ["covered"]})
    >>> history_table(TalentParts({"R1": "Lead"}, {}, h), h).rows[0][:3]
    ('Lead', '30 Sep 2026', 2)
    """
    rows = tuple(
        (
            _role(parts.titles, r["role_id"]),
            fmt_date(r["quarter_end"]),
            r["incumbents"],
            r["candidates"],
            r["ready_now"],
            r["ready_soon"],
            r["bench_strength"],
            BENCH_STATUS_LABELS.get(r["status"], r["status"]),
            r["role_id"],
        )
        for r in history.sort("role_id", "quarter_end").iter_rows(named=True)
    )
    return Table(
        title="Bench at each quarter end",
        sheet="Bench over time",
        columns=(
            Column("Critical role", TEXT, 1.8),
            Column("Quarter end", TEXT, 1.0),
            Column("Incumbents", INT, 0.8),
            Column("Candidates", INT, 0.8),
            Column("Ready now", INT, 0.7),
            Column("Ready in 1–2 years", INT, 0.9),
            Column("Ready now per incumbent", DEC2, 0.9),
            Column("Status", TEXT, 1.2),
            Column("Role id", TEXT, 0.8, pdf=False),
        ),
        rows=rows,
        note="Readiness is recomputed as it stood on each quarter end: evidence up to that date, roles held then.",
        empty="No critical role.",
    )


def _nominations_section(parts: TalentParts) -> Section:
    if parts.store_error is not None:
        return Section("Nominations and talent pools", paragraphs=(parts.store_error,))
    paragraphs: list[str] = []
    tables: list[Table] = []
    if parts.nominations is None:
        paragraphs.append("Nominations: " + PEOPLE_HIDDEN)
    else:
        noms = parts.nominations
        disagree = noms.filter(pl.col("agreement").is_not_null() & (pl.col("agreement") != "agrees")).height
        paragraphs.append(
            f"{noms.height} saved nomination(s); in {disagree} the committee's judgement and the evidence disagree."
        )
        tables.append(nominations_table(parts, noms))
    if parts.pools is not None:
        tables.append(pools_table(parts, parts.pools, parts.pool_members))
    return Section("Nominations and talent pools", paragraphs=tuple(paragraphs), tables=tuple(tables))


def talent_sections(parts: TalentParts) -> tuple[Section, ...]:
    """The pack's talent-review sections, in reading order."""
    sections = [_nominations_section(parts)]
    if parts.grid is not None:
        chart = talent_charts.nine_box_grid(parts.grid).properties(width=780) if parts.grid.height else None
        tables = (grid_table(parts.grid), *(box_groups_table(g) for g in parts.box_groups))
        sections.append(Section("Evidence-based nine-box", charts=(chart,) if chart else (), tables=tables))
    if parts.loss is not None:
        sections.append(Section("Impact of loss", tables=(loss_table(parts, parts.loss),)))
    if parts.history.height:
        data = parts.history.with_columns(
            pl.col("role_id").replace_strict(dict(parts.titles), default=pl.col("role_id")).alias("role")
        )
        chart = talent_charts.bench_over_time(data).properties(width=620)
        sections.append(Section("Bench over time", charts=(chart,), tables=(history_table(parts, parts.history),)))
    else:
        sections.append(Section("Bench over time", tables=(history_table(parts, parts.history),)))
    return tuple(sections)
