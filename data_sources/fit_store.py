"""Fitted results kept in the product's store (``data_sources.store``), as opaque bytes.

A fit is identified by its ``kind`` (e.g. ``"learning_impact"``), the dataset
version (the bundle's content hash), the as-of date and a hash of the
configuration that produced it. The payload is bytes that the owner of the
kind writes and reads (``metrics.learning`` stores Arrow IPC frames): this
module never interprets them, so the import direction stays data_sources →
metrics. Saving the same key again replaces the earlier payload.

Example
-------
>>> import datetime as dt
>>> engine = store_engine("sqlite://")
>>> save_blob("demo", "v1", dt.date(2025, 12, 31), "cfg", b"payload", engine=engine)
>>> load_blob("demo", "v1", dt.date(2025, 12, 31), "cfg", engine=engine)
b'payload'
>>> load_blob("demo", "v2", dt.date(2025, 12, 31), "cfg", engine=engine) is None
True
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from data_sources.errors import SourceError
from data_sources.store import STORE_METADATA, ensure_tables, store_engine

ERR_SAVE = "The fitted result could not be saved in the product's store: {detail}"
ERR_LOAD = "The fitted result could not be read from the product's store: {detail}"

FITS = sa.Table(
    "tr_fitted_results",
    STORE_METADATA,
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("dataset_version", sa.String(128), primary_key=True),
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("config_hash", sa.String(64), primary_key=True),
    sa.Column("payload", sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb"), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)


def _key(kind: str, version: str, as_of: dt.date, config_hash: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        FITS.c.kind == kind,
        FITS.c.dataset_version == version,
        FITS.c.as_of == as_of,
        FITS.c.config_hash == config_hash,
    )


def save_blob(
    kind: str,
    version: str,
    as_of: dt.date,
    config_hash: str,
    payload: bytes,
    engine: sa.Engine | None = None,
) -> None:
    """Keep ``payload`` under (kind, version, as_of, config_hash), replacing an earlier one.

    Raises
    ------
    SourceError
        One line when the store cannot be written.
    """
    target = engine or store_engine()
    try:
        ensure_tables(target, FITS)
        with target.begin() as conn:
            conn.execute(sa.delete(FITS).where(_key(kind, version, as_of, config_hash)))
            conn.execute(
                sa.insert(FITS).values(
                    kind=kind,
                    dataset_version=version,
                    as_of=as_of,
                    config_hash=config_hash,
                    payload=payload,
                    saved_at=dt.datetime.now(dt.UTC),
                )
            )
    except sa.exc.SQLAlchemyError as exc:
        raise SourceError(ERR_SAVE.format(detail=str(exc).splitlines()[0])) from exc


def load_blob(
    kind: str,
    version: str,
    as_of: dt.date,
    config_hash: str,
    engine: sa.Engine | None = None,
) -> bytes | None:
    """The payload saved under the key, or None when there is none.

    Raises
    ------
    SourceError
        One line when the store cannot be read.
    """
    target = engine or store_engine()
    try:
        ensure_tables(target, FITS)
        with target.connect() as conn:
            row = conn.execute(sa.select(FITS.c.payload).where(_key(kind, version, as_of, config_hash))).first()
    except sa.exc.SQLAlchemyError as exc:
        raise SourceError(ERR_LOAD.format(detail=str(exc).splitlines()[0])) from exc
    return None if row is None else bytes(row[0])


def delete_blobs(kind: str, version: str | None = None, engine: sa.Engine | None = None) -> int:
    """Remove the kind's payloads (of one dataset version, or all); returns how many.

    Example
    -------
    >>> engine = store_engine("sqlite://")
    >>> save_blob("demo-delete", "v1", dt.date(2025, 1, 1), "c", b"x", engine=engine)
    >>> delete_blobs("demo-delete", engine=engine)
    1
    """
    target = engine or store_engine()
    ensure_tables(target, FITS)
    condition = FITS.c.kind == kind
    if version is not None:
        condition = sa.and_(condition, FITS.c.dataset_version == version)
    with target.begin() as conn:
        return int(conn.execute(sa.delete(FITS).where(condition)).rowcount or 0)
