"""The canonical tables of the data contract (``../shared/spec/data-contract.md``).

Every source is turned into these tables before any metric runs. This module is
the single place that names the tables, their columns, logical types and rules;
the validator, the SQL writer, the sample generator and the metrics all read it.

Example
-------
>>> from data_sources.contract import CONTRACT
>>> CONTRACT["roles"].required_columns
('role_id', 'title', 'ladder', 'level')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

LogicalType = Literal["str", "date", "timestamp", "int", "float", "bool"]

#: polars dtype of each logical type once a table is accepted.
POLARS_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us", "UTC"),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
}

EVIDENCE_TYPES = (
    "performance_task",
    "rubric_review",
    "customer_outcome",
    "credential",
    "manager_endorsement",
    "peer_feedback",
    "self_assessment",
)
VERBS = ("launched", "attempted", "completed", "passed", "failed")
MOVEMENT_TYPES = ("promotion", "lateral", "demotion")
DEFAULT_EQUITY_ATTRIBUTES = ("gender", "ethnicity", "age_band", "disability")
NOT_DISCLOSED = "Not disclosed"

REQUIRED_TABLES = ("employees", "roles", "competencies", "role_requirements")
OPTIONAL_TABLES = (
    "evidence",
    "assets",
    "learning_events",
    "performance",
    "movements",
    "capability_targets",
)
#: Load order: a table's foreign keys point only at tables earlier in this order.
TABLE_ORDER = ("roles", "competencies", "employees", "role_requirements") + OPTIONAL_TABLES


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        snake_case column name.
    type : LogicalType
        Logical type; see ``POLARS_TYPES``.
    required : bool
        A null value rejects the row.
    min, max : float, optional
        Inclusive range for numbers.
    min_exclusive : float, optional
        Exclusive lower bound (``> value``).
    allowed : tuple of str, optional
        Closed vocabulary.
    references : str, optional
        ``"table.column"`` the value must exist in (when not null).
    not_future : bool
        Reject values after the as-of date.
    default : object, optional
        Value filled in when the column is absent or null (optional columns only).
    quiet_when_absent : bool
        No "optional column not found" note when a source lacks it.
    """

    name: str
    type: LogicalType
    required: bool = False
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    allowed: tuple[str, ...] | None = None
    references: str | None = None
    not_future: bool = False
    default: object = None
    #: Say nothing when a source lacks this optional column (columns most sources never have).
    quiet_when_absent: bool = False


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns and its unique key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    extra_columns: bool = False  # employees may carry any number of equity attributes

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def schema(self) -> dict[str, pl.DataType]:
        """polars schema of the accepted table (contract columns only)."""
        return {c.name: POLARS_TYPES[c.type] for c in self.columns}


_LEVEL_MIN, _LEVEL_MAX = 1, 5

