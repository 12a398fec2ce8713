"""Cached metric results for the pages, keyed by small values (dataset version, as-of, filters).

The computations themselves live in metrics/; this module only decides what is
cached and how the sidebar's team and ladder filters narrow the results.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from metrics.bench import bench_strength, critical_coverage, team_bench
from metrics.capability_risk import capability_risk
from metrics.common import active_expr
from metrics.config import DEFAULT_CONFIG
from metrics.explain import explain_bench, explain_capability_risk, explain_readiness
from metrics.proficiency import proficiency
from metrics.readiness import readiness, readiness_by_role, readiness_gaps
from ui.state import Filters, bundle_for


@dataclass(frozen=True)
class Core:
    """Sections 1–4 for one dataset version and as-of date (whole organisation)."""

    proficiency: pl.DataFrame
    readiness: pl.DataFrame
    bench: pl.DataFrame


@st.cache_data(show_spinner="Computing proficiency, readiness and bench strength…", max_entries=16)
def core(version: str, as_of: dt.date) -> Core:
    """Proficiency, readiness and bench for the whole organisation."""
    t = bundle_for(version).tables
    if "evidence" not in t:
        raise LookupError("evidence")
    prof = proficiency(t["evidence"], as_of, DEFAULT_CONFIG.proficiency)
    ready = readiness(t["employees"], t["roles"], t["role_requirements"], prof, as_of, DEFAULT_CONFIG.readiness)
    bench = bench_strength(t["employees"], t["roles"], ready, as_of)
    return Core(prof, ready, bench)


def employees_in(version: str, filters: Filters) -> pl.DataFrame:
    """Employees matching the team and ladder filters (ladder of their current role)."""
    t = bundle_for(version).tables
    emp = t["employees"].join(t["roles"].select("role_id", "ladder"), on="role_id", how="left")
    if filters.teams:
        emp = emp.filter(pl.col("team").is_in(list(filters.teams)))
    if filters.ladders:
        emp = emp.filter(pl.col("ladder").is_in(list(filters.ladders)))
    return emp


@st.cache_data(show_spinner=False, max_entries=64)
def readiness_view(version: str, filters: Filters) -> pl.DataFrame:
    """Readiness rows of the filtered employees, with their plain-words explanation."""
    t = bundle_for(version).tables
    c = core(version, filters.as_of)
    ids = employees_in(version, filters).get_column("employee_id")
    rows = c.readiness.filter(pl.col("employee_id").is_in(ids.implode()))
    gaps = readiness_gaps(
        t["employees"],
        t["roles"],
        t["role_requirements"],
        c.proficiency,
        filters.as_of,
        employee_ids=ids.to_list(),
        only_gaps=True,
    )
    return explain_readiness(rows, gaps, t["roles"], t["competencies"], DEFAULT_CONFIG.readiness)


@st.cache_data(show_spinner=False, max_entries=64)
def role_summary(version: str, filters: Filters) -> pl.DataFrame:
    """Readiness by role for the filtered employees, with titles."""
    t = bundle_for(version).tables
    rows = readiness_view(version, filters).drop("explanation")
    by_role = readiness_by_role(t["roles"], rows)
    roles = t["roles"].select("role_id", "title", "ladder", "level", "critical")
    if filters.ladders:
        roles = roles.filter(pl.col("ladder").is_in(list(filters.ladders)))
    return roles.join(by_role, on="role_id", how="left").sort("ladder", "level")


@st.cache_data(show_spinner=False, max_entries=64)
def bench_view(version: str, filters: Filters) -> tuple[pl.DataFrame, pl.DataFrame, float | None]:
    """Bench per role (explained), per-team roll-up and the organisation KPI.

    Counts are organisation-wide (a successor can come from any team). The ladder
    filter narrows the roles listed; the team filter narrows them to roles with an
    incumbent in the chosen teams, and the team roll-up to those teams.
    """
    t = bundle_for(version).tables
    c = core(version, filters.as_of)
    bench = explain_bench(c.bench, t["roles"]).join(
        t["roles"].select("role_id", "title", "ladder"), on="role_id", how="left"
    )
    teams = team_bench(t["employees"], c.bench, filters.as_of)
    kpi = critical_coverage(c.bench)
    if filters.ladders:
        bench = bench.filter(pl.col("ladder").is_in(list(filters.ladders)))
    if filters.teams:
        active = employees_in(version, Filters(filters.as_of, filters.teams, ()))
        active = active.filter(active_expr(filters.as_of))
        bench = bench.filter(pl.col("role_id").is_in(active.get_column("role_id").unique().implode()))
        teams = teams.filter(pl.col("team").is_in(list(filters.teams)))
    return bench, teams, kpi


@st.cache_data(show_spinner="Computing capability risk…", max_entries=64)
def risk_view(version: str, filters: Filters) -> pl.DataFrame:
    """Capability risk per team × competency (explained), for the chosen teams."""
    t = bundle_for(version).tables
    c = core(version, filters.as_of)
    risk = capability_risk(
        t["employees"], t["capability_targets"], c.proficiency, filters.as_of, DEFAULT_CONFIG.capability_risk
    )
    if filters.teams:
        risk = risk.filter(pl.col("team").is_in(list(filters.teams)))
    out = explain_capability_risk(risk, t["competencies"])
    return out.join(t["competencies"].select("competency_id", "name", "category"), on="competency_id", how="left")


@st.cache_data(show_spinner=False, max_entries=256)
def person_gaps(version: str, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    """Every requirement of one employee's current and next role, with their level."""
    t = bundle_for(version).tables
    c = core(version, as_of)
    gaps = readiness_gaps(
        t["employees"], t["roles"], t["role_requirements"], c.proficiency, as_of, employee_ids=[employee_id]
    )
    return gaps.join(t["competencies"].select("competency_id", "name"), on="competency_id", how="left").join(
        t["roles"].select(pl.col("role_id").alias("target_role_id"), pl.col("title").alias("target_title")),
        on="target_role_id",
        how="left",
    )


