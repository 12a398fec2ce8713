"""Who may see whom: roles, the people each viewer may see, and the one scoping function.

Every person-level frame leaves metrics/ for a page, a chart, a download or a
drill-down through :func:`scope_frame`, which keeps only the rows the viewer may
see (or refuses the frame outright for a role without person-level access).
Pages are allowed per role by :func:`allowed_pages`. Nothing here knows about
Streamlit or sign-in: ``ui.auth`` turns a signed-in identity into a ``Viewer``.

Roles
-----
admin     loads and changes sources, sees everything, reads the audit log
hr        every view of the whole organisation, person-level included; no source changes
analyst   aggregates only: no person-level rows anywhere, downloads included
manager   their hierarchy (direct and indirect reports at the as-of date), person-level within it
employee  their own file only

Example
-------
>>> import datetime as dt, polars as pl
>>> emp = pl.DataFrame({"employee_id": ["M", "A", "B", "C"], "manager_id": [None, "M", "A", None],
...                     "hire_date": [dt.date(2020, 1, 1)] * 4, "exit_date": [None] * 4})
>>> scope = scope_for(Viewer("m@example.com", MANAGER, employee_id="M"), emp, dt.date(2026, 1, 1))
>>> sorted(scope.people)
['A', 'B', 'M']
>>> rows = pl.DataFrame({"employee_id": ["A", "C"], "readiness": [0.5, 0.9]})
>>> scope_frame(rows, scope)["employee_id"].to_list()
['A']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import polars as pl

from metrics.common import active_expr

ADMIN, HR, ANALYST, MANAGER, EMPLOYEE = "admin", "hr", "analyst", "manager", "employee"
ROLES: tuple[str, ...] = (ADMIN, HR, ANALYST, MANAGER, EMPLOYEE)
ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {ADMIN: "Administrator", HR: "HR", ANALYST: "Analyst", MANAGER: "Manager", EMPLOYEE: "Employee"}
)

ERR_UNKNOWN_ROLE = "Unknown role {role!r}; expected one of: {known}."
ERR_NO_EMPLOYEE = "A {role} needs an employee id (their own record) to see anything."
ERR_PERSON_LEVEL = "Your role ({role}) sees aggregates only: person-level rows are not available."
ERR_OUT_OF_SCOPE = "Employee {employee_id} is outside the people your role may see."

#: Aggregate pages every dashboard role (admin, HR, analyst) may open.
_AGGREGATE_PAGES = frozenset(
    {
        "overview",
        "readiness",
        "bench",
        "capability_risk",
        "learning_impact",
        "assets",
        "equity",
        "data",
        "definitions",
        "framework",
    }
)
#: HR adds the person-level pages; an administrator adds the own-record pages and the audit log.
_HR_PAGES = _AGGREGATE_PAGES | {"person", "talent_review", "succession"}
#: Pages each role may open (url paths of the app's pages).
PAGES_BY_ROLE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        ADMIN: _HR_PAGES | {"team", "my_profile", "audit"},
        HR: _HR_PAGES,
        ANALYST: _AGGREGATE_PAGES,
        MANAGER: frozenset({"team", "person", "definitions"}),
        EMPLOYEE: frozenset({"my_profile", "definitions"}),
    }
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: their sign-in identity, role and (for managers and employees) own record."""

    identity: str
    role: str
    employee_id: str | None = None
    name: str = ""
    local: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(ERR_UNKNOWN_ROLE.format(role=self.role, known=", ".join(ROLES)))


@dataclass(frozen=True)
class Scope:
    """The people a viewer may see person-level rows of.

    ``everyone`` means no restriction; otherwise only ``people`` (empty for an analyst,
    whose ``person_level`` is False).
    """

    role: str
    person_level: bool
    everyone: bool
    people: frozenset[str] = field(default_factory=frozenset)

    def allows(self, employee_id: str) -> bool:
        """True when the viewer may see this employee's person-level rows.

        Example
        -------
        >>> Scope(HR, True, True).allows("E1"), Scope(ANALYST, False, False).allows("E1")
        (True, False)
        """
        return self.person_level and (self.everyone or employee_id in self.people)


class AccessDenied(PermissionError):
    """A page asked for rows the viewer may not see; the message is one plain line."""


