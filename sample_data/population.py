"""The people of the sample and their three years of history.

One vectorised simulation over the 12 quarters of history (a loop over quarters,
never over employees) produces hires and exits, role moves (promotions along
``next_role_id``, laterals at the same level, rare demotions), semi-annual
performance ratings and, per quarter and cluster, how many *new distinct*
microlearning assets each employee completed. The learning events themselves are
expanded from those counts later, in chunks (``sample_data.learning``).

Planted truths produced here:

* learning impact: ``rating_t = mu + rho*(rating_{t-1} - mu) + level/ladder effects
  + sum_k theta_k * exposure_k + noise`` where ``exposure_k`` is the number of
  distinct assets of cluster k completed in the 365 days (four quarters) up to the
  period end; the completion rate of every cluster rises with the previous
  *observed* rating (confounding through an observed control);
* promotion disparity: in the 12 months ending at the as-of date, women are
  promoted at 0.65 x the rate of men, with equal rates across age bands.

Example
-------
>>> pop = simulate_population(60, np.random.default_rng(1), build_roles(), np.full(12, 8))
>>> pop.employees.height, pop.counts.shape
(60, (60, 12, 12))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from data_sources.contract import CONTRACT, NOT_DISCLOSED
from sample_data.structure import CLUSTERS, LADDERS, REMOTE, TEAMS, build_roles
from sample_data.timeline import (
    AS_OF,
    HISTORY_START,
    N_QUARTERS,
    QUARTER_BOUNDS,
    RATING_QUARTERS,
    WINDOW_FIRST_QUARTER,
    active_span,
    day,
)

#: Stand-in exit day of employees who have not left (far in the future).
NO_EXIT = 10**7

GENDERS = ("Woman", "Man", "Non-binary", NOT_DISCLOSED)
GENDER_P = (0.47, 0.48, 0.02, 0.03)
ETHNICITIES = ("White", "Asian", "Black", "Hispanic or Latino", "Mixed", NOT_DISCLOSED)
ETHNICITY_P = (0.54, 0.17, 0.10, 0.10, 0.03, 0.06)
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55+")
#: Lower age of each band after the first (nobody is younger than 21 + tenure).
AGE_EDGES = np.array([25.0, 35.0, 45.0, 55.0])
_AGE_P_JUNIOR = np.array([0.20, 0.42, 0.22, 0.11, 0.05])
_AGE_P_SENIOR = np.array([0.0, 0.12, 0.38, 0.32, 0.18])
DISABILITIES = ("No", "Yes", NOT_DISCLOSED)
DISABILITY_P = (0.85, 0.07, 0.08)
#: Share of "Not disclosed" values written as blanks (the loader maps blank back).
BLANK_SHARE = 0.3

ERR_TOO_FEW = "The sample needs at least {min} employees; got {n}."
MIN_EMPLOYEES = 50


@dataclass(frozen=True)
class PopulationParams:
    """Knobs of the simulation (defaults are the documented planted truths)."""

    initial_share: float = 0.74
    annual_attrition: float = 0.115
    promotion_rate_man: float = 0.145
    woman_factor: float = 0.65
    other_gender_factor: float = 0.95
    lateral_per_quarter: float = 0.008
    demotion_per_quarter: float = 0.002
    null_type_share: float = 0.08
    promotion_gamma: float = 0.8
    rating_mu: float = 3.2
    rating_rho: float = 0.5
    rating_noise_sd: float = 0.4
    level_effect: float = 0.05
    ladder_effects: tuple[float, ...] = (0.05, 0.0, -0.05, 0.03, 0.0, -0.03, 0.02)
    completions_per_quarter: float = 1.9
    learning_beta: float = 1.0
    learning_clip: float = 0.7
    cluster_popularity: tuple[float, ...] = (1.0, 1.1, 0.9, 1.0, 1.6, 1.2, 1.0, 0.8, 0.7, 0.9, 0.6, 0.8)
    thetas: tuple[float, ...] = field(default_factory=lambda: tuple(c[1] for c in CLUSTERS))


@dataclass(frozen=True)
class Population:
    """Result of :func:`simulate_population`.

    ``hire``/``exit`` are day numbers (``NO_EXIT`` for active employees),
    ``role`` the final role index into the roles table, ``counts[i, q, k]`` the
    number of new distinct assets of cluster k employee i completed in quarter q.
    """

    employees: pl.DataFrame
    movements: pl.DataFrame
    performance: pl.DataFrame
    hire: np.ndarray
    exit: np.ndarray
    role: np.ndarray
    gender: np.ndarray
    age_band: np.ndarray
    counts: np.ndarray
    window_promoted: np.ndarray


def _choice(rng: np.random.Generator, options: tuple[str, ...], p, n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _role_arrays(roles: pl.DataFrame):
    ids = roles["role_id"].to_list()
    index = {r: i for i, r in enumerate(ids)}
    level = roles["level"].to_numpy()
    ladder_names = [lad.name for lad in LADDERS]
    ladder = np.array([ladder_names.index(x) for x in roles["ladder"].to_list()])
    nxt = np.array([index.get(x, -1) if x is not None else -1 for x in roles["next_role_id"].to_list()])
    prev = np.full(len(ids), -1)
    prev[nxt[nxt >= 0]] = np.flatnonzero(nxt >= 0)
    offset = np.array([int(np.flatnonzero(ladder == li)[0]) for li in range(len(LADDERS))])
    n_levels = np.array([len(lad.titles) for lad in LADDERS])
    return ids, level, ladder, nxt, prev, offset, n_levels


def _draw_levels(rng, ladder, n_levels, junior: bool) -> np.ndarray:
    """Level 1.. per employee: a pyramid (or mostly junior levels for hires)."""
    out = np.empty(len(ladder), dtype=np.int64)
    for li, nl in enumerate(n_levels):
        idx = np.flatnonzero(ladder == li)
        if junior:
            w = np.array([0.55, 0.27, 0.12, 0.04, 0.015, 0.005])[:nl]
        else:
            w = 0.62 ** np.arange(nl)
        out[idx] = rng.choice(nl, size=len(idx), p=w / w.sum()) + 1
    return out


def _efraimidis_top(rng, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of a weighted sample of ``k`` without replacement."""
    keys = np.log(rng.random(len(weights))) / weights
    return np.argsort(-keys, kind="stable")[:k]


