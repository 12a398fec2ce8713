"""The disclosure audit: what an outsider can work out about each suppressed row of a
published equity table, by integer linear programming over every published number.

The unknowns are, for every *cell* of the finest table (a one-way group, or an
intersection cell), the counts of promoted and not-promoted people (and, for the
pipeline table, assessed, ready-now and ready-not-promoted people). The published
numbers are linear constraints on them:

- every shown row's counts (a shown cell, a shown one-way group = the sum of its cells);
- the totals (all eligible, all promoted: the overall rate and any shortfall give them);
- structural facts: counts are whole and non-negative, promoted <= eligible, a listed
  one-way group has at least one member;
- with ``labels``, the published reason of each suppressed row: "fewer than m" says
  eligible <= m - 1, "suppressed" (complementary) says eligible >= m.

For each suppressed row and each audited quantity the smallest and largest value
consistent with all of these is found with ``scipy.optimize.milp`` (HiGHS), so the
ranges are exact for whole numbers, not a relaxation. All the minimisations and
maximisations of one audit are solved as one block-diagonal problem (one copy of the
constraints per objective), which costs one solver call instead of hundreds.

Example
-------
>>> rows = (AuditRow("A", (0,), {}, PRIMARY, 1), AuditRow("B", (1,), {}, COMPLEMENTARY, 1),
...         AuditRow("C", (2,), {"eligible": 40, "promoted": 10}, None, 1))
>>> problem = AuditProblem(3, rows, {"eligible": 55, "promoted": 12}, 10)
>>> r = audit(problem)["A"]          # A + B = 15, A <= 9, B >= 10, 2 promoted between them
>>> r.ranges["eligible"], r.ranges["promoted"], r.eligible_numbers
((1, 5), (0, 2), (1, 14))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

ERR_INFEASIBLE = (
    "The equity disclosure audit found the published numbers inconsistent ({detail}); nothing is published."
)

#: Reason of a row suppressed because it is small (published as "fewer than {m}").
PRIMARY = "primary"
#: Reason of a row suppressed to protect another (published as "suppressed").
COMPLEMENTARY = "complementary"

#: Per-cell variables; eligible = promoted + not_promoted.
PROMOTION_DIMS = ("promoted", "not_promoted")
PIPELINE_DIMS = (*PROMOTION_DIMS, "assessed", "ready_now", "ready_not_promoted")
#: Each published / audited quantity as a combination of the per-cell variables.
QUANTITIES: dict[str, dict[str, int]] = {
    "eligible": {"promoted": 1, "not_promoted": 1},
    "promoted": {"promoted": 1},
    "not_promoted": {"not_promoted": 1},
    "assessed": {"assessed": 1},
    "ready_now": {"ready_now": 1},
    "ready_not_promoted": {"ready_not_promoted": 1},
    "ready_promoted": {"ready_now": 1, "ready_not_promoted": -1},
}
#: Per-cell inequalities (combination <= 0) linking the pipeline counts.
PIPELINE_COUPLING: tuple[dict[str, int], ...] = (
    {"assessed": 1, "promoted": -1, "not_promoted": -1},  # assessed <= eligible
    {"ready_now": 1, "assessed": -1},  # ready <= assessed
    {"ready_not_promoted": 1, "ready_now": -1},  # ready and not promoted <= ready
    {"ready_now": 1, "ready_not_promoted": -1, "promoted": -1},  # ready and promoted <= promoted
    {"ready_not_promoted": 1, "not_promoted": -1},  # ready and not promoted <= not promoted
)


@dataclass(frozen=True)
class AuditRow:
    """One published row: a one-way group or an intersection cell.

    ``cells`` are the indices of the finest cells it adds up; ``values`` its published
    counts (empty when suppressed; only eligible and promoted for a pipeline row hidden
    in the pipeline table but shown in the promotion table); ``reason`` PRIMARY /
    COMPLEMENTARY when suppressed, None when shown; ``min_eligible`` 1 for a listed
    one-way group, 0 for an intersection cell.
    """

    key: str
    cells: tuple[int, ...]
    values: Mapping[str, int]
    reason: str | None
    min_eligible: int = 0

    @property
    def suppressed(self) -> bool:
        """Whether the row is suppressed (it has a reason)."""
        return self.reason is not None


@dataclass(frozen=True)
class AuditProblem:
    """Everything published about one table (with, for an intersection, its one-way tables)."""

    n_cells: int
    rows: tuple[AuditRow, ...]
    totals: Mapping[str, int]
    min_group_size: int
    dims: tuple[str, ...] = PROMOTION_DIMS
    #: The true per-cell values (in ``dims`` order), when known: ``violations`` then
    #: needs only one direction for most checks (a count above its true value is enough
    #: to show it is not determined).
    truth: tuple[tuple[int, ...], ...] | None = None


@dataclass(frozen=True)
class RowRange:
    """What can be worked out about one suppressed row (whole numbers).

    ``ranges``: each unpublished audited count -> (smallest, largest), using the labels;
    ``eligible_numbers``: the eligible range from the numbers alone (None when eligible is
    published elsewhere).
    """

    key: str
    reason: str
    ranges: Mapping[str, tuple[int, int]]
    eligible_numbers: tuple[int, int] | None

    def problems(self, min_group_size: int) -> list[str]:
        """The rule's violations, in words (empty when the row is protected).

        Example
        -------
        >>> RowRange("A", PRIMARY, {"eligible": (3, 3), "promoted": (0, 0)}, (1, 20)).problems(10)
        ['eligible determined exactly (3)', 'promoted determined exactly (0)']
        """
        out = [
            f"{name.replace('_', ' ')} determined exactly ({low})"
            for name, (low, high) in self.ranges.items()
            if low == high
        ]
        if self.eligible_numbers is not None:
            low, high = self.eligible_numbers
            if high - low < min_group_size:
                out.append(f"eligible range {low}–{high} narrower than {min_group_size}")
        return out


def _audited(dims: Sequence[str]) -> tuple[str, ...]:
    names = ["eligible", "promoted", "not_promoted"]
    if "assessed" in dims:
        names += ["assessed", "ready_now", "ready_not_promoted", "ready_promoted"]
    return tuple(names)


def _fixed(problem: AuditProblem) -> dict[int, float]:
    """Variables a shown single-cell row publishes outright (eliminated before solving)."""
    dims = problem.dims
    out: dict[int, float] = {}
    for row in problem.rows:
        if row.suppressed or len(row.cells) != 1:
            continue
        v = row.values
        known = {
            "promoted": v.get("promoted"),
            "not_promoted": v["eligible"] - v["promoted"] if "eligible" in v and "promoted" in v else None,
            "assessed": v.get("assessed"),
            "ready_now": v.get("ready_now"),
            "ready_not_promoted": v.get("ready_not_promoted"),
        }
        for d, dim in enumerate(dims):
            if known.get(dim) is not None:
                out[row.cells[0] * len(dims) + d] = float(known[dim])  # type: ignore[arg-type]
    return out


def _system(
    problem: AuditProblem, labels: bool
) -> tuple[sparse.csr_array, np.ndarray, sparse.csr_array, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``A_eq x = b_eq``, ``b_in[0] <= A_in x <= b_in[1]`` and variable upper bounds for one
    copy, over the free variables only; also the free variables' indices and every
    variable's fixed value."""
    dims = problem.dims
    n_dims = len(dims)
    n_vars = problem.n_cells * n_dims
    eq_rows: list[dict[int, float]] = []
    eq_rhs: list[float] = []
    ub_rows: list[dict[int, float]] = []
    ub_low: list[float] = []
    ub_rhs: list[float] = []

    def combo(cells: Sequence[int], quantity: str, sign: float = 1.0) -> dict[int, float]:
        row: dict[int, float] = {}
        for c in cells:
            for dim, coef in QUANTITIES[quantity].items():
                if dim in dims:
                    j = c * n_dims + dims.index(dim)
                    row[j] = row.get(j, 0.0) + sign * coef
        return row

    everyone = range(problem.n_cells)
    for quantity, value in problem.totals.items():
        eq_rows.append(combo(everyone, quantity))
        eq_rhs.append(value)
    for row in problem.rows:
        for quantity, value in row.values.items():
            eq_rows.append(combo(row.cells, quantity))
            eq_rhs.append(value)
        if not row.suppressed:
            continue
        low = float(row.min_eligible)
        high = np.inf
        if labels and row.reason == PRIMARY:
            high = problem.min_group_size - 1.0
        elif labels and row.reason == COMPLEMENTARY:
            low = max(low, float(problem.min_group_size))
        if low > 0 or high < np.inf:  # one two-sided row (parallel rows upset HiGHS's MIP presolve)
            ub_rows.append(combo(row.cells, "eligible"))
            ub_low.append(low)
            ub_rhs.append(high)
    if "assessed" in dims:
        for c in everyone:
            for coupling in PIPELINE_COUPLING:
                ub_rows.append({c * n_dims + dims.index(d): float(k) for d, k in coupling.items()})
                ub_low.append(-np.inf)
                ub_rhs.append(0.0)
    upper = np.full(n_vars, float(max(problem.totals.get("eligible", 0), 0)))

    def matrix(rows: list[dict[int, float]]) -> sparse.csr_array:
        data, ri, ci = [], [], []
        for i, r in enumerate(rows):
            for j, v in r.items():
                if v:
                    ri.append(i)
                    ci.append(j)
                    data.append(v)
        return sparse.csr_array((data, (ri, ci)), shape=(len(rows), n_vars))

    fixed = _fixed(problem)
    values = np.zeros(n_vars)
    for j, v in fixed.items():
        values[j] = v
    free = np.array([j for j in range(n_vars) if j not in fixed], dtype=np.int64)
    a_eq, a_ub = matrix(eq_rows), matrix(ub_rows)
    b_eq = np.array(eq_rhs, float) - a_eq @ values
    shift = a_ub @ values
    b_low = np.array(ub_low, float) - shift
    b_ub = np.array(ub_rhs, float) - shift
    a_eq, a_ub = a_eq[:, free], a_ub[:, free]
    keep_eq = np.diff(a_eq.indptr) > 0
    keep_ub = np.diff(a_ub.indptr) > 0
    if np.any(np.abs(b_eq[~keep_eq]) > 1e-9) or np.any(b_ub[~keep_ub] < -1e-9) or np.any(b_low[~keep_ub] > 1e-9):
        raise ValueError(ERR_INFEASIBLE.format(detail="a published count contradicts the others"))
    return (
        a_eq[keep_eq],
        b_eq[keep_eq],
        a_ub[keep_ub],
        np.vstack([b_low[keep_ub], b_ub[keep_ub]]),
        upper[free],
        free,
        values,
    )


