"""Nominations and talent pools, kept in the product's own store (``data_sources.store``).

A committee member nominates a successor for a role with the readiness they judge
and a note; talent pools group people across roles. Every row records who saved it
and when. Nothing is ever deleted: a withdrawn nomination or a removed pool member
keeps its row with who withdrew it and when. Each save is one short insert (or one
update of its own row), so two committee members saving at once both keep their work.

The rows refer to employees and roles by id, not by foreign key to the source: a
source reload that removes a role leaves its nominations in the store, where the
talent pages list them as orphaned.

Example
-------
>>> import polars as pl
>>> engine = store_engine("sqlite://")
>>> emp = pl.DataFrame({"employee_id": ["E1"]})
>>> roles = pl.DataFrame({"role_id": ["R1"]})
>>> nid = save_nomination(engine, emp, roles, role_id="R1", employee_id="E1",
...     judgement="ready_now", note="led the Q3 close", nominated_by="ana")
>>> load_nominations(engine).select("role_id", "employee_id", "judgement", "nominated_by").rows()
[('R1', 'E1', 'ready_now', 'ana')]
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

import polars as pl
import sqlalchemy as sa

from data_sources.store import STORE_METADATA, ensure_tables, store_engine, store_url

#: Readiness a committee member can judge, best first, and how each reads.
READY_NOW = "ready_now"
READY_1_2_YEARS = "ready_1_2_years"
READY_3_PLUS_YEARS = "ready_3_plus_years"
JUDGEMENTS: tuple[str, ...] = (READY_NOW, READY_1_2_YEARS, READY_3_PLUS_YEARS)
JUDGEMENT_LABELS = {
    READY_NOW: "Ready now",
    READY_1_2_YEARS: "Ready in 1–2 years",
    READY_3_PLUS_YEARS: "Ready in 3+ years",
}

MAX_NOTE = 2000
MAX_NAME = 200
ID_LENGTH = 100

ERR_UNKNOWN_EMPLOYEE = "Unknown employee {employee_id!r}: there is no such employee in the loaded source."
ERR_UNKNOWN_ROLE = "Unknown role {role_id!r}: there is no such role in the loaded source."
ERR_JUDGEMENT = "Readiness judgement {value!r} is not one of: {allowed}."
ERR_WHO = "Say who is saving this (your name or sign-in), so the committee knows whose judgement it is."
ERR_NOTE = "The note is {n:,} characters long; keep it under {limit:,}."
ERR_POOL_NAME = "A talent pool needs a name of 1 to {limit} characters."
ERR_UNKNOWN_POOL = "Unknown talent pool {pool_id!r}."
ERR_UNKNOWN_NOMINATION = "Unknown nomination {nomination_id!r}."
ERR_ALREADY_WITHDRAWN = "Nomination {nomination_id} was already withdrawn by {who} at {when}."
ERR_UNKNOWN_MEMBER = "Unknown pool membership {member_id!r}."

NOMINATIONS = sa.Table(
    "tr_nominations",
    STORE_METADATA,
    sa.Column("nomination_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("role_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("employee_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("judgement", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("nominated_by", sa.String(MAX_NAME), nullable=False),
    sa.Column("nominated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_by", sa.String(MAX_NAME), nullable=True),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
)
POOLS = sa.Table(
    "tr_talent_pools",
    STORE_METADATA,
    sa.Column("pool_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(MAX_NAME), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
POOL_MEMBERS = sa.Table(
    "tr_talent_pool_members",
    STORE_METADATA,
    sa.Column("member_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("tr_talent_pools.pool_id"), nullable=False),
    sa.Column("employee_id", sa.String(ID_LENGTH), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("added_by", sa.String(MAX_NAME), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("removed_by", sa.String(MAX_NAME), nullable=True),
    sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
)
TABLES = (NOMINATIONS, POOLS, POOL_MEMBERS)

#: Columns of :func:`load_nominations`, in order.
NOMINATION_COLUMNS = tuple(c.name for c in NOMINATIONS.columns)
#: Columns of :func:`load_pools`, in order.
POOL_COLUMNS = tuple(c.name for c in POOLS.columns)
#: Columns of :func:`load_pool_members`, in order.
MEMBER_COLUMNS = (*(c.name for c in POOL_MEMBERS.columns), "pool_name")

#: A write that meets a busy SQLite file is retried this many times.
WRITE_ATTEMPTS = 8

T = TypeVar("T")
UTC_TIME = pl.Datetime("us", "UTC")


class TalentStoreError(ValueError):
    """Input the store refuses; the message is one plain sentence."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _engine(engine: sa.Engine | None) -> sa.Engine:
    """The store with its talent tables; two first uses at once may race to create them,
    and the loser finds them made."""
    target = engine or store_engine(store_url())  # keyed by the URL in force now, not the first one
    for attempt in range(WRITE_ATTEMPTS):
        try:
            ensure_tables(target, *TABLES)
            return target
        except sa.exc.DBAPIError:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return target  # pragma: no cover


