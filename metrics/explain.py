"""Plain-words reasons for readiness, bench strength and capability risk rows.

Each family has a vectorised function that returns its frame with an extra
``explanation`` column (for a table of reasons on a page) and a single-row
function that returns the sentence for one row. The single-row functions run
the vectorised ones on a one-row frame, so both always say the same thing.
The spec output frames themselves are never changed.

Example
-------
>>> import polars as pl
>>> risk = pl.DataFrame({"team": ["Data"], "competency_id": ["fc"], "target_level": [4],
...     "target_headcount": [4], "supply": [1], "coverage": [0.25], "gap": [3],
...     "risk": [0.75], "single_point_of_failure": [True], "band": ["high"]})
>>> comps = pl.DataFrame({"competency_id": ["fc"], "name": ["Forecasting"]})
>>> explain_capability_risk_row(risk.row(0, named=True), comps)
'Data / Forecasting is high risk: 1 of 4 needed people at Optimize or above; single point of failure'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from metrics.bench import COVERED, READY_IN_FUTURE
from metrics.config import DEFAULT_CONFIG, ReadinessConfig
from metrics.labels import BAND_LABELS, LEVEL_NAMES
from metrics.readiness import READY_NOW

#: How each readiness band reads in a sentence.
BAND_PHRASES: Mapping[str, str] = BAND_LABELS
#: Gaps named in a readiness explanation before "and N more".
DEFAULT_MAX_ITEMS = 3

ERR_MISSING_COLUMNS = "{what} is missing column(s) {missing}."

_KEYS = ["employee_id", "target_role_id", "relation"]


def _require(frame: pl.DataFrame, what: str, columns: list[str]) -> None:
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise ValueError(ERR_MISSING_COLUMNS.format(what=what, missing=", ".join(missing)))


def _fixed2(expr: pl.Expr) -> pl.Expr:
    """A non-negative number as text with two decimals (0.8 → "0.80")."""
    hundredths = (expr * 100).round(0).cast(pl.Int64)
    return pl.format("{}.{}", hundredths // 100, (hundredths % 100).cast(pl.String).str.zfill(2))


def _level_name(expr: pl.Expr) -> pl.Expr:
    return expr.replace_strict(dict(LEVEL_NAMES), default="", return_dtype=pl.String)


def _plural(n: pl.Expr, word: str) -> pl.Expr:
    return pl.format("{} {}", n, pl.when(n == 1).then(pl.lit(word)).otherwise(pl.lit(word + "s")))


def _titles(roles: pl.DataFrame) -> pl.DataFrame:
    title = pl.col("title") if "title" in roles.columns else pl.lit(None, pl.String)
    return roles.select("role_id", title.fill_null(pl.col("role_id")).alias("_title"))


def _comp_names(competencies: pl.DataFrame) -> pl.DataFrame:
    name = pl.col("name") if "name" in competencies.columns else pl.lit(None, pl.String)
    return competencies.select("competency_id", name.fill_null(pl.col("competency_id")).alias("_comp"))


def _and_list(items: pl.Expr, max_items: int) -> pl.Expr:
    """["a", "b", "c"] → "a, b and c"; more than ``max_items`` → "a, b, c and 2 more"."""
    n = items.list.len().fill_null(0).cast(pl.Int64)
    return (
        pl.when(n == 0)
        .then(pl.lit(None, pl.String))
        .when(n == 1)
        .then(items.list.first())
        .when(n <= max_items)
        .then(pl.concat_str(items.list.head(n - 1).list.join(", "), pl.lit(" and "), items.list.last()))
        .otherwise(
            pl.concat_str(
                items.list.head(max_items).list.join(", "),
                pl.lit(" and "),
                (n - max_items).cast(pl.String),
                pl.lit(" more"),
            )
        )
    )


def explain_readiness(
    readiness: pl.DataFrame,
    gaps: pl.DataFrame,
    roles: pl.DataFrame,
    competencies: pl.DataFrame,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> pl.DataFrame:
    """``readiness`` with an ``explanation`` column in plain words.

    Parameters
    ----------
    readiness : polars.DataFrame
        Output of :func:`metrics.readiness.readiness` (or some of its rows).
    gaps : polars.DataFrame
        Output of :func:`metrics.readiness.readiness_gaps` for those rows.
    roles, competencies : polars.DataFrame
        Contract tables, for role titles and competency names.
    config : ReadinessConfig
        Band boundaries (to say when a critical gap blocks "ready now").
    max_items : int
        Gaps named before "and N more"; critical gaps, then the largest, first.

    Returns
    -------
    polars.DataFrame
        The readiness columns plus ``explanation``, e.g. "Ready in 1–2 years
        for Senior Analyst: 0.82 readiness; short on Stakeholder management
        (2 Apply of 3 Adapt, critical) and Forecasting (1 Identify of 2 Apply)".

    Example
    -------
    >>> rd = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["R"], "relation": ["next"],
    ...     "readiness": [0.95], "band": ["ready_soon"], "n_gaps": [1], "n_critical_gaps": [1]})
    >>> gaps = pl.DataFrame({"employee_id": ["a"], "target_role_id": ["R"], "relation": ["next"],
    ...     "competency_id": ["c"], "required_level": [3], "level": [0], "weight": [1.0],
    ...     "critical": [True], "gap": [3]})
    >>> roles = pl.DataFrame({"role_id": ["R"], "title": ["Lead"]})
    >>> comps = pl.DataFrame({"competency_id": ["c"], "name": ["Coaching"]})
    >>> explain_readiness(rd, gaps, roles, comps)["explanation"][0]
    'Ready in 1–2 years for Lead: 0.95 readiness; short on Coaching (none of 3 Adapt, critical); a critical gap keeps it from ready now'
    """
    _require(readiness, "readiness", _KEYS + ["readiness", "band", "n_critical_gaps"])
    _require(gaps, "gaps", _KEYS + ["competency_id", "required_level", "level", "critical", "gap"])
    level_txt = (
        pl.when(pl.col("level") == 0)
        .then(pl.lit(LEVEL_NAMES[0]))
        .otherwise(pl.format("{} {}", pl.col("level"), _level_name(pl.col("level"))))
    )
    item = pl.format(
        "{} ({} of {} {}{})",
        pl.col("_comp"),
        level_txt,
        pl.col("required_level"),
        _level_name(pl.col("required_level")),
        pl.when(pl.col("critical")).then(pl.lit(", critical")).otherwise(pl.lit("")),
    )
    sort_cols = ["critical", "gap"] + (["weight"] if "weight" in gaps.columns else [])
    items = (
        gaps.filter(pl.col("gap") > 0)
        .join(_comp_names(competencies), on="competency_id", how="left")
        .with_columns(pl.col("_comp").fill_null(pl.col("competency_id")))
        .sort(sort_cols + ["_comp"], descending=[True] * len(sort_cols) + [False])
        .group_by(_KEYS, maintain_order=True)
        .agg(_items=item)
    )
    r = pl.col("readiness")
    band = pl.col("band").replace_strict(dict(BAND_PHRASES), default=pl.col("band"))
    shortfall = _and_list(pl.col("_items"), max_items)
    blocked = ((r >= config.ready_now_min - config.tolerance) & (pl.col("band") != READY_NOW)).fill_null(False)
    text = (
        pl.when(r.is_null())
        .then(pl.format("No readiness for {}: the role has no requirements", pl.col("_title")))
        .otherwise(
            pl.concat_str(
                pl.format("{} for {}: {} readiness; ", band, pl.col("_title"), _fixed2(r)),
                pl.when(shortfall.is_null())
                .then(pl.lit("no gaps"))
                .otherwise(pl.concat_str(pl.lit("short on "), shortfall)),
                pl.when(blocked).then(pl.lit("; a critical gap keeps it from ready now")).otherwise(pl.lit("")),
            )
        )
    )
    return (
        readiness.join(items, on=_KEYS, how="left", maintain_order="left")
        .join(
            _titles(roles),
            left_on="target_role_id",
            right_on="role_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("_title").fill_null(pl.col("target_role_id")))
        .with_columns(explanation=text)
        .select(*readiness.columns, "explanation")
    )


def explain_readiness_row(
    row: Mapping[str, Any],
    gaps: pl.DataFrame,
    roles: pl.DataFrame,
    competencies: pl.DataFrame,
    config: ReadinessConfig = DEFAULT_CONFIG.readiness,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> str:
    """The reasons for one readiness row (``frame.row(i, named=True)``).

    Example
    -------
    >>> row = {"employee_id": "a", "target_role_id": "R", "relation": "current",
    ...        "readiness": 1.0, "band": "ready_now", "n_gaps": 0, "n_critical_gaps": 0}
    >>> gaps = pl.DataFrame(schema={"employee_id": pl.String, "target_role_id": pl.String,
    ...     "relation": pl.String, "competency_id": pl.String, "required_level": pl.Int64,
    ...     "level": pl.Int64, "weight": pl.Float64, "critical": pl.Boolean, "gap": pl.Int64})
    >>> explain_readiness_row(row, gaps, pl.DataFrame({"role_id": ["R"], "title": ["Analyst"]}),
    ...                       pl.DataFrame({"competency_id": ["c"], "name": ["SQL"]}))
    'Ready now for Analyst: 1.00 readiness; no gaps'
    """
    one = pl.DataFrame(
        [dict(row)],
        schema_overrides={"readiness": pl.Float64, "band": pl.String, "n_gaps": pl.Int64, "n_critical_gaps": pl.Int64},
    )
    mine = gaps.filter(
        (pl.col("employee_id") == row["employee_id"])
        & (pl.col("target_role_id") == row["target_role_id"])
        & (pl.col("relation") == row["relation"])
    )
    return explain_readiness(one, mine, roles, competencies, config, max_items)["explanation"][0]


def explain_bench(bench: pl.DataFrame, roles: pl.DataFrame) -> pl.DataFrame:
    """``bench`` (output of :func:`metrics.bench.bench_strength`) with an
    ``explanation`` column in plain words.

    Example
    -------
    >>> b = pl.DataFrame({"role_id": ["H"], "critical": [True], "incumbents": [1],
    ...     "candidates": [3], "ready_now": [0], "ready_soon": [0],
    ...     "bench_strength": [0.0], "status": ["no_successors"]})
    >>> explain_bench(b, pl.DataFrame({"role_id": ["H"], "title": ["Head of Data"]}))["explanation"][0]
    'Head of Data (critical) has no successors: 3 candidates, none ready now or within 1–2 years; bench strength 0.00 (0 ready now for 1 incumbent)'
    """
    _require(bench, "bench", ["role_id", "critical", "incumbents", "candidates", "ready_now", "ready_soon", "status"])
    now, soon, cand = pl.col("ready_now"), pl.col("ready_soon"), pl.col("candidates")
    inc = pl.col("incumbents")
    who = pl.concat_str(
        pl.col("_title"),
        pl.when(pl.col("critical").fill_null(False)).then(pl.lit(" (critical)")).otherwise(pl.lit("")),
    )
    status = (
        pl.when(pl.col("status") == COVERED)
        .then(
            pl.concat_str(
                pl.format("{} is covered: {} of {} ready now", who, now, _plural(cand, "candidate")),
                pl.when(soon > 0).then(pl.format(", {} more within 1–2 years", soon)).otherwise(pl.lit("")),
            )
        )
        .when(pl.col("status") == READY_IN_FUTURE)
        .then(
            pl.format(
                "{} has successors only in 1–2 years: {} of {} ready within 1–2 years, none ready now",
                who,
                soon,
                _plural(cand, "candidate"),
            )
        )
        .when(cand == 0)
        .then(pl.format("{} has no successors: no candidates", who))
        .otherwise(
            pl.format(
                "{} has no successors: {}, none ready now or within 1–2 years",
                who,
                _plural(cand, "candidate"),
            )
        )
    )
    strength = (
        pl.when(inc == 0)
        .then(pl.lit("; no incumbents, so no bench strength"))
        .otherwise(
            pl.format(
                "; bench strength {} ({} ready now for {})",
                _fixed2(now / inc),
                now,
                _plural(inc, "incumbent"),
            )
        )
    )
    return (
        bench.join(_titles(roles), on="role_id", how="left", maintain_order="left")
        .with_columns(pl.col("_title").fill_null(pl.col("role_id")))
        .with_columns(explanation=pl.concat_str(status, strength))
        .select(*bench.columns, "explanation")
    )


def explain_bench_row(row: Mapping[str, Any], roles: pl.DataFrame) -> str:
    """The reasons for one bench row (``frame.row(i, named=True)``).

    Example
    -------
    >>> row = {"role_id": "H", "critical": False, "incumbents": 0, "candidates": 2,
    ...        "ready_now": 1, "ready_soon": 1, "bench_strength": None, "status": "covered"}
    >>> explain_bench_row(row, pl.DataFrame({"role_id": ["H"], "title": ["Head of Data"]}))
    'Head of Data is covered: 1 of 2 candidates ready now, 1 more within 1–2 years; no incumbents, so no bench strength'
    """
    one = pl.DataFrame(
        [dict(row)],
        schema_overrides={
            "critical": pl.Boolean,
            "incumbents": pl.Int64,
            "candidates": pl.Int64,
            "ready_now": pl.Int64,
            "ready_soon": pl.Int64,
            "bench_strength": pl.Float64,
            "status": pl.String,
        },
    )
    return explain_bench(one, roles)["explanation"][0]


def explain_capability_risk(risk: pl.DataFrame, competencies: pl.DataFrame) -> pl.DataFrame:
    """``risk`` (output of :func:`metrics.capability_risk.capability_risk`) with
    an ``explanation`` column in plain words.

    Example
    -------
    >>> r = pl.DataFrame({"team": ["Ops"], "competency_id": ["x"], "target_level": [2],
    ...     "target_headcount": [2], "supply": [3], "coverage": [1.5], "gap": [0],
    ...     "risk": [0.0], "single_point_of_failure": [False], "band": ["low"]})
    >>> explain_capability_risk(r, pl.DataFrame({"competency_id": ["x"], "name": ["SQL"]}))["explanation"][0]
    'Ops / SQL is low risk: 3 of 2 needed people at Apply or above'
    """
    _require(
        risk,
        "capability risk",
        ["team", "competency_id", "target_level", "target_headcount", "supply", "band", "single_point_of_failure"],
    )
    text = pl.concat_str(
        pl.format(
            "{} / {} is {} risk: {} of {} needed {} at {} or above",
            pl.col("team"),
            pl.col("_comp"),
            pl.col("band"),
            pl.col("supply"),
            pl.col("target_headcount"),
            pl.when(pl.col("target_headcount") == 1).then(pl.lit("person")).otherwise(pl.lit("people")),
            _level_name(pl.col("target_level")),
        ),
        pl.when(pl.col("single_point_of_failure")).then(pl.lit("; single point of failure")).otherwise(pl.lit("")),
    )
    return (
        risk.join(_comp_names(competencies), on="competency_id", how="left", maintain_order="left")
        .with_columns(pl.col("_comp").fill_null(pl.col("competency_id")))
        .with_columns(explanation=text)
        .select(*risk.columns, "explanation")
    )


def explain_capability_risk_row(row: Mapping[str, Any], competencies: pl.DataFrame) -> str:
    """The reasons for one capability-risk row (``frame.row(i, named=True)``).

    Example
    -------
    >>> row = {"team": "Ops", "competency_id": "x", "target_level": 3, "target_headcount": 1,
    ...        "supply": 1, "coverage": 1.0, "gap": 0, "risk": 0.0,
    ...        "single_point_of_failure": True, "band": "medium"}
    >>> explain_capability_risk_row(row, pl.DataFrame({"competency_id": ["x"], "name": ["SQL"]}))
    'Ops / SQL is medium risk: 1 of 1 needed person at Adapt or above; single point of failure'
    """
    one = pl.DataFrame(
        [dict(row)],
        schema_overrides={
            "target_level": pl.Int64,
            "target_headcount": pl.Int64,
            "supply": pl.Int64,
            "coverage": pl.Float64,
            "gap": pl.Int64,
            "risk": pl.Float64,
            "single_point_of_failure": pl.Boolean,
            "band": pl.String,
        },
    )
    return explain_capability_risk(one, competencies)["explanation"][0]