def simulate_population(
    n: int,
    rng: np.random.Generator,
    roles: pl.DataFrame | None = None,
    pool_sizes: np.ndarray | None = None,
    params: PopulationParams = PopulationParams(),
) -> Population:
    """Simulate ``n`` employees over the three years before the as-of date.

    Parameters
    ----------
    n : int
        Number of employee rows (active and exited).
    rng : numpy.random.Generator
        The random stream (consumed in a fixed order: same seed, same result).
    roles : polars.DataFrame, optional
        The roles table (default :func:`sample_data.structure.build_roles`).
    pool_sizes : numpy.ndarray, optional
        Completable assets per cluster; caps distinct completions.
    params : PopulationParams
        Simulation parameters.

    Returns
    -------
    Population

    Example
    -------
    >>> pop = simulate_population(80, np.random.default_rng(3))
    >>> pop.performance.columns
    ['employee_id', 'period_end', 'rating']
    """
    if n < MIN_EMPLOYEES:
        raise ValueError(ERR_TOO_FEW.format(min=MIN_EMPLOYEES, n=n))
    roles = build_roles() if roles is None else roles
    n_clusters = len(CLUSTERS)
    pool_sizes = np.full(n_clusters, 10) if pool_sizes is None else np.asarray(pool_sizes)
    p = params
    role_ids, role_level, role_ladder, role_next, role_prev, offset, n_levels = _role_arrays(roles)
    h_day, t_day = day(HISTORY_START), day(AS_OF)

    # --- who, hired when, leaving when -------------------------------------------------
    n0 = int(round(p.initial_share * n))
    initial = np.arange(n) < n0
    tenure = 30 + np.minimum(365 * rng.gamma(1.6, 2.2, n), 365 * 25).astype(np.int64)
    hire = np.where(initial, h_day - tenure, rng.integers(h_day + 1, t_day - 10, n))
    shares = np.array([lad.share for lad in LADDERS])
    ladder = rng.choice(len(LADDERS), size=n, p=shares / shares.sum())
    level = np.where(initial, _draw_levels(rng, ladder, n_levels, False), _draw_levels(rng, ladder, n_levels, True))
    role = offset[ladder] + level - 1
    rate = -np.log(1 - p.annual_attrition) / 365
    start = np.maximum(hire, h_day)
    ttl = np.maximum(rng.exponential(1 / rate, n), 60).astype(np.int64)
    exit_ = np.where(start + ttl < t_day, start + ttl, NO_EXIT)
    frac = (level - 1) / (n_levels[ladder] - 1)
    age_p = (1 - frac)[:, None] * _AGE_P_JUNIOR + frac[:, None] * _AGE_P_SENIOR
    drawn = (rng.random(n)[:, None] > np.cumsum(age_p, axis=1)).sum(axis=1)
    youngest = np.searchsorted(AGE_EDGES, 21.0 + (t_day - hire) / 365.25, "right")
    age_band = np.asarray(AGE_BANDS, dtype=object)[np.minimum(np.maximum(drawn, youngest), 4)]
    gender = _choice(rng, GENDERS, GENDER_P, n)
    ethnicity = _choice(rng, ETHNICITIES, ETHNICITY_P, n)
    disability = _choice(rng, DISABILITIES, DISABILITY_P, n)

    order = np.argsort(hire, kind="stable")  # employee ids in hiring order
    hire, ladder, role, exit_, age_band, gender, ethnicity, disability = (
        a[order] for a in (hire, ladder, role, exit_, age_band, gender, ethnicity, disability)
    )
    emp_ids = np.array([f"E{i + 1:06d}" for i in range(n)], dtype=object)

    # --- the quarter loop ----------------------------------------------------------------
    theta = np.asarray(p.thetas)
    popularity = np.asarray(p.cluster_popularity)
    base = p.completions_per_quarter * popularity / popularity.sum()
    sd_stat = p.rating_noise_sd / np.sqrt(1 - p.rating_rho**2)
    # intercept shift so that the average employee's learning does not drift the scale
    centre = float(theta @ (4 * base))
    ladder_eff = np.asarray(p.ladder_effects)
    q_promo = 1 - (1 - p.promotion_rate_man) ** 0.25
    g_factor = np.select([gender == "Man", gender == "Woman"], [1.0, p.woman_factor], p.other_gender_factor)
    counts = np.zeros((n, N_QUARTERS, n_clusters), dtype=np.int16)
    cum = np.zeros((n, n_clusters), dtype=np.int16)
    last_rating = np.full(n, np.nan)
    plan_date = np.full(n, -1, dtype=np.int64)
    mv_parts: list[tuple[np.ndarray, ...]] = []
    perf_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    levels_by_ladder = {lv: np.flatnonzero(role_level == lv) for lv in np.unique(role_level)}

    for q in range(N_QUARTERS):
        q_start, q_end = QUARTER_BOUNDS[q], QUARTER_BOUNDS[q + 1]
        r_obs = np.where(np.isnan(last_rating), p.rating_mu, last_rating)

        # learning: new distinct completions per cluster, rising with the previous rating
        lo, hi = active_span(q, hire, exit_)
        active_frac = np.clip((hi - lo + 1) / (q_end - q_start), 0, 1)
        drive = np.exp(p.learning_beta * np.clip(r_obs - p.rating_mu, -p.learning_clip, p.learning_clip))
        lam = base[None, :] * (active_frac * drive)[:, None]
        c = rng.poisson(lam).astype(np.int16)
        c = np.minimum(c, pool_sizes[None, :] - cum)
        counts[:, q, :] = c
        cum += c

        # equity window: fix who is promoted in (S, T] once, at S
        if q == WINDOW_FIRST_QUARTER:
            plan_date = _plan_window(rng, p, q_start, t_day, hire, exit_, role, role_next, gender, age_band, r_obs)

        # movements
        lo_m = np.maximum(q_start + 1, hire + 30)
        hi_m = np.minimum(q_end, exit_ - 1)
        can = hi_m >= lo_m
        u = rng.random(n)
        eff = lo_m + np.floor(rng.random(n) * np.maximum(hi_m - lo_m + 1, 1)).astype(np.int64)
        promotable = role_next[role] >= 0
        if q < WINDOW_FIRST_QUARTER:
            p_prom = np.where(promotable, q_promo * g_factor * np.exp(p.promotion_gamma * (r_obs - p.rating_mu)), 0.0)
            prom = can & (u < p_prom)
            free = can & ~prom
        else:
            prom = (plan_date > q_start) & (plan_date <= q_end)
            eff = np.where(prom, plan_date, eff)
            p_prom = np.zeros(n)
            free = can & (plan_date < 0)
        lat = free & (u >= p_prom) & (u < p_prom + p.lateral_per_quarter)
        dem = (
            free
            & (u >= p_prom + p.lateral_per_quarter)
            & (u < p_prom + p.lateral_per_quarter + p.demotion_per_quarter)
            & (role_prev[role] >= 0)
        )
        new_role = role.copy()
        new_role[prom] = role_next[role[prom]]
        new_role[dem] = role_prev[role[dem]]
        pick = rng.random(n)
        for lv, same_level in levels_by_ladder.items():
            movers = np.flatnonzero(lat & (role_level[role] == lv))
            if len(same_level) < 2 or len(movers) == 0:
                lat[movers] = False
                continue
            j = np.floor(pick[movers] * (len(same_level) - 1)).astype(np.int64)
            target = same_level[j]
            target = np.where(target == role[movers], same_level[-1], target)
            new_role[movers] = target
        moved = prom | lat | dem
        kind = np.where(prom, "promotion", np.where(lat, "lateral", "demotion"))
        mv_parts.append((np.flatnonzero(moved), eff[moved], role[moved], new_role[moved], kind[moved]))
        role = new_role

        # semi-annual rating at the period end
        if q in RATING_QUARTERS:
            rated = (hire <= q_end - 90) & (exit_ > q_end)
            exposure = counts[:, max(0, q - 3) : q + 1, :].sum(axis=1)
            prev = np.where(np.isnan(last_rating), p.rating_mu + rng.normal(0, sd_stat, n), last_rating)
            r = (
                p.rating_mu
                + p.rating_rho * (prev - p.rating_mu)
                + p.level_effect * (role_level[role] - 1)
                + ladder_eff[role_ladder[role]]
                + exposure @ theta
                - centre
                + rng.normal(0, p.rating_noise_sd, n)
            )
            r = np.clip(np.round(r, 1), 1.0, 5.0)
            last_rating = np.where(rated, r, last_rating)
            idx = np.flatnonzero(rated)
            perf_parts.append((idx, np.full(len(idx), q_end), r[rated]))

    movements = _movements_frame(rng, p, mv_parts, emp_ids, role_ids)
    performance = (
        pl.DataFrame(
            {
                "employee_id": emp_ids[np.concatenate([x[0] for x in perf_parts])].astype(str),
                "period_end": np.concatenate([x[1] for x in perf_parts]).astype(np.int32),
                "rating": np.concatenate([x[2] for x in perf_parts]),
            }
        )
        .with_columns(pl.col("period_end").cast(pl.Date))
        .sort("employee_id", "period_end")
    )
    employees = _employees_frame(
        rng, emp_ids, role, role_ids, role_level, role_ladder, hire, exit_, gender, ethnicity, age_band, disability
    )
    return Population(
        employees=employees,
        movements=movements,
        performance=performance,
        hire=hire,
        exit=exit_,
        role=role,
        gender=gender,
        age_band=age_band,
        counts=counts,
        window_promoted=plan_date >= 0,
    )


