"""The audit log: who signed in, which person profile was opened, which download was taken,
which source was loaded, which nomination or talent-pool change was saved. Append-only, in the product's own store (``data_sources.store``).

Entries name people by their sign-in identity and employees by id only: never a
demographic attribute.

Example
-------
>>> import sqlalchemy as sa
>>> engine = sa.create_engine("sqlite://")
>>> record(engine, "ana@example.com", "hr", PROFILE_VIEW, "E000138")
>>> read_log(engine).select("who", "action", "detail").rows()
[('ana@example.com', 'profile_view', 'E000138')]
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_sources.store import STORE_METADATA, ensure_tables

SIGN_IN, PROFILE_VIEW, DOWNLOAD, SOURCE_LOAD = "sign_in", "profile_view", "download", "source_load"
NOMINATION, TALENT_POOL = "nomination", "talent_pool"
ACTIONS: tuple[str, ...] = (SIGN_IN, PROFILE_VIEW, DOWNLOAD, SOURCE_LOAD, NOMINATION, TALENT_POOL)
ERR_ACTION = "Unknown audit action {action!r}; expected one of: {known}."

AUDIT_LOG = sa.Table(
    "tr_audit_log",
    STORE_METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("who", sa.String(320), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False),
)
LOG_SCHEMA = pl.Schema(
    {
        "at": pl.Datetime("us", "UTC"),
        "who": pl.String(),
        "role": pl.String(),
        "action": pl.String(),
        "detail": pl.String(),
    }
)


def record(engine: sa.Engine, who: str, role: str, action: str, detail: str) -> None:
    """Append one entry (the only write the log allows)."""
    if action not in ACTIONS:
        raise ValueError(ERR_ACTION.format(action=action, known=", ".join(ACTIONS)))
    ensure_tables(engine, AUDIT_LOG)
    with engine.begin() as conn:
        conn.execute(
            AUDIT_LOG.insert().values(
                at=dt.datetime.now(dt.UTC), who=who, role=role, action=action, detail=detail[:500]
            )
        )


def read_log(engine: sa.Engine, limit: int = 10_000) -> pl.DataFrame:
    """The latest ``limit`` entries, oldest first (``at, who, role, action, detail``)."""
    ensure_tables(engine, AUDIT_LOG)
    query = sa.select(AUDIT_LOG.c.at, AUDIT_LOG.c.who, AUDIT_LOG.c.role, AUDIT_LOG.c.action, AUDIT_LOG.c.detail)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(AUDIT_LOG.c.id.desc()).limit(limit)).all()
    frame = pl.DataFrame(
        [(r[0] if r[0].tzinfo else r[0].replace(tzinfo=dt.UTC), *r[1:]) for r in rows],
        schema=LOG_SCHEMA,
        orient="row",
    )
    return frame.reverse()
