"""The sample organisation through `cli.py load-db` into real PostgreSQL and MariaDB, and back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import cli
from data_sources.errors import SourceError
from data_sources.loader import DEFAULT_SAMPLE, load_source


@pytest.fixture(scope="module")
def file_bundle():
    return load_source(DEFAULT_SAMPLE)


def test_sample_round_trips_identically(database_url, file_bundle, capsys):
    assert cli.main(["load-db", "--source", str(DEFAULT_SAMPLE), "--url", database_url]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out
    from_db = load_source(database_url)
    assert set(from_db.tables) == set(file_bundle.tables)
    for name, frame in file_bundle.tables.items():
        got = from_db.get(name)
        assert got.schema == frame.schema, name
        assert got.sort(got.columns).equals(frame.sort(frame.columns)), name
    assert from_db.report.rejects.height == 0
    assert from_db.equity_attributes == file_bundle.equity_attributes


def test_sql_table_and_query_sources_with_mapping(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TR_ALLOWED_ROOTS", str(DEFAULT_SAMPLE.parent.parent / "tests" / "fixtures" / "tiny"))
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE hr_people (worker_id VARCHAR(20), job VARCHAR(20), org VARCHAR(20), started DATE)")
        )
        conn.execute(
            sa.text(
                "INSERT INTO hr_people VALUES ('E1','AN1','Data','2020-01-01'), ('E2','ZZ','Data','2021-02-03'), ('E3','AN2','Data',NULL)"
            )
        )
    engine.dispose()
    cfg = tmp_path / "sources.toml"
    cfg.write_text(
        f"""
[source]
url = "{database_url}"
path = "{(DEFAULT_SAMPLE.parent.parent / "tests" / "fixtures" / "tiny").as_posix()}"
[tables.employees]
query = "SELECT worker_id, job, org, started FROM hr_people ORDER BY worker_id"
[tables.employees.columns]
worker_id = "employee_id"
job = "role_id"
org = "team"
started = "hire_date"
[tables.roles]
file = "roles.csv"
[tables.competencies]
file = "competencies.csv"
[tables.role_requirements]
file = "role_requirements.csv"
"""
    )
    bundle = load_source(cfg)
    assert bundle.get("employees")["employee_id"].to_list() == ["E1"]
    reasons = bundle.report.rejects.select("row", "column", "reason").rows()
    assert reasons == [
        ("row 2", "role_id", "unknown role id: 'ZZ' is not in roles"),
        ("row 3", "hire_date", "missing required value"),
    ]


def test_wrong_password_is_not_echoed(database_url):
    url = sa.make_url(database_url).set(password="s3cret-pw", username="nobody_here")
    with pytest.raises(SourceError) as err:
        load_source(url.render_as_string(hide_password=False))
    assert "s3cret-pw" not in str(err.value)
    assert "cannot connect to the database" in str(err.value)
