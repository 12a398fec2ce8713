"""A corpus of malformed inputs through ``cli.py load`` and ``cli.py compute``: no traceback, ever.

Every input is generated here from a copy of ``tests/fixtures/tiny`` completed with small valid
optional tables (so every table of the contract is present): every contract table as CSV, Parquet
and Excel, learning events as xAPI JSON and NDJSON, a CASE framework and Open Badges credentials,
and TOML source configurations; empty files,
binary garbage, wrong encodings, byte-order marks, huge fields, wrong types, missing and duplicated
headers, ragged lines, NaN and infinity, dates in wrong formats, dangling keys, cycles, a JSON array
nested 100,000 deep, and more. Each one runs in-process through ``cli.main(["load", ...])`` and
``cli.main(["compute", ...])`` (and a handful through a real subprocess). Checked for every input:

- no traceback on stderr, and nothing escapes ``cli.main`` (not even a Rust panic);
- exit 0, or exit 2 with exactly one line on stderr (a whole-source error);
- on exit 0, ``read = accepted + rejected`` for every table, as printed by ``load`` and as
  recorded in compute's manifest;
- where the outcome is certain (a dangling key is a reject, an empty required file an error),
  the outcome itself.

Corpus counts (printed by the test; run ``pytest -s tests/unit/test_malformed_corpus.py -k no_malformed``),
at the time of writing: 267 inputs; ``load`` exit 0: 135, exit 2: 132 (``compute`` the same); 578 rows
rejected in total over the inputs that load (579 since issue 12's xAPI reasons). About 45 s of CPU (user + sys) for the corpus test.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

import cli
from data_sources.contract import CONTRACT, TABLE_ORDER

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
AS_OF = "2026-11-22"
#: On how many tables each extra kind of defect runs (1 keeps the whole corpus near 40 s of CPU).
EXTRA_TABLES = 1

#: Small valid optional tables, so that the corpus covers every table of the contract.
OPTIONAL = {
    "assets": "asset_id,title,cluster,competency_id,target_level,format,duration_min,difficulty,published_on\n"
    "A1,SQL basics,Data,SQL,2,video,5,1,2025-01-01\n"
    "A2,Forecasting 101,Data,FC,2,quiz,7.5,2,2025-02-01\n",
    "learning_events": "employee_id,asset_id,verb,timestamp,score,duration_s\n"
    "E3,A1,completed,2026-01-05T10:00:00Z,0.8,300\n"
    "E4,A2,attempted,2026-02-05T10:00:00Z,,120\n"
    "E2,A1,passed,2026-03-01T09:00:00+01:00,0.9,200\n",
    "performance": "employee_id,period_end,rating\nE1,2025-12-31,4\nE2,2025-12-31,3.5\nE3,2025-12-31,3\n",
    "movements": "employee_id,effective_date,from_role_id,to_role_id,movement_type\n"
    "E2,2024-04-01,AN1,AN2,promotion\n"
    "E1,2023-01-01,AN2,AN3,promotion\n",
    "capability_targets": "team,competency_id,target_level,target_headcount,priority\nData,SQL,3,2,1\nData,FC,2,1,\n",
}
XAPI_STATEMENT = {
    "actor": {"account": {"homePage": "https://lms.example", "name": "E3"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "A1"},
    "timestamp": "2026-01-05T10:00:00Z",
    "result": {"score": {"scaled": 0.8}, "duration": "PT5M"},
}

# An expected outcome: "ok" (exit 0, no reject), "reject" (exit 0, at least one reject),
# "error" (exit 2, one line) or None (either exit 0 or exit 2; only the general rules apply).
Expect = str | None


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], str]  # edits a fresh copy of the base folder; returns the --source argument
    expect: Expect = None


# ---------------------------------------------------------------- helpers on CSV text


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))


def _set(table: str, column_picker: Callable[[str], bool], value: str) -> Callable[[Path], str]:
    """Set every picked column of the first data row to ``value``."""

    def build(folder: Path) -> str:
        path = folder / f"{table}.csv"
        header, rows = _read(path)
        for i, name in enumerate(header):
            if column_picker(name):
                rows[0][i] = value
        _write(path, header, rows)
        return str(folder)

    return build


def _edit_text(table: str, edit: Callable[[str], str | bytes]) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        path = folder / f"{table}.csv"
        new = edit(path.read_text(encoding="utf-8"))
        path.write_bytes(new if isinstance(new, bytes) else new.encode("utf-8"))
        return str(folder)

    return build


def _replace_file(table: str, suffix: str, data: bytes) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        (folder / f"{table}.csv").unlink()
        (folder / f"{table}{suffix}").write_bytes(data)
        return str(folder)

    return build


def _as_frame(folder: Path, table: str) -> pl.DataFrame:
    return pl.read_csv(folder / f"{table}.csv", infer_schema=False)


def _to_parquet(table: str, change: Callable[[pl.DataFrame], pl.DataFrame]) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        frame = change(_as_frame(folder, table))
        (folder / f"{table}.csv").unlink()
        frame.write_parquet(folder / f"{table}.parquet")
        return str(folder)

    return build


def _to_excel(table: str, change: Callable[[pl.DataFrame], pl.DataFrame]) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        frame = change(_as_frame(folder, table))
        (folder / f"{table}.csv").unlink()
        frame.write_excel(folder / f"{table}.xlsx")
        return str(folder)

    return build


def _columns(table: str, kinds: tuple[str, ...]) -> Callable[[str], bool]:
    names = {c.name for c in CONTRACT[table].columns if c.type in kinds}
    return lambda name: name in names


def _garbage(seed: int, n: int = 3000) -> bytes:
    return random.Random(seed).randbytes(n)


# ---------------------------------------------------------------- the corpus


def _table_cases(table: str, extra_kinds: tuple[int, ...]) -> list[Case]:
    """The core defects on ``table``, plus the extra kinds numbered ``extra_kinds`` (see ``_extras``)."""
    spec = CONTRACT[table]
    types = {c.type for c in spec.columns}
    cases = [
        Case("empty file", _edit_text(table, lambda t: b""), "error"),
        Case("binary garbage", _edit_text(table, lambda t, s=len(table): _garbage(s)), None),
        Case("missing header", _edit_text(table, lambda t: "".join(t.splitlines(True)[1:])), "error"),
        Case(
            "duplicated header",
            _edit_text(table, lambda t: t.replace(t.split(",")[1], t.split(",")[0], 1)),
            "error",
        ),
        Case("ragged: extra unquoted comma", _edit_text(table, _add_field), "reject"),
        Case("ragged: too few fields", _edit_text(table, _drop_last_field), "reject"),
        Case("every value blank", _set(table, lambda n: True, ""), "reject"),
        Case("missing required column", _drop_column(table, spec.required_columns[0]), "error"),
        Case(
            "Parquet, list column",
            _to_parquet(
                table,
                lambda f: f.with_columns(
                    pl.col(f.columns[0]).map_elements(lambda v: [v], return_dtype=pl.List(pl.String))
                ),
            ),
            "error",
        ),
    ]
    if types & {"int", "float"}:
        cases.append(Case("NaN in numbers", _set(table, _columns(table, ("int", "float")), "NaN"), "reject"))
        cases.append(Case("text in numbers", _set(table, _columns(table, ("int", "float")), "three"), "reject"))
    if "date" in types:
        cases.append(Case("date '31/12/2025'", _set(table, _columns(table, ("date",)), "31/12/2025"), "reject"))
    refs = [c.name for c in spec.columns if c.references and c.required]
    if refs:
        cases.append(Case("dangling keys", _set(table, lambda n: n in refs, "ZZZ"), "reject"))
    extras = _extras(table)
    cases += [extras[k] for k in extra_kinds if k < len(extras) and extras[k] is not None]
    return [Case(f"{table}: {c.name}", c.build, c.expect) for c in cases]


def _extras(table: str) -> list[Case | None]:
    """Further defects; each is applied to a few tables only (see ``_corpus``), to keep the run short.

    None where a kind does not apply to the table (no numbers, no dates...).
    """
    spec = CONTRACT[table]
    types = {c.type for c in spec.columns}
    first = spec.columns[0].name
    numeric = _columns(table, ("int", "float"))
    has_numbers = bool(types & {"int", "float"})
    required = table in ("employees", "roles", "competencies", "role_requirements")

    def num(name: str, value: str) -> Case | None:
        return Case(name, _set(table, numeric, value), "reject") if has_numbers else None

    def date(kind: str, value: str) -> Case | None:
        return (
            Case(f"{kind} {value!r}", _set(table, _columns(table, (kind,)), value), "reject") if kind in types else None
        )

    return [
        Case("header only", _edit_text(table, lambda t: t.splitlines(True)[0]), None),
        Case("garbage after the header", _edit_text(table, lambda t: t + '\x00\x01\xff,,"\n'), None),
        Case("non-ASCII text", _set(table, lambda n: n == first, "Zoë"), None),
        Case("whole file cp1252", _edit_text(table, lambda t: (t.rstrip("\n") + "é\n").encode("cp1252")), None),
        Case("whole file UTF-16", _edit_text(table, lambda t: t.encode("utf-16")), None),
        Case("UTF-8 byte-order mark", _edit_text(table, lambda t: "\ufeff" + t), "ok"),
        Case("CRLF line ends", _edit_text(table, lambda t: t.replace("\n", "\r\n")), "ok"),
        Case("CR-only line ends", _edit_text(table, lambda t: t.replace("\n", "\r")), None),
        Case("huge field (1 MB)", _set(table, lambda n: n == first, "x" * 1_000_000), None),
        Case("NUL byte in a field", _set(table, lambda n: n == first, "a\x00b"), None),
        Case("unterminated quote", _edit_text(table, lambda t: t.replace("\n", '\n"', 1)), None),
        Case("formula payload", _set(table, _columns(table, ("str",)), '=HYPERLINK("x")'), None),
        Case("every value whitespace", _set(table, lambda n: True, "   "), "reject"),
        Case("duplicated row", _edit_text(table, lambda t: t + t.splitlines(True)[1]), "reject" if spec.key else "ok"),
        Case("directory instead of a file", _dir_instead(table), "error" if required else "ok"),
        Case("Parquet, as text", _to_parquet(table, lambda f: f), "ok"),
        Case("Parquet, garbage", _replace_file(table, ".parquet", _garbage(7)), "error"),
        Case("Parquet, empty file", _replace_file(table, ".parquet", b""), "error"),
        Case(
            "Parquet, struct column",
            _to_parquet(table, lambda f: f.with_columns(pl.struct(pl.col(f.columns[0])).alias(f.columns[0]))),
            "error",
        ),
        Case(
            "Parquet, integers everywhere",
            _to_parquet(table, lambda f: f.select(pl.int_range(pl.len()).alias(c) for c in f.columns)),
            None,
        ),
        Case(
            "Parquet, binary column",
            _to_parquet(table, lambda f: f.with_columns(pl.col(f.columns[0]).cast(pl.Binary))),
            None,
        ),
        Case(
            "Parquet, all-null column",
            _to_parquet(table, lambda f: f.with_columns(pl.lit(None, dtype=pl.String).alias(f.columns[0]))),
            "reject",
        ),
        Case("Parquet, no rows", _to_parquet(table, lambda f: f.head(0)), None),
        Case(
            "Parquet, NaN and inf in numbers",
            _to_parquet(
                table,
                lambda f: f.with_columns(
                    pl.Series(c, [float("nan"), float("inf")] + [1.0] * (f.height - 2)) for c in f.columns if numeric(c)
                ),
            ),
            "reject",
        )
        if has_numbers
        else None,
        Case("Excel, as text", _to_excel(table, lambda f: f), "ok"),
        Case("Excel, garbage", _replace_file(table, ".xlsx", _garbage(11)), "error"),
        Case("Excel, empty file", _replace_file(table, ".xlsx", b""), "error"),
        Case("Excel, header only", _to_excel(table, lambda f: f.head(0)), None),
        num("inf in numbers", "inf"),
        num("-Infinity in numbers", "-Infinity"),
        num("1e308 in numbers", "1e308"),
        num("-1e400 in numbers", "-1e400"),
        num("number with thousands comma", "1,000"),
        date("date", "2025-13-01"),
        date("date", "20250101"),
        date("date", "2025-02-30"),
        date("date", "99999-01-01"),
        date("timestamp", "2026-01-05 10:00"),
        date("timestamp", "yesterday"),
        date("timestamp", "2026-01-05T25:00:00Z"),
        Case("bool 'maybe'", _set(table, _columns(table, ("bool",)), "maybe"), "reject") if "bool" in types else None,
    ]


def _add_field(text: str) -> str:
    lines = text.splitlines(True)
    lines[1] = lines[1].rstrip("\n") + ",oops\n"
    return "".join(lines)


def _drop_last_field(text: str) -> str:
    lines = text.splitlines(True)
    lines[1] = lines[1].rstrip("\n").rsplit(",", 1)[0] + "\n"
    return "".join(lines)


def _drop_column(table: str, column: str) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        path = folder / f"{table}.csv"
        header, rows = _read(path)
        i = header.index(column)
        _write(path, header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])
        return str(folder)

    return build


def _dir_instead(table: str) -> Callable[[Path], str]:
    def build(folder: Path) -> str:
        (folder / f"{table}.csv").unlink()
        (folder / f"{table}.csv").mkdir()
        return str(folder)

    return build


def _semantic_cases() -> list[Case]:
    return [
        Case("roles: next_role_id cycle", _set("roles", lambda n: n == "next_role_id", "AN1"), "reject"),
        Case(
            "roles: two-role cycle",
            _edit_text(
                "roles", lambda t: t.replace("AN3,Lead Analyst,Data,3,,true", "AN3,Lead Analyst,Data,3,AN2,true")
            ),
            "reject",
        ),
        Case(
            "employees: exit before hire",
            _edit_text("employees", lambda t: t.replace("2020-01-01,2025-06-30", "2020-01-01,2019-06-30")),
            "reject",
        ),
        Case(
            "employees: hire after the as-of",
            _edit_text("employees", lambda t: t.replace("2020-01-01,2025-06-30", "2030-01-01,")),
            "reject",
        ),
        Case(
            "employees: manager cycle",
            _edit_text("employees", lambda t: t.replace("E1,AN3,Data,,", "E1,AN3,Data,E2,")),
            None,
        ),
        Case(
            "employees: manager is self",
            _edit_text("employees", lambda t: t.replace("E1,AN3,Data,,", "E1,AN3,Data,E1,")),
            None,
        ),
        Case(
            "movements: before hire",
            _edit_text("movements", lambda t: t.replace("E2,2024-04-01", "E2,2010-04-01")),
            "reject",
        ),
        Case(
            "movements: to the same role",
            _edit_text("movements", lambda t: t.replace("AN1,AN2,promotion", "AN2,AN2,promotion")),
            "reject",
        ),
        Case("movements: unknown type", _set("movements", lambda n: n == "movement_type", "sideways"), "reject"),
        Case(
            "employees: a rejected employee knocks on",
            _set("employees", lambda n: n == "team", ""),
            "reject",
        ),
        Case(
            "roles: deleted role",
            _edit_text("roles", lambda t: t.replace("AN1,Analyst,Data,1,AN2,false\n", "")),
            "reject",
        ),
        Case("role_requirements: weight 0", _set("role_requirements", lambda n: n == "weight", "0"), "reject"),
        Case("evidence: level 0", _set("evidence", lambda n: n == "level", "0"), "reject"),
        Case("evidence: level 2.5", _set("evidence", lambda n: n == "level", "2.5"), "reject"),
        Case("learning_events: score 1.5", _set("learning_events", lambda n: n == "score", "1.5"), "reject"),
        Case(
            "learning_events: negative duration", _set("learning_events", lambda n: n == "duration_s", "-1"), "reject"
        ),
        Case("capability_targets: priority 9", _set("capability_targets", lambda n: n == "priority", "9"), "reject"),
        Case("every optional table removed", _remove_optional, "ok"),
    ]


def _remove_optional(folder: Path) -> str:
    for table in OPTIONAL:
        (folder / f"{table}.csv").unlink()
    return str(folder)


def _xapi(name: str, data: bytes | str, expect: Expect, suffix: str = ".json") -> Case:
    def build(folder: Path) -> str:
        (folder / "learning_events.csv").unlink()
        (folder / f"learning_events{suffix}").write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(folder)

    return Case(f"xAPI: {name}", build, expect)


def _xapi_cases() -> list[Case]:
    good = json.dumps(XAPI_STATEMENT)
    deep = "[" * 100_000 + "]" * 100_000
    wrong_types = [
        {**XAPI_STATEMENT, "verb": "completed"},
        {**XAPI_STATEMENT, "actor": ["E3"]},
        {**XAPI_STATEMENT, "result": "passed"},
        {**XAPI_STATEMENT, "result": {"score": {"scaled": "high"}, "duration": 5}},
        {**XAPI_STATEMENT, "timestamp": 5},
        {**XAPI_STATEMENT, "object": "A1"},
        {**XAPI_STATEMENT, "object": {"id": ["A1"]}},
        {**XAPI_STATEMENT, "actor": {"account": "E3"}},
        {**XAPI_STATEMENT, "actor": {"mbox": 5}},
        {**XAPI_STATEMENT, "verb": {"id": 5}},
    ]
    return [
        _xapi("valid array", f"[{good}]", "ok"),
        _xapi("valid NDJSON", f"{good}\n{good}\n", "ok", ".ndjson"),
        _xapi("one statement", good, "ok"),
        _xapi("empty file", "", "ok"),
        _xapi("binary garbage", _garbage(3), None),
        _xapi("UTF-16", f"[{good}]".encode("utf-16"), None),
        _xapi("byte-order mark", "\ufeff" + f"[{good}]", "ok"),
        _xapi("array nested 100,000 deep", deep, "error"),
        _xapi("object nested 100,000 deep", '{"a":' * 100_000 + "1" + "}" * 100_000, "error"),
        _xapi("NDJSON line nested 100,000 deep", f"{good}\n{deep}\n", "reject", ".ndjson"),
        _xapi("a number", "5", "reject"),
        _xapi("null", "null", "reject"),
        _xapi("array of scalars", '[1, "x", null, true]', "reject"),
        _xapi("wrong field types", json.dumps(wrong_types), "reject"),
        _xapi("score NaN", good.replace("0.8", "NaN"), "reject"),
        _xapi("score 1e999", good.replace("0.8", "1e999"), "reject"),
        _xapi("duration P99999999999999999999D", good.replace("PT5M", "P99999999999999999999D"), "reject"),
        _xapi("NDJSON with a broken line", f"{good}\n{{broken\n{good}\n", "reject", ".jsonl"),
        _xapi("NDJSON of non-objects", "1\n2\n", "error", ".jsonl"),
        _xapi("truncated JSON", f"[{good}", "error"),
        _xapi("unknown verb", good.replace("completed", "liked"), "reject"),
        _xapi(
            "no timestamp, no stored",
            json.dumps({k: v for k, v in XAPI_STATEMENT.items() if k != "timestamp"}),
            "reject",
        ),
        _xapi("huge string", json.dumps({**XAPI_STATEMENT, "object": {"id": "x" * 1_000_000}}), "reject"),
    ]


def _json_file(name: str, file: str, data: bytes | str, expect: Expect, drop: str | None = None) -> Case:
    """A CASE framework (``competencies.json`` instead of the CSV) or an Open Badges credentials file."""

    def build(folder: Path) -> str:
        if drop:
            (folder / drop).unlink()
        (folder / file).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(folder)

    return Case(name, build, expect)


def _framework_and_credential_cases() -> list[Case]:
    deep = "[" * 100_000 + "]" * 100_000
    case = "competencies.json"
    cred = "bad.credential.json"
    return [
        _json_file("CASE: garbage", case, _garbage(13), "error", drop="competencies.csv"),
        _json_file("CASE: truncated JSON", case, '{"CFDocument": {', "error", drop="competencies.csv"),
        _json_file("CASE: nested 100,000 deep", case, deep, "error", drop="competencies.csv"),
        _json_file("CASE: not a package", case, "[1, 2]", "error", drop="competencies.csv"),
        _json_file("Open Badges: garbage", cred, _garbage(17), "error"),
        _json_file("Open Badges: nested 100,000 deep", cred, deep, "error"),
        _json_file("Open Badges: not credentials", cred, '[1, "x", null, {"type": 5}]', "reject"),
        _json_file("Open Badges: a fake VC-JWT", cred, "eyJhbGciOiJub25lIn0.e30.", None),
    ]


def _toml(name: str, text: str | bytes, expect: Expect) -> Case:
    def build(folder: Path) -> str:
        path = folder / "source.toml"
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return str(path)

    return Case(f"TOML: {name}", build, expect)


def _toml_cases() -> list[Case]:
    p = '[source]\npath = "."\n'
    return [
        _toml("minimal", p, "ok"),
        _toml("empty", "", "ok"),
        _toml("binary garbage", _garbage(5), "error"),
        _toml("syntax error", "[source\npath = .\n", "error"),
        _toml("as_of = 5", "[source]\nas_of = 5\n", "error"),
        _toml("as_of = 'soon'", "[source]\nas_of = 'soon'\n", "error"),
        _toml("as_of is a datetime", "[source]\nas_of = 2026-01-01T10:00:00\n", "error"),
        _toml("as_of is a TOML date", "[source]\nas_of = 2026-11-22\n", "ok"),
        _toml("path = 5", "[source]\npath = 5\n", "error"),
        _toml("path to nowhere", "[source]\npath = 'nowhere'\n", "error"),
        _toml("url = 5", "[source]\nurl = 5\n", "error"),
        _toml("url not a URL", "[source]\nurl = 'notaurl://x'\n", "error"),
        _toml("url to a missing SQLite folder", "[source]\nurl = 'sqlite:////nonexistent/dir/t.db'\n", "error"),
        _toml("url with a bad port", "[source]\nurl = 'postgresql://u@localhost:99999/db'\n", "error"),
        _toml("url_env unset", "[source]\nurl_env = 'H10_SURELY_UNSET'\n", "ok"),
        _toml("equity_attributes = 'gender'", "[source]\nequity_attributes = 'gender'\n", "error"),
        _toml("equity_attributes = [1]", "[source]\nequity_attributes = [1]\n", "error"),
        _toml("unknown [source] key", "[source]\npaht = '.'\n", "error"),
        _toml("unknown section", "[sauce]\n", "error"),
        _toml("unknown table", p + "[tables.people]\nfile = 'employees.csv'\n", "error"),
        _toml("tables = 5", "tables = 5\n", "error"),
        _toml("source = 5", "source = 5\n", "error"),
        _toml("[tables] roles = 5", "[tables]\nroles = 5\n", "error"),
        _toml("values = 5", p + "[tables.employees]\nvalues = 5\n", "error"),
        _toml("values.gender = 5", p + "[tables.employees.values]\ngender = 5\n", "error"),
        _toml("values.gender.M = []", p + "[tables.employees.values.gender]\nM = []\n", "error"),
        _toml("columns = 5", p + "[tables.roles]\ncolumns = 5\n", "error"),
        _toml("columns value = 5", p + "[tables.roles.columns]\nrole_id = 5\n", "error"),
        _toml(
            "two sources onto one column", p + "[tables.roles.columns]\ntitle = 'role_id'\nladder = 'role_id'\n", None
        ),
        _toml("mapped column absent", p + "[tables.roles.columns]\n'Job Code' = 'role_id'\n", "error"),
        _toml("file = 5", p + "[tables.roles]\nfile = 5\n", "error"),
        _toml("file missing", p + "[tables.roles]\nfile = 'jobs.csv'\n", "error"),
        _toml("file is a folder", p + "[tables.roles]\nfile = '.'\n", "error"),
        _toml("file is the TOML", p + "[tables.roles]\nfile = 'source.toml'\n", "error"),
        _toml("file and query", p + "[tables.roles]\nfile = 'roles.csv'\nquery = 'SELECT 1'\n", "error"),
        _toml("query without url", p + "[tables.roles]\nquery = 'SELECT 1'\n", "error"),
        _toml("sheet = 3", p + "[tables.roles]\nsheet = 3\n", "error"),
        _toml("distinct = 'yes'", p + "[tables.roles]\ndistinct = 'yes'\n", "error"),
        _toml("derive syntax error", p + "[tables.roles.derive]\ntitle = '(('\n", "error"),
        _toml("derive unknown column", p + "[tables.roles.derive]\ntitle = 'upper(nope)'\n", "error"),
        _toml("derive = 5", p + "[tables.roles]\nderive = 5\n", "error"),
        _toml("date_formats = 5", p + "[tables.employees]\ndate_formats = 5\n", "error"),
        _toml("date_formats nonsense", p + "[tables.employees.date_formats]\nhire_date = '%Q%Q'\n", None),
        _toml("date_formats year only", p + "[tables.employees.date_formats]\nhire_date = '%Y'\n", None),
        _toml("date_formats empty list", p + "[tables.employees.date_formats]\nhire_date = []\n", "error"),
        _toml("rescale from [0, 0]", p + "[tables.evidence.rescale.level]\nfrom = [0, 0]\nto = [1, 5]\n", "error"),
        _toml("rescale = 5", p + "[tables.evidence]\nrescale = 5\n", "error"),
        _toml("rescale without to", p + "[tables.evidence.rescale.level]\nfrom = [0, 4]\n", "error"),
        _toml("rescale to nan", p + "[tables.evidence.rescale.level]\nfrom = [0, 4]\nto = [1, nan]\n", "error"),
        _toml("rescale far away", p + "[tables.evidence.rescale.level]\nfrom = [0, 1]\nto = [1, 1e300]\n", "reject"),
        _toml("identity actor bad", p + "[tables.learning_events.identity]\nactor = 'x'\n", "error"),
        _toml("identity map = 5", p + "[tables.learning_events.identity]\nmap = 5\n", "error"),
        _toml("constants = 5", p + "[tables.roles]\nconstants = 5\n", "error"),
        _toml("constants list value", p + "[tables.roles.constants]\ncritical = [true]\n", "error"),
        _toml("constants wrong type", p + "[tables.roles.constants]\ncritical = 'perhaps'\n", "reject"),
        _toml("scale on performance", p + "[tables.performance]\nscale = [1, 3.6]\n", "reject"),
        _toml("scale reversed", p + "[tables.performance]\nscale = [5, 1]\n", "error"),
        _toml("scale on evidence", p + "[tables.evidence]\nscale = [1, 5]\n", "error"),
        _toml("xapi missing", p + "[tables.learning_events]\nxapi = 'nope.json'\n", "error"),
        _toml("metrics = 5", p + "metrics = 5\n", "error"),
        _toml("unknown table key", p + "[tables.roles]\nfiles = 'roles.csv'\n", "error"),
    ]


def _corpus() -> list[Case]:
    """Every input: the core defects on every table; each extra kind on one table it applies to,
    the tables taking turns (``EXTRA_TABLES`` raises that, at the cost of run time)."""
    n_extras = len(_extras("roles"))
    assigned: dict[str, list[int]] = {t: [] for t in TABLE_ORDER}
    for k in range(n_extras):
        takers = [t for t in TABLE_ORDER if _extras(t)[k] is not None]
        for j in range(min(EXTRA_TABLES, len(takers))):
            assigned[takers[(k + j * 5) % len(takers)]].append(k)
    cases = [case for table in TABLE_ORDER for case in _table_cases(table, tuple(assigned[table]))]
    return cases + _semantic_cases() + _xapi_cases() + _framework_and_credential_cases() + _toml_cases()


# ---------------------------------------------------------------- running


@dataclass
class Outcome:
    code: object
    out: str
    err: str


def _run(argv: list[str]) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = "escaped"
    return Outcome(code, out.getvalue(), err.getvalue())


def _printed_counts(out: str) -> dict[str, tuple[int, int, int]]:
    """``table -> (read, accepted, rejected)`` from ``load``'s report."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("table ")) + 1
    counts = {}
    for line in lines[start:]:
        parts = line.split()
        if len(parts) < 4 or not parts[1].isdigit():
            break
        counts[parts[0]] = (int(parts[1]), int(parts[2]), int(parts[3]))
    return counts