def _plan_window(rng, p, s_day, t_day, hire, exit_, role, role_next, gender, age_band, r_obs):
    """Choose who is promoted in (S, T] and when: within each gender the promotion
    rate is fixed (women 0.65 x men), and within a gender it is the same for every
    age band (systematic rounding across age-band cells)."""
    n = len(hire)
    eligible = (hire <= s_day) & (exit_ > s_day)
    promotable = eligible & (role_next[role] >= 0) & (exit_ > s_day + 45)
    rate = {"Man": p.promotion_rate_man, "Woman": p.promotion_rate_man * p.woman_factor}
    weight = np.exp(p.promotion_gamma * (r_obs - p.rating_mu))
    chosen = np.zeros(n, dtype=bool)
    for g in GENDERS:
        r_g = rate.get(g, p.promotion_rate_man * p.other_gender_factor)
        # systematic rounding with a random start keeps every cell's expected count
        # exact; the small genders round down so they never out-rank men by rounding
        cum_before = float(rng.random()) if g in rate else 0.0
        for a in AGE_BANDS:
            cell = (gender == g) & (age_band == a)
            cum_after = cum_before + r_g * int((cell & eligible).sum())
            k = int(np.floor(cum_after)) - int(np.floor(cum_before))
            cum_before = cum_after
            cand = np.flatnonzero(cell & promotable)
            if k > 0 and len(cand):
                chosen[cand[_efraimidis_top(rng, weight[cand], min(k, len(cand)))]] = True
    lo = np.maximum(s_day + 1, hire + 30)
    hi = np.minimum(t_day, exit_ - 1)
    date = lo + np.floor(rng.random(n) * np.maximum(hi - lo + 1, 1)).astype(np.int64)
    return np.where(chosen & (hi >= lo), date, -1)


