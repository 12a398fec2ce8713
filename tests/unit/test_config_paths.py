"""A source configuration cannot reach outside its folder (unless the operator allows a root), and
an uploaded configuration can name only the uploaded files: no database, no server path."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from data_sources.config import ALLOWED_ROOTS_ENV
from data_sources.errors import SourceError
from data_sources.loader import load_source
from data_sources.uploads import UploadFolder, is_uploaded

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """tmp/conf/ (where configurations go, with a copy of tiny in conf/exports) and tmp/elsewhere/ (tiny)."""
    monkeypatch.delenv(ALLOWED_ROOTS_ENV, raising=False)
    conf = tmp_path / "conf"
    shutil.copytree(TINY, conf / "exports")
    shutil.copytree(TINY, tmp_path / "elsewhere")
    return conf


def _load(folder: Path, text: str, **kwargs):
    cfg = folder / "sources.toml"
    cfg.write_text(text)
    return load_source(cfg, **kwargs)


@pytest.mark.parametrize(
    "text",
    [
        '[source]\npath = "../elsewhere"\n',
        '[source]\npath = "{elsewhere}"\n',
        '[source]\npath = "exports"\n[tables.roles]\nfile = "../../elsewhere/roles.csv"\n',
        '[source]\npath = "exports"\n[tables.roles]\nfile = "{elsewhere}/roles.csv"\n',
        '[source]\npath = "exports"\n[tables.learning_events]\nxapi = "/etc/passwd"\n',
    ],
)
def test_paths_outside_the_configuration_folder_are_refused(layout, text):
    elsewhere = layout.parent / "elsewhere"
    with pytest.raises(SourceError) as caught:
        _load(layout, text.format(elsewhere=elsewhere))
    assert "outside the configuration's folder" in str(caught.value)
    assert ALLOWED_ROOTS_ENV in str(caught.value)


def test_an_operator_can_allow_a_root(layout, monkeypatch):
    elsewhere = layout.parent / "elsewhere"
    monkeypatch.setenv(ALLOWED_ROOTS_ENV, f"/nonexistent:{elsewhere}")
    bundle = _load(layout, f'[source]\npath = "{elsewhere}"\n')
    assert bundle.get("roles").height == 3


def test_paths_inside_the_folder_load(layout):
    bundle = _load(layout, '[source]\npath = "exports"\n[tables.roles]\nfile = "./roles.csv"\n')
    assert bundle.get("employees").height == 5


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[source]\nurl = "sqlite:///{db}"\n', "[source] url"),
        ('[source]\nurl_env = "HOME"\n', "[source] url_env"),
        ('[source]\npath = "."\n', "[source] path"),
        ('[tables.roles]\nsql_table = "roles"\n', "[tables.roles] sql_table"),
        ('[tables.roles]\nquery = "SELECT 1"\n', "[tables.roles] query"),
    ],
)
def test_an_uploaded_configuration_cannot_name_a_database_or_a_server_path(layout, text, key):
    with pytest.raises(SourceError) as caught:
        _load(layout / "exports", text.format(db=layout / "x.db"), uploaded=True)
    assert f"an uploaded configuration may name only the uploaded files, not {key}" in str(caught.value)
    assert not (layout / "x.db").exists()


@pytest.mark.parametrize("name", ["sub/roles.csv", "../roles.csv", "/etc/passwd"])
def test_an_uploaded_configuration_names_only_bare_file_names(layout, name):
    with pytest.raises(SourceError, match="an uploaded configuration may name only the uploaded files"):
        _load(layout / "exports", f'[tables.roles]\nfile = "{name}"\n', uploaded=True)


def test_an_uploaded_configuration_of_the_uploaded_files_loads(layout):
    bundle = _load(layout / "exports", '[tables.roles]\nfile = "roles.csv"\n', uploaded=True)
    assert bundle.get("roles").height == 3


def test_a_configuration_in_the_upload_folder_is_always_treated_as_uploaded():
    upload = UploadFolder()
    try:
        for f in TINY.iterdir():
            shutil.copy(f, upload.path / f.name)
        assert is_uploaded(upload.path / "sources.toml")
        with pytest.raises(SourceError, match=r"not \[source\] url"):
            _load(upload.path, '[source]\nurl = "sqlite://"\n')  # no uploaded=True given
        with pytest.raises(SourceError, match="an uploaded source cannot be a database"):
            load_source("sqlite://", uploaded=True)
    finally:
        upload.cleanup()
    assert not upload.path.exists()


def test_an_upload_folder_goes_when_its_owner_does():
    upload = UploadFolder()
    (upload.path / "roles.csv").write_text("role_id\n")
    path = upload.path
    del upload
    gc.collect()
    assert not path.exists()


def test_a_framework_or_credentials_outside_the_folder_are_refused(layout):
    for text in (
        '[source]\npath = "exports"\n[tables.competencies]\ncase = "../../elsewhere/competencies.csv"\n',
        '[source]\npath = "exports"\n[tables.evidence]\ncredentials = "/etc"\n',
    ):
        with pytest.raises(SourceError, match="outside the configuration's folder"):
            _load(layout, text)


def test_a_key_file_outside_the_folder_is_refused_where_it_is_read(layout):
    # a trusted key is key text or a file: whichever it is, no file outside the folder is read
    text = (
        '[source]\npath = "exports"\n[tables.evidence]\nfile = "evidence.csv"\ncredentials = "evidence.csv"\n'
        '[tables.evidence.trusted_keys]\n"did:example:issuer#key-1" = "/etc/hostname"\n'
    )
    with pytest.raises(SourceError, match="outside the configuration's folder"):
        _load(layout, text)
