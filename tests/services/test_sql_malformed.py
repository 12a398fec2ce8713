"""Malformed data in a real database: NaN numbers and array columns are rejects or one clear line (issue 10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_sources.errors import SourceError
from data_sources.loader import load_source
from data_sources.sql import write_tables

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
AS_OF = dt.date(2026, 11, 22)


def _seed(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    bundle = load_source(TINY, as_of=AS_OF)
    write_tables(engine, bundle.tables, bundle.equity_attributes)
    return engine


def test_nan_and_infinity_from_postgresql_are_rejects(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("NaN is a PostgreSQL double precision value (MariaDB and SQLite store none)")
    engine = _seed(database_url)
    with engine.begin() as con:
        con.execute(
            sa.text("UPDATE role_requirements SET weight = 'NaN' WHERE role_id = 'AN1' AND competency_id = 'SQL'")
        )
        con.execute(
            sa.text("UPDATE role_requirements SET weight = '-Infinity' WHERE role_id = 'AN2' AND competency_id = 'SQL'")
        )
    engine.dispose()
    bundle = load_source(database_url, as_of=AS_OF)
    rej = bundle.report.rejects
    assert sorted(zip(rej["row"], rej["reason"], strict=True)) == [
        ("row 2 (role_id=AN1, competency_id=SQL)", "not a finite number: NaN (NaN and infinity are not data)"),
        ("row 5 (role_id=AN2, competency_id=SQL)", "not a finite number: -inf (NaN and infinity are not data)"),
    ]
    assert all(t.reconciles for t in bundle.report.tables)


def test_an_array_column_in_postgresql_is_one_clear_error(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("array columns are PostgreSQL's")
    engine = _seed(database_url)
    with engine.begin() as con:
        con.execute(sa.text("ALTER TABLE roles ALTER COLUMN ladder TYPE text[] USING ARRAY[ladder]"))
    engine.dispose()
    with pytest.raises(SourceError, match=r"column 'ladder' holds nested values \(List\(String\)\)"):
        load_source(database_url, as_of=AS_OF)


def test_an_array_key_column_in_postgresql_is_one_clear_error(database_url):
    """The row labels cast the key to text; a list key used to raise a polars error (a traceback)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("array columns are PostgreSQL's")
    engine = _seed(database_url)
    with engine.begin() as con:
        con.execute(sa.text("ALTER TABLE roles ALTER COLUMN role_id TYPE text[] USING ARRAY[role_id]"))
    engine.dispose()
    with pytest.raises(SourceError) as info:
        load_source(database_url, as_of=AS_OF)
    assert (
        "table 'roles' could not be read (" in str(info.value)
        and "postgresql+psycopg://postgres@" in str(info.value)
        and "\n" not in str(info.value)
    )
