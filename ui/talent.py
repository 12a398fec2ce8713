"""Cached talent-review results for the Talent review and Succession pages.

Every cached function takes the loaded bundle as ``_bundle`` (not hashed) and its
``version`` (a content hash) as the key, with small values (as-of date, role id,
filters); entries are bounded. Nominations and pools are read from the product's
store on every run (never cached), so what one committee member saves the next
page run shows. Display helpers turn codes into the words a committee reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
import streamlit as st

from data_sources.bundle import DataBundle
from data_sources.errors import SourceError
from data_sources.talent_store import JUDGEMENT_LABELS, load_nominations, load_pool_members, load_pools
from metrics.config import MetricsConfig, config_in_force
from metrics.run import run_metrics, with_equity_attributes
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

__all__ = [  # what the talent pages use (metrics names re-exported so views import from ui only)
    "ACTIVE",
    "NOMINEE_LEFT",
    "NOT_YET_HIRED",
    "STATUS_WORDS",
    "STORE_ERRORS",
    "branch",
    "candidates",
    "comparison",
    "core",
    "evidence_for",
    "forecast",
    "history",
    "loss_impact",
    "ninebox",
    "ninebox_groups",
    "nominated_pairs",
    "nominations",
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
BAND_WORDS = {"ready_now": "Ready now", "ready_soon": "Ready in 1–2 years", "developing": "Developing"}
STATUS_WORDS = {"covered": "Covered", "ready_in_future": "Ready only in future", "no_successors": "No successors"}
TIER_WORDS = {"low": "Low", "medium": "Medium", "high": "High"}


@dataclass(frozen=True)
class TalentCore:
    """What every talent view starts from, for one dataset version and as-of date
    (the configuration is not kept here: it does not pickle; see ``config_for``)."""

    proficiency: pl.DataFrame
    readiness: pl.DataFrame
    bench: pl.DataFrame


def config_for(bundle: DataBundle) -> MetricsConfig:
    """The metrics configuration in force for a bundle (its source's ``[metrics]`` table, its equity attributes)."""
    cfg = config_in_force(dict(bundle.metrics_overrides), bundle.config_origin or "the source configuration").config
    return with_equity_attributes(cfg, tuple(bundle.equity_attributes) or None)


@st.cache_data(show_spinner="Computing proficiency, readiness and bench…", max_entries=8)
def core(_bundle: DataBundle, version: str, as_of: dt.date) -> TalentCore:
    """Proficiency, readiness and bench for the whole organisation (``metrics.run.run_metrics``)."""
    cfg = config_for(_bundle)
    res = run_metrics(_bundle.tables, as_of=as_of, config=cfg, families=("bench",))
    if res.proficiency is None or res.readiness is None or res.bench is None:
        raise LookupError("evidence")
    return TalentCore(res.proficiency, res.readiness, res.bench)


@st.cache_data(show_spinner="Ranking candidates…", max_entries=64)
def candidates(
    _bundle: DataBundle,
    version: str,
    as_of: dt.date,
    role_id: str,
    ladders: tuple[str, ...] = (),
    teams: tuple[str, ...] = (),
    distances: tuple[int, ...] = (),
) -> Candidates:
    """Every active employee ranked by readiness for ``role_id`` (incumbents left out)."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
    return candidates_for_role(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        c.proficiency,
        role_id,
        as_of,
        t.get("movements"),
        config_for(_bundle).readiness,
        ladders=ladders,
        teams=teams,
        distances=distances,
    )


@st.cache_data(show_spinner=False, max_entries=128)
def evidence_for(
    _bundle: DataBundle, version: str, as_of: dt.date, employee_ids: tuple[str, ...], competency_ids: tuple[str, ...]
) -> pl.DataFrame:
    """The evidence items behind some people's levels, with weights and competency names."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
    items = evidence_behind(
        t["evidence"], c.proficiency, list(employee_ids), list(competency_ids), as_of, config_for(_bundle).proficiency
    )
    return items.join(t["competencies"].select("competency_id", "name"), on="competency_id", how="left")


@st.cache_data(show_spinner="Placing people on the nine-box…", max_entries=16)
def ninebox(_bundle: DataBundle, version: str, as_of: dt.date) -> NineBox:
    """Performance × readiness for the next role, for the whole organisation."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
    return nine_box(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        t["performance"],
        c.readiness,
        c.proficiency,
        as_of,
        config_for(_bundle).talent,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def ninebox_groups(_bundle: DataBundle, version: str, as_of: dt.date, attribute: str) -> pl.DataFrame:
    """Box × group counts for one equity attribute, suppressed (``equity.min_group_size``)."""
    placements = ninebox(_bundle, version, as_of).placements
    return nine_box_by_group(
        placements, _bundle.tables["employees"], attribute, config_for(_bundle).equity.min_group_size
    )


@st.cache_data(show_spinner=False, max_entries=64)
def comparison(
    _bundle: DataBundle, version: str, as_of: dt.date, role_id: str, employee_ids: tuple[str, ...]
) -> Comparison:
    """Two to four candidates for one role side by side."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
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
        config_for(_bundle).readiness,
    )


