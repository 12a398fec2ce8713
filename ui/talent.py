"""Cached talent-review results for the Talent review and Succession pages.

The cached functions (``_name``) take the loaded bundle as ``_bundle`` (not hashed)
and a key of its version and configuration (``ui.state.settings_for``), with small
values (as-of date, role id, filters); entries are bounded. They start from the same
cached proficiency, readiness and bench as every other page (``ui.compute.core``).
The public functions narrow every person-level frame to the people the viewer may
see (``metrics.access.scope_frame``) before a page gets it. Nominations and pools
are read from the product's store on every run (never cached), so what one committee
member saves the next page run shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import sqlalchemy as sa
import streamlit as st

from data_sources.bundle import DataBundle
from data_sources.errors import SourceError
from data_sources.talent_store import JUDGEMENT_LABELS, load_nominations, load_pool_members, load_pools
from metrics.access import require_person, scope_frame
from metrics.config import MetricsConfig
from metrics.labels import BAND_LABELS, BENCH_STATUS_LABELS
from metrics.run import RunResult
from metrics.talent import (
    ACTIVE,
    NOMINEE_LEFT,
    NOT_YET_HIRED,
    Candidates,
    Comparison,
    CoverageForecast,
    LossImpact,
    NineBox,
    Succession,
    bench_history,
    branch,
    candidates_for_role,
    compare_candidates,
    coverage_forecast,
    evidence_behind,
    impact_of_loss,
    nine_box,
    nine_box_by_group,
    nominations_view,
    succession,
)
from ui.auth import current_scope, session_viewer
from ui.components import pack_meta
from ui.compute import bench_view, common_gap_view, core, people_for_role
from ui.pack import SuccessionPack, succession_pack_from_frames
from ui.pack_talent import TalentParts, talent_sections
from ui.state import Filters, settings_for

__all__ = [  # what the talent pages use (metrics names re-exported so views import from ui only)
    "ACTIVE",
    "NOMINEE_LEFT",
    "NOT_YET_HIRED",
    "STATUS_WORDS",
    "STORE_ERRORS",
    "branch",
    "candidates",
    "committee_pack",
    "comparison",
    "config",
    "evidence_for",
    "forecast",
    "history",
    "loss_impact",
    "ninebox",
    "ninebox_groups",
    "nominated_pairs",
    "nominations",
    "pack_parts",
    "pools",
    "role_labels",
    "signed_in_name",
    "store_error",
    "succession_chart",
    "with_titles",
    "words",
]

MSG_STORE = (
    "The product's store could not be read or written ({detail}). Nothing was lost: "
    "what was saved before is still there. Check TR_STORE_URL / TR_STATE_DIR on the server."
)
BAND_WORDS = dict(BAND_LABELS)
STATUS_WORDS = dict(BENCH_STATUS_LABELS)
TIER_WORDS = {"low": "Low", "medium": "Medium", "high": "High"}
STORE_ERRORS = (SourceError, sa.exc.SQLAlchemyError, OSError)


def _key(bundle: DataBundle) -> str:
    return f"{bundle.version}:{settings_for(bundle).key}"


def config(bundle: DataBundle) -> MetricsConfig:
    """The metrics configuration in force for ``bundle`` (``ui.state.settings_for``)."""
    return settings_for(bundle).config


def _core(bundle: DataBundle, as_of: dt.date) -> RunResult:
    c = core(bundle, as_of)
    if c.proficiency is None or c.readiness is None or c.bench is None:
        raise LookupError("evidence")
    return c


def _scoped(bundle: DataBundle, as_of: dt.date, frame: pl.DataFrame, column: str = "employee_id") -> pl.DataFrame:
    return scope_frame(frame, current_scope(bundle, as_of), column)


@st.cache_data(show_spinner="Ranking candidates…", max_entries=64)
def _candidates(
    _bundle: DataBundle,
    key: str,
    as_of: dt.date,
    role_id: str,
    ladders: tuple[str, ...],
    teams: tuple[str, ...],
    distances: tuple[int, ...],
) -> Candidates:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    return candidates_for_role(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        c.proficiency,
        role_id,
        as_of,
        t.get("movements"),
        config(_bundle).readiness,
        ladders=ladders,
        teams=teams,
        distances=distances,
    )


def candidates(
    bundle: DataBundle,
    as_of: dt.date,
    role_id: str,
    ladders: tuple[str, ...] = (),
    teams: tuple[str, ...] = (),
    distances: tuple[int, ...] = (),
) -> Candidates:
    """Every active employee the viewer may see, ranked by readiness for ``role_id`` (incumbents left out)."""
    found = _candidates(bundle, _key(bundle), as_of, role_id, ladders, teams, distances)
    return dataclasses.replace(
        found,
        ranked=_scoped(bundle, as_of, found.ranked),
        requirements=_scoped(bundle, as_of, found.requirements),
    )


@st.cache_data(show_spinner=False, max_entries=128)
def _evidence_for(
    _bundle: DataBundle, key: str, as_of: dt.date, employee_ids: tuple[str, ...], competency_ids: tuple[str, ...]
) -> pl.DataFrame:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    items = evidence_behind(
        t["evidence"], c.proficiency, list(employee_ids), list(competency_ids), as_of, config(_bundle).proficiency
    )
    return items.join(t["competencies"].select("competency_id", "name"), on="competency_id", how="left")


def evidence_for(
    bundle: DataBundle, as_of: dt.date, employee_ids: tuple[str, ...], competency_ids: tuple[str, ...]
) -> pl.DataFrame:
    """The evidence items behind some people's levels, with weights and competency names."""
    scope = current_scope(bundle, as_of)
    for employee_id in employee_ids:
        require_person(scope, employee_id)
    return _evidence_for(bundle, _key(bundle), as_of, employee_ids, competency_ids)


