"""Real database servers for the SQL path: skipped when absent, unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
    "sqlite": "sqlite://",  # the embedded default store: a file per test
}


def _reachable(url: str) -> str | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not here"
        return str(exc).splitlines()[0]


@pytest.fixture(params=sorted(SERVERS))
def database_url(request, tmp_path):
    """A SQLAlchemy URL to an empty schema/database of its own on a real server (or a SQLite file)."""
    kind = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'talent.db'}"
        return
    base = SERVERS[kind]
    problem = _reachable(base)
    if problem:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{kind} server required (REQUIRE_SERVICES=1) but not reachable: {problem}")
        pytest.skip(f"{kind} server not reachable: {problem}")
    name = f"tr_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
            url = f"{base}?options=-csearch_path%3D{name}"
        else:
            conn.execute(sa.text(f"CREATE DATABASE `{name}`"))
            url = base.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        else:
            conn.execute(sa.text(f"DROP DATABASE `{name}`"))
    admin.dispose()
