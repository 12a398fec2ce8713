"""The product's own store: what the product writes and keeps (fitted results, audit log,
nominations and talent pools), in SQLite by default or the configured PostgreSQL or MariaDB.

It is separate from the sources the product reads. The URL comes from the
``TR_STORE_URL`` environment variable, else a SQLite file ``talent_readiness.db``
in the state folder (``TR_STATE_DIR``, default ``.state/`` in the project). Each
feature declares its tables on ``STORE_METADATA`` in its own module and calls
``ensure_tables`` before its first use.

Example
-------
>>> engine = store_engine("sqlite://")
>>> engine.dialect.name
'sqlite'
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from data_sources.errors import SourceError
from data_sources.sql import error_line, safe_source

STORE_URL_ENV = "TR_STORE_URL"
STATE_DIR_ENV = "TR_STATE_DIR"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = PROJECT_ROOT / ".state"
ERR_STORE = "The product's store ({url}) cannot be opened: {detail}"

#: The store's tables, declared by the modules that own them.
STORE_METADATA = sa.MetaData()


def state_dir() -> Path:
    """The folder for the product's own files (created on first use).

    Example
    -------
    >>> state_dir().is_dir()
    True
    """
    folder = Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_url() -> str:
    """The store's SQLAlchemy URL: ``TR_STORE_URL``, else SQLite in the state folder."""
    return os.environ.get(STORE_URL_ENV) or f"sqlite:///{state_dir() / 'talent_readiness.db'}"


def store_engine(url: str | None = None) -> sa.Engine:
    """The engine for the store at ``url`` (default ``store_url()``, read each call so that a changed
    ``TR_STORE_URL`` takes effect); engines are cached per URL, at most four."""
    return _engine(url or store_url())


@lru_cache(maxsize=4)
def _engine(target: str) -> sa.Engine:
    try:
        return sa.create_engine(target, pool_pre_ping=True)
    except Exception as exc:  # a bad URL or a missing driver: one clear line
        raise SourceError(ERR_STORE.format(url=safe_source(target), detail=error_line(exc, target))) from exc


def ensure_tables(engine: sa.Engine, *tables: sa.Table) -> None:
    """Create the given store tables when they do not exist yet (never alters or drops).

    Two sessions of a fresh server may both find a table missing and both create it; the
    one that loses the race gets "already exists", which is what it wanted, so it checks
    the tables are there and goes on (any other failure is raised).
    """
    try:
        STORE_METADATA.create_all(engine, tables=list(tables), checkfirst=True)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        existing = set(sa.inspect(engine).get_table_names())
        if not all(t.name in existing for t in tables):
            raise
