"""The command line never shows a traceback: one line and exit 2 for a bad --config, --out,
--rejects or URL, a failed write; 130 on Ctrl-C with the previous output intact. The output folder
is replaced whole. CSV outputs are formula-safe with numbers kept as numbers. No secret is shown."""

from __future__ import annotations

import errno
import json
import re
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

import cli
from data_sources.loader import load_source
from data_sources.sql import write_tables

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
DEFECTS = ROOT / "tests" / "fixtures" / "defects"


@pytest.fixture
def run(capsys):
    """Run the command line in this process: (status, stdout, stderr), like a subprocess would give."""

    def go(*args: str) -> subprocess.CompletedProcess:
        status = cli.main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, captured.out, captured.err)

    return go


def _subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _messages(stderr: str) -> list[str]:
    """stderr without compute's progress lines (``[   0.1s] load: ...``)."""
    return [line for line in stderr.strip().splitlines() if not re.match(r"^\[\s*[\d.]+s\] ", line)]


def _one_line(done: subprocess.CompletedProcess, status: int = 2) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = _messages(done.stderr)
    assert done.returncode == status and len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def _previous_output(out: Path) -> dict[str, str]:
    """A complete earlier output (with a family this run will skip), as name -> text."""
    out.mkdir()
    files = {"manifest.json": '{"run": "previous"}\n', "equity.csv": "attribute,group\ngender,Woman\n"}
    for name, text in files.items():
        (out / name).write_text(text)
    return files


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.suffix != ".parquet"}


def _leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "config_text", [None, "[[not toml", "[readiness]\nready_now_min = 'high'\n", "[nonsense]\nx = 1\n"]
)
def test_a_missing_or_malformed_config_is_one_line(run, tmp_path, config_text):
    config = tmp_path / "metrics.toml"
    if config_text is not None:
        config.write_text(config_text)
    done = run("compute", "--source", str(TINY), "--out", str(tmp_path / "out"), "--config", str(config))
    assert str(config) in _one_line(done)
    assert not (tmp_path / "out").exists()


def test_a_config_that_is_a_folder_is_one_line(run, tmp_path):
    done = run("compute", "--source", str(TINY), "--out", str(tmp_path / "out"), "--config", str(tmp_path))
    _one_line(done)


def test_an_out_that_is_a_file_is_one_line_before_any_work(run, tmp_path):
    target = tmp_path / "out"
    target.write_text("keep me")
    line = _one_line(run("compute", "--source", str(TINY), "--out", str(target)))
    assert "is a file, not a folder" in line
    assert target.read_text() == "keep me"


def test_an_out_that_cannot_be_written_is_one_line(run):
    _one_line(run("compute", "--source", str(TINY), "--out", "/proc/tr-out-test/out"))