@st.cache_data(show_spinner="Placing people on the nine-box…", max_entries=16)
def _ninebox(_bundle: DataBundle, key: str, as_of: dt.date) -> NineBox:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    return nine_box(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        t["performance"],
        c.readiness,
        c.proficiency,
        as_of,
        config(_bundle).talent,
    )


def ninebox(bundle: DataBundle, as_of: dt.date) -> NineBox:
    """Performance × readiness for the next role: the grid for the whole organisation, the
    placements narrowed to the people the viewer may see."""
    nb = _ninebox(bundle, _key(bundle), as_of)
    return dataclasses.replace(nb, placements=_scoped(bundle, as_of, nb.placements))


@st.cache_data(show_spinner=False, max_entries=32)
def _ninebox_groups(_bundle: DataBundle, key: str, as_of: dt.date, attribute: str) -> pl.DataFrame:
    placements = _ninebox(_bundle, key, as_of).placements
    return nine_box_by_group(placements, _bundle.tables["employees"], attribute, config(_bundle).equity.min_group_size)


def ninebox_groups(bundle: DataBundle, as_of: dt.date, attribute: str) -> pl.DataFrame:
    """Box × group counts for one equity attribute, suppressed (aggregates of the whole organisation)."""
    return _ninebox_groups(bundle, _key(bundle), as_of, attribute)


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(
    _bundle: DataBundle, key: str, as_of: dt.date, role_id: str, employee_ids: tuple[str, ...]
) -> Comparison:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    return compare_candidates(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        c.proficiency,
        role_id,
        list(employee_ids),
        as_of,
        t.get("performance"),
        t.get("movements"),
        config(_bundle).readiness,
    )


def comparison(bundle: DataBundle, as_of: dt.date, role_id: str, employee_ids: tuple[str, ...]) -> Comparison:
    """Two to four candidates for one role side by side (each must be within the viewer's scope)."""
    scope = current_scope(bundle, as_of)
    for employee_id in employee_ids:
        require_person(scope, employee_id)
    return _comparison(bundle, _key(bundle), as_of, role_id, employee_ids)


@st.cache_data(show_spinner="Working out the impact of loss…", max_entries=16)
def _loss_impact(_bundle: DataBundle, key: str, as_of: dt.date) -> LossImpact:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    return impact_of_loss(t["employees"], t["roles"], c.bench, c.proficiency, as_of, t.get("capability_targets"))


def loss_impact(bundle: DataBundle, as_of: dt.date) -> LossImpact:
    """Every critical position the viewer may see: incumbents, bench, single points of failure."""
    out = _loss_impact(bundle, _key(bundle), as_of)
    return LossImpact(_scoped(bundle, as_of, out.positions), _scoped(bundle, as_of, out.targets))


@st.cache_data(show_spinner="Recomputing readiness at the last four quarter ends…", max_entries=8)
def _history(_bundle: DataBundle, key: str, as_of: dt.date) -> pl.DataFrame:
    return bench_history(_bundle.tables, as_of, config(_bundle))


def history(bundle: DataBundle, as_of: dt.date) -> pl.DataFrame:
    """Bench of each critical role at the last quarter ends (readiness recomputed at each; counts only)."""
    return _history(bundle, _key(bundle), as_of)


