"""The product's store creates its tables once, even when two sessions of a fresh server race to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_sources import store
from data_sources.audit import AUDIT_LOG


def _lost_race(create_first: bool):
    """A create_all that behaves like the loser of a race: the winner's table is (or is not)
    there, and this session's CREATE TABLE fails with "already exists"."""
    real = store.STORE_METADATA.create_all

    def create_all(engine, tables=None, checkfirst=True):
        if create_first:
            real(engine, tables=tables, checkfirst=True)
        raise sa.exc.OperationalError("CREATE TABLE tr_audit_log", {}, Exception("table tr_audit_log already exists"))

    return create_all


def test_a_session_that_loses_the_create_race_goes_on(tmp_path, monkeypatch):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.setattr(store.STORE_METADATA, "create_all", _lost_race(create_first=True))
    store.ensure_tables(engine, AUDIT_LOG)
    assert "tr_audit_log" in sa.inspect(engine).get_table_names()


def test_a_create_that_fails_for_another_reason_is_raised(tmp_path, monkeypatch):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.setattr(store.STORE_METADATA, "create_all", _lost_race(create_first=False))
    with pytest.raises(sa.exc.OperationalError):
        store.ensure_tables(engine, AUDIT_LOG)
