"""`load-db` replaces the tables in one step on every backend: a failure (or Ctrl-C) in the middle of
the write leaves the previous tables exactly as they were, no staging table stays behind, the error
is one line that carries no row, and a source without a table removes the old one."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

import cli
import data_sources.sql as sql
from data_sources.errors import SourceError
from data_sources.loader import DEFAULT_SAMPLE, load_source

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
SECRET_ROW = "E-ROW-THAT-MUST-NOT-LEAK"


def _snapshot(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    try:
        names = sorted(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            return {n: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {n}"))), key=repr) for n in names}
    finally:
        engine.dispose()


@pytest.fixture
def loaded(database_url):
    """The database after a first successful load of the tiny organisation; yields (url, snapshot)."""
    engine = sql.make_engine(database_url)
    sql.write_tables(engine, load_source(TINY, as_of=None).tables)
    engine.dispose()
    before = _snapshot(database_url)
    assert set(before) == {"roles", "competencies", "employees", "role_requirements", "evidence"}
    return database_url, before


def _failing_insert(fail_on: str, error: BaseException):
    real = sql._insert

    def insert(conn, table, chunk):
        if table.name.startswith(fail_on):
            raise error
        real(conn, table, chunk)

    return insert


def test_a_database_error_mid_write_leaves_the_old_tables_and_no_rows_in_the_message(loaded, monkeypatch):
    url, before = loaded
    error = sa.exc.OperationalError("INSERT INTO employees ...", {"employee_id": SECRET_ROW}, Exception("disk full"))
    monkeypatch.setattr(sql, "_insert", _failing_insert("role_requirements", error))
    bundle = load_source(TINY)
    engine = sql.make_engine(url)
    with pytest.raises(SourceError) as caught:
        sql.write_tables(engine, {**bundle.tables, "roles": bundle.tables["roles"].head(1)})
    engine.dispose()
    message = str(caught.value)
    assert "writing table 'role_requirements' failed, the previous tables are unchanged: disk full" in message
    assert SECRET_ROW not in message and "\n" not in message
    assert _snapshot(url) == before  # also: no __tr_new / __tr_old table left


def test_ctrl_c_mid_write_leaves_the_old_tables(loaded, monkeypatch):
    url, before = loaded
    monkeypatch.setattr(sql, "_insert", _failing_insert("employees", KeyboardInterrupt()))
    engine = sql.make_engine(url)
    with pytest.raises(KeyboardInterrupt):
        sql.write_tables(engine, {k: v.head(1) for k, v in load_source(TINY).tables.items()})
    engine.dispose()
    assert _snapshot(url) == before


def test_a_new_load_replaces_every_table_and_removes_those_the_source_lacks(loaded):
    url, _ = loaded
    tables = {k: v for k, v in load_source(TINY).tables.items() if k != "evidence"}
    tables["roles"] = tables["roles"].head(2)
    engine = sql.make_engine(url)
    assert sql.write_tables(engine, tables)["roles"] == 2
    engine.dispose()
    after = _snapshot(url)
    assert set(after) == {"roles", "competencies", "employees", "role_requirements"}
    assert len(after["roles"]) == 2


def test_load_db_write_error_is_one_line_without_rows(loaded, tmp_path, capsys):
    url, before = loaded
    if url.startswith("sqlite"):
        pytest.skip("SQLite stores a 300-character value in VARCHAR(255); the servers refuse it")
    source = tmp_path / "src"
    shutil.copytree(TINY, source)
    employees = pl.read_csv(source / "employees.csv", infer_schema=False)
    long_team = SECRET_ROW + "x" * 300
    employees.with_columns(pl.lit(long_team).alias("team")).write_csv(source / "employees.csv")
    assert cli.main(["load-db", "--source", str(source), "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "writing table 'employees' failed" in err
    assert SECRET_ROW not in err
    assert _snapshot(url) == before


def test_load_db_killed_mid_write_leaves_the_old_tables_and_the_next_load_cleans_up(loaded):
    url, before = loaded
    proc = subprocess.Popen(
        [sys.executable, "cli.py", "load-db", "--source", str(DEFAULT_SAMPLE), "--url", url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = sa.create_engine(url)
    try:
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:  # kill it while it writes a staging table
            if any(n.endswith(sql.STAGE_SUFFIX) for n in sa.inspect(engine).get_table_names()):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
        proc.wait(timeout=30)
    finally:
        engine.dispose()
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    after = {k: v for k, v in _snapshot(url).items() if not k.endswith(sql.STAGE_SUFFIX)}
    assert after == before
    reloaded = load_source(url)
    assert reloaded.report.rejects.height == 0 and reloaded.get("employees").height == 5
    assert cli.main(["load-db", "--source", str(TINY), "--url", url]) == 0  # the next load drops the leftovers
    again = _snapshot(url)
    assert set(again) == set(before) and {k: len(v) for k, v in again.items()} == {k: len(v) for k, v in before.items()}
