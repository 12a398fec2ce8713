"""Tests of the sample organisation generator (``sample_data``).

Two groups: structure checks on a small organisation generated into a temporary
folder, and checks that the planted truths (a)-(d) hold in the committed default
set (``sample_data/default``), recomputed here directly from the CSV files with
the spec's rules (independently of ``metrics/`` and of ``sample_data.checks``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from data_sources.contract import CONTRACT, EVIDENCE_TYPES, TABLE_ORDER, VERBS
from sample_data.__main__ import main
from sample_data.generator import generate

T = dt.date(2026, 9, 30)
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "default"
EQUITY = ["gender", "ethnicity", "age_band", "disability"]


def read_table(folder: Path, table: str) -> pl.DataFrame:
    """Read a generated CSV strictly: every value as text, then parsed with the exact
    formats the contract promises (ISO dates, ``...Z`` timestamps, true/false)."""
    raw = pl.read_csv(folder / f"{table}.csv", infer_schema=False)
    # an optional column with a default may be absent (the committed default set predates learning_events.count)
    absent = [c for c in CONTRACT[table].columns if c.name not in raw.columns and c.default is not None]
    raw = raw.with_columns(pl.lit(str(c.default).lower()).alias(c.name) for c in absent)
    casts = []
    for col in CONTRACT[table].columns:
        if col.quiet_when_absent:  # columns most sources lack (a CASE item's uri...); the sample has none
            continue
        c = pl.col(col.name)
        if col.type == "date":
            c = c.str.to_date("%Y-%m-%d", strict=True)
        elif col.type == "timestamp":
            c = c.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_unit="us", time_zone="UTC", strict=True)
        elif col.type == "bool":
            c = c.replace_strict({"true": True, "false": False}, return_dtype=pl.Boolean)
        elif col.type in ("int", "float"):
            c = c.cast(pl.Int64 if col.type == "int" else pl.Float64, strict=True)
        casts.append(c)
    return raw.with_columns(casts)


def read_all(folder: Path) -> dict[str, pl.DataFrame]:
    return {t: read_table(folder, t) for t in TABLE_ORDER}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict[str, pl.DataFrame]]:
    out = tmp_path_factory.mktemp("org300")
    generate(300, seed=11, out_dir=out)
    return out, read_all(out)


# --------------------------------------------------------------------------- structure


def test_every_table_has_exactly_the_contract_columns(small):
    _, t = small
    for name in TABLE_ORDER:
        core = [c.name for c in CONTRACT[name].columns if not c.quiet_when_absent]
        if name == "employees":  # the sample names its people (optional display_name)
            core.append("display_name")
        expected = core + (EQUITY if name == "employees" else [])
        assert t[name].columns == expected, name
        assert t[name].height > 0, name


def test_keys_are_unique_and_required_values_present(small):
    _, t = small
    for name in TABLE_ORDER:
        table = CONTRACT[name]
        if table.key:
            assert t[name].select(table.key).is_duplicated().sum() == 0, name
        for col in table.required_columns:
            assert t[name][col].null_count() == 0, (name, col)


def test_foreign_keys_resolve(small):
    _, t = small
    for name in TABLE_ORDER:
        for col in CONTRACT[name].columns:
            if col.references is None or col.quiet_when_absent:
                continue
            ref_table, ref_col = col.references.split(".")
            values = t[name][col.name].drop_nulls().unique()
            missing = values.filter(~values.is_in(t[ref_table][ref_col].implode()))
            assert missing.len() == 0, (name, col.name, missing.head(3).to_list())


def test_ladders_are_linked_upwards_with_no_next_role_at_the_top(small):
    _, t = small
    roles = t["roles"]
    assert roles["ladder"].n_unique() >= 6
    per_ladder = roles.group_by("ladder").agg(pl.len(), pl.col("level").max().alias("top"))
    assert per_ladder["len"].is_between(4, 6).all()
    assert (per_ladder["len"] == per_ladder["top"]).all()
    nxt = roles.join(
        roles.select(
            pl.col("role_id").alias("next_role_id"), pl.col("ladder").alias("l2"), pl.col("level").alias("lv2")
        ),
        on="next_role_id",
        how="left",
    )
    linked = nxt.filter(pl.col("next_role_id").is_not_null())
    assert ((linked["l2"] == linked["ladder"]) & (linked["lv2"] == linked["level"] + 1)).all()
    tops = nxt.filter(pl.col("next_role_id").is_null())
    assert tops.height == roles["ladder"].n_unique()
    # about 15% of roles critical: 5 of 34
    assert 0.10 <= roles["critical"].mean() <= 0.20


def test_competencies_requirements_and_catalog_sizes(small):
    _, t = small
    comp = t["competencies"]
    assert 30 <= comp.height <= 50 and comp["category"].n_unique() >= 3
    rr = t["role_requirements"].join(t["roles"], on="role_id")
    per_role = rr.group_by("role_id").agg(pl.len())
    assert per_role["len"].is_between(5, 8).all()
    assert rr["weight"].is_between(1, 3).all() and rr["critical"].any()
    # requirements rise with level: mean required level strictly increases up each ladder
    means = rr.group_by("ladder", "level").agg(pl.col("required_level").mean()).sort("ladder", "level")
    assert (means.with_columns(d=pl.col("required_level").diff().over("ladder"))["d"].drop_nulls() > 0).all()
    assets = t["assets"]
    assert assets.height >= 100 and 10 <= assets["cluster"].n_unique() <= 14
    assert set(assets["format"]) == {"video", "scenario", "quiz", "job_aid", "podcast"}
    assert assets["difficulty"].is_between(1, 5).all()


def test_employees_teams_managers_and_equity_attributes(small):
    _, t = small
    emp = t["employees"].join(t["roles"].select("role_id", "level"), on="role_id")
    assert emp["team"].n_unique() >= 10
    assert emp["exit_date"].null_count() < emp.height  # some exited ...
    assert emp["exit_date"].drop_nulls().is_between(dt.date(2023, 10, 1), T).all()
    assert (emp["exit_date"].drop_nulls() > emp.filter(pl.col("exit_date").is_not_null())["hire_date"]).all()
    mgr = emp.join(
        emp.select(pl.col("employee_id").alias("manager_id"), pl.col("level").alias("mgr_level")), on="manager_id"
    )
    assert mgr.height == emp.height - 1  # everybody but the head has a manager
    assert (mgr["mgr_level"] >= mgr["level"]).all()
    genders = {"Woman", "Man", "Non-binary", "Not disclosed"}
    assert {"Woman", "Man", "Non-binary"} <= set(emp["gender"].drop_nulls()) <= genders
    assert set(emp["age_band"]) <= {"<25", "25-34", "35-44", "45-54", "55+"}
    assert {"No", "Yes"} <= set(emp["disability"].drop_nulls()) <= {"No", "Yes", "Not disclosed"}
    # "Not disclosed" appears both explicitly and as blanks (mostly explicit)
    blanks = sum(emp[a].null_count() for a in EQUITY)
    explicit = sum((emp[a] == "Not disclosed").sum() for a in EQUITY)
    assert 0 < blanks < explicit
    assert 5 <= emp["ethnicity"].drop_nulls().n_unique() <= 6


def test_history_dates_stay_inside_employment_and_before_as_of(small):
    _, t = small
    emp = t["employees"].select("employee_id", "hire_date", "exit_date")
    ev = t["evidence"].join(emp, on="employee_id")
    assert set(ev["evidence_type"]) == set(EVIDENCE_TYPES)
    assert ev["observed_on"].max() == T  # so the app's default as-of is 2026-09-30
    assert (ev["observed_on"] >= ev["hire_date"]).all()
    assert ev.filter(pl.col("observed_on") >= pl.col("exit_date")).height == 0
    le = t["learning_events"].join(emp, on="employee_id").with_columns(d=pl.col("timestamp").dt.date())
    assert set(le["verb"]) == set(VERBS)
    assert le["d"].max() <= T and (le["d"] >= le["hire_date"]).all()
    assert le.filter(pl.col("d") >= pl.col("exit_date")).height == 0
    assert le["score"].drop_nulls().is_between(0, 1).all()
    perf = t["performance"]
    assert set(perf["period_end"].dt.strftime("%m-%d")) == {"06-30", "12-31"}
    assert perf["rating"].is_between(1, 5).all()
    ct = t["capability_targets"]
    assert ct["target_level"].is_between(2, 5).all()
    assert ct["target_headcount"].is_between(1, 12).all()
    assert ct.group_by("team").len()["len"].min() >= 3


def test_role_history_is_consistent_with_movements(small):
    _, t = small
    mv = t["movements"].sort("employee_id", "effective_date")
    assert mv["movement_type"].null_count() > 0
    assert mv["movement_type"].null_count() < mv.height / 4
    chain = mv.with_columns(
        nxt_from=pl.col("from_role_id").shift(-1).over("employee_id"),
        nxt_date=pl.col("effective_date").shift(-1).over("employee_id"),
    )
    inner = chain.filter(pl.col("nxt_from").is_not_null())
    assert (inner["to_role_id"] == inner["nxt_from"]).all()
    assert (inner["nxt_date"] > inner["effective_date"]).all()
    last = chain.filter(pl.col("nxt_from").is_null()).join(
        t["employees"].select("employee_id", "role_id"), on="employee_id"
    )
    assert (last["to_role_id"] == last["role_id"]).all()
    levels = dict(zip(t["roles"]["role_id"], t["roles"]["level"]))
    step = pl.col("to_role_id").replace_strict(levels) - pl.col("from_role_id").replace_strict(levels)
    typed = mv.filter(pl.col("movement_type").is_not_null()).with_columns(up=step)
    expected = {"promotion": {1}, "lateral": {0}, "demotion": {-1}}
    for kind, ups in expected.items():
        assert set(typed.filter(pl.col("movement_type") == kind)["up"]) <= ups, kind


def test_same_seed_same_bytes_and_different_seed_differs(small, tmp_path):
    folder, _ = small
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate(300, seed=11, out_dir=again)
    generate(300, seed=12, out_dir=other)
    for name in list(TABLE_ORDER) + ["truth"]:
        ext = "json" if name == "truth" else "csv"
        assert (folder / f"{name}.{ext}").read_bytes() == (again / f"{name}.{ext}").read_bytes()
    assert (folder / "employees.csv").read_bytes() != (other / "employees.csv").read_bytes()
    assert (folder / "learning_events.csv").read_bytes() != (other / "learning_events.csv").read_bytes()


def test_cli_writes_parquet_and_rejects_a_tiny_org(tmp_path, capsys):
    assert main(["--employees", "60", "--seed", "1", "--out", str(tmp_path), "--format", "parquet"]) == 0
    ev = pl.read_parquet(tmp_path / "learning_events.parquet")
    assert ev.schema == pl.Schema(CONTRACT["learning_events"].schema())
    assert (tmp_path / "truth.json").exists()
    assert main(["--employees", "10", "--out", str(tmp_path / "x")]) == 2
    assert "at least 50" in capsys.readouterr().err


# --------------------------------------------------------------------- planted truths


@pytest.fixture(scope="module")
def default_set() -> tuple[dict[str, pl.DataFrame], dict]:
    if not (DEFAULT_DIR / "truth.json").exists():
        pytest.fail("sample_data/default is missing: run python -m sample_data")
    return read_all(DEFAULT_DIR), json.loads((DEFAULT_DIR / "truth.json").read_text())


def test_default_set_is_the_documented_one(default_set):
    t, truth = default_set
    assert truth["seed"] == 7 and t["employees"].height == 2000
    assert truth["as_of"] == "2026-09-30"
    size = sum(p.stat().st_size for p in DEFAULT_DIR.iterdir())
    assert size < 10 * 1024 * 1024


def _exposures(t: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, list[str]]:
    """Ratings with previous rating and, per cluster, distinct assets completed or
    passed in (period_end - 365 days, period_end]."""
    done = (
        t["learning_events"]
        .filter(pl.col("verb").is_in(["completed", "passed"]))
        .with_columns(d=pl.col("timestamp").dt.date())
        .join(t["assets"].select("asset_id", "cluster"), on="asset_id")
    )
    perf = (
        t["performance"]
        .sort("employee_id", "period_end")
        .with_columns(prev=pl.col("rating").shift(1).over("employee_id"))
    )
    exp = (
        perf.select("employee_id", "period_end")
        .join(done, on="employee_id")
        .filter((pl.col("d") > pl.col("period_end") - pl.duration(days=365)) & (pl.col("d") <= pl.col("period_end")))
        .group_by("employee_id", "period_end", "cluster")
        .agg(n=pl.col("asset_id").n_unique())
        .pivot("cluster", index=["employee_id", "period_end"], values="n")
    )
    clusters = sorted(t["assets"]["cluster"].unique().to_list())
    obs = perf.join(exp, on=["employee_id", "period_end"], how="left").with_columns(pl.col(clusters).fill_null(0))
    return obs, clusters


def test_a_learning_impact_is_recovered_by_controlling_for_previous_rating(default_set):
    t, truth = default_set
    planted = {k: v["theta"] for k, v in truth["learning_impact"]["clusters"].items()}
    assert sum(v > 0 for v in planted.values()) == 3
    assert sum(v < 0 for v in planted.values()) == 1
    obs, clusters = _exposures(t)
    for c in clusters:  # every cluster has well over 30 exposed employees
        assert obs.filter(pl.col(c) > 0)["employee_id"].n_unique() > 300, c
    fit_on = obs.drop_nulls("prev")
    x = sm.add_constant(fit_on.select(["prev"] + clusters).to_numpy().astype(float))
    res = sm.OLS(fit_on["rating"].to_numpy(), x).fit(
        cov_type="cluster",
        cov_kwds={"groups": fit_on["employee_id"].cast(pl.Categorical).to_physical().to_numpy()},
    )
    coef = dict(zip(clusters, res.params[2:]))
    pval = dict(zip(clusters, res.pvalues[2:]))
    for c, theta in planted.items():
        if theta != 0:
            assert np.sign(coef[c]) == np.sign(theta) and pval[c] < 0.001, c
            assert abs(coef[c] - theta) < 0.04, (c, coef[c])
        else:
            assert abs(coef[c]) < 0.03, (c, coef[c])
    # confounding: the naive exposed-vs-unexposed difference is biased upwards for nulls
    naive = {
        c: obs.filter(pl.col(c) > 0)["rating"].mean() - obs.filter(pl.col(c) == 0)["rating"].mean() for c in clusters
    }
    nulls = [c for c, v in planted.items() if v == 0]
    assert min(naive[c] for c in nulls) > 0.1


def test_failed_and_repeated_attempts_exist_but_are_not_exposure(default_set):
    t, _ = default_set
    le = t["learning_events"]
    assert le.filter(pl.col("verb") == "failed").height > 1000
    repeats = (
        le.filter(pl.col("verb").is_in(["completed", "passed"]))
        .group_by("employee_id", "asset_id")
        .len()
        .filter(pl.col("len") > 1)
    )
    assert repeats.height > 100


def test_b_promotion_disparity_on_gender_not_on_age_band(default_set):
    t, truth = default_set
    s = dt.date(2025, 9, 30)
    levels = dict(zip(t["roles"]["role_id"], t["roles"]["level"]))
    mv = t["movements"].filter((pl.col("effective_date") > s) & (pl.col("effective_date") <= T))
    up = pl.col("to_role_id").replace_strict(levels) > pl.col("from_role_id").replace_strict(levels)
    promoted = mv.filter(
        pl.col("movement_type").fill_null(pl.when(up).then(pl.lit("promotion")).otherwise(pl.lit("other")))
        == "promotion"
    )
    elig = (
        t["employees"]
        .filter((pl.col("hire_date") <= s) & (pl.col("exit_date").is_null() | (pl.col("exit_date") > s)))
        .with_columns(
            p=pl.col("employee_id").is_in(promoted["employee_id"].implode()),
            gender=pl.col("gender").fill_null("Not disclosed"),
        )
    )
    assert 0.10 <= elig["p"].mean() <= 0.14
    g = dict(elig.group_by("gender").agg(pl.col("p").mean()).iter_rows())
    assert 0.5 <= g["Woman"] / g["Man"] <= 0.8
    assert g["Man"] == max(g.values())  # men are the reference group
    a = dict(elig.group_by("age_band").agg(pl.col("p").mean()).iter_rows())
    assert min(a.values()) / max(a.values()) >= 0.8
    assert truth["promotion_disparity"]["planted_attribute"] == "gender"
    assert truth["promotion_disparity"]["fair_attribute"] == "age_band"


def _levels(evidence: pl.DataFrame) -> pl.DataFrame:
    """metrics.md section 1 at T, in a few lines."""
    tw = {
        "performance_task": 1.0,
        "rubric_review": 1.0,
        "customer_outcome": 0.9,
        "credential": 0.8,
        "manager_endorsement": 0.7,
        "peer_feedback": 0.5,
        "self_assessment": 0.2,
    }
    w = (
        pl.col("evidence_type").replace_strict(tw)
        * pl.when("verified").then(1.0).otherwise(0.5)
        * 0.5 ** ((pl.lit(T) - pl.col("observed_on")).dt.total_days() / 365)
    )
    sums = (
        evidence.with_columns(w=w)
        .group_by("employee_id", "competency_id")
        .agg([(pl.col("w") * (pl.col("level") >= lv)).sum().alias(str(lv)) for lv in range(1, 6)])
    )
    return sums.select(
        "employee_id",
        "competency_id",
        level=pl.max_horizontal([pl.when(pl.col(str(lv)) >= 1.0).then(lv).otherwise(0) for lv in range(1, 6)]),
    )


def _bands(t, who: pl.DataFrame) -> pl.DataFrame:
    """metrics.md section 2 for (employee_id, target_role_id) pairs."""
    req = t["role_requirements"].rename({"role_id": "target_role_id"})
    att = (
        who.join(req, on="target_role_id")
        .join(_levels(t["evidence"]), on=["employee_id", "competency_id"], how="left")
        .with_columns(pl.col("level").fill_null(0))
        .with_columns(a=pl.min_horizontal(1.0, pl.col("level") / pl.col("required_level")))
    )
    r = att.group_by("employee_id", "target_role_id").agg(
        readiness=(pl.col("a") * pl.col("weight")).sum() / pl.col("weight").sum(),
        crit=(pl.col("critical") & (pl.col("level") < pl.col("required_level"))).sum() == 0,
    )
    return r.with_columns(
        band=pl.when((pl.col("readiness") >= 0.9) & pl.col("crit"))
        .then(pl.lit("ready_now"))
        .when(pl.col("readiness") >= 0.7)
        .then(pl.lit("ready_soon"))
        .otherwise(pl.lit("developing"))
    )


def _active(t) -> pl.DataFrame:
    return t["employees"].filter(pl.col("exit_date").is_null() | (pl.col("exit_date") > T))


def test_c_bench_gap_roles_have_nobody_ready_now_and_others_are_covered(default_set):
    t, truth = default_set
    gap = truth["bench"]["no_ready_successor_roles"]
    roles = t["roles"]
    critical = roles.filter("critical")["role_id"].to_list()
    assert len(gap) >= 2 and set(gap) <= set(critical)
    cand = (
        _active(t)
        .join(roles.select("role_id", "next_role_id"), on="role_id")
        .filter(pl.col("next_role_id").is_in(critical))
        .select("employee_id", target_role_id="next_role_id")
    )
    bands = _bands(t, cand)
    ready_now = dict(bands.group_by("target_role_id").agg((pl.col("band") == "ready_now").sum()).iter_rows())
    for role in gap:
        assert bands.filter(pl.col("target_role_id") == role).height >= 5, role  # candidates exist
        assert ready_now[role] == 0, role
    covered = sum(ready_now.get(r, 0) >= 1 for r in critical)
    assert 0 < covered < len(critical)  # the KPI is neither 0 nor 1


def test_current_role_readiness_bands_are_a_mix(default_set):
    t, _ = default_set
    bands = _bands(t, _active(t).select("employee_id", target_role_id="role_id"))
    share = dict(bands.group_by("band").agg(pl.len() / bands.height).iter_rows())
    assert 0.20 <= share["ready_now"] <= 0.35
    assert 0.25 <= share["ready_soon"] <= 0.40


def test_d_planted_capability_targets_are_high_risk(default_set):
    t, truth = default_set
    planted = truth["capability_risk"]["high_risk_targets"]
    assert len(planted) >= 2
    levels = _levels(t["evidence"]).join(_active(t).select("employee_id", "team"), on="employee_id")
    targets = t["capability_targets"]
    for p in planted:
        row = targets.filter((pl.col("team") == p["team"]) & (pl.col("competency_id") == p["competency_id"]))
        assert row.height == 1 and row["priority"].item() == 1
        supply = levels.filter(
            (pl.col("team") == p["team"])
            & (pl.col("competency_id") == p["competency_id"])
            & (pl.col("level") >= row["target_level"].item())
        ).height
        assert supply == p["supply"]
        assert supply <= row["target_headcount"].item() / 2