def _movements_frame(rng, p, parts, emp_ids, role_ids) -> pl.DataFrame:
    idx = np.concatenate([x[0] for x in parts])
    kind = np.concatenate([x[4] for x in parts]).astype(object)
    kind[rng.random(len(kind)) < p.null_type_share] = None
    rid = np.asarray(role_ids, dtype=object)
    frame = pl.DataFrame(
        {
            "employee_id": emp_ids[idx].astype(str),
            "effective_date": np.concatenate([x[1] for x in parts]).astype(np.int32),
            "from_role_id": rid[np.concatenate([x[2] for x in parts])].astype(str),
            "to_role_id": rid[np.concatenate([x[3] for x in parts])].astype(str),
            "movement_type": pl.Series(kind.tolist(), dtype=pl.String),
        }
    ).with_columns(pl.col("effective_date").cast(pl.Date))
    return frame.sort("employee_id", "effective_date").select(
        [pl.col(c).cast(t) for c, t in CONTRACT["movements"].schema().items()]
    )


#: Given and family names for the sample's display names (chosen without regard to gender or origin).
_GIVEN = (
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Robin",
    "Drew",
    "Kai",
    "Rowan",
    "Sasha",
    "Noor",
    "Ari",
    "Remy",
    "Emery",
    "Sky",
    "Parker",
    "Reese",
    "Dana",
    "Toni",
)
_FAMILY = (
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Silva",
    "Novak",
    "Haddad",
    "Kowalski",
    "Byrne",
    "Mensah",
    "Fischer",
    "Ruiz",
    "Chen",
    "Patel",
    "Dubois",
    "Larsen",
    "Costa",
    "Nakamura",
    "Ibrahim",
    "Walsh",
    "Petrov",
    "Santos",
    "Keller",
    "Aydin",
    "Murphy",
    "Rossi",
    "Park",
    "Nguyen",
    "Jensen",
    "Ortega",
    "Quist",
)