Objective = tuple[bool, str, str, float]  # (with labels, row key, quantity, sign: 1 min, -1 max)


def _optimise(problem: AuditProblem, objectives: list[Objective]) -> dict[Objective, int]:
    """Optimum of each objective in one block-diagonal integer program: one copy of the
    constraints (with or without the labels) per objective."""
    if not objectives:
        return {}
    objectives = sorted(set(objectives), key=lambda o: not o[0])  # labelled copies first
    a_eq, b_eq, a_lab, b_lab, upper, free, values = _system(problem, True)
    _, _, a_num, b_num, _, _, _ = _system(problem, False)
    n_vars = len(free)
    column = {int(j): i for i, j in enumerate(free)}
    rows = {r.key: r for r in problem.rows}
    n_dims = len(problem.dims)
    copies = len(objectives)
    labelled = sum(1 for o in objectives if o[0])

    def terms(key: str, quantity: str) -> list[tuple[int, float]]:
        """(variable index, coefficient) of a row's quantity."""
        return [
            (cell * n_dims + problem.dims.index(dim), coef)
            for cell in rows[key].cells
            for dim, coef in QUANTITIES[quantity].items()
            if dim in problem.dims
        ]

    if n_vars == 0:
        return {o: int(round(sum(coef * values[j] for j, coef in terms(o[1], o[2])))) for o in objectives}
    c = np.zeros(copies * n_vars)
    for copy, (_, key, quantity, sign) in enumerate(objectives):
        for j, coef in terms(key, quantity):
            if j in column:
                c[copy * n_vars + column[j]] += sign * coef
    constraints = []
    if a_eq.shape[0]:
        big = sparse.kron(sparse.identity(copies, format="csr"), a_eq, format="csr")
        constraints.append(LinearConstraint(big, np.tile(b_eq, copies), np.tile(b_eq, copies)))
    blocks, low, high = [], [], []
    for count, a_in, b_in in ((labelled, a_lab, b_lab), (copies - labelled, a_num, b_num)):
        if count:
            blocks.append(sparse.kron(sparse.identity(count, format="csr"), a_in, format="csr"))
            low.append(np.tile(b_in[0], count))
            high.append(np.tile(b_in[1], count))
    if sum(b.shape[0] for b in blocks):
        constraints.append(
            LinearConstraint(sparse.block_diag(blocks, format="csr"), np.concatenate(low), np.concatenate(high))
        )
    bounds = Bounds(np.zeros(copies * n_vars), np.tile(upper, copies))
    integrality = np.ones(copies * n_vars)
    result = milp(c, constraints=constraints, bounds=bounds, integrality=integrality)
    if result.status != 0 or result.x is None:
        # HiGHS's MIP presolve has been seen to call feasible problems infeasible: retry without it.
        result = milp(c, constraints=constraints, bounds=bounds, integrality=integrality, options={"presolve": False})
    if result.status != 0 or result.x is None:
        raise ValueError(ERR_INFEASIBLE.format(detail=result.message))
    x = result.x
    out: dict[Objective, int] = {}
    for copy, objective in enumerate(objectives):
        block = x[copy * n_vars : (copy + 1) * n_vars]
        total = sum(coef * (block[column[j]] if j in column else values[j]) for j, coef in terms(*objective[1:3]))
        out[objective] = int(round(total))
    return out


