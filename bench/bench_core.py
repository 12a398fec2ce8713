"""Speed and memory of the core metrics (proficiency, readiness, bench, capability risk)
on a 100,000-employee organisation.

Usage::

    .venv/bin/python bench/bench_core.py                 # generate or reuse the data, run, update RESULTS.md
    .venv/bin/python bench/bench_core.py --synthetic     # force the built-in synthetic organisation

Data: ``bench/data/org100k`` (parquet, one file per table) is reused when present;
otherwise it is generated with ``python -m sample_data --employees 100000 --seed 7
--out bench/data/org100k --format parquet`` when that CLI exists, else a synthetic
organisation of the same size (about 15 evidence items per employee) is written to
``bench/data/synthetic100k``.

Each family runs in its own subprocess (reading its inputs from parquet written by
the previous stage) so that its peak resident memory (``ru_maxrss`` of the child)
and wall time are its own; a last subprocess runs the whole chain end to end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

BENCH_DIR = ROOT / "bench"
RESULTS = BENCH_DIR / "RESULTS.md"
SAMPLE_DIR = BENCH_DIR / "data" / "org100k"
SYNTHETIC_DIR = BENCH_DIR / "data" / "synthetic100k"
STAGES = ("proficiency", "readiness", "bench", "capability_risk")
TABLES = ("employees", "roles", "competencies", "role_requirements", "evidence", "capability_targets")
SECTION_START = "<!-- bench_core:start -->"
SECTION_END = "<!-- bench_core:end -->"
SYNTHETIC_AS_OF = dt.date(2026, 9, 30)

ERR_NO_TABLE = "No parquet file for table '{table}' in {folder}."
ERR_STAGE_FAILED = "Stage '{stage}' failed (exit {code}):\n{stderr}"


# ---------------------------------------------------------------- data


def synthetic_org(n_employees: int, seed: int, evidence_per_employee: int = 15) -> dict[str, pl.DataFrame]:
    """A synthetic organisation shaped like the contract (vectorised numpy, no row loops).

    8 ladders × 5 levels of roles (top two levels critical), 64 competencies, 6
    requirements per role, 200 teams, ~10 % leavers, ``evidence_per_employee``
    items per employee on their current and next role's competencies, and 5
    capability targets per team.
    """
    rng = np.random.default_rng(seed)
    n_ladders, n_levels, per_ladder = 8, 5, 8
    role_ids = [f"R{l}_{v}" for l in range(n_ladders) for v in range(1, n_levels + 1)]
    roles = pl.DataFrame(
        {
            "role_id": role_ids,
            "title": [f"Ladder {l} level {v}" for l in range(n_ladders) for v in range(1, n_levels + 1)],
            "ladder": [f"L{l}" for l in range(n_ladders) for _ in range(n_levels)],
            "level": [v for _ in range(n_ladders) for v in range(1, n_levels + 1)],
            "next_role_id": [
                f"R{l}_{v + 1}" if v < n_levels else None for l in range(n_ladders) for v in range(1, n_levels + 1)
            ],
            "critical": [v >= n_levels - 1 for _ in range(n_ladders) for v in range(1, n_levels + 1)],
        }
    )
    comp_ids = [f"C{i:02d}" for i in range(n_ladders * per_ladder)]
    competencies = pl.DataFrame(
        {
            "competency_id": comp_ids,
            "name": [f"Competency {c}" for c in comp_ids],
            "category": ["technical"] * len(comp_ids),
        }
    )
    req_rows = {"role_id": [], "competency_id": [], "required_level": [], "weight": [], "critical": []}
    for l in range(n_ladders):  # a handful of roles, not rows of data
        pool = np.array(comp_ids[l * per_ladder : (l + 1) * per_ladder])
        for v in range(1, n_levels + 1):
            chosen = rng.choice(pool, 6, replace=False)
            req_rows["role_id"] += [f"R{l}_{v}"] * 6
            req_rows["competency_id"] += chosen.tolist()
            req_rows["required_level"] += np.minimum(5, v + rng.integers(0, 2, 6)).tolist()
            req_rows["weight"] += rng.choice([1.0, 1.5, 2.0], 6).tolist()
            req_rows["critical"] += (rng.random(6) < 0.25).tolist()
    role_requirements = pl.DataFrame(req_rows)

    level_p = np.array([0.35, 0.28, 0.2, 0.12, 0.05])
    emp_ladder = rng.integers(0, n_ladders, n_employees)
    emp_level = rng.choice(np.arange(1, n_levels + 1), n_employees, p=level_p)
    emp_role = np.char.add(np.char.add("R", emp_ladder.astype(str)), np.char.add("_", emp_level.astype(str)))
    hire_days = rng.integers(30, 3650, n_employees)
    leaver = rng.random(n_employees) < 0.10
    exit_days = np.where(leaver, rng.integers(0, 700, n_employees), -1)
    employee_ids = np.char.add("E", np.arange(n_employees).astype(str))
    t = pl.lit(SYNTHETIC_AS_OF)
    employees = pl.DataFrame(
        {
            "employee_id": employee_ids,
            "role_id": emp_role,
            "team": np.char.add("Team ", rng.integers(0, 200, n_employees).astype(str)),
            "_hire_days": hire_days,
            "_exit_days": exit_days,
        }
    ).select(
        "employee_id",
        "role_id",
        "team",
        pl.lit(None, pl.String).alias("manager_id"),
        (t - pl.duration(days=pl.col("_hire_days"))).alias("hire_date"),
        pl.when(pl.col("_exit_days") >= 0).then(t - pl.duration(days=pl.col("_exit_days"))).alias("exit_date"),
        pl.lit(None, pl.String).alias("location"),
    )

    # evidence: each item picks a competency of the employee's ladder pool
    n_ev = n_employees * evidence_per_employee
    owner = np.repeat(np.arange(n_employees), evidence_per_employee)
    comp_idx = emp_ladder[owner] * per_ladder + rng.integers(0, per_ladder, n_ev)
    ev_level = np.clip(emp_level[owner] + rng.integers(-1, 2, n_ev), 1, 5)
    types = np.array(
        [
            "performance_task",
            "rubric_review",
            "customer_outcome",
            "credential",
            "manager_endorsement",
            "peer_feedback",
            "self_assessment",
        ]
    )
    ev_type = rng.choice(types, n_ev, p=[0.24, 0.16, 0.10, 0.08, 0.20, 0.14, 0.08])
    evidence = pl.DataFrame(
        {
            "evidence_id": np.char.add("V", np.arange(n_ev).astype(str)),
            "employee_id": employee_ids[owner],
            "competency_id": np.array(comp_ids)[comp_idx],
            "evidence_type": ev_type,
            "level": ev_level.astype(np.int64),
            "_age": rng.integers(0, 1095, n_ev),
            "verified": rng.random(n_ev) < 0.6,
            "source": pl.Series([None] * n_ev, dtype=pl.String),
        }
    ).with_columns(observed_on=pl.lit(SYNTHETIC_AS_OF) - pl.duration(days=pl.col("_age")))
    evidence = evidence.select(
        "evidence_id", "employee_id", "competency_id", "evidence_type", "level", "observed_on", "verified", "source"
    )
    teams = employees["team"].unique().sort()
    n_t = teams.len() * 5
    capability_targets = pl.DataFrame(
        {
            "team": np.repeat(teams.to_numpy(), 5),
            "competency_id": rng.choice(np.array(comp_ids), n_t),
            "target_level": rng.integers(2, 5, n_t),
            "target_headcount": rng.integers(1, 30, n_t),
            "priority": rng.integers(1, 4, n_t),
        }
    ).unique(["team", "competency_id"])
    return {
        "employees": employees,
        "roles": roles,
        "competencies": competencies,
        "role_requirements": role_requirements,
        "evidence": evidence,
        "capability_targets": capability_targets,
    }


def find_table(folder: Path, table: str) -> Path:
    """The parquet file of ``table`` in ``folder`` (``table.parquet`` or ``*table*.parquet``)."""
    exact = folder / f"{table}.parquet"
    if exact.exists():
        return exact
    matches = sorted(folder.rglob(f"*{table}*.parquet"))
    if matches:
        return matches[0]
    raise FileNotFoundError(ERR_NO_TABLE.format(table=table, folder=folder))


def has_tables(folder: Path) -> bool:
    try:
        for table in TABLES:
            find_table(folder, table)
    except FileNotFoundError:
        return False
    return True


def ensure_data(n_employees: int, seed: int, force_synthetic: bool) -> tuple[Path, str]:
    """Folder of parquet tables to benchmark and a description of where it came from."""
    if not force_synthetic:
        if has_tables(SAMPLE_DIR):
            return SAMPLE_DIR, f"sample_data organisation reused from {SAMPLE_DIR.relative_to(ROOT)}"
        if (ROOT / "sample_data" / "__main__.py").exists():
            args = [
                "-m",
                "sample_data",
                "--employees",
                str(n_employees),
                "--seed",
                str(seed),
                "--out",
                str(SAMPLE_DIR.relative_to(ROOT)),
                "--format",
                "parquet",
                "--completions-per-quarter",
                "3.6",
            ]
            done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
            if done.returncode == 0 and has_tables(SAMPLE_DIR):
                return SAMPLE_DIR, "generated by `python " + " ".join(args) + "`"
            print(
                f"sample_data CLI did not produce the tables (exit {done.returncode}); "
                f"falling back to the synthetic organisation.\n{done.stderr[-2000:]}",
                file=sys.stderr,
            )
    if not has_tables(SYNTHETIC_DIR):
        SYNTHETIC_DIR.mkdir(parents=True, exist_ok=True)
        for name, frame in synthetic_org(n_employees, seed).items():
            frame.write_parquet(SYNTHETIC_DIR / f"{name}.parquet")
    return SYNTHETIC_DIR, f"synthetic organisation in {SYNTHETIC_DIR.relative_to(ROOT)} (bench_core.synthetic_org)"


# ---------------------------------------------------------------- stages (run in a child process)


def _as_of(folder: Path) -> dt.date:
    from metrics.common import default_as_of

    evidence = pl.read_parquet(find_table(folder, "evidence"), columns=["observed_on"])
    return default_as_of({"evidence": evidence})


def run_stage(stage: str, folder: Path, work: Path) -> dict:
    """Run one stage; returns seconds, rows and peak RSS of this process (MiB)."""
    from metrics.bench import bench_strength, critical_coverage, team_bench
    from metrics.capability_risk import capability_risk
    from metrics.proficiency import proficiency
    from metrics.readiness import readiness, readiness_by_role

    as_of = _as_of(folder)

    def table(name: str) -> pl.DataFrame:
        return pl.read_parquet(find_table(folder, name))

    if stage == "proficiency":
        inputs = {"evidence": pl.scan_parquet(find_table(folder, "evidence"))}
    elif stage == "readiness":
        inputs = {n: table(n) for n in ("employees", "roles", "role_requirements")}
        inputs["proficiency"] = pl.read_parquet(work / "proficiency.parquet")
    elif stage == "bench":
        inputs = {n: table(n) for n in ("employees", "roles")}
        inputs["readiness"] = pl.read_parquet(work / "readiness.parquet")
    elif stage == "capability_risk":
        inputs = {n: table(n) for n in ("employees", "capability_targets")}
        inputs["proficiency"] = pl.read_parquet(work / "proficiency.parquet")
    else:  # total: the whole chain from the raw tables
        inputs = {n: table(n) for n in TABLES if n != "evidence"}
        inputs["evidence"] = pl.scan_parquet(find_table(folder, "evidence"))
    rss_before = _rss_mib()
    start = time.perf_counter()
    if stage == "proficiency":
        out = proficiency(inputs["evidence"], as_of)
        out.write_parquet(work / "proficiency.parquet")
    elif stage == "readiness":
        out = readiness(inputs["employees"], inputs["roles"], inputs["role_requirements"], inputs["proficiency"], as_of)
        readiness_by_role(inputs["roles"], out)
        out.write_parquet(work / "readiness.parquet")
    elif stage == "bench":
        out = bench_strength(inputs["employees"], inputs["roles"], inputs["readiness"], as_of)
        critical_coverage(out)
        team_bench(inputs["employees"], out, as_of)
    elif stage == "capability_risk":
        out = capability_risk(inputs["employees"], inputs["capability_targets"], inputs["proficiency"], as_of)
    else:
        prof = proficiency(inputs["evidence"], as_of)
        rd = readiness(inputs["employees"], inputs["roles"], inputs["role_requirements"], prof, as_of)
        readiness_by_role(inputs["roles"], rd)
        bench = bench_strength(inputs["employees"], inputs["roles"], rd, as_of)
        critical_coverage(bench)
        team_bench(inputs["employees"], bench, as_of)
        out = capability_risk(inputs["employees"], inputs["capability_targets"], prof, as_of)
    seconds = time.perf_counter() - start
    return {
        "stage": stage,
        "seconds": seconds,
        "rows": out.height,
        "rss_inputs_mib": rss_before,
        "peak_rss_mib": _peak_rss_mib(),
        "as_of": as_of.isoformat(),
    }


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


def _rss_mib() -> float:
    """Current resident memory of this process (MiB)."""
    value = _status_mib("VmRSS")
    return value if value is not None else _peak_rss_mib()


def _peak_rss_mib() -> float:
    """Peak resident memory of this process (MiB): VmHWM, which starts afresh at exec
    (``ru_maxrss`` would carry over the parent's peak at fork); ru_maxrss elsewhere."""
    value = _status_mib("VmHWM")
    if value is not None:
        return value
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ---------------------------------------------------------------- driver


def _child(stage: str, folder: Path, work: Path) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stage",
        stage,
        "--data-dir",
        str(folder),
        "--work-dir",
        str(work),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(ERR_STAGE_FAILED.format(stage=stage, code=done.returncode, stderr=done.stderr))
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    mem_kib = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{mem_kib / 1024**2:.1f} GiB RAM, {platform.platform()}, Python {platform.python_version()}, "
        f"polars {pl.__version__}"
    )