CONTRACT: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "employees",
            (
                Column("employee_id", "str", required=True),
                Column("role_id", "str", required=True, references="roles.role_id"),
                Column("team", "str", required=True),
                Column("manager_id", "str", references="employees.employee_id"),
                Column("hire_date", "date", required=True, not_future=True),
                Column("exit_date", "date"),
                Column("location", "str"),
                Column("display_name", "str", quiet_when_absent=True),
            ),
            key=("employee_id",),
            description="HRIS export: one row per employee",
            extra_columns=True,
        ),
        Table(
            "roles",
            (
                Column("role_id", "str", required=True),
                Column("title", "str", required=True),
                Column("ladder", "str", required=True),
                Column("level", "int", required=True, min=1),
                Column("next_role_id", "str", references="roles.role_id"),
                Column("critical", "bool", default=False),
            ),
            key=("role_id",),
            description="career ladder",
        ),
        Table(
            "competencies",
            (
                Column("competency_id", "str", required=True),
                Column("name", "str", required=True),
                Column("category", "str"),
                # From a CASE framework (data_sources.case): the item's URI, full statement and parent.
                Column("uri", "str", quiet_when_absent=True),
                Column("statement", "str", quiet_when_absent=True),
                Column("parent_id", "str", references="competencies.competency_id", quiet_when_absent=True),
            ),
            key=("competency_id",),
            description="competency framework",
        ),
        Table(
            "role_requirements",
            (
                Column("role_id", "str", required=True, references="roles.role_id"),
                Column("competency_id", "str", required=True, references="competencies.competency_id"),
                Column("required_level", "int", required=True, min=_LEVEL_MIN, max=_LEVEL_MAX),
                Column("weight", "float", min_exclusive=0, default=1.0),
                Column("critical", "bool", default=False),
            ),
            key=("role_id", "competency_id"),
            description="what each role requires",
        ),
        Table(
            "evidence",
            (
                Column("evidence_id", "str", required=True),
                Column("employee_id", "str", required=True, references="employees.employee_id"),
                Column("competency_id", "str", required=True, references="competencies.competency_id"),
                Column("evidence_type", "str", required=True, allowed=EVIDENCE_TYPES),
                Column("level", "int", required=True, min=_LEVEL_MIN, max=_LEVEL_MAX),
                Column("observed_on", "date", required=True, not_future=True),
                Column("verified", "bool", default=False),
                Column("source", "str"),
            ),
            key=("evidence_id",),
            description="performance tasks, rubric reviews, endorsements, credentials",
        ),
        Table(
            "assets",
            (
                Column("asset_id", "str", required=True),
                Column("title", "str", required=True),
                Column("cluster", "str", required=True),
                Column("competency_id", "str", references="competencies.competency_id"),
                Column("target_level", "int", min=_LEVEL_MIN, max=_LEVEL_MAX),
                Column("format", "str"),
                Column("duration_min", "float", min_exclusive=0),
                Column("difficulty", "int", min=_LEVEL_MIN, max=_LEVEL_MAX),
                Column("published_on", "date"),
            ),
            key=("asset_id",),
            description="microlearning catalog",
        ),
        Table(
            "learning_events",
            (
                Column("employee_id", "str", required=True, references="employees.employee_id"),
                Column("asset_id", "str", required=True, references="assets.asset_id"),
                Column("verb", "str", required=True, allowed=VERBS),
                Column("timestamp", "timestamp", required=True, not_future=True),
                Column("score", "float", min=-1, max=1),
                Column("duration_s", "float", min=0),
                Column("count", "float", min_exclusive=0, default=1.0),
            ),
            description="LMS export or xAPI statements",
        ),
        Table(
            "performance",
            (
                Column("employee_id", "str", required=True, references="employees.employee_id"),
                Column("period_end", "date", required=True, not_future=True),
                Column("rating", "float", required=True),
            ),
            key=("employee_id", "period_end"),
            description="on-the-job outcomes",
        ),
        Table(
            "movements",
            (
                Column("employee_id", "str", required=True, references="employees.employee_id"),
                Column("effective_date", "date", required=True, not_future=True),
                Column("from_role_id", "str", required=True, references="roles.role_id"),
                Column("to_role_id", "str", required=True, references="roles.role_id"),
                Column("movement_type", "str", allowed=MOVEMENT_TYPES),
            ),
            description="promotions and transfers",
        ),
        Table(
            "capability_targets",
            (
                Column("team", "str", required=True),
                Column("competency_id", "str", required=True, references="competencies.competency_id"),
                Column("target_level", "int", required=True, min=_LEVEL_MIN, max=_LEVEL_MAX),
                Column("target_headcount", "int", required=True, min=1),
                Column("priority", "int", min=1, max=3, default=2),
            ),
            key=("team", "competency_id"),
            description="strategic capability goals",
        ),
    )
}

#: Which views each optional table unlocks (for "this view needs ..." messages).
VIEW_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "readiness": ("evidence",),
    "bench": ("evidence",),
    "capability_risk": ("evidence", "capability_targets"),
    "equity": ("movements",),
    "learning_impact": ("assets", "learning_events", "performance"),
    "assets": ("assets", "learning_events"),
    "person": ("evidence",),
}


def empty_table(name: str) -> pl.DataFrame:
    """An empty frame with the accepted schema of table ``name``.

    Example
    -------
    >>> empty_table("performance").columns
    ['employee_id', 'period_end', 'rating']
    """
    return pl.DataFrame(schema=CONTRACT[name].schema())


__all__ = [
    "CONTRACT",
    "DEFAULT_EQUITY_ATTRIBUTES",
    "EVIDENCE_TYPES",
    "MOVEMENT_TYPES",
    "NOT_DISCLOSED",
    "OPTIONAL_TABLES",
    "POLARS_TYPES",
    "REQUIRED_TABLES",
    "TABLE_ORDER",
    "VERBS",
    "VIEW_REQUIREMENTS",
    "Column",
    "Table",
    "empty_table",
]
