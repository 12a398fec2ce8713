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


def _system(
    problem: AuditProblem, labels: bool
) -> tuple[sparse.csr_array, np.ndarray, sparse.csr_array, np.ndarray, np.ndarray]:
    """``A_eq x = b_eq``, ``A_ub x <= b_ub`` and variable upper bounds for one copy."""
    dims = problem.dims
    n_dims = len(dims)
    n_vars = problem.n_cells * n_dims
    eq_rows: list[dict[int, float]] = []
    eq_rhs: list[float] = []
    ub_rows: list[dict[int, float]] = []
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
        if row.min_eligible > 0:
            ub_rows.append(combo(row.cells, "eligible", -1.0))
            ub_rhs.append(-row.min_eligible)
        if labels and row.reason == PRIMARY:
            ub_rows.append(combo(row.cells, "eligible"))
            ub_rhs.append(problem.min_group_size - 1)
        elif labels and row.reason == COMPLEMENTARY:
            ub_rows.append(combo(row.cells, "eligible", -1.0))
            ub_rhs.append(-problem.min_group_size)
    if "assessed" in dims:
        for c in everyone:
            for coupling in PIPELINE_COUPLING:
                ub_rows.append({c * n_dims + dims.index(d): float(k) for d, k in coupling.items()})
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

    return matrix(eq_rows), np.array(eq_rhs, float), matrix(ub_rows), np.array(ub_rhs, float), upper


def _ranges(
    problem: AuditProblem, labels: bool, objectives: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """Min and max of each (row key, quantity) in one block-diagonal integer program."""
    if not objectives:
        return {}
    a_eq, b_eq, a_ub, b_ub, upper = _system(problem, labels)
    n_vars = a_eq.shape[1]
    rows = {r.key: r for r in problem.rows}
    n_dims = len(problem.dims)
    copies = 2 * len(objectives)
    c = np.zeros(copies * n_vars)
    for k, (key, quantity) in enumerate(objectives):
        for sign, copy in ((1.0, 2 * k), (-1.0, 2 * k + 1)):
            for cell in rows[key].cells:
                for dim, coef in QUANTITIES[quantity].items():
                    c[copy * n_vars + cell * n_dims + problem.dims.index(dim)] += sign * coef
    constraints = [
        LinearConstraint(sparse.block_diag([a_eq] * copies, format="csr"), np.tile(b_eq, copies), np.tile(b_eq, copies))
    ]
    if a_ub.shape[0]:
        constraints.append(
            LinearConstraint(sparse.block_diag([a_ub] * copies, format="csr"), -np.inf, np.tile(b_ub, copies))
        )
    result = milp(
        c,
        constraints=constraints,
        bounds=Bounds(np.zeros(copies * n_vars), np.tile(upper, copies)),
        integrality=np.ones(copies * n_vars),
    )
    if result.status != 0 or result.x is None:
        raise ValueError(ERR_INFEASIBLE.format(detail=result.message))
    x = result.x
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for k, (key, quantity) in enumerate(objectives):
        values = []
        for copy in (2 * k, 2 * k + 1):
            block = x[copy * n_vars : (copy + 1) * n_vars]
            total = 0.0
            for cell in rows[key].cells:
                for dim, coef in QUANTITIES[quantity].items():
                    total += coef * block[cell * n_dims + problem.dims.index(dim)]
            values.append(int(round(total)))
        out[(key, quantity)] = (values[0], values[1])
    return out


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
    with_labels = _ranges(problem, True, [(key, q) for key, qs in wanted.items() for q in qs])
    numbers = _ranges(problem, False, [(r.key, "eligible") for r in hidden if "eligible" in wanted[r.key]])
    return {
        r.key: RowRange(
            key=r.key,
            reason=r.reason or COMPLEMENTARY,
            ranges={q: with_labels[(r.key, q)] for q in wanted[r.key]},
            eligible_numbers=numbers.get((r.key, "eligible")),
        )
        for r in hidden
    }


def _published(row: AuditRow, quantity: str) -> bool:
    """Whether the row's published counts fix ``quantity`` (e.g. not promoted = eligible - promoted)."""
    if quantity in row.values:
        return True
    if quantity == "not_promoted":
        return "eligible" in row.values and "promoted" in row.values
    return False


def violations(problem: AuditProblem) -> dict[str, list[str]]:
    """Suppressed rows that break the rule, with the reasons in words.

    Example
    -------
    >>> rows = (AuditRow("A", (0,), {}, PRIMARY, 1), AuditRow("B", (1,), {"eligible": 30, "promoted": 3}, None, 1))
    >>> violations(AuditProblem(2, rows, {"eligible": 35, "promoted": 4}, 10))["A"]  # doctest: +NORMALIZE_WHITESPACE
    ['eligible determined exactly (5)', 'promoted determined exactly (1)', 'not promoted determined exactly (4)',
     'eligible range 5–5 narrower than 10']
    """
    return {key: found for key, r in audit(problem).items() if (found := r.problems(problem.min_group_size))}