def _problems(case: Case, load: Outcome, compute: Outcome, manifest: dict | None) -> list[str]:
    found = []
    for what, res in (("load", load), ("compute", compute)):
        if "Traceback" in res.err or res.code == "escaped":
            found.append(f"{what}: traceback: {res.err[-400:]}")
        elif res.code not in (0, 2):
            found.append(f"{what}: exit {res.code}")
        elif res.code == 2 and (res.err.count("\n") != 1 or not res.err.startswith("error: ")):
            found.append(f"{what}: exit 2 without exactly one line: {res.err[:300]!r}")
    if load.code == 0:
        counts = _printed_counts(load.out)
        bad = {t: c for t, c in counts.items() if c[0] != c[1] + c[2]}
        if not counts or bad:
            found.append(f"load: read != accepted + rejected: {bad or 'no table printed'}")
    if compute.code == 0 and manifest is not None:
        bad_m = [t for t in manifest["tables"] if t["read"] != t["accepted"] + t["rejected"]]
        if bad_m:
            found.append(f"compute: manifest does not reconcile: {bad_m}")
    if load.code == 0 and compute.code == 2 and "error: " in compute.err and "as-of" not in compute.err:
        pass  # compute may refuse what load accepts (e.g. a parameter); only the one-line rule applies
    rejects = _rejects_printed(load.out) if load.code == 0 else 0
    if case.expect == "error" and load.code != 2:
        found.append(f"expected exit 2, got {load.code}")
    if case.expect in ("ok", "reject") and load.code != 0:
        found.append(f"expected exit 0, got {load.code}: {load.err.strip()}")
    if case.expect == "ok" and load.code == 0 and rejects:
        found.append(f"expected no reject, got {rejects}: {load.out[-600:]}")
    if case.expect == "reject" and load.code == 0 and not rejects:
        found.append("expected at least one reject, got none")
    return found