@st.cache_data(show_spinner="Working out the impact of loss…", max_entries=16)
def loss_impact(_bundle: DataBundle, version: str, as_of: dt.date) -> LossImpact:
    """Every critical position: incumbents, bench, single points of failure."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
    return impact_of_loss(t["employees"], t["roles"], c.bench, c.proficiency, as_of, t.get("capability_targets"))


@st.cache_data(show_spinner="Recomputing readiness at the last four quarter ends…", max_entries=8)
def history(_bundle: DataBundle, version: str, as_of: dt.date) -> pl.DataFrame:
    """Bench of each critical role at the last quarter ends (readiness recomputed at each)."""
    return bench_history(_bundle.tables, as_of, config_for(_bundle))


@st.cache_data(show_spinner=False, max_entries=16)
def forecast(_bundle: DataBundle, version: str, as_of: dt.date) -> CoverageForecast:
    """When each covered critical role's coverage lapses as evidence ages."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
    return coverage_forecast(
        t["employees"], t["roles"], t["role_requirements"], t["evidence"], c.readiness, as_of, config_for(_bundle)
    )


@st.cache_data(show_spinner="Drawing the succession chart…", max_entries=16)
def succession_chart(
    _bundle: DataBundle, version: str, as_of: dt.date, nominated: tuple[tuple[str, str], ...]
) -> Succession:
    """Hierarchy and critical positions; ``nominated`` holds the saved (role, employee) pairs (the cache key)."""
    t = _bundle.tables
    c = core(_bundle, version, as_of)
    noms = pl.DataFrame(list(nominated), schema={"role_id": pl.String, "employee_id": pl.String}, orient="row")
    return succession(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        c.proficiency,
        c.bench,
        noms,
        as_of,
        config_for(_bundle),
        t.get("movements"),
    )


def store_error(exc: Exception) -> str:
    """The one-line message shown when the store fails (no traceback on screen)."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return MSG_STORE.format(detail=detail)


STORE_ERRORS = (SourceError, sa.exc.SQLAlchemyError, OSError)


def nominations(bundle: DataBundle, as_of: dt.date) -> pl.DataFrame:
    """Saved nominations (read now, not cached) beside the computed readiness, with states."""
    t = bundle.tables
    c = core(bundle, bundle.version, as_of)
    saved = load_nominations()
    return nominations_view(
        saved, t["employees"], t["roles"], t["role_requirements"], c.proficiency, as_of, config_for(bundle).readiness
    )


def pools() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Talent pools and their current members (read now, not cached)."""
    return load_pools(), load_pool_members()


def nominated_pairs(frame: pl.DataFrame) -> tuple[tuple[str, str], ...]:
    """(role, employee) of the active nominations, sorted: the succession chart's cache key."""
    live = (
        frame.filter(pl.col("state") == "active")
        .select("role_id", "employee_id")
        .unique()
        .sort("role_id", "employee_id")
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
    """The signed-in user's name or e-mail when sign-in is configured, else None."""
    try:
        user = st.user
        if getattr(user, "is_logged_in", False):
            return str(user.get("name") or user.get("email") or "") or None
    except Exception:  # no [auth] configured: local mode
        return None
    return None
