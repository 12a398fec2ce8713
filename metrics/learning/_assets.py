"""Asset portfolio: retire, review, improve, celebrate or keep (``metrics.md`` §7).

Per asset of the catalogue, over the window of ``window_days`` (365) ending at
T, by the UTC date ``d`` of each event (``T - 365 days < d <= T``):

* ``learners``: distinct employees with any event on the asset;
* ``completers``: distinct employees with a ``completed`` or ``passed`` event;
* ``completion_rate = completers / learners`` (null when there are no learners);
* ``mean_score``: mean ``score`` of the completed/passed events in the window
  (events without a score are ignored; null when none has one);
* ``last_activity``: date of the asset's latest event of any verb on or before
  T, looked up over all history (not only the window), so a long-idle asset
  can say since when it is idle;
* ``cluster_label``: the label of its cluster in the learning-impact effects
  (null when learning impact could not be computed).

Recommendation, first rule that applies:

1. ``retire`` when ``T - last_activity >= stale_days`` (180), i.e. no event in
   the 180 days ``(T - 180, T]``, or no event at all, unless the cluster is
   ``predictive`` (an asset of a predictive cluster is never retired for
   inactivity alone: a finished cohort course that works stays, and its reason
   says it is idle; it is retired only when, besides, nobody has ever
   completed it, which ``asset_portfolio`` looks up over all history); or the
   cluster is ``harmful``; or the cluster is
   ``no_evidence`` and ``completion_rate < 0.4``;
2. ``review`` when the cluster is ``insufficient_data``;
3. ``improve`` when the cluster is ``predictive`` and ``completion_rate < 0.4``;
4. ``celebrate`` when the cluster is ``predictive`` and ``completion_rate >= 0.7``;
5. ``keep`` otherwise.

Example
-------
>>> import datetime as dt
>>> tables, effects = _example()
>>> out = asset_portfolio(tables, effects, as_of=dt.date(2026, 6, 30))
>>> out.select("asset_id", "learners", "completers", "recommendation").rows()
[('a1', 3, 1, 'improve'), ('a2', 0, 0, 'keep')]
>>> out["reason"].to_list()
['Improve: its cluster predicts performance (+0.18 per asset, 95% CI 0.09–0.27) but only 33% of learners complete it', 'Keep: its cluster predicts performance (+0.18 per asset, 95% CI 0.09–0.27); no learners in the last 365 days; idle since 2025-01-10 (536 days), not retired for that because its cluster predicts performance']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import polars as pl

from metrics.common import default_as_of, require_table
from metrics.config import AssetPortfolioConfig, LearningImpactConfig
from metrics.learning._features import COMPLETION_VERBS, EXPOSURE_UNITS

ERR_MISSING_TABLE = "The asset portfolio needs the table '{table}', which is not loaded."

PORTFOLIO_COLUMNS: tuple[str, ...] = (
    "asset_id",
    "cluster",
    "learners",
    "completers",
    "completion_rate",
    "mean_score",
    "last_activity",
    "cluster_label",
    "recommendation",
    "reason",
)
RETIRE, REVIEW, IMPROVE, CELEBRATE, KEEP = "retire", "review", "improve", "celebrate", "keep"

REASON_STALE = "Retire: no activity since {date} ({days} days before {as_of}; the limit is {limit} days)"
REASON_STALE_NEVER_COMPLETED = (
    "Retire: no activity since {date} ({days} days before {as_of}; the limit is {limit} days) and nobody has ever "
    "completed it, although its cluster predicts performance"
)
REASON_IDLE_PREDICTIVE = (
    "; idle since {date} ({days} days), not retired for that because its cluster predicts performance"
)
REASON_NEVER = "Retire: no recorded activity"
REASON_HARMFUL = "Retire: its cluster is linked to lower performance ({effect})"
REASON_NO_EVIDENCE_LOW = (
    "Retire: no evidence that its cluster predicts performance and only {pct} of learners complete it"
)
REASON_REVIEW = "Review: too few employees completed its cluster to judge it ({n} exposed, {min} needed)"
REASON_IMPROVE = "Improve: its cluster predicts performance ({effect}) but only {pct} of learners complete it"
REASON_CELEBRATE = "Celebrate: its cluster predicts performance ({effect}) and {pct} of learners complete it"
REASON_KEEP_PREDICTIVE = "Keep: its cluster predicts performance ({effect}); {completion}"
REASON_KEEP_NO_EVIDENCE = "Keep: no evidence yet that its cluster predicts performance; {completion}"
REASON_KEEP_UNLABELLED = "Keep: active recently; no learning-impact estimate for its cluster"


def _require(tables: Mapping[str, pl.DataFrame], name: str) -> pl.DataFrame:
    return require_table(tables, name, ERR_MISSING_TABLE)


def asset_activity(
    tables: Mapping[str, pl.DataFrame],
    as_of: dt.date,
    config: AssetPortfolioConfig | None = None,
) -> pl.DataFrame:
    """Learners, completers, completion rate, mean score and last activity per asset.

    Columns: ``asset_id, cluster, learners, completers, completion_rate,
    mean_score, last_activity``; one row per catalogue asset, sorted by asset_id.

    Example
    -------
    >>> tables, _ = _example()
    >>> asset_activity(tables, dt.date(2026, 6, 30)).drop("completion_rate").row(0)
    ('a1', 'A', 3, 1, 0.8, datetime.date(2026, 6, 30))
    """
    cfg = config or AssetPortfolioConfig()
    assets = _require(tables, "assets").lazy()
    events = (
        _require(tables, "learning_events")
        .lazy()
        .with_columns(pl.col("timestamp").dt.date().alias("date"))
        .filter(pl.col("date") <= pl.lit(as_of, dtype=pl.Date))
    )
    start = pl.lit(as_of - dt.timedelta(days=cfg.window_days), dtype=pl.Date)
    is_done = pl.col("verb").is_in(COMPLETION_VERBS)
    in_window = (
        events.filter(pl.col("date") > start)
        .group_by("asset_id")
        .agg(
            pl.col("employee_id").n_unique().alias("learners"),
            pl.col("employee_id").filter(is_done).n_unique().alias("completers"),
            pl.col("score").filter(is_done).mean().alias("mean_score"),
        )
    )
    last = events.group_by("asset_id").agg(pl.col("date").max().alias("last_activity"))
    return activity_from_aggregates(assets, in_window, last)


def activity_from_aggregates(
    assets: pl.DataFrame | pl.LazyFrame, in_window: pl.DataFrame | pl.LazyFrame, last: pl.DataFrame | pl.LazyFrame
) -> pl.DataFrame:
    """``asset_activity``'s frame from its two per-asset aggregates (wherever they were computed).

    ``in_window``: ``asset_id, learners, completers, mean_score``; ``last``:
    ``asset_id, last_activity``. Assets without a row get 0 learners and completers.

    Example
    -------
    >>> cat = pl.DataFrame({"asset_id": ["a1", "a2"], "cluster": ["A", "A"]})
    >>> win = pl.DataFrame({"asset_id": ["a1"], "learners": [4], "completers": [1], "mean_score": [0.5]})
    >>> last = pl.DataFrame({"asset_id": ["a1"], "last_activity": [dt.date(2026, 1, 2)]})
    >>> activity_from_aggregates(cat, win, last).select("asset_id", "learners", "completion_rate").rows()
    [('a1', 4, 0.25), ('a2', 0, None)]
    """
    return (
        assets.lazy()
        .select("asset_id", "cluster")
        .join(in_window.lazy(), on="asset_id", how="left")
        .join(last.lazy(), on="asset_id", how="left")
        .with_columns(
            pl.col("learners").fill_null(0).cast(pl.Int64),
            pl.col("completers").fill_null(0).cast(pl.Int64),
        )
        .with_columns(
            pl.when(pl.col("learners") > 0)
            .then(pl.col("completers") / pl.col("learners"))
            .otherwise(None)
            .cast(pl.Float64)
            .alias("completion_rate")
        )
        .select(
            "asset_id",
            "cluster",
            "learners",
            "completers",
            "completion_rate",
            pl.col("mean_score").cast(pl.Float64),
            "last_activity",
        )
        .sort("asset_id")
        .collect()
    )


def _effect_text(
    effect: float | None, low: float | None, high: float | None, confidence: float, unit: str = "asset"
) -> str | None:
    if effect is None or low is None or high is None or any(math.isnan(v) for v in (effect, low, high)):
        return None
    return f"{effect:+.2f} per {unit}, {confidence:.0%} CI {low:.2f}–{high:.2f}"


def cluster_reasons(effects: pl.DataFrame | None, impact_config: LearningImpactConfig | None = None) -> pl.DataFrame:
    """Per cluster: its label, exposed employees and the effect in words.

    Columns ``cluster, cluster_label, n_exposed, effect_text``.

    Example
    -------
    >>> _, effects = _example()
    >>> cluster_reasons(effects).row(0)
    ('A', 'predictive', 120, '+0.18 per asset, 95% CI 0.09–0.27')
    """
    cfg = impact_config or LearningImpactConfig()
    schema = {
        "cluster": pl.String,
        "cluster_label": pl.String,
        "n_exposed": pl.Int64,
        "effect_text": pl.String,
    }
    if effects is None or effects.height == 0:
        return pl.DataFrame(schema=schema)
    rows = [
        {
            "cluster": r["cluster"],
            "cluster_label": r["label"],
            "n_exposed": r["n_exposed"],
            "effect_text": _effect_text(
                r["effect"], r["ci_low"], r["ci_high"], cfg.confidence, EXPOSURE_UNITS[cfg.exposure]
            ),
        }
        for r in effects.iter_rows(named=True)  # one row per cluster: a handful
    ]
    return pl.DataFrame(rows, schema=schema)


def recommend(
    activity: pl.DataFrame,
    effects: pl.DataFrame | None,
    as_of: dt.date,
    config: AssetPortfolioConfig | None = None,
    impact_config: LearningImpactConfig | None = None,
) -> pl.DataFrame:
    """Apply the recommendation rules to ``asset_activity`` output.

    An optional ``last_completion`` column (date of the asset's latest
    completion over all history, null when never completed) lets an idle asset
    of a predictive cluster be retired when nobody ever completed it; without
    the column such an asset is kept.

    Returns the ``PORTFOLIO_COLUMNS`` frame.

    Example
    -------
    >>> act = pl.DataFrame({"asset_id": ["x"], "cluster": ["A"], "learners": [10],
    ...     "completers": [7], "completion_rate": [0.7], "mean_score": [None],
    ...     "last_activity": [dt.date(2026, 6, 1)]})
    >>> _, effects = _example()
    >>> recommend(act, effects, dt.date(2026, 6, 30))["recommendation"].to_list()
    ['celebrate']
    """
    cfg = config or AssetPortfolioConfig()
    icfg = impact_config or LearningImpactConfig()
    clusters = cluster_reasons(effects, icfg)
    t = pl.lit(as_of, dtype=pl.Date)
    rate = pl.col("completion_rate")
    label = pl.col("cluster_label")
    pct = (
        pl.when(rate.is_null())
        .then(pl.lit("no"))
        .otherwise((rate * 100).round(0).cast(pl.Int64).cast(pl.String) + pl.lit("%"))
    )
    completion = (
        pl.when(rate.is_null())
        .then(pl.lit(f"no learners in the last {cfg.window_days} days"))
        .otherwise(pct + pl.lit(" of learners complete it"))
    )
    effect = pl.col("effect_text").fill_null("effect not estimable")
    idle_days = (t - pl.col("last_activity")).dt.total_days()
    stale = pl.col("last_activity").is_null() | (idle_days >= cfg.stale_days)
    predictive = (label == "predictive").fill_null(False)
    never_completed = pl.col("last_completion").is_null() if "last_completion" in activity.columns else pl.lit(False)
    last = pl.col("last_activity").dt.to_string("%Y-%m-%d")
    stale_parts = {
        "date": last,
        "days": idle_days.cast(pl.String),
        "as_of": pl.lit(as_of.isoformat()),
        "limit": pl.lit(str(cfg.stale_days)),
    }
    low = rate < cfg.low_completion
    high = rate >= cfg.high_completion
    rules = [
        (
            stale & (~predictive | never_completed),
            RETIRE,
            pl.when(pl.col("last_activity").is_null())
            .then(pl.lit(REASON_NEVER))
            .when(predictive)
            .then(_fmt(REASON_STALE_NEVER_COMPLETED, **stale_parts))
            .otherwise(_fmt(REASON_STALE, **stale_parts)),
        ),
        (label == "harmful", RETIRE, _fmt(REASON_HARMFUL, effect=effect)),
        ((label == "no_evidence") & low, RETIRE, _fmt(REASON_NO_EVIDENCE_LOW, pct=pct)),
        (
            label == "insufficient_data",
            REVIEW,
            _fmt(
                REASON_REVIEW,
                n=pl.col("n_exposed").cast(pl.String),
                min=pl.lit(str(icfg.min_exposed)),
            ),
        ),
        ((label == "predictive") & low, IMPROVE, _fmt(REASON_IMPROVE, effect=effect, pct=pct)),
        ((label == "predictive") & high, CELEBRATE, _fmt(REASON_CELEBRATE, effect=effect, pct=pct)),
        (label == "predictive", KEEP, _fmt(REASON_KEEP_PREDICTIVE, effect=effect, completion=completion)),
        (label == "no_evidence", KEEP, _fmt(REASON_KEEP_NO_EVIDENCE, completion=completion)),
    ]
    recommendation: pl.Expr = pl.lit(KEEP)
    reason: pl.Expr = pl.lit(REASON_KEEP_UNLABELLED)
    for condition, rec, text in reversed(rules):
        recommendation = pl.when(condition.fill_null(False)).then(pl.lit(rec)).otherwise(recommendation)
        reason = pl.when(condition.fill_null(False)).then(text).otherwise(reason)
    idle_note = (
        pl.when(pl.col("last_activity").is_null())
        .then(pl.lit("; no recorded activity, not retired for that because its cluster predicts performance"))
        .otherwise(_fmt(REASON_IDLE_PREDICTIVE, date=last, days=idle_days.cast(pl.String)))
    )
    kept_idle = (stale & predictive & ~never_completed).fill_null(False)
    reason = pl.when(kept_idle).then(reason + idle_note).otherwise(reason)
    return (
        activity.join(clusters, on="cluster", how="left", maintain_order="left")
        .with_columns(recommendation.alias("recommendation"), reason.alias("reason"))
        .select(PORTFOLIO_COLUMNS)
    )


def _fmt(template: str, **parts: pl.Expr) -> pl.Expr:
    """``template`` with ``{name}`` placeholders filled by string expressions."""
    pieces: list[pl.Expr] = []
    rest = template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        pieces += [pl.lit(before), parts[name]]
    pieces.append(pl.lit(rest))
    return pl.concat_str(pieces)


def asset_portfolio(
    tables: Mapping[str, pl.DataFrame],
    effects: pl.DataFrame | None = None,
    as_of: dt.date | None = None,
    config: AssetPortfolioConfig | None = None,
    impact_config: LearningImpactConfig | None = None,
    activity: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The asset portfolio: activity per asset and a recommendation with its reason.

    Parameters
    ----------
    tables : mapping of str to pl.DataFrame
        Canonical tables; needs assets and learning_events.
    effects : pl.DataFrame, optional
        ``LearningImpactResult.effects``; without it, ``cluster_label`` is null
        and only the staleness rule can retire an asset.
    as_of : datetime.date, optional
        T; default ``metrics.common.default_as_of``.
    config : AssetPortfolioConfig, optional
    impact_config : LearningImpactConfig, optional
        For the interval level and ``min_exposed`` quoted in the reasons.
    activity : pl.DataFrame, optional
        ``asset_activity`` output computed elsewhere (e.g. by an event engine);
        default: computed here from ``tables``.

    Returns
    -------
    pl.DataFrame
        ``PORTFOLIO_COLUMNS``, one row per asset, sorted by asset_id.

    Example
    -------
    >>> tables, _ = _example()
    >>> asset_portfolio(tables, None, dt.date(2026, 6, 30))["reason"].to_list()[0]
    'Keep: active recently; no learning-impact estimate for its cluster'
    """
    t = as_of or default_as_of(tables)
    if activity is None:
        activity = asset_activity(tables, t, config)
    if "last_completion" not in activity.columns and "learning_events" in tables:
        activity = activity.join(_last_completion(tables, t), on="asset_id", how="left")
    return recommend(activity, effects, t, config, impact_config)