@dataclass(frozen=True)
class EquityView:
    """One attribute (or pair) over one window: the protected table, sentences, pipeline."""

    table: pl.DataFrame
    reference: str | None
    sentences: tuple[str, ...]
    pipeline: pl.DataFrame | None
    window_start: dt.date
    window_end: dt.date
    overall_rate: float | None


@st.cache_data(show_spinner="Computing promotion equity…", max_entries=64)
def equity_view(
    version: str, as_of: dt.date, attribute: tuple[str, ...], window_start: dt.date | None, window_end: dt.date | None
) -> EquityView:
    """Equity for the whole organisation (filters are not applied: see the page)."""
    from metrics.equity import equity_result, pipeline_equity
    from metrics.run import readiness_at

    t = bundle_for(version).tables
    cfg = dataclasses.replace(DEFAULT_CONFIG.equity, attributes=attribute, intersections=len(attribute) > 1)
    result = equity_result(t["employees"], t["movements"], t["roles"], as_of, cfg, window_start, window_end)
    label = " × ".join(attribute)
    table = result.table.filter(pl.col("attribute") == label)
    sentences = tuple(s for s in result.sentences if f"({label})" in s)
    pipeline = None
    if "evidence" in t:
        start = result.window.start
        pipeline = pipeline_equity(
            t["employees"],
            readiness_at(t, start),
            t["movements"],
            t["roles"],
            as_of,
            attribute[0] if len(attribute) == 1 else attribute,
            cfg,
            window_start,
            window_end,
        )
    return EquityView(
        table,
        result.reference_groups.get(label),
        sentences,
        pipeline,
        result.window.start,
        result.window.end,
        result.overall_rate,
    )


#: Above this many ratings the learning-impact fit takes minutes: it runs only when asked.
AUTO_FIT_MAX_RATINGS = 50_000
#: (version, as_of) pairs whose learning-impact fit is in the cache (shared by all sessions).
_FITTED: set[tuple[str, dt.date]] = set()


@st.cache_data(show_spinner="Fitting the learning-impact model (cross-fitted, 5 folds)…", max_entries=8)
def _learning(version: str, as_of: dt.date):
    from metrics.learning import learning_impact

    return learning_impact(bundle_for(version).tables, as_of, DEFAULT_CONFIG.learning_impact)


def learning(version: str, as_of: dt.date):
    """Learning impact for the whole organisation (``LearningImpactResult``), cached."""
    result = _learning(version, as_of)
    _FITTED.add((version, as_of))
    return result


def learning_available(version: str, as_of: dt.date) -> bool:
    """True when the fit is cached or quick enough to run without asking."""
    performance = bundle_for(version).get("performance")
    small = performance is None or performance.height <= AUTO_FIT_MAX_RATINGS
    return small or (version, as_of) in _FITTED


