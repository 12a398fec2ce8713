"""Uploading on the Data page: a configuration uploaded alone cannot touch a database or the
server's files, and uploaded files are removed when another source replaces them."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_sources.uploads import upload_root

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
TIMEOUT = 120
UPLOAD_KEY = "tr_upload_folder"


@pytest.fixture(autouse=True)
def private_upload_root(tmp_path, monkeypatch):
    """These tests' uploads go under a temporary folder of their own: another test process uploading
    at the same time (the chromium upload test) must not show up in their before/after comparisons."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    assert upload_root().parent == private


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["tr_source"] = str(TINY)
    return at.switch_page("views/data.py").run()


def _upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "application/octet-stream") for name, data in files])
    submit = [b for b in at.button if b.label == "Load uploaded files"][0]
    return submit.click().run()


def _folders() -> set[Path]:
    return set(upload_root().iterdir()) if upload_root().is_dir() else set()


def test_an_uploaded_configuration_cannot_drop_a_table(tmp_path):
    db = tmp_path / "hr.db"
    victim = f"victim_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {victim} (n INTEGER)"))
        conn.execute(sa.text(f"INSERT INTO {victim} VALUES (1)"))
    attack = f'[source]\nurl = "sqlite:///{db}"\n[tables.roles]\nquery = "DROP TABLE {victim}"\n'
    before = _folders()
    at = _upload(_app(), [("sources.toml", attack.encode())])
    assert not at.exception
    assert any("an uploaded configuration may name only the uploaded files" in e.value for e in at.error)
    assert at.session_state["tr_source"] == str(TINY)  # the previous source stays
    with engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT n FROM {victim}")).scalar() == 1
    engine.dispose()
    assert _folders() == before  # the refused upload's files are gone too


def test_an_uploaded_configuration_cannot_read_server_files():
    attack = b'[tables.roles]\nfile = "/etc/passwd"\n'
    at = _upload(_app(), [("sources.toml", attack)])
    assert not at.exception
    assert any("may name only the uploaded files" in e.value for e in at.error)


def test_uploaded_files_are_removed_when_another_source_replaces_them():
    files = [(p.name, p.read_bytes()) for p in sorted(TINY.iterdir())]
    at = _upload(_app(), files)
    assert not at.exception and not at.error
    first = at.session_state[UPLOAD_KEY].path
    assert at.session_state["tr_source"] == str(first) and (first / "roles.csv").is_file()

    at = _upload(at, files)  # the same files again: a new folder, the first one removed
    second = at.session_state[UPLOAD_KEY].path
    assert second != first and second.is_dir() and not first.exists()

    at.text_input[0].input(str(TINY))
    [b for b in at.button if b.label == "Load"][0].click().run()
    assert not at.exception and at.session_state["tr_source"] == str(TINY)
    assert not second.exists() and at.session_state[UPLOAD_KEY] is None