def _last_completion(tables: Mapping[str, pl.DataFrame], as_of: dt.date) -> pl.DataFrame:
    """Per asset, the date of its latest completed/passed event on or before T, over all history."""
    return (
        _require(tables, "learning_events")
        .lazy()
        .filter(pl.col("verb").is_in(COMPLETION_VERBS))
        .with_columns(pl.col("timestamp").dt.date().alias("date"))
        .filter(pl.col("date") <= pl.lit(as_of, dtype=pl.Date))
        .group_by("asset_id")
        .agg(pl.col("date").max().alias("last_completion"))
        .collect()
    )


def _example() -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Two assets, one cluster labelled predictive (for the docstring examples)."""
    utc = dt.UTC
    events = pl.DataFrame(
        {
            "employee_id": ["e1", "e1", "e2", "e3", "e4"],
            "asset_id": ["a1", "a1", "a1", "a2", "a1"],
            "verb": ["launched", "completed", "launched", "completed", "failed"],
            "timestamp": [
                dt.datetime(2026, 1, 5, 9, tzinfo=utc),
                dt.datetime(2026, 1, 5, 10, tzinfo=utc),
                dt.datetime(2026, 6, 30, 23, tzinfo=utc),
                dt.datetime(2025, 1, 10, 8, tzinfo=utc),
                dt.datetime(2026, 3, 1, 8, tzinfo=utc),
            ],
            "score": [None, 0.8, None, 0.9, 0.2],
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    assets = pl.DataFrame({"asset_id": ["a1", "a2"], "cluster": ["A", "A"]})
    effects = pl.DataFrame(
        {
            "cluster": ["A"],
            "n_exposed": [120],
            "effect": [0.18],
            "ci_low": [0.09],
            "ci_high": [0.27],
            "p_value": [0.001],
            "q_value": [0.002],
            "label": ["predictive"],
        }
    )
    return {"assets": assets, "learning_events": events}, effects