def display_names(n: int) -> pl.Series:
    """Deterministic display names for employees 0..n-1 (no random draw: the rest of the
    organisation is unchanged by them).

    Example
    -------
    >>> display_names(3).to_list()
    ['Alex Okafor', 'Drew Santos', 'Dana Ruiz']
    """
    return pl.Series(
        "display_name",
        [f"{_GIVEN[(i * 11) % len(_GIVEN)]} {_FAMILY[(i * 21) % len(_FAMILY)]}" for i in range(n)],
        dtype=pl.String,
    )


def _blank(rng, values: np.ndarray) -> list[str | None]:
    out = values.copy()
    out[(values == NOT_DISCLOSED) & (rng.random(len(values)) < BLANK_SHARE)] = None
    return out.tolist()


def _employees_frame(
    rng, emp_ids, role, role_ids, role_level, role_ladder, hire, exit_, gender, ethnicity, age_band, disability
) -> pl.DataFrame:
    n = len(emp_ids)
    team_names = np.array([t[0] for t in TEAMS], dtype=object)
    team_ladder = np.array([[lad.code for lad in LADDERS].index(t[1]) for t in TEAMS])
    team_loc = np.array([t[2] for t in TEAMS], dtype=object)
    ladder = role_ladder[role]
    team = np.empty(n, dtype=np.int64)
    pick = rng.random(n)
    for li in range(len(LADDERS)):
        opts = np.flatnonzero(team_ladder == li)
        sel = ladder == li
        team[sel] = opts[np.floor(pick[sel] * len(opts)).astype(np.int64)]
    loc_u = rng.random(n)
    location = np.where(loc_u < 0.82, team_loc[team], np.where(loc_u < 0.97, REMOTE, None))

    # managers: per team the most senior active member (earliest hire breaks ties);
    # the most senior of them heads the organisation and has no manager.
    level = role_level[role]
    active = exit_ == NO_EXIT
    key = pl.DataFrame({"i": np.arange(n), "team": team, "level": level, "hire": hire, "active": active})
    heads = (
        key.filter("active")
        .sort(["level", "hire", "i"], descending=[True, False, False])
        .group_by("team", maintain_order=True)
        .first()
    )
    head_of_team = dict(zip(heads["team"].to_list(), heads["i"].to_list()))
    ceo = int(heads["i"][0])
    mgr_idx = np.array([head_of_team.get(t, ceo) for t in team])
    mgr_idx = np.where(level[mgr_idx] > level, mgr_idx, ceo)
    is_head = np.isin(np.arange(n), heads["i"].to_numpy())
    mgr_idx = np.where(is_head, ceo, mgr_idx)
    manager = emp_ids[mgr_idx].astype(object)
    manager[ceo] = None
    rid = np.asarray(role_ids, dtype=object)
    frame = pl.DataFrame(
        {
            "employee_id": emp_ids.astype(str),
            "role_id": rid[role].astype(str),
            "team": team_names[team].astype(str),
            "manager_id": pl.Series(manager.tolist(), dtype=pl.String),
            "hire_date": hire.astype(np.int32),
            "exit_date": pl.Series(np.where(exit_ == NO_EXIT, None, exit_).tolist(), dtype=pl.Int32),
            "location": pl.Series(location.tolist(), dtype=pl.String),
            "display_name": display_names(n),
            "gender": pl.Series(_blank(rng, gender), dtype=pl.String),
            "ethnicity": pl.Series(_blank(rng, ethnicity), dtype=pl.String),
            "age_band": pl.Series(age_band.tolist(), dtype=pl.String),
            "disability": pl.Series(_blank(rng, disability), dtype=pl.String),
        }
    ).with_columns(pl.col("hire_date", "exit_date").cast(pl.Date))
    return frame
