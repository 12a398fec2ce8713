"""Output folders and files are replaced whole; a link to the output folder stays a link."""

from __future__ import annotations

import os

import polars as pl
import pytest

from data_sources.outputs import OutputError, replace_folder, write_csv


def test_a_link_to_the_output_folder_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "old.csv").write_text("a\n1\n")
    os.symlink(tmp_path / "real", tmp_path / "link")
    with replace_folder(tmp_path / "link") as tmp:
        (tmp / "new.csv").write_text("a\n2\n")
    assert (tmp_path / "link").is_symlink()
    assert sorted(p.name for p in (tmp_path / "link").iterdir()) == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_a_failure_inside_leaves_the_previous_folder_and_no_temporary_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("keep")
    with pytest.raises(RuntimeError), replace_folder(out) as tmp:
        (tmp / "a.csv").write_text("half")
        raise RuntimeError("disk gone")
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and (out / "a.csv").read_text() == "keep"


def test_write_csv_is_formula_safe_and_refuses_a_folder(tmp_path):
    write_csv(pl.DataFrame({"id": ["+E000002", "-1.5"], "n": [-1, 2]}), tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_text() == "id,n\n'+E000002,-1\n-1.5,2\n"
    with pytest.raises(OutputError, match="is a folder, not a file"):
        write_csv(pl.DataFrame({"a": [1]}), tmp_path)