def _true_value(problem: AuditProblem, row: AuditRow, quantity: str) -> int:
    assert problem.truth is not None
    return sum(
        coef * problem.truth[c][problem.dims.index(dim)]
        for c in row.cells
        for dim, coef in QUANTITIES[quantity].items()
        if dim in problem.dims
    )


def audit(problem: AuditProblem) -> dict[str, RowRange]:
    """The range of every unpublished count of every suppressed row.

    Parameters
    ----------
    problem : AuditProblem
        The published table(s).

    Returns
    -------
    dict of str to RowRange
        Keyed by row key; shown rows are absent.

    Example
    -------
    >>> rows = (AuditRow("A", (0,), {}, PRIMARY, 1), AuditRow("B", (1,), {"eligible": 30, "promoted": 3}, None, 1))
    >>> audit(AuditProblem(2, rows, {"eligible": 35, "promoted": 4}, 10))["A"].ranges["eligible"]   # 35 - 30
    (5, 5)
    """
    hidden = [r for r in problem.rows if r.suppressed]
    quantities = _audited(problem.dims)
    wanted = {r.key: [q for q in quantities if not _published(r, q)] for r in hidden}
    objectives: list[Objective] = [
        (labels, key, q, sign)
        for key, qs in wanted.items()
        for labels, names in ((True, qs), (False, [q for q in qs if q == "eligible"]))
        for q in names
        for sign in (1.0, -1.0)
    ]
    found = _optimise(problem, objectives)
    return {
        r.key: RowRange(
            key=r.key,
            reason=r.reason or COMPLEMENTARY,
            ranges={q: (found[(True, r.key, q, 1.0)], found[(True, r.key, q, -1.0)]) for q in wanted[r.key]},
            eligible_numbers=(found[(False, r.key, "eligible", 1.0)], found[(False, r.key, "eligible", -1.0)])
            if "eligible" in wanted[r.key]
            else None,
        )
        for r in hidden
    }