def test_an_out_holding_other_files_is_refused_not_deleted(run, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    line = _one_line(run("compute", "--source", str(TINY), "--out", str(tmp_path)))
    assert "'notes.txt', which is not an output of this program" in line
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_full_disk_keeps_the_previous_output_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    before = _previous_output(out)
    calls = {"n": 0}
    real = pl.DataFrame.write_parquet

    def full(self, file, *a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real(self, file, *a, **k)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    assert cli.main(["compute", "--source", str(TINY), "--out", str(out)]) == 2
    err = "\n".join(_messages(capsys.readouterr().err))
    assert err.count("\n") == 0 and "No space left on device" in err and "previous output" in err
    assert _contents(out) == before
    assert _leftovers(tmp_path) == []


def test_ctrl_c_is_one_line_exit_130_and_leaves_the_previous_output(tmp_path, monkeypatch, capsys):
    import metrics.run

    out = tmp_path / "out"
    before = _previous_output(out)

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(metrics.run, "run_metrics", interrupted)
    try:
        status = cli.main(["compute", "--source", str(TINY), "--out", str(out)])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped cli.main as a traceback")
    assert status == 130
    assert _messages(capsys.readouterr().err) == [f"error: {cli.ERR_INTERRUPTED}"]
    assert _contents(out) == before and _leftovers(tmp_path) == []


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch, capsys):
    import metrics.run

    def broken(*a, **k):
        raise pl.exceptions.PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(metrics.run, "run_metrics", broken)
    assert cli.main(["compute", "--source", str(TINY), "--out", "/tmp/h10sec-never-written"]) == 1
    err = _messages(capsys.readouterr().err)
    assert len(err) == 1 and "PanicException" in err[0]
    assert not Path("/tmp/h10sec-never-written").exists()


def test_a_run_that_skips_a_family_leaves_no_file_of_the_previous_run(tmp_path):
    out = tmp_path / "out"
    _previous_output(out)
    assert cli.main(["compute", "--source", str(TINY), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{s}" for n in ("proficiency", "readiness", "bench") for s in ("csv", "parquet")]
        + ["rejects.csv", "manifest.json"]
    )
    assert json.loads((out / "manifest.json").read_text())["skipped"]["equity"].startswith("needs table(s)")
    assert _leftovers(tmp_path) == []


def test_a_reader_never_sees_a_partial_output(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["compute", "--source", str(TINY), "--out", str(out)]) == 0
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(len((out / "proficiency.csv").read_bytes()))
                json.loads((out / "manifest.json").read_text())
            except FileNotFoundError:
                seen.append(-1)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(4):
            assert cli.main(["compute", "--source", str(TINY), "--out", str(out)]) == 0
    finally:
        stop.set()
        reader.join()
    assert seen and min(seen) > 0  # never empty, never missing (the folder is exchanged in one step)


@pytest.mark.parametrize("rejects", ["{tmp}", "/proc/tr-rejects-test/rejects.csv", "{tmp}/file.txt/rejects.csv"])
def test_an_unwritable_rejects_file_is_one_line(run, tmp_path, rejects):
    (tmp_path / "file.txt").write_text("x")
    _one_line(run("load", "--source", str(DEFECTS), "--rejects", rejects.format(tmp=tmp_path)))


@pytest.mark.parametrize("command", ["load", "load-db"])
def test_a_bad_port_in_a_url_is_one_line_with_the_password_masked(command):
    url = "postgresql+psycopg://hr:hunter2@db.example:abc/talent"
    args = ["--source", url] if command == "load" else ["--source", str(TINY), "--url", url]
    line = _one_line(_subprocess(command, *args))
    assert "hunter2" not in line and "the port is not a number" in line


def test_a_mistyped_url_is_not_echoed(run):
    line = _one_line(run("load", "--source", "postgresql:/hr:hunter2@db.example/talent"))
    assert "hunter2" not in line and "db.example" not in line
    assert "neither a folder, a .toml file nor a database URL" in line


def test_passwords_in_url_parameters_are_masked_on_the_source_line_and_in_the_manifest(tmp_path):
    db = tmp_path / "talent.db"
    write_tables(sa.create_engine(f"sqlite:///{db}"), load_source(TINY).tables)
    url = f"sqlite:///{db}?password=hunter2&pwd=hunter3&access_token=hunter4"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pysqlite ignores the parameters (and says so)
        done = _subprocess("compute", "--source", url, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    for text in (done.stdout, done.stderr, manifest):
        assert "hunter" not in text
    assert json.loads(manifest)["source"].endswith("?access_token=***&password=***&pwd=***")


def test_csv_outputs_and_rejects_are_formula_safe_and_numbers_stay_numbers(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(TINY, source)
    employees = pl.read_csv(source / "employees.csv", infer_schema=False)
    employees = employees.with_columns(
        pl.when(pl.col("employee_id") == "E4").then(pl.lit("=HYPERLINK(1)")).otherwise("role_id").alias("role_id"),
        pl.lit("@Data").alias("team"),
    )
    employees.write_csv(source / "employees.csv")
    out = tmp_path / "out"
    assert cli.main(["compute", "--source", str(source), "--out", str(out)]) == 0
    assert cli.main(["load", "--source", str(source), "--rejects", str(tmp_path / "rejects.csv")]) == 0
    for rejects in (out / "rejects.csv", tmp_path / "rejects.csv"):
        values = pl.read_csv(rejects, infer_schema=False).get_column("value").to_list()
        assert "'=HYPERLINK(1)" in values and "=HYPERLINK(1)" not in values
    readiness = pl.read_csv(out / "readiness.csv")
    assert readiness.schema["readiness"] == pl.Float64
    cells = [c for path in out.glob("*.csv") for c in path.read_text().replace("\n", ",").split(",")]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