def hierarchy(employees: pl.DataFrame, manager_id: str, as_of: dt.date) -> frozenset[str]:
    """The manager and everyone reporting to them directly or indirectly, among employees active
    on ``as_of`` (walked down ``manager_id``; a cycle in the data cannot loop).

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["M", "A", "B"], "manager_id": [None, "M", "A"],
    ...                     "hire_date": [dt.date(2020, 1, 1)] * 3, "exit_date": [None, None, dt.date(2025, 1, 1)]})
    >>> sorted(hierarchy(emp, "M", dt.date(2026, 1, 1)))
    ['A', 'M']
    """
    active = employees.filter(active_expr(as_of)).select("employee_id", "manager_id")
    reports: dict[str, list[str]] = {}
    for emp, mgr in active.iter_rows():
        if mgr is not None:
            reports.setdefault(mgr, []).append(emp)
    seen = {manager_id}
    frontier = [manager_id]
    while frontier:
        nxt = []
        for boss in frontier:
            for emp in reports.get(boss, ()):
                if emp not in seen:
                    seen.add(emp)
                    nxt.append(emp)
        frontier = nxt
    return frozenset(seen)


def scope_for(viewer: Viewer, employees: pl.DataFrame, as_of: dt.date) -> Scope:
    """The people ``viewer`` may see at ``as_of``.

    Example
    -------
    >>> emp = pl.DataFrame({"employee_id": ["E1"], "manager_id": [None],
    ...                     "hire_date": [dt.date(2020, 1, 1)], "exit_date": [None]})
    >>> scope_for(Viewer("e@x", EMPLOYEE, employee_id="E1"), emp, dt.date(2026, 1, 1)).people
    frozenset({'E1'})
    """
    if viewer.role in (ADMIN, HR):
        return Scope(viewer.role, person_level=True, everyone=True)
    if viewer.role == ANALYST:
        return Scope(viewer.role, person_level=False, everyone=False)
    if viewer.employee_id is None:
        return Scope(viewer.role, person_level=True, everyone=False)
    if viewer.role == MANAGER:
        return Scope(viewer.role, True, False, hierarchy(employees, viewer.employee_id, as_of))
    return Scope(viewer.role, True, False, frozenset({viewer.employee_id}))


def scope_frame(frame: pl.DataFrame, scope: Scope, column: str = "employee_id") -> pl.DataFrame:
    """The rows of a person-level ``frame`` the scope allows; the one function every page,
    chart, download and drill-down goes through.

    Raises ``AccessDenied`` for a role without person-level access.

    Example
    -------
    >>> rows = pl.DataFrame({"employee_id": ["E1", "E2"]})
    >>> scope_frame(rows, Scope(EMPLOYEE, True, False, frozenset({"E2"})))["employee_id"].to_list()
    ['E2']
    >>> scope_frame(rows, Scope(ANALYST, False, False))
    Traceback (most recent call last):
    ...
    metrics.access.AccessDenied: Your role (analyst) sees aggregates only: person-level rows are not available.
    """
    if not scope.person_level:
        raise AccessDenied(ERR_PERSON_LEVEL.format(role=scope.role))
    if scope.everyone:
        return frame
    return frame.filter(pl.col(column).is_in(list(scope.people)))


def require_person(scope: Scope, employee_id: str) -> None:
    """Refuse a drill-down into one person the scope does not allow (``AccessDenied``).

    Example
    -------
    >>> require_person(Scope(HR, True, True), "E9")
    >>> require_person(Scope(MANAGER, True, False, frozenset({"E1"})), "E9")
    Traceback (most recent call last):
    ...
    metrics.access.AccessDenied: Employee E9 is outside the people your role may see.
    """
    if not scope.person_level:
        raise AccessDenied(ERR_PERSON_LEVEL.format(role=scope.role))
    if not scope.allows(employee_id):
        raise AccessDenied(ERR_OUT_OF_SCOPE.format(employee_id=employee_id))


def allowed_pages(role: str) -> frozenset[str]:
    """The url paths of the pages ``role`` may open.

    Example
    -------
    >>> sorted(allowed_pages(EMPLOYEE))
    ['definitions', 'my_profile']
    """
    return PAGES_BY_ROLE[role]


def can_change_source(role: str) -> bool:
    """Only an administrator loads or changes sources.

    Example
    -------
    >>> can_change_source(ADMIN), can_change_source(HR)
    (True, False)
    """
    return role == ADMIN