def sizes(folder: Path) -> str:
    counts = {t: pl.scan_parquet(find_table(folder, t)).select(pl.len()).collect().item() for t in TABLES}
    return ", ".join(f"{t} {n:,}" for t, n in counts.items())


def render(results: list[dict], folder_note: str, size_note: str) -> str:
    lines = [
        SECTION_START,
        "## Core metrics (bench/bench_core.py)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Data: {folder_note}; {size_note}; as of {results[0]['as_of']}.",
        "",
        "Each stage runs in its own process; *RSS after inputs* is that process's resident memory",
        "once its inputs are read (Python, polars and the input frames), *peak RSS* its peak",
        "resident memory (VmHWM) over the whole stage, inputs included.",
        "",
        f"Each stage ran {results[0]['repeat']} times (fresh process each time); seconds are the",
        "best and the median wall time of the metric functions alone, memory the largest of the runs.",
        "",
        "| stage | best (s) | median (s) | output rows | RSS after inputs (MiB) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['stage']} | {r['best']:.2f} | {r['median']:.2f} | {r['rows']:,} | "
            f"{r['rss_inputs_mib']:.0f} | {r['peak_rss_mib']:.0f} |"
        )
    lines += ["", "`total` runs all four families end to end from the raw tables in one process.", SECTION_END]
    return "\n".join(lines)