@st.cache_data(show_spinner=False, max_entries=16)
def _forecast(_bundle: DataBundle, key: str, as_of: dt.date) -> CoverageForecast:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    return coverage_forecast(
        t["employees"], t["roles"], t["role_requirements"], t["evidence"], c.readiness, as_of, config(_bundle)
    )


def forecast(bundle: DataBundle, as_of: dt.date) -> CoverageForecast:
    """When each covered critical role's coverage lapses as evidence ages (names only within scope)."""
    fc = _forecast(bundle, _key(bundle), as_of)
    scope = current_scope(bundle, as_of)
    roles = fc.roles
    if not scope.everyone:  # the last successor's id is person-level
        roles = roles.with_columns(
            pl.when(pl.col("last_ready_employee_id").is_in(list(scope.people)))
            .then(pl.col("last_ready_employee_id"))
            .alias("last_ready_employee_id")
        )
    return dataclasses.replace(
        fc,
        roles=roles,
        candidates=_scoped(bundle, as_of, fc.candidates),
        restore=_scoped(bundle, as_of, fc.restore),
    )


@st.cache_data(show_spinner="Drawing the succession chart…", max_entries=16)
def _succession(_bundle: DataBundle, key: str, as_of: dt.date, nominated: tuple[tuple[str, str], ...]) -> Succession:
    t = _bundle.tables
    c = _core(_bundle, as_of)
    noms = pl.DataFrame(list(nominated), schema={"role_id": pl.String, "employee_id": pl.String}, orient="row")
    return succession(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        c.proficiency,
        c.bench,
        noms,
        as_of,
        config(_bundle),
        t.get("movements"),
    )


def succession_chart(bundle: DataBundle, as_of: dt.date, nominated: tuple[tuple[str, str], ...]) -> Succession:
    """Hierarchy and critical positions; ``nominated`` holds the saved (role, employee) pairs (the cache key).
    The tree is narrowed to the people the viewer may see; so are the ids in the positions."""
    out = _succession(bundle, _key(bundle), as_of, nominated)
    scope = current_scope(bundle, as_of)
    positions = out.positions
    if not scope.everyone:
        allowed = list(scope.people)
        positions = positions.with_columns(
            pl.col(c).list.eval(pl.element().filter(pl.element().is_in(allowed)))
            for c in ("incumbent_ids", "nominated", "suggested")
        )
    return Succession(positions, _scoped(bundle, as_of, out.tree))


def store_error(exc: Exception) -> str:
    """The one-line message shown when the store fails (no traceback on screen)."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return MSG_STORE.format(detail=detail)


def nominations(bundle: DataBundle, as_of: dt.date) -> pl.DataFrame:
    """Saved nominations (read now, not cached) beside the computed readiness, with states,
    narrowed to nominees the viewer may see (orphans whose employee is gone stay listed)."""
    t = bundle.tables
    c = _core(bundle, as_of)
    saved = load_nominations()
    view = nominations_view(
        saved, t["employees"], t["roles"], t["role_requirements"], c.proficiency, as_of, config(bundle).readiness
    )
    scope = current_scope(bundle, as_of)
    if scope.everyone:
        return _scoped(bundle, as_of, view)
    known = t["employees"]["employee_id"].implode()
    return view.filter(~pl.col("employee_id").is_in(known) | pl.col("employee_id").is_in(list(scope.people)))


def pools(bundle: DataBundle, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Talent pools and their current members the viewer may see (read now, not cached)."""
    return load_pools(), _scoped(bundle, as_of, load_pool_members())


def nominated_pairs(frame: pl.DataFrame) -> tuple[tuple[str, str], ...]:
    """(role, employee) of the active nominations, sorted: the succession chart's cache key.

    Example
    -------
    >>> nominated_pairs(pl.DataFrame({"state": ["active", "nominee left"], "role_id": ["R", "R"],
    ...     "employee_id": ["b", "a"]}))
    (('R', 'b'),)
    """
    live = (
        frame.filter(pl.col("state") == ACTIVE).select("role_id", "employee_id").unique().sort("role_id", "employee_id")
    )
    return tuple(live.iter_rows())


def role_labels(roles: pl.DataFrame) -> dict[str, str]:
    """role_id → "Title (ROLE-ID)", by ladder then level.

    Example
    -------
    >>> role_labels(pl.DataFrame({"role_id": ["R1"], "title": ["Analyst"], "ladder": ["D"], "level": [1]}))
    {'R1': 'Analyst (R1)'}
    """
    ordered = roles.sort("ladder", "level", "role_id")
    return dict(zip(ordered["role_id"], ordered["title"] + " (" + ordered["role_id"] + ")"))