def _is_one_way(problem: AuditProblem) -> bool:
    """One table of groups, each its own cell, promotion counts only: closed form applies."""
    return (
        problem.dims == PROMOTION_DIMS
        and len(problem.rows) == problem.n_cells
        and sorted(c for r in problem.rows for c in r.cells) == list(range(problem.n_cells))
        and all(len(r.cells) == 1 and (r.values == {} or not r.suppressed) for r in problem.rows)
    )


def one_way_ranges(problem: AuditProblem, labels: bool = True) -> dict[str, dict[str, tuple[int, int]]]:
    """The same ranges as ``audit`` for a one-way table, in closed form (exact for whole numbers).

    The hidden groups share H eligible and P promoted (totals minus the shown groups);
    each has eligible bounds [lo, hi] (at least 1; with labels below m or at least m).
    Eligible of g: [max(lo_g, H - sum of others' hi), min(hi_g, H - sum of others' lo)];
    promoted of g: [max(0, P - (H - min eligible_g)), min(P, max eligible_g)]; not promoted
    likewise with H - P.

    Example
    -------
    >>> rows = (AuditRow("A", (0,), {}, PRIMARY, 1), AuditRow("B", (1,), {}, COMPLEMENTARY, 1),
    ...         AuditRow("C", (2,), {"eligible": 40, "promoted": 10}, None, 1))
    >>> one_way_ranges(AuditProblem(3, rows, {"eligible": 55, "promoted": 12}, 10))["A"]
    {'eligible': (1, 5), 'promoted': (0, 2), 'not_promoted': (0, 5)}
    """
    m = problem.min_group_size
    hidden = [r for r in problem.rows if r.suppressed]
    shown = [r for r in problem.rows if not r.suppressed]
    h = problem.totals["eligible"] - sum(r.values["eligible"] for r in shown)
    p = problem.totals["promoted"] - sum(r.values["promoted"] for r in shown)
    bounds = {}
    for r in hidden:
        lo, hi = r.min_eligible, h
        if labels and r.reason == PRIMARY:
            hi = min(hi, m - 1)
        elif labels and r.reason == COMPLEMENTARY:
            lo = max(lo, m)
        bounds[r.key] = (lo, hi)
    sum_lo = sum(b[0] for b in bounds.values())
    sum_hi = sum(b[1] for b in bounds.values())
    if not sum_lo <= h <= sum_hi or not 0 <= p <= h:
        raise ValueError(ERR_INFEASIBLE.format(detail="the hidden groups cannot add up to the totals"))
    out = {}
    for key, (lo, hi) in bounds.items():
        e_lo = max(lo, h - (sum_hi - hi))
        e_hi = min(hi, h - (sum_lo - lo))
        out[key] = {
            "eligible": (e_lo, e_hi),
            "promoted": (max(0, p - (h - e_lo)), min(p, e_hi)),
            "not_promoted": (max(0, (h - p) - (h - e_lo)), min(h - p, e_hi)),
        }
    return out


