"""Configuration cannot change a database: every attack through a configured `query` is refused
with one line naming the table, on real PostgreSQL and MariaDB (and SQLite), and nothing changes.
Behind the parser, every read runs in a read-only transaction: with the parser switched off,
the database itself refuses the write."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import tomli_w

import data_sources.sql as sql
from data_sources.errors import SourceError
from data_sources.loader import load_source

ATTACKS = [
    "DROP TABLE {victim}",
    "CREATE TABLE {victim}_copy AS SELECT * FROM {victim}",
    "COMMIT; DROP TABLE {victim}",
    "COPY (SELECT 1) TO PROGRAM 'touch {marker}'",
    "SELECT 1; DELETE FROM {victim}",
    "WITH gone AS (DELETE FROM {victim} RETURNING *) SELECT * FROM gone",
    "SELECT * INTO {victim}_copy FROM {victim}",
    "SELECT * FROM {victim} FOR UPDATE",
    "SELECT pg_terminate_backend(pg_backend_pid())",
    "SELECT lo_export(1, '{marker}')",
    "SELECT * FROM {victim} INTO OUTFILE '{marker}'",
    "INSERT INTO {victim} VALUES (4)",
    "UPDATE {victim} SET n = 0",
    "SELECT set_config('default_transaction_read_only', 'off', false)",
    "SELECT * FROM {victim} /*!50000 INTO OUTFILE '{marker}' */",
    "SELECT E'\\\\'; DROP TABLE {victim}; --'",
]


@pytest.fixture
def victim(database_url):
    """A table of three rows that no configuration may touch; yields (url, name)."""
    name = f"victim_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {name} (n INTEGER)"))
        conn.execute(sa.text(f"INSERT INTO {name} VALUES (1), (2), (3)"))
    engine.dispose()
    return database_url, name


def _state(url: str, name: str) -> tuple[list[int], set[str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = sorted(r[0] for r in conn.execute(sa.text(f"SELECT n FROM {name}")))
        return rows, set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _config(tmp_path: Path, url: str, query: str) -> Path:
    cfg = tmp_path / "attack.toml"
    cfg.write_text(tomli_w.dumps({"source": {"url": url}, "tables": {"roles": {"query": query}}}))
    return cfg


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_attack_is_refused_and_nothing_changes(victim, tmp_path, attack):
    url, name = victim
    marker = tmp_path / "pwned"
    before = _state(url, name)
    with pytest.raises(SourceError) as caught:
        load_source(_config(tmp_path, url, attack.format(victim=name, marker=marker)))
    message = str(caught.value)
    assert message.startswith("[tables.roles] query refused: ") and "\n" not in message
    assert _state(url, name) == before == ([1, 2, 3], before[1])
    assert f"{name}_copy" not in before[1]
    assert not marker.exists()


@pytest.mark.parametrize(
    "attack", ["DELETE FROM {victim}", "COMMIT; DROP TABLE {victim}", "CREATE TABLE {victim}_copy AS SELECT 1"]
)
def test_the_read_only_transaction_holds_even_without_the_parser(victim, monkeypatch, attack):
    url, name = victim
    before = _state(url, name)
    monkeypatch.setattr(sql, "check_query", lambda query, *a, **k: query)  # the parser switched off
    engine = sql.make_engine(url)
    try:
        with pytest.raises(SourceError):
            sql.read_sql(engine, "roles", query=attack.format(victim=name))
    finally:
        engine.dispose()
    assert _state(url, name) == before


def test_a_plain_select_and_a_with_select_still_load(victim):
    url, name = victim
    engine = sql.make_engine(url)
    try:
        for query in (
            f"SELECT n AS role_id FROM {name} ORDER BY n",
            f"WITH v AS (SELECT n FROM {name}) SELECT * FROM v",
        ):
            assert sql.read_sql(engine, "roles", query=query).height == 3
        # the connection the pool hands out next can still write (the read-only mode does not leak)
        with engine.begin() as conn:
            conn.execute(sa.text(f"INSERT INTO {name} VALUES (4)"))
    finally:
        engine.dispose()
    assert _state(url, name)[0] == [1, 2, 3, 4]