def _rejects_printed(out: str) -> int:
    return sum(c[2] for c in _printed_counts(out).values())


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "base"
    shutil.copytree(TINY, folder)
    for table, text in OPTIONAL.items():
        (folder / f"{table}.csv").write_text(text)
    return folder


def test_the_base_is_valid_and_complete(base):
    res = _run(["load", "--source", str(base), "--as-of", AS_OF])
    assert res.code == 0, res.err
    counts = _printed_counts(res.out)
    assert set(counts) == set(TABLE_ORDER)
    assert all(rejected == 0 for _, _, rejected in counts.values())


def test_the_corpus_has_at_least_150_inputs_covering_every_table_and_format():
    cases = _corpus()
    assert len(cases) >= 150
    names = " ".join(c.name for c in cases)
    for table in TABLE_ORDER:
        assert f"{table}: " in names
    for word in ("Parquet", "Excel", "xAPI", "NDJSON", "TOML", "nested 100,000 deep", "ragged", "cycle", "NaN"):
        assert word in names


#: The corpus runs in this many shards, so that two test workers share it.
SHARDS = 4
#: Inputs whose defect lies in a table that never reaches the equity family (or in a source
#: configuration that either loads the tiny base or fails whole) compute with the equity
#: intersections off: those integer-program audits are two thirds of a compute's time here and
#: see the same accepted rows as the base. Every other input computes with the default configuration.
NOT_EQUITY = ("TOML", "xAPI", "learning_events", "performance", "assets", "capability_targets")