def with_titles(frame: pl.DataFrame, roles: pl.DataFrame, column: str = "role_id", label: str = "role") -> pl.DataFrame:
    """Add a ``label`` column "Title (ROLE-ID)" next to a role id column (the id itself when unknown).

    Example
    -------
    >>> roles = pl.DataFrame({"role_id": ["R1"], "title": ["Analyst"]})
    >>> with_titles(pl.DataFrame({"role_id": ["R1", "X"]}), roles)["role"].to_list()
    ['Analyst (R1)', 'X']
    """
    titles = roles.select(pl.col("role_id").alias(column), pl.col("title").alias("_title"))
    return (
        frame.join(titles, on=column, how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_title").is_null())
            .then(pl.col(column))
            .otherwise(pl.col("_title") + " (" + pl.col(column) + ")")
            .alias(label)
        )
        .drop("_title")
    )


def words(frame: pl.DataFrame) -> pl.DataFrame:
    """Codes in plain words: bands, judgements, statuses, tiers (columns that are present).

    Example
    -------
    >>> words(pl.DataFrame({"band": ["ready_soon", None]}))["band"].to_list()
    ['Ready in 1–2 years', 'no requirements']
    """
    maps = {
        "band": (BAND_WORDS, "no requirements"),
        "judgement": (JUDGEMENT_LABELS, None),
        "status": (STATUS_WORDS, None),
        "performance_tier": (TIER_WORDS, None),
        "readiness_tier": (TIER_WORDS, None),
    }
    out = []
    for column, (mapping, null_word) in maps.items():
        if column in frame.columns:
            expr = pl.col(column).replace_strict(mapping, default=pl.col(column), return_dtype=pl.String)
            if null_word is not None:
                expr = expr.fill_null(null_word)
            out.append(expr.alias(column))
    return frame.with_columns(out) if out else frame


def signed_in_name() -> str | None:
    """The signed-in viewer's name (recorded with what they save); None in local mode, where they type it."""
    viewer = session_viewer()
    if viewer.local:
        return None
    return viewer.name or viewer.identity


def pack_parts(bundle: DataBundle, as_of: dt.date) -> TalentParts:
    """What the talent pages show, for the succession committee pack: aggregates for every
    viewer of the pack, person-level parts only when the viewer may see people (narrowed to them)."""
    t = bundle.tables
    scope = current_scope(bundle, as_of)
    titles = dict(zip(t["roles"]["role_id"].to_list(), t["roles"]["title"].to_list()))
    grid, groups = None, ()
    if "performance" in t:
        grid = _ninebox(bundle, _key(bundle), as_of).grid
        attributes = [a for a in config(bundle).equity.attributes if a in t["employees"].columns]
        groups = tuple(ninebox_groups(bundle, as_of, a) for a in attributes)
    names: dict[str, str] = {}
    if scope.person_level and "display_name" in t["employees"].columns:
        people = _scoped(bundle, as_of, t["employees"].select("employee_id", "display_name"))
        names = dict(zip(people["employee_id"].to_list(), people["display_name"].to_list()))
    loss = loss_impact(bundle, as_of).positions if scope.person_level else None
    try:
        noms = nominations(bundle, as_of) if scope.person_level else None
        saved_pools, members = pools(bundle, as_of)
        store_problem = None
    except STORE_ERRORS as exc:
        noms, saved_pools, members, store_problem = None, None, None, store_error(exc)
    return TalentParts(
        titles=titles,
        names=names,
        history=history(bundle, as_of),
        grid=grid,
        box_groups=groups,
        loss=loss,
        nominations=noms,
        pools=saved_pools,
        pool_members=members if scope.person_level else None,
        store_error=store_problem,
    )


def committee_pack(bundle: DataBundle, filters: Filters) -> SuccessionPack:
    """The succession committee pack as the viewer may see it: critical roles in the filters'
    scope with their bench and shared gap, the candidates per role (person-level viewers), then
    nominations, pools, the nine-box, the impact of loss and the bench over time."""
    bench = bench_view(bundle, filters)[0]
    critical = bench.filter(pl.col("critical"))
    scope = current_scope(bundle, filters.as_of)
    candidates = (
        {r: people_for_role(bundle, Filters(filters.as_of), r, "next") for r in critical.get_column("role_id")}
        if scope.person_level
        else None
    )
    return succession_pack_from_frames(
        pack_meta(bundle, filters),
        critical,
        bundle.tables["roles"],
        config(bundle).readiness,
        gaps=common_gap_view(bundle, filters.as_of),
        competencies=bundle.tables["competencies"],
        candidates=candidates,
        extra=talent_sections(pack_parts(bundle, filters.as_of)),
    )
