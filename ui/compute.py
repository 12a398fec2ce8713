"""Cached metric results for the pages: every number comes from ``metrics.run.run_metrics``.

This module only decides what is cached (bounded, keyed by the dataset version, the
configuration key, the as-of date and the filters; the bundle itself is an unhashed
``_bundle`` argument) and how the sidebar's team and ladder filters narrow results.
Business rules live in metrics/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from data_sources.bundle import DataBundle
from metrics.access import require_person, scope_frame
from metrics.bench import bench_in_scope, common_gaps, critical_coverage, team_bench
from metrics.common import active_expr
from metrics.equity import EquityResult
from metrics.explain import explain_bench, explain_capability_risk, explain_readiness
from metrics.labels import RECOMMENDATION_LABELS
from metrics.learning import (
    STATE_DONE,
    FitRunner,
    FitStatus,
    LearningImpactResult,
    completed_assets,
    completed_assets_by_employee,
    recommend_assets,
    request_learning_fit,
)
from metrics.proficiency import evidence_weights
from metrics.readiness import readiness_by_role, readiness_gaps
from metrics.run import CORE_FAMILIES, RunResult, run_metrics
from ui.auth import current_scope
from ui.state import Filters, engine_for, settings_for


def with_names(frame: pl.DataFrame, bundle: DataBundle) -> pl.DataFrame:
    """``frame`` with the employees' display names beside their ids, when the source has them
    (person-level frames only: the callers have already scoped them to the viewer)."""
    employees = bundle.tables["employees"]
    if "display_name" not in employees.columns or "employee_id" not in frame.columns or "display_name" in frame.columns:
        return frame
    named = frame.join(employees.select("employee_id", "display_name"), on="employee_id", how="left")
    order = ["employee_id", "display_name", *[c for c in frame.columns if c != "employee_id"]]
    return named.select(order)


def _key(bundle: DataBundle) -> str:
    return f"{bundle.version}:{settings_for(bundle).key}"


# Frozen results holding configuration mappings are kept as resources (not pickled copies).
@st.cache_resource(show_spinner="Computing proficiency, readiness, bench strength and capability risk…", max_entries=8)
def _core(_bundle: DataBundle, key: str, as_of: dt.date) -> RunResult:
    return run_metrics(
        _bundle.tables,
        as_of=as_of,
        config=settings_for(_bundle).config,
        families=CORE_FAMILIES,
        engine=engine_for(_bundle),
    )


def core(bundle: DataBundle, as_of: dt.date) -> RunResult:
    """Sections 1–4 for the whole organisation (``RunResult`` with proficiency, readiness, bench, risk)."""
    if "evidence" not in bundle.tables:
        raise LookupError("evidence")
    return _core(bundle, _key(bundle), as_of)


def employees_in(bundle: DataBundle, filters: Filters) -> pl.DataFrame:
    """Employees matching the team and ladder filters (ladder of their current role)."""
    t = bundle.tables
    emp = t["employees"].join(t["roles"].select("role_id", "ladder"), on="role_id", how="left")
    if filters.teams:
        emp = emp.filter(pl.col("team").is_in(list(filters.teams)))
    if filters.ladders:
        emp = emp.filter(pl.col("ladder").is_in(list(filters.ladders)))
    return emp


@st.cache_data(show_spinner=False, max_entries=32)
def _readiness_view(_bundle: DataBundle, key: str, filters: Filters) -> pl.DataFrame:
    t = _bundle.tables
    c = core(_bundle, filters.as_of)
    ids = employees_in(_bundle, filters).get_column("employee_id")
    assert c.readiness is not None and c.proficiency is not None
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
    return explain_readiness(rows, gaps, t["roles"], t["competencies"], c.config.readiness)


def readiness_view(bundle: DataBundle, filters: Filters) -> pl.DataFrame:
    """Readiness rows of the filtered employees the viewer may see, with their plain-words explanation."""
    rows = scope_frame(_readiness_view(bundle, _key(bundle), filters), current_scope(bundle, filters.as_of))
    return with_names(rows, bundle)


@st.cache_data(show_spinner=False, max_entries=32)
def _role_summary(_bundle: DataBundle, key: str, filters: Filters) -> pl.DataFrame:
    t = _bundle.tables
    rows = _readiness_view(_bundle, key, filters).drop("explanation")
    by_role = readiness_by_role(t["roles"], rows)
    roles = t["roles"].select("role_id", "title", "ladder", "level", "critical")
    if filters.ladders:
        roles = roles.filter(pl.col("ladder").is_in(list(filters.ladders)))
    return roles.join(by_role, on="role_id", how="left").sort("ladder", "level")


def role_summary(bundle: DataBundle, filters: Filters) -> pl.DataFrame:
    """Readiness by role for the filtered employees, with titles."""
    return _role_summary(bundle, _key(bundle), filters)


@st.cache_data(show_spinner=False, max_entries=32)
def _bench_view(
    _bundle: DataBundle, key: str, filters: Filters
) -> tuple[pl.DataFrame, pl.DataFrame, float | None, float | None]:
    t = _bundle.tables
    c = core(_bundle, filters.as_of)
    assert c.bench is not None
    bench = explain_bench(c.bench, t["roles"]).join(
        t["roles"].select("role_id", "title", "ladder"), on="role_id", how="left"
    )
    teams = team_bench(t["employees"], c.bench, filters.as_of)
    org_kpi = critical_coverage(c.bench)
    bench = bench_in_scope(bench, t["employees"], t["roles"], filters.as_of, filters.teams, filters.ladders)
    scoped = c.bench.filter(pl.col("role_id").is_in(bench.get_column("role_id").implode()))
    scope_kpi = critical_coverage(scoped)
    if filters.teams:
        teams = teams.filter(pl.col("team").is_in(list(filters.teams)))
    return bench, teams, org_kpi, scope_kpi


def bench_view(bundle: DataBundle, filters: Filters) -> tuple[pl.DataFrame, pl.DataFrame, float | None, float | None]:
    """Bench per role (explained) within the filters, the per-team roll-up, and critical-role
    coverage for the whole organisation and for the roles in scope (``metrics.bench.bench_in_scope``)."""
    return _bench_view(bundle, _key(bundle), filters)


@st.cache_data(show_spinner=False, max_entries=32)
def _risk_view(_bundle: DataBundle, key: str, filters: Filters) -> pl.DataFrame:
    t = _bundle.tables
    c = core(_bundle, filters.as_of)
    risk = c.capability_risk
    assert risk is not None
    if filters.teams:
        risk = risk.filter(pl.col("team").is_in(list(filters.teams)))
    out = explain_capability_risk(risk, t["competencies"])
    return out.join(t["competencies"].select("competency_id", "name", "category"), on="competency_id", how="left")


def risk_view(bundle: DataBundle, filters: Filters) -> pl.DataFrame:
    """Capability risk per team × competency (explained), for the chosen teams."""
    return _risk_view(bundle, _key(bundle), filters)


def _named_gaps(_bundle: DataBundle, as_of: dt.date, employee_ids: list[str]) -> pl.DataFrame:
    t = _bundle.tables
    c = core(_bundle, as_of)
    assert c.proficiency is not None
    gaps = readiness_gaps(
        t["employees"], t["roles"], t["role_requirements"], c.proficiency, as_of, employee_ids=employee_ids
    )
    return gaps.join(t["competencies"].select("competency_id", "name"), on="competency_id", how="left").join(
        t["roles"].select(pl.col("role_id").alias("target_role_id"), pl.col("title").alias("target_title")),
        on="target_role_id",
        how="left",
    )


@st.cache_data(show_spinner=False, max_entries=128)
def _person_gaps(_bundle: DataBundle, key: str, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    return _named_gaps(_bundle, as_of, [employee_id])


def person_gaps(bundle: DataBundle, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    """Every requirement of one employee's current and next role, with their level (``AccessDenied``
    when the viewer may not see this employee)."""
    require_person(current_scope(bundle, as_of), employee_id)
    return _person_gaps(bundle, _key(bundle), as_of, employee_id)


@dataclass(frozen=True)
class EquityView:
    """One attribute (or pair) over one window: the protected table, reference and why, ranked
    findings, suppression labels, and the pipeline."""

    table: pl.DataFrame
    reference: str | None
    reference_reason: str
    sentences: tuple[str, ...]
    findings: tuple
    suppression: pl.DataFrame
    pipeline: pl.DataFrame | None
    window_start: dt.date
    window_end: dt.date
    overall_rate: float | None


@st.cache_resource(show_spinner="Computing promotion equity…", max_entries=32)
def _equity_view(
    _bundle: DataBundle, key: str, as_of: dt.date, attribute: tuple[str, ...], months: int, reference: str | None
) -> EquityView:
    base = settings_for(_bundle).config
    config = dataclasses.replace(
        base,
        equity=dataclasses.replace(
            base.equity, attributes=attribute, intersections=len(attribute) > 1, window_months=months
        ),
    )
    run = run_metrics(_bundle.tables, as_of=as_of, config=config, families=("equity",))
    result = run.equity
    assert isinstance(result, EquityResult)
    label = " × ".join(attribute)
    view = result.attribute(label)
    if reference is not None and reference != view.reference_group:
        view = view.with_reference(reference)
    pipeline = None
    if run.pipeline_equity is not None:
        pipeline = run.pipeline_equity.filter(pl.col("attribute") == label).drop("attribute")
    return EquityView(
        view.table,
        view.reference_group,
        view.reference_reason,
        view.sentences,
        view.findings,
        view.suppression,
        pipeline,
        result.window.start,
        result.window.end,
        result.overall_rate,
    )


def equity_view(
    bundle: DataBundle,
    as_of: dt.date,
    attribute: tuple[str, ...],
    months: int | None = None,
    reference: str | None = None,
) -> EquityView:
    """Equity for the whole organisation over ``months`` to ``as_of`` (default: the configured window),
    compared with ``reference`` when the user chose one (default: the rule's reference).

    Filters are not applied: comparing a filtered and an unfiltered view could reveal small groups."""
    window = months or settings_for(bundle).config.equity.window_months
    return _equity_view(bundle, _key(bundle), as_of, attribute, window, reference)


@st.cache_resource(show_spinner=False)
def fit_runner() -> FitRunner:
    """The server's one background runner of learning-impact fits (shared by every session)."""
    return FitRunner(workers=1, max_queued=4)


def learning_status(bundle: DataBundle, as_of: dt.date) -> FitStatus:
    """The learning-impact fit for this bundle, as-of date and configuration: the stored or finished
    result when there is one, otherwise a fit started in the background. Never waits for a fit."""
    config = settings_for(bundle).config.learning_impact
    return request_learning_fit(fit_runner(), bundle.version, as_of, lambda: bundle.tables, config)


def learning(bundle: DataBundle, as_of: dt.date) -> LearningImpactResult:
    """The finished learning-impact result (call after ``learning_status`` says it is done)."""
    status = learning_status(bundle, as_of)
    if status.state != STATE_DONE or not isinstance(status.result, LearningImpactResult):
        raise LookupError(ERR_NOT_FITTED)
    return status.result


def learning_available(bundle: DataBundle, as_of: dt.date) -> bool:
    """True when the learning-impact result is ready (stored or fitted); starts the fit otherwise."""
    return learning_status(bundle, as_of).state == STATE_DONE


ERR_NOT_FITTED = "The learning-impact fit for this as-of date has not finished yet."


@st.cache_data(show_spinner="Scoring the asset portfolio…", max_entries=16)
def _portfolio(_bundle: DataBundle, key: str, as_of: dt.date, with_labels: bool) -> pl.DataFrame:
    t = _bundle.tables
    fitted = learning(_bundle, as_of) if ("performance" in t and with_labels) else None
    run = run_metrics(t, as_of=as_of, config=settings_for(_bundle).config, families=("assets",), learning=fitted)
    assert run.assets is not None
    return run.assets.join(
        t["assets"].select("asset_id", "title", "format", "competency_id"), on="asset_id", how="left"
    )


def portfolio(bundle: DataBundle, as_of: dt.date, with_labels: bool = True) -> pl.DataFrame:
    """Asset portfolio with recommendations; cluster labels come from learning impact when
    ``with_labels`` and the source has performance ratings."""
    return _portfolio(bundle, _key(bundle), as_of, with_labels)


@st.cache_data(show_spinner=False, max_entries=128)
def _recommended_assets(_bundle: DataBundle, key: str, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    t = _bundle.tables
    gaps = _person_gaps(_bundle, key, as_of, employee_id)
    done = completed_assets(t["learning_events"], employee_id)
    return _lessons(_bundle, gaps, done, learning(_bundle, as_of).effects)


def _lessons(_bundle: DataBundle, gaps: pl.DataFrame, done: list[str], effects: pl.DataFrame) -> pl.DataFrame:
    t = _bundle.tables
    recs = recommend_assets(gaps, t["assets"], effects, done)
    names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
    return recs.join(names, on="competency_id", how="left").select(
        "asset_id",
        "title",
        "cluster",
        "competency",
        "target_level",
        pl.col("cluster_effect").round(3).alias("cluster effect (rating points per asset)"),
        "critical_gap",
        pl.when(pl.col("effect_established"))
        .then(pl.lit("predicts performance"))
        .otherwise(pl.lit("aligned to the gap; effect not established"))
        .alias("basis"),
    )


def recommended_assets(bundle: DataBundle, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    """Assets from predictive clusters that close one person's gaps, not yet completed by them."""
    require_person(current_scope(bundle, as_of), employee_id)
    return _recommended_assets(bundle, _key(bundle), as_of, employee_id)


@dataclass(frozen=True)
class TeamCoaching:
    """Gaps and next micro-lessons of several people, computed together (the My team page).

    ``gaps`` holds every person's rows (``employee_id`` first), as ``person_gaps`` gives them one
    person at a time; ``lessons`` maps each person to what ``recommended_assets`` gives (empty when
    lessons were not asked for)."""

    gaps: pl.DataFrame
    lessons: dict[str, pl.DataFrame]

    def gaps_of(self, employee_id: str) -> pl.DataFrame:
        """One person's rows of ``gaps``."""
        return self.gaps.filter(pl.col("employee_id") == employee_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _team_coaching(
    _bundle: DataBundle, key: str, as_of: dt.date, employee_ids: tuple[str, ...], with_lessons: bool
) -> TeamCoaching:
    gaps = _named_gaps(_bundle, as_of, list(employee_ids))
    lessons: dict[str, pl.DataFrame] = {}
    if with_lessons:
        done = completed_assets_by_employee(_bundle.tables["learning_events"], employee_ids)
        effects = learning(_bundle, as_of).effects
        for employee_id in employee_ids:
            own = gaps.filter(pl.col("employee_id") == employee_id)
            lessons[employee_id] = _lessons(_bundle, own, done[employee_id], effects)
    return TeamCoaching(gaps=gaps, lessons=lessons)


def team_coaching(
    bundle: DataBundle, as_of: dt.date, employee_ids: tuple[str, ...], with_lessons: bool
) -> TeamCoaching:
    """``person_gaps`` and (with ``with_lessons``) ``recommended_assets`` for several people at once:
    one pass over requirements and learning events instead of one per person. ``AccessDenied`` when
    the viewer may not see one of them."""
    scope = current_scope(bundle, as_of)
    for employee_id in employee_ids:
        require_person(scope, employee_id)
    return _team_coaching(bundle, _key(bundle), as_of, employee_ids, with_lessons)


@st.cache_data(show_spinner=False, max_entries=64)
def _people_for_role(_bundle: DataBundle, key: str, filters: Filters, role_id: str, relation: str) -> pl.DataFrame:
    emp = _bundle.tables["employees"].select("employee_id", "team", "role_id")
    return (
        _readiness_view(_bundle, key, filters)
        .filter((pl.col("relation") == relation) & (pl.col("target_role_id") == role_id))
        .join(emp, on="employee_id", how="left")
        .select("employee_id", "team", "role_id", "readiness", "band", "n_gaps", "n_critical_gaps", "explanation")
        .sort("readiness", descending=True, nulls_last=True)
    )


def people_for_role(bundle: DataBundle, filters: Filters, role_id: str, relation: str) -> pl.DataFrame:
    """Employees (within the filters) assessed against ``role_id``: incumbents (relation
    ``current``) or candidates whose next role it is (``next``), most ready first, with reasons;
    only the people the viewer may see."""
    rows = scope_frame(
        _people_for_role(bundle, _key(bundle), filters, role_id, relation), current_scope(bundle, filters.as_of)
    )
    return with_names(rows, bundle)


@dataclass(frozen=True)
class ReadinessSummary:
    """Aggregates of readiness for one's own role within the filters (safe for every role)."""

    active: int
    mean_readiness: float | None
    share_ready_now: float | None


def readiness_summary(bundle: DataBundle, filters: Filters) -> ReadinessSummary:
    """Active employees, mean readiness for their own role and the share ready now, within the filters."""
    current = _readiness_view(bundle, _key(bundle), filters).filter(pl.col("relation") == "current")
    mean = current.get_column("readiness").mean()
    share = (current.get_column("band") == "ready_now").mean() if current.height else None
    return ReadinessSummary(
        current.height,
        None if mean is None else float(mean),  # type: ignore[arg-type]
        None if share is None else float(share),  # type: ignore[arg-type]
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _common_gaps(_bundle: DataBundle, key: str, as_of: dt.date) -> pl.DataFrame:
    t = _bundle.tables
    c = core(_bundle, as_of)
    assert c.proficiency is not None
    gaps = readiness_gaps(t["employees"], t["roles"], t["role_requirements"], c.proficiency, as_of)
    names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
    return common_gaps(gaps).join(names, on="competency_id", how="left")


def common_gap_view(bundle: DataBundle, as_of: dt.date) -> pl.DataFrame:
    """For each role, the competency most of its candidates fall short of (an aggregate)."""
    return _common_gaps(bundle, _key(bundle), as_of)


def band_counts(bundle: DataBundle, filters: Filters) -> pl.DataFrame:
    """Employees per relation (current / next) and readiness band, for the band chart (an aggregate)."""
    rows = _readiness_view(bundle, _key(bundle), filters)
    return rows.group_by("relation", "band").agg(pl.len().alias("employees")).drop_nulls("band")


def recommendation_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Assets per recommendation of a portfolio frame, every recommendation listed (zero included)."""
    counts = frame.group_by("recommendation").agg(pl.len().cast(pl.Int64).alias("assets"))
    every = pl.DataFrame({"recommendation": list(RECOMMENDATION_LABELS)})
    return every.join(counts, on="recommendation", how="left").with_columns(pl.col("assets").fill_null(0))


def effects_with_naive(bundle: DataBundle, as_of: dt.date) -> pl.DataFrame:
    """Learning-impact effects with the naive difference beside each cluster."""
    result = learning(bundle, as_of)
    return result.effects.join(result.naive.select("cluster", "naive_difference"), on="cluster", how="left")


@st.cache_data(show_spinner=False, max_entries=32)
def _active_people(_bundle: DataBundle, key: str, filters: Filters) -> pl.DataFrame:
    t = _bundle.tables
    people = employees_in(_bundle, filters).filter(active_expr(filters.as_of))
    return (
        people.join(t["roles"].select("role_id", "title"), on="role_id", how="left")
        .select("employee_id", "role_id", "title", "team")
        .sort("employee_id")
    )


def active_people(bundle: DataBundle, filters: Filters) -> pl.DataFrame:
    """Active employees within the filters whom the viewer may see, with their role title, sorted by id
    (no equity attributes)."""
    rows = scope_frame(_active_people(bundle, _key(bundle), filters), current_scope(bundle, filters.as_of))
    return with_names(rows, bundle)


@st.cache_data(show_spinner=False, max_entries=128)
def _person_evidence(_bundle: DataBundle, key: str, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    t = _bundle.tables
    items = evidence_weights(
        t["evidence"].filter(pl.col("employee_id") == employee_id), as_of, settings_for(_bundle).config.proficiency
    )
    names = t["competencies"].select("competency_id", pl.col("name").alias("competency"))
    return (
        items.join(names, on="competency_id", how="left")
        .select(
            "competency", "evidence_type", "level", "observed_on", "verified", "age_days", pl.col("weight").round(3)
        )
        .sort("competency", "level", "observed_on", descending=[False, True, True])
    )


def person_evidence(bundle: DataBundle, as_of: dt.date, employee_id: str) -> pl.DataFrame:
    """One employee's evidence items dated up to ``as_of``, with the weight each carries."""
    require_person(current_scope(bundle, as_of), employee_id)
    return _person_evidence(bundle, _key(bundle), as_of, employee_id)
