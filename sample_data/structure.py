"""The fixed organisation design of the sample: ladders, roles, competencies,
role requirements, teams and the microlearning catalog.

Everything here is deterministic (no randomness) except the asset catalog,
which takes a numpy ``Generator``.

Example
-------
>>> roles = build_roles()
>>> roles.filter(pl.col("next_role_id").is_null()).height == len(LADDERS)
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_sources.contract import CONTRACT, POLARS_TYPES


@dataclass(frozen=True)
class Ladder:
    """One job family: its code, name, level titles (level 1 first) and
    technical competencies, plus its share of headcount."""

    code: str
    name: str
    titles: tuple[str, ...]
    technical: tuple[str, ...]
    share: float


LADDERS: tuple[Ladder, ...] = (
    Ladder(
        "ENG",
        "Engineering",
        (
            "Software Engineer I",
            "Software Engineer II",
            "Senior Software Engineer",
            "Staff Engineer",
            "Principal Engineer",
            "Distinguished Engineer",
        ),
        (
            "Software Design",
            "Code Quality",
            "Testing and QA",
            "Cloud Infrastructure",
            "Security Practices",
            "System Architecture",
        ),
        0.27,
    ),
    Ladder(
        "DAT",
        "Data",
        ("Data Analyst", "Data Scientist", "Senior Data Scientist", "Lead Data Scientist", "Head of Data Science"),
        ("Statistics", "Machine Learning", "Data Engineering", "Data Visualisation", "Experimentation"),
        0.10,
    ),
    Ladder(
        "SAL",
        "Sales",
        (
            "Sales Development Representative",
            "Account Executive",
            "Senior Account Executive",
            "Sales Manager",
            "Regional Sales Director",
        ),
        ("Prospecting", "Negotiation", "Pipeline Management", "Solution Selling"),
        0.18,
    ),
    Ladder(
        "CSM",
        "Customer Success",
        (
            "Customer Success Associate",
            "Customer Success Manager",
            "Senior Customer Success Manager",
            "Head of Customer Success",
        ),
        ("Customer Onboarding", "Account Health Management", "Renewals and Expansion", "Product Knowledge"),
        0.15,
    ),
    Ladder(
        "FIN",
        "Finance",
        (
            "Financial Analyst",
            "Senior Financial Analyst",
            "Finance Manager",
            "Financial Controller",
            "Finance Director",
        ),
        ("Financial Modelling", "Accounting and Reporting", "Budgeting and Forecasting", "Risk and Compliance"),
        0.09,
    ),
    Ladder(
        "PPL",
        "People",
        ("People Coordinator", "HR Business Partner", "Senior HR Business Partner", "Head of People"),
        ("Talent Acquisition", "Employee Relations", "Learning Design", "Compensation and Benefits"),
        0.06,
    ),
    Ladder(
        "OPS",
        "Operations",
        (
            "Operations Associate",
            "Operations Specialist",
            "Operations Manager",
            "Senior Operations Manager",
            "VP Operations",
        ),
        ("Process Improvement", "Supply Chain", "Vendor Management", "Project Management"),
        0.15,
    ),
)

LEADERSHIP = ("Coaching", "Strategic Thinking", "Decision Making", "Change Leadership", "Delegation", "Team Building")
INTERPERSONAL = (
    "Communication",
    "Collaboration",
    "Stakeholder Management",
    "Conflict Resolution",
    "Presentation Skills",
)
BUSINESS = ("Data Literacy", "Commercial Awareness", "Customer Focus")

#: Critical roles. The first two are planted with no ready successor (truth (c)).
BENCH_GAP_ROLES = ("FIN-4", "DAT-4")
COVERED_CRITICAL_ROLES = ("ENG-4", "SAL-4", "OPS-3")
CRITICAL_ROLES = BENCH_GAP_ROLES + COVERED_CRITICAL_ROLES

#: Teams: name, ladder code, location.
TEAMS: tuple[tuple[str, str, str], ...] = (
    ("Platform Engineering", "ENG", "Berlin"),
    ("Product Engineering", "ENG", "London"),
    ("Mobile Engineering", "ENG", "Lisbon"),
    ("Data Science", "DAT", "London"),
    ("Enterprise Sales", "SAL", "New York"),
    ("Commercial Sales", "SAL", "London"),
    ("Customer Success EMEA", "CSM", "Dublin"),
    ("Customer Success Americas", "CSM", "Austin"),
    ("Finance", "FIN", "London"),
    ("People", "PPL", "London"),
    ("Business Operations", "OPS", "Berlin"),
    ("Supply Operations", "OPS", "Warsaw"),
)
REMOTE = "Remote"

#: Microlearning clusters and their planted effect (rating points per completed asset).
CLUSTERS: tuple[tuple[str, float, str], ...] = (
    ("Coaching Conversations", 0.20, "Coaching"),
    ("Customer Discovery", 0.15, "Customer Focus"),
    ("Data-Driven Decisions", 0.12, "Data Literacy"),
    ("Multitasking Mastery", -0.15, "Decision Making"),
    ("Compliance Essentials", 0.0, "Risk and Compliance"),
    ("Workplace Wellbeing", 0.0, "Collaboration"),
    ("Productivity Tools", 0.0, "Project Management"),
    ("Presentation Basics", 0.0, "Presentation Skills"),
    ("Negotiation Fundamentals", 0.0, "Negotiation"),
    ("Project Management Basics", 0.0, "Project Management"),
    ("Inclusive Leadership", 0.0, "Team Building"),
    ("Cloud Foundations", 0.0, "Cloud Infrastructure"),
)
FORMATS = ("video", "scenario", "quiz", "job_aid", "podcast")
#: formats whose completion is a graded attempt (verbs attempted/passed/failed).
GRADED_FORMATS = ("scenario", "quiz")
_FORMAT_P = (0.34, 0.2, 0.2, 0.14, 0.12)
_DURATION = {"video": (4, 15), "scenario": (10, 25), "quiz": (5, 12), "job_aid": (2, 6), "podcast": (12, 35)}
_TOPICS = (
    "Foundations",
    "In Practice",
    "Common Pitfalls",
    "Advanced Techniques",
    "Case Study",
    "Quick Reference",
    "Deep Dive",
    "Checklist",
    "Role Play",
    "Expert Interview",
    "Self-Check",
    "Toolkit",
)


def competency_rows() -> list[tuple[str, str, str]]:
    """All competencies as ``(competency_id, name, category)``; ids are ``C01``...

    Example
    -------
    >>> competency_rows()[0]
    ('C01', 'Software Design', 'technical')
    """
    named: list[tuple[str, str]] = []
    for ladder in LADDERS:
        named += [(n, "technical") for n in ladder.technical]
    named += [(n, "leadership") for n in LEADERSHIP]
    named += [(n, "interpersonal") for n in INTERPERSONAL]
    named += [(n, "business") for n in BUSINESS]
    return [(f"C{i + 1:02d}", name, cat) for i, (name, cat) in enumerate(named)]


def competency_ids() -> dict[str, str]:
    """Map competency name to id.

    Example
    -------
    >>> competency_ids()["Coaching"]
    'C32'
    """
    return {name: cid for cid, name, _ in competency_rows()}


def build_competencies() -> pl.DataFrame:
    """The ``competencies`` table (45 competencies in four categories).

    Example
    -------
    >>> build_competencies()["category"].n_unique()
    4
    """
    rows = competency_rows()
    return pl.DataFrame(
        {"competency_id": [r[0] for r in rows], "name": [r[1] for r in rows], "category": [r[2] for r in rows]},
        schema={c.name: POLARS_TYPES[c.type] for c in CONTRACT["competencies"].columns if not c.quiet_when_absent},
    )


def build_roles() -> pl.DataFrame:
    """The ``roles`` table: each ladder's levels linked upwards by ``next_role_id``.

    Example
    -------
    >>> build_roles().filter(pl.col("role_id") == "ENG-1")["next_role_id"].item()
    'ENG-2'
    """
    rows = []
    for ladder in LADDERS:
        n = len(ladder.titles)
        for i, title in enumerate(ladder.titles):
            rid = f"{ladder.code}-{i + 1}"
            rows.append(
                {
                    "role_id": rid,
                    "title": title,
                    "ladder": ladder.name,
                    "level": i + 1,
                    "next_role_id": f"{ladder.code}-{i + 2}" if i + 1 < n else None,
                    "critical": rid in CRITICAL_ROLES,
                }
            )
    return pl.DataFrame(rows, schema=CONTRACT["roles"].schema())


def build_role_requirements() -> pl.DataFrame:
    """The ``role_requirements`` table: 5-8 requirements per role, rising with level.

    Technical competencies of the ladder (the first is critical from level 2 up),
    two interpersonal ones, a business one for the lower half of the ladder and
    leadership ones from the middle of the ladder up. Required levels rise from
    1-2 at level 1 to 4-5 at the top.

    Example
    -------
    >>> rr = build_role_requirements()
    >>> rr.group_by("role_id").len()["len"].is_between(5, 8).all()
    True
    """
    ids = competency_ids()
    rows = []
    for li, ladder in enumerate(LADDERS):
        n = len(ladder.titles)
        for i in range(n):
            level = i + 1
            frac = i / (n - 1)  # 0 at the bottom, 1 at the top
            base = 1 + frac * 3.6
            rid = f"{ladder.code}-{level}"
            reqs: list[tuple[str, float, float, bool]] = []
            n_tech = 3 if level == 1 or frac >= 0.75 else 4
            tech = [ladder.technical[(j + (i // 2)) % len(ladder.technical)] for j in range(n_tech)]
            for j, name in enumerate(tech):
                reqs.append(
                    (name, base + (0.4 if j == 0 else -0.2 * (j % 2)), 3.0 if j == 0 else 2.0, j == 0 and level >= 2)
                )
            reqs.append(("Communication", base - 0.3, 1.0, False))
            reqs.append((INTERPERSONAL[1 + (li % 4)], base - 0.6, 1.0, False))
            if frac < 0.5:
                reqs.append((BUSINESS[li % 3], base - 0.5, 1.0, False))
            if frac >= 0.5:
                reqs.append((LEADERSHIP[li % 3], base - 0.8, 2.0, frac >= 0.99))
            if frac >= 0.7:
                reqs.append((LEADERSHIP[3 + (li % 3)], base - 1.0, 1.0, False))
            for name, lvl, weight, critical in reqs:
                rows.append(
                    {
                        "role_id": rid,
                        "competency_id": ids[name],
                        "required_level": int(min(5, max(1, round(lvl)))),
                        "weight": weight,
                        "critical": critical,
                    }
                )
    return pl.DataFrame(rows, schema=CONTRACT["role_requirements"].schema())


def build_assets(rng: np.random.Generator) -> pl.DataFrame:
    """The ``assets`` catalog: 8-12 assets in each of the 12 clusters.

    The last asset of every third cluster is a *legacy* asset: it only ever gets
    abandoned launches and failed attempts before 2025-10, so the portfolio view
    sees it as inactive. Assets are ``A001``...; all published before the
    history starts.

    Example
    -------
    >>> a = build_assets(np.random.default_rng(7))
    >>> a["cluster"].n_unique(), a.height >= 100
    (12, True)
    """
    ids = competency_ids()
    rows = []
    k = 0
    for ci, (cluster, _effect, comp) in enumerate(CLUSTERS):
        n_assets = int(rng.integers(8, 13))
        for j in range(n_assets):
            fmt = str(rng.choice(FORMATS, p=_FORMAT_P))
            lo, hi = _DURATION[fmt]
            k += 1
            rows.append(
                {
                    "asset_id": f"A{k:03d}",
                    "title": f"{cluster}: {_TOPICS[j % len(_TOPICS)]} ({fmt.replace('_', ' ')})",
                    "cluster": cluster,
                    "competency_id": ids[comp],
                    "target_level": int(rng.integers(1, 5)),
                    "format": fmt,
                    "duration_min": float(rng.integers(lo, hi + 1)),
                    "difficulty": int(rng.integers(1, 6)),
                    "published_on": dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1340))),
                    "legacy": ci % 3 == 0 and j == n_assets - 1,
                }
            )
    return pl.DataFrame(rows)


def asset_table(assets: pl.DataFrame) -> pl.DataFrame:
    """The contract columns of the catalog built by :func:`build_assets`.

    Example
    -------
    >>> asset_table(build_assets(np.random.default_rng(1))).columns[:3]
    ['asset_id', 'title', 'cluster']
    """
    schema = CONTRACT["assets"].schema()
    return assets.select([pl.col(c).cast(t) for c, t in schema.items()])