def _published(row: AuditRow, quantity: str) -> bool:
    """Whether the row's published counts fix ``quantity`` (e.g. not promoted = eligible - promoted)."""
    if quantity in row.values:
        return True
    if quantity == "not_promoted":
        return "eligible" in row.values and "promoted" in row.values
    return False


def violations(problem: AuditProblem, method: str = "auto") -> dict[str, list[str]]:
    """Suppressed rows that break the rule, with the reasons in words.

    ``method="auto"`` uses the closed form for a one-way table and integer programs
    otherwise; ``"lp"`` always uses the integer programs.

    Example
    -------
    >>> rows = (AuditRow("A", (0,), {}, PRIMARY, 1), AuditRow("B", (1,), {"eligible": 30, "promoted": 3}, None, 1))
    >>> violations(AuditProblem(2, rows, {"eligible": 35, "promoted": 4}, 10))["A"]  # doctest: +NORMALIZE_WHITESPACE
    ['eligible determined exactly (5)', 'promoted determined exactly (1)', 'not promoted determined exactly (4)',
     'eligible range 5–5 narrower than 10']
    """
    if method == "auto" and _is_one_way(problem):
        with_labels, numbers = one_way_ranges(problem), one_way_ranges(problem, labels=False)
        ranges = {
            key: RowRange(key, COMPLEMENTARY, value, numbers[key]["eligible"]) for key, value in with_labels.items()
        }
        return {key: found for key, r in ranges.items() if (found := r.problems(problem.min_group_size))}
    if problem.truth is None:
        return {key: found for key, r in audit(problem).items() if (found := r.problems(problem.min_group_size))}
    m = problem.min_group_size
    hidden = [r for r in problem.rows if r.suppressed]
    quantities = _audited(problem.dims)
    checks = [(r, q) for r in hidden for q in quantities if not _published(r, q)]
    width = [r for r in hidden if not _published(r, "eligible")]
    truth = {(r.key, q): _true_value(problem, r, q) for r, q in checks}
    # First pass: maximise everything. A maximum above the truth proves "not exact"; a
    # numbers-only maximum at least m above the truth proves the width.
    high = _optimise(
        problem, [(True, r.key, q, -1.0) for r, q in checks] + [(False, r.key, "eligible", -1.0) for r in width]
    )
    open_checks = [(r, q) for r, q in checks if high[(True, r.key, q, -1.0)] == truth[(r.key, q)]]
    open_width = [r for r in width if high[(False, r.key, "eligible", -1.0)] - truth[(r.key, "eligible")] < m]
    low = _optimise(
        problem,
        [(True, r.key, q, 1.0) for r, q in open_checks] + [(False, r.key, "eligible", 1.0) for r in open_width],
    )
    out: dict[str, list[str]] = {}
    for r, q in open_checks:
        if low[(True, r.key, q, 1.0)] == truth[(r.key, q)]:
            out.setdefault(r.key, []).append(f"{q.replace('_', ' ')} determined exactly ({truth[(r.key, q)]})")
    for r in open_width:
        lo, hi = low[(False, r.key, "eligible", 1.0)], high[(False, r.key, "eligible", -1.0)]
        if hi - lo < m:
            out.setdefault(r.key, []).append(f"eligible range {lo}–{hi} narrower than {m}")
    return out