def _write(engine: sa.Engine, work: Callable[[sa.Connection], T]) -> T:
    """Run ``work`` in its own transaction; retry when a SQLite file is locked by another writer."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with engine.begin() as conn:
                return work(conn)
        except sa.exc.OperationalError as exc:
            locked = "locked" in str(exc).lower() or "busy" in str(exc).lower()
            if not locked or attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _insert(conn: sa.Connection, table: sa.Table, row: dict[str, object]) -> int:
    """Insert one row and return its new id."""
    key = conn.execute(table.insert().values(**row)).inserted_primary_key
    if key is None:  # pragma: no cover - every store table has an integer key
        raise RuntimeError(f"{table.name}: the database returned no id")
    return int(key[0])


def _who(value: str) -> str:
    who = (value or "").strip()
    if not who or len(who) > MAX_NAME:
        raise TalentStoreError(ERR_WHO)
    return who


def _note(value: str | None) -> str:
    note = (value or "").strip()
    if len(note) > MAX_NOTE:
        raise TalentStoreError(ERR_NOTE.format(n=len(note), limit=MAX_NOTE))
    return note


def _known(frame: pl.DataFrame, column: str, value: str) -> bool:
    return frame.filter(pl.col(column) == value).height > 0


def check_judgement(value: str) -> str:
    """The judgement code for ``value`` (a code or its label), or ``TalentStoreError``.

    Example
    -------
    >>> check_judgement("Ready in 1–2 years")
    'ready_1_2_years'
    >>> check_judgement("soon")
    Traceback (most recent call last):
    ...
    data_sources.talent_store.TalentStoreError: Readiness judgement 'soon' is not one of: ready_now, ready_1_2_years, ready_3_plus_years.
    """
    if value in JUDGEMENTS:
        return value
    by_label = {label: code for code, label in JUDGEMENT_LABELS.items()}
    if value in by_label:
        return by_label[value]
    raise TalentStoreError(ERR_JUDGEMENT.format(value=value, allowed=", ".join(JUDGEMENTS)))


def save_nomination(
    engine: sa.Engine | None,
    employees: pl.DataFrame,
    roles: pl.DataFrame,
    *,
    role_id: str,
    employee_id: str,
    judgement: str,
    note: str | None,
    nominated_by: str,
    now: dt.datetime | None = None,
) -> int:
    """Save one nomination (checked against the loaded source) and return its id.

    Parameters
    ----------
    engine : sqlalchemy.Engine or None
        The store (None: ``store_engine()``).
    employees, roles : polars.DataFrame
        The loaded source's tables: the employee and the role must exist in them.
    role_id, employee_id : str
        Who is nominated for what.
    judgement : str
        One of ``JUDGEMENTS`` (or its label in ``JUDGEMENT_LABELS``).
    note : str
        The committee's reasons (up to ``MAX_NOTE`` characters).
    nominated_by : str
        Who saves it.
    now : datetime, optional
        The time recorded (default: now, UTC).

    Raises
    ------
    TalentStoreError
        Unknown employee or role, a judgement not in the list, no name, a note too long.
    """
    code = check_judgement(judgement)
    who = _who(nominated_by)
    text = _note(note)
    if not _known(employees, "employee_id", employee_id):
        raise TalentStoreError(ERR_UNKNOWN_EMPLOYEE.format(employee_id=employee_id))
    if not _known(roles, "role_id", role_id):
        raise TalentStoreError(ERR_UNKNOWN_ROLE.format(role_id=role_id))
    target = _engine(engine)
    row = {
        "role_id": role_id,
        "employee_id": employee_id,
        "judgement": code,
        "note": text,
        "nominated_by": who,
        "nominated_at": now or _now(),
    }
    return _write(target, lambda conn: _insert(conn, NOMINATIONS, row))


def withdraw_nomination(
    engine: sa.Engine | None, nomination_id: int, withdrawn_by: str, now: dt.datetime | None = None
) -> None:
    """Mark one nomination withdrawn (its row stays, with who withdrew it and when).

    Raises
    ------
    TalentStoreError
        No such nomination, no name, or already withdrawn.
    """
    who = _who(withdrawn_by)
    target = _engine(engine)

    def work(conn: sa.Connection) -> None:
        row = conn.execute(
            sa.select(NOMINATIONS.c.withdrawn_by, NOMINATIONS.c.withdrawn_at).where(
                NOMINATIONS.c.nomination_id == nomination_id
            )
        ).first()
        if row is None:
            raise TalentStoreError(ERR_UNKNOWN_NOMINATION.format(nomination_id=nomination_id))
        done = conn.execute(
            NOMINATIONS.update()
            .where((NOMINATIONS.c.nomination_id == nomination_id) & NOMINATIONS.c.withdrawn_at.is_(None))
            .values(withdrawn_by=who, withdrawn_at=now or _now())
        )
        if done.rowcount == 0:
            raise TalentStoreError(
                ERR_ALREADY_WITHDRAWN.format(nomination_id=nomination_id, who=row.withdrawn_by, when=row.withdrawn_at)
            )

    _write(target, work)


def _as_utc(value: object) -> object:
    """A datetime as an aware UTC datetime (SQLite hands them back without a zone)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


