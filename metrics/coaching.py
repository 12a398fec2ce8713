"""Coaching prompts in words: what evidence would move a person to the next readiness band.

For each role a person is measured against (their own and their next), the gaps are
ordered critical first, then by how many levels are missing, and each becomes one
sentence naming the competency, the level to show and the kind of evidence that counts
most (the highest type weight in force).

Example
-------
>>> import polars as pl
>>> from metrics.config import ProficiencyConfig
>>> gaps = pl.DataFrame({"relation": ["next"], "target_title": ["Senior Analyst"], "name": ["SQL"],
...                      "required_level": [3], "level": [2], "critical": [True], "gap": [1]})
>>> coaching_prompts(gaps, ProficiencyConfig())[0]
'For Senior Analyst (next role): show SQL at 3 Adapt (now 2 Apply; a critical requirement), for example through a verified performance task or rubric review.'
"""

from __future__ import annotations

import polars as pl

from metrics.config import ProficiencyConfig
from metrics.labels import level_label

PROMPT = "For {role} ({relation}): show {competency} at {required} (now {level}{critical}), for example through {how}."
RELATIONS = {"current": "own role", "next": "next role"}


def coaching_prompts(gaps: pl.DataFrame, config: ProficiencyConfig, limit: int = 3) -> list[str]:
    """Up to ``limit`` prompts per role from one person's gap rows.

    Parameters
    ----------
    gaps : pl.DataFrame
        ``relation, target_title, name, required_level, level, critical, gap`` (``ui.compute.person_gaps``).
    config : ProficiencyConfig
        The type weights in force, to name the evidence that counts most.
    limit : int
        Prompts per role.
    """
    best = sorted(config.type_weights.items(), key=lambda kv: -kv[1])
    top = [name.replace("_", " ") for name, w in best if w == best[0][1]] if best else ["evidence"]
    how = "a verified " + " or ".join(top)
    out: list[str] = []
    short = gaps.filter(pl.col("gap") > 0).sort(
        ["relation", "critical", "gap", "name"], descending=[False, True, True, False]
    )
    for (_relation,), rows in short.group_by(["relation"], maintain_order=True):
        for row in rows.head(limit).iter_rows(named=True):
            out.append(
                PROMPT.format(
                    role=row["target_title"],
                    relation=RELATIONS.get(row["relation"], row["relation"]),
                    competency=row["name"],
                    required=level_label(row["required_level"]),
                    level=level_label(row["level"]),
                    critical="; a critical requirement" if row["critical"] else "",
                    how=how,
                )
            )
    return out
