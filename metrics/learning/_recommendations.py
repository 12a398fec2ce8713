"""Learning recommendations for one person: assets that close their gaps, from predictive clusters.

An asset is recommended when
- its competency is one the person falls short on (for the current or next role),
- its target level is unknown, or above the level they demonstrate and at most the level required,
- its cluster is labelled ``predictive`` by the learning-impact model, and
- they have not completed it (verb completed or passed) already.

When no predictive asset addresses a gap, the assets aligned to that competency are offered
instead, with ``effect_established`` false: their effect on performance is not established
(a harmful cluster is never offered). Ordered by critical gaps first, then established
effects, then the cluster's effect (largest first), then asset id.

Example
-------
>>> import polars as pl
>>> gaps = pl.DataFrame({"competency_id": ["C1"], "required_level": [3], "level": [1], "critical": [True], "gap": [2]})
>>> assets = pl.DataFrame({"asset_id": ["A1", "A2"], "title": ["Intro", "Deep"], "cluster": ["K", "K"],
...                        "competency_id": ["C1", "C1"], "target_level": [1, 3]})
>>> effects = pl.DataFrame({"cluster": ["K"], "effect": [0.2], "label": ["predictive"]})
>>> recommend_assets(gaps, assets, effects, completed=[])["asset_id"].to_list()
['A2']
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

OUTPUT_COLUMNS = (
    "asset_id",
    "title",
    "cluster",
    "competency_id",
    "target_level",
    "cluster_effect",
    "critical_gap",
    "effect_established",
)


def recommend_assets(
    gaps: pl.DataFrame,
    assets: pl.DataFrame,
    effects: pl.DataFrame,
    completed: Sequence[str],
) -> pl.DataFrame:
    """Assets that address ``gaps`` (rows with ``gap > 0``) from predictive clusters.

    Parameters
    ----------
    gaps : pl.DataFrame
        ``competency_id, required_level, level, critical, gap`` for one person (any roles).
    assets : pl.DataFrame
        The assets table (``asset_id, title, cluster, competency_id, target_level``).
    effects : pl.DataFrame
        Learning-impact effects (``cluster, effect, label``).
    completed : sequence of str
        Asset ids the person has completed or passed.

    Returns
    -------
    pl.DataFrame
        Columns ``asset_id, title, cluster, competency_id, target_level, cluster_effect, critical_gap``.
    """
    need = (
        gaps.filter(pl.col("gap") > 0)
        .group_by("competency_id")
        .agg(
            pl.col("level").max().alias("have"),
            pl.col("required_level").max().alias("need"),
            pl.col("critical").any().alias("critical_gap"),
        )
    )
    aligned = (
        assets.join(need, on="competency_id", how="inner")
        .filter(
            pl.col("target_level").is_null()
            | ((pl.col("target_level") > pl.col("have")) & (pl.col("target_level") <= pl.col("need")))
        )
        .filter(~pl.col("asset_id").is_in(list(completed)))
    )
    labels = effects.select("cluster", "label", pl.col("effect").alias("cluster_effect"))
    predictive = aligned.join(
        labels.filter(pl.col("label") == "predictive").drop("label"), on="cluster", how="inner"
    ).with_columns(pl.lit(True).alias("effect_established"))
    covered = predictive.get_column("competency_id").unique().implode()
    fallback = (
        aligned.filter(~pl.col("competency_id").is_in(covered))
        .join(labels, on="cluster", how="left")
        .filter(pl.col("label").is_null() | ~pl.col("label").is_in(["predictive", "harmful"]))
        .with_columns(pl.lit(None, dtype=pl.Float64).alias("cluster_effect"), pl.lit(False).alias("effect_established"))
        .drop("label")
    )
    return pl.concat([predictive.select(OUTPUT_COLUMNS), fallback.select(OUTPUT_COLUMNS)], how="vertical_relaxed").sort(
        ["critical_gap", "effect_established", "cluster_effect", "asset_id"],
        descending=[True, True, True, False],
        nulls_last=True,
    )


def completed_assets(learning_events: pl.DataFrame, employee_id: str) -> list[str]:
    """Asset ids one employee has completed or passed (``COMPLETION_VERBS``), sorted.

    Example
    -------
    >>> ev = pl.DataFrame({"employee_id": ["E1", "E1", "E2"], "asset_id": ["A1", "A2", "A3"],
    ...                    "verb": ["completed", "launched", "passed"]})
    >>> completed_assets(ev, "E1")
    ['A1']
    """
    return completed_assets_by_employee(learning_events, [employee_id])[employee_id]


def completed_assets_by_employee(learning_events: pl.DataFrame, employee_ids: Sequence[str]) -> dict[str, list[str]]:
    """``completed_assets`` for several employees in one pass: each id to its sorted asset ids
    (an employee with none maps to an empty list).

    Example
    -------
    >>> ev = pl.DataFrame({"employee_id": ["E1", "E1", "E2", "E1"], "asset_id": ["A2", "A3", "A3", "A1"],
    ...                    "verb": ["completed", "launched", "passed", "passed"]})
    >>> completed_assets_by_employee(ev, ["E1", "E2", "E3"])
    {'E1': ['A1', 'A2'], 'E2': ['A3'], 'E3': []}
    """
    from metrics.learning._features import COMPLETION_VERBS

    done = (
        learning_events.filter(
            pl.col("employee_id").is_in(list(employee_ids)) & pl.col("verb").is_in(list(COMPLETION_VERBS))
        )
        .group_by("employee_id")
        .agg(pl.col("asset_id").unique().sort())
    )
    found = dict(zip(done.get_column("employee_id").to_list(), done.get_column("asset_id").to_list(), strict=True))
    return {e: list(found.get(e, [])) for e in employee_ids}