def update_results(section: str) -> None:
    """Replace this script's section of RESULTS.md (or append it), keeping the rest."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic", action="store_true", help="use the built-in synthetic organisation")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage (default 3)")
    parser.add_argument("--stage", choices=(*STAGES, "total"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.data_dir, args.work_dir)))
        return
    folder, note = ensure_data(args.employees, args.seed, args.synthetic)
    work = BENCH_DIR / "data" / "work_core"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for stage in (*STAGES, "total"):
        runs = [_child(stage, folder, work) for _ in range(args.repeat)]
        seconds = sorted(r["seconds"] for r in runs)
        r = {
            **runs[0],
            "best": seconds[0],
            "median": seconds[len(seconds) // 2],
            "rss_inputs_mib": max(x["rss_inputs_mib"] for x in runs),
            "peak_rss_mib": max(x["peak_rss_mib"] for x in runs),
            "repeat": args.repeat,
        }
        results.append(r)
        print(
            f"{stage:>16}: best {r['best']:6.2f} s  median {r['median']:6.2f} s  rows {r['rows']:>9,}  "
            f"RSS after inputs {r['rss_inputs_mib']:5.0f} MiB  peak {r['peak_rss_mib']:5.0f} MiB"
        )
    size_note = sizes(folder)
    print(size_note)
    section = render(results, note, size_note)
    if not args.no_write:
        update_results(section)
        print(f"updated {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