@pytest.fixture(scope="module")
def no_intersections(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "no_intersections.toml"
    path.write_text("[equity]\nintersections = false\n")
    return path


def test_learning_only_inputs_are_recognised():
    names = [c.name for c in _corpus()]
    skipped = [n for n in names if n.split(":")[0] in NOT_EQUITY]
    assert 0 < len(skipped) < len(names)
    assert not any(n.startswith(("employees:", "movements:", "roles:", "evidence:")) for n in skipped)


@pytest.mark.parametrize(
    "shard", [pytest.param(i, marks=pytest.mark.xdist_group(f"corpus-{i}")) for i in range(SHARDS)]
)
def test_no_malformed_input_gives_a_traceback_and_every_count_reconciles(base, no_intersections, tmp_path, shard):
    failures: dict[str, list[str]] = {}
    tally = {"inputs": 0, "load exit 0": 0, "load exit 2": 0, "compute exit 0": 0, "compute exit 2": 0, "rejects": 0}
    for i, case in enumerate(_corpus()):
        if i % SHARDS != shard:
            continue
        folder = tmp_path / f"c{i}"
        shutil.copytree(base, folder)
        source = case.build(folder)
        load = _run(["load", "--source", source, "--as-of", AS_OF])
        out = tmp_path / f"out{i}"
        config = ["--config", str(no_intersections)] if case.name.split(":")[0] in NOT_EQUITY else []
        compute = _run(["compute", "--source", source, "--out", str(out), *config])
        manifest_file = out / "manifest.json"
        manifest = json.loads(manifest_file.read_text()) if compute.code == 0 and manifest_file.is_file() else None
        problems = _problems(case, load, compute, manifest)
        if problems:
            failures[case.name] = problems
        tally["inputs"] += 1
        tally[f"load exit {load.code}"] = tally.get(f"load exit {load.code}", 0) + 1
        tally[f"compute exit {compute.code}"] = tally.get(f"compute exit {compute.code}", 0) + 1
        tally["rejects"] += _rejects_printed(load.out) if load.code == 0 else 0
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    print("\ncorpus:", ", ".join(f"{k}: {v}" for k, v in tally.items()))
    assert not failures, "\n".join(f"{name}: {'; '.join(p)}" for name, p in failures.items())


SUBPROCESS_CASES = (
    "employees: ragged: extra unquoted comma",
    "roles: Parquet, list column",
    "xAPI: array nested 100,000 deep",
    "TOML: as_of = 5",
    "TOML: values = 5",
    "role_requirements: NaN in numbers",
    "roles: deleted role",
)


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_a_handful_through_a_real_process(base, tmp_path, name):
    case = next(c for c in _corpus() if c.name == name)
    folder = tmp_path / "src"
    shutil.copytree(base, folder)
    source = case.build(folder)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "load", "--source", source, "--as-of", AS_OF],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr
    if case.expect == "error":
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        counts = _printed_counts(proc.stdout)
        assert all(r == a + j for r, a, j in counts.values())
        assert sum(j for _, _, j in counts.values()) > 0