def _read(engine: sa.Engine, query: sa.Select, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pl.DataFrame([tuple(_as_utc(v) for v in r) for r in rows], schema=schema, orient="row")


def load_nominations(engine: sa.Engine | None = None, include_withdrawn: bool = False) -> pl.DataFrame:
    """Every saved nomination (``NOMINATION_COLUMNS``), oldest first; withdrawn ones only when asked."""
    target = _engine(engine)
    query = sa.select(NOMINATIONS).order_by(NOMINATIONS.c.nomination_id)
    if not include_withdrawn:
        query = query.where(NOMINATIONS.c.withdrawn_at.is_(None))
    schema: dict[str, pl.DataType] = {
        "nomination_id": pl.Int64(),
        "role_id": pl.String(),
        "employee_id": pl.String(),
        "judgement": pl.String(),
        "note": pl.String(),
        "nominated_by": pl.String(),
        "nominated_at": UTC_TIME,
        "withdrawn_by": pl.String(),
        "withdrawn_at": UTC_TIME,
    }
    return _read(target, query, schema)


def create_pool(
    engine: sa.Engine | None, name: str, description: str | None, created_by: str, now: dt.datetime | None = None
) -> int:
    """Create a talent pool and return its id; a pool of that name that already exists
    (created a moment ago by someone else, too) is returned instead of failing."""
    label = (name or "").strip()
    if not label or len(label) > MAX_NAME:
        raise TalentStoreError(ERR_POOL_NAME.format(limit=MAX_NAME))
    who = _who(created_by)
    text = _note(description)
    target = _engine(engine)

    def existing(conn: sa.Connection) -> int | None:
        found = conn.execute(sa.select(POOLS.c.pool_id).where(POOLS.c.name == label)).scalar()
        return int(found) if found is not None else None

    def work(conn: sa.Connection) -> int:
        found = existing(conn)
        if found is not None:
            return found
        row = {"name": label, "description": text, "created_by": who, "created_at": now or _now()}
        return _insert(conn, POOLS, row)

    try:
        return _write(target, work)
    except sa.exc.IntegrityError:  # the same name saved at the same moment by someone else
        with target.connect() as conn:
            found = existing(conn)
        if found is None:
            raise
        return found


def add_to_pool(
    engine: sa.Engine | None,
    employees: pl.DataFrame,
    *,
    pool_id: int,
    employee_id: str,
    added_by: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Add one employee to a pool and return the membership id.

    Raises
    ------
    TalentStoreError
        Unknown pool or employee, no name, a note too long.
    """
    who = _who(added_by)
    text = _note(note)
    if not _known(employees, "employee_id", employee_id):
        raise TalentStoreError(ERR_UNKNOWN_EMPLOYEE.format(employee_id=employee_id))
    target = _engine(engine)

    def work(conn: sa.Connection) -> int:
        if conn.execute(sa.select(POOLS.c.pool_id).where(POOLS.c.pool_id == pool_id)).first() is None:
            raise TalentStoreError(ERR_UNKNOWN_POOL.format(pool_id=pool_id))
        row = {"pool_id": pool_id, "employee_id": employee_id, "note": text, "added_by": who, "added_at": now or _now()}
        return _insert(conn, POOL_MEMBERS, row)

    return _write(target, work)


def remove_from_pool(engine: sa.Engine | None, member_id: int, removed_by: str, now: dt.datetime | None = None) -> None:
    """Mark one pool membership removed (the row stays, with who removed it and when)."""
    who = _who(removed_by)
    target = _engine(engine)

    def work(conn: sa.Connection) -> None:
        done = conn.execute(
            POOL_MEMBERS.update()
            .where((POOL_MEMBERS.c.member_id == member_id) & POOL_MEMBERS.c.removed_at.is_(None))
            .values(removed_by=who, removed_at=now or _now())
        )
        if done.rowcount == 0:
            raise TalentStoreError(ERR_UNKNOWN_MEMBER.format(member_id=member_id))

    _write(target, work)


def load_pools(engine: sa.Engine | None = None) -> pl.DataFrame:
    """Every talent pool (``POOL_COLUMNS``), by name."""
    target = _engine(engine)
    schema: dict[str, pl.DataType] = {
        "pool_id": pl.Int64(),
        "name": pl.String(),
        "description": pl.String(),
        "created_by": pl.String(),
        "created_at": UTC_TIME,
    }
    return _read(target, sa.select(POOLS).order_by(POOLS.c.name), schema)


def load_pool_members(engine: sa.Engine | None = None, include_removed: bool = False) -> pl.DataFrame:
    """Every pool membership with its pool's name (``MEMBER_COLUMNS``), by pool then employee."""
    target = _engine(engine)
    query = (
        sa.select(POOL_MEMBERS, POOLS.c.name.label("pool_name"))
        .join(POOLS, POOLS.c.pool_id == POOL_MEMBERS.c.pool_id)
        .order_by(POOLS.c.name, POOL_MEMBERS.c.employee_id, POOL_MEMBERS.c.member_id)
    )
    if not include_removed:
        query = query.where(POOL_MEMBERS.c.removed_at.is_(None))
    schema: dict[str, pl.DataType] = {
        "member_id": pl.Int64(),
        "pool_id": pl.Int64(),
        "employee_id": pl.String(),
        "note": pl.String(),
        "added_by": pl.String(),
        "added_at": UTC_TIME,
        "removed_by": pl.String(),
        "removed_at": UTC_TIME,
        "pool_name": pl.String(),
    }
    return _read(target, query, schema)