@st.cache_data(show_spinner="Scoring the asset portfolio…", max_entries=32)
def portfolio(version: str, as_of: dt.date, with_labels: bool = True) -> pl.DataFrame:
    """Asset portfolio with recommendations; cluster labels come from learning impact when
    ``with_labels`` and the source has performance ratings."""
    from metrics.learning import asset_portfolio

    t = bundle_for(version).tables
    effects = learning(version, as_of).effects if ("performance" in t and with_labels) else None
    out = asset_portfolio(t, effects, as_of, DEFAULT_CONFIG.assets, DEFAULT_CONFIG.learning_impact)
    return out.join(t["assets"].select("asset_id", "title", "format", "competency_id"), on="asset_id", how="left")


@st.cache_data(show_spinner=False, max_entries=256)
def recommended_assets(version: str, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    """Assets from predictive clusters that close one person's gaps, not yet completed by them."""
    from metrics.learning import recommend_assets

    t = bundle_for(version).tables
    gaps = person_gaps(version, as_of, employee_id)
    done = (
        t["learning_events"]
        .filter((pl.col("employee_id") == employee_id) & pl.col("verb").is_in(["completed", "passed"]))
        .get_column("asset_id")
        .unique()
        .to_list()
    )
    recs = recommend_assets(gaps, t["assets"], learning(version, as_of).effects, done)
    names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
    return recs.join(names, on="competency_id", how="left").select(
        "asset_id",
        "title",
        "cluster",
        "competency",
        "target_level",
        pl.col("cluster_effect").round(3).alias("cluster effect (rating points per asset)"),
        "critical_gap",
    )


@st.cache_data(show_spinner=False, max_entries=128)
def people_for_role(version: str, filters: Filters, role_id: str, relation: str) -> pl.DataFrame:
    """Employees (within the filters) assessed against ``role_id``: incumbents (relation
    ``current``) or candidates whose next role it is (``next``), most ready first, with reasons."""
    emp = bundle_for(version).get("employees").select("employee_id", "team", "role_id")
    return (
        readiness_view(version, filters)
        .filter((pl.col("relation") == relation) & (pl.col("target_role_id") == role_id))
        .join(emp, on="employee_id", how="left")
        .select("employee_id", "team", "role_id", "readiness", "band", "n_gaps", "n_critical_gaps", "explanation")
        .sort("readiness", descending=True, nulls_last=True)
    )


def band_counts(version: str, filters: Filters) -> pl.DataFrame:
    """Employees per relation (current / next) and readiness band, for the band chart."""
    rows = readiness_view(version, filters)
    return rows.group_by("relation", "band").agg(pl.len().alias("employees")).drop_nulls("band")


def recommendation_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Assets per recommendation of a portfolio frame."""
    return frame.group_by("recommendation").agg(pl.len().alias("assets"))


def effects_with_naive(version: str, as_of: dt.date) -> pl.DataFrame:
    """Learning-impact effects with the naive difference beside each cluster."""
    result = learning(version, as_of)
    return result.effects.join(result.naive.select("cluster", "naive_difference"), on="cluster", how="left")


@st.cache_data(show_spinner=False, max_entries=64)
def active_people(version: str, filters: Filters) -> pl.DataFrame:
    """Active employees within the filters, with their role title, sorted by id (no equity attributes)."""
    t = bundle_for(version).tables
    people = employees_in(version, filters).filter(active_expr(filters.as_of))
    return (
        people.join(t["roles"].select("role_id", "title"), on="role_id", how="left")
        .select("employee_id", "role_id", "title", "team")
        .sort("employee_id")
    )


@st.cache_data(show_spinner=False, max_entries=256)
def person_evidence(version: str, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    """One employee's evidence items dated up to ``as_of``, with the weight each carries."""
    from metrics.proficiency import evidence_weights

    t = bundle_for(version).tables
    items = evidence_weights(t["evidence"].filter(pl.col("employee_id") == employee_id), as_of)
    names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
    return (
        items.join(names, on="competency_id", how="left")
        .select(
            "competency", "evidence_type", "level", "observed_on", "verified", "age_days", pl.col("weight").round(3)
        )
        .sort("competency", "level", "observed_on", descending=[False, True, True])
    )
